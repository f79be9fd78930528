"""Case 5: signed bodies that used to crash the parser.

A correctly signed body came from Meta or Telegram (or from someone holding the secret), and both
retry a delivery until they get a 200: a body the parser cannot take must be refused with 4xx when
nothing in it can be read, or acknowledged with the unreadable part skipped, and the other messages
of the delivery stored and answered. On both backends.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.support.payloads import TG_SECRET, sign, signed, tg_message, wa_delivery, wa_message

pytestmark = pytest.mark.case(5)
DEPTH = 100_000
DEEP = "[" * DEPTH + "]" * DEPTH
HUGE = "9" * 5000


def post_raw(live, body: bytes):
    headers = {"content-type": "application/json", "x-hub-signature-256": sign(body)}
    return httpx.post(f"{live.url}/webhooks/whatsapp", content=body, headers=headers, timeout=30)


def with_raw_field(good: dict, bad: dict, field: str, raw: str) -> bytes:
    """A delivery of ``good`` and ``bad``, where ``bad[field]`` is replaced by the raw JSON ``raw``."""
    bad = {**bad, field: "__RAW__"}
    return json.dumps(wa_delivery(good, bad)).replace('"__RAW__"', raw).encode()


def stored(live) -> list[str]:
    return [r[0] for r in live.services.store.connection().execute("SELECT text FROM messaging_inbox ORDER BY id")]


def wait_for_recipients(graph, numbers: set[str], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not numbers <= {d.body.get("to") for d in list(graph.deliveries)}:
        assert time.monotonic() < deadline, [d.body.get("to") for d in graph.deliveries]
        time.sleep(0.05)


def test_deep_nesting_inside_one_message_spares_the_others(live, graph):
    good = wa_message("6281100000201", "text", {"body": "vaksin chip"})
    bad = wa_message("6281100000202", "text")
    response = post_raw(live, with_raw_field(good, bad, "text", DEEP))
    assert response.status_code == 200, response.text
    assert "vaksin chip" in stored(live)
    wait_for_recipients(graph, {"6281100000201"})


def test_a_body_that_is_only_nesting_is_refused_or_acknowledged(live):
    for body in (DEEP.encode(), ('{"object": "whatsapp_business_account", "entry": ' + DEEP + "}").encode()):
        response = post_raw(live, body)
        assert response.status_code < 500, response.text
    assert stored(live) == []


def test_five_thousand_digit_numbers(live, graph):
    good = wa_message("6281100000203", "text", {"body": "bansos 600 ribu"})
    bad = wa_message("6281100000204", "text", {"body": "gempa jakarta"})
    response = post_raw(live, with_raw_field(good, bad, "timestamp", HUGE))
    assert response.status_code == 200, response.text
    assert stored(live) == ["bansos 600 ribu", "gempa jakarta"]
    graph.wait_for(2)
    float_body = json.dumps(wa_delivery(good)).replace('"timestamp": "', f'"timestamp": {HUGE}.5, "t": "').encode()
    assert post_raw(live, float_body).status_code == 200


def test_lone_surrogates_in_text_sender_and_id(live, graph):
    messages = [wa_message("6281100000205", "text", {"body": "vaksin \ud800 chip"}),
                wa_message("62811\udfff00206", "text", {"body": "bansos"}),
                wa_message("6281100000207", "text", {"body": "gempa"}, message_id="wamid.\ud800x"),
                wa_message("6281100000208", "text", {"body": "pinjol ilegal"})]
    body, headers = signed(wa_delivery(*messages))
    assert b"\\ud800" in body
    response = httpx.post(f"{live.url}/webhooks/whatsapp", content=body, headers=headers)
    assert response.status_code == 200, response.text
    texts = stored(live)
    assert "vaksin \ufffd chip" in texts and "pinjol ilegal" in texts
    wait_for_recipients(graph, {"6281100000205", "6281100000207", "6281100000208"})


def test_telegram_updates_with_huge_ids_deep_nesting_and_surrogates(live, bot):
    url, headers = f"{live.url}/webhooks/telegram", {"x-telegram-bot-api-secret-token": TG_SECRET,
                                                      "content-type": "application/json"}
    huge = json.dumps(tg_message(700201)).replace('"update_id": ', f'"update_id": {HUGE}0').encode()
    assert httpx.post(url, content=huge, headers=headers).status_code == 200
    deep = json.dumps(tg_message(700202, entities="__RAW__")).replace('"__RAW__"', DEEP).encode()
    assert httpx.post(url, content=deep, headers=headers, timeout=30).status_code == 200
    surrogate = tg_message(700203, "vaksin \udc00 chip")
    assert httpx.post(url, content=json.dumps(surrogate).encode(), headers=headers).status_code == 200
    assert "vaksin \ufffd chip" in stored(live)


def test_api_ask_with_a_lone_surrogate(live):
    body = json.dumps({"text": "vaksin \ud800 chip", "session": "\udfff"}).encode()
    response = httpx.post(f"{live.url}/api/ask", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    refused = httpx.post(f"{live.url}/api/ask", content=json.dumps({"text": 5, "x": "\ud800"}).encode(),
                         headers={"content-type": "application/json"})  # the 422 must not echo the surrogate
    assert refused.status_code == 422, refused.text
    form = httpx.post(f"{live.url}/chat", content="text=vaksin+%ED%A0%80+chip".encode(),
                      headers={"content-type": "application/x-www-form-urlencoded", "accept": "application/json"})
    assert form.status_code < 500, form.text
