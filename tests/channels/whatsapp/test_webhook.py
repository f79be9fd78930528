"""The WhatsApp webhook end to end: real HTTP in (uvicorn), real SQLite and PostgreSQL (each test runs on
both), real HTTP out (fake Graph API)."""

from __future__ import annotations

import glob
import json
import time

import httpx
import pytest

from tests.channels.conftest import channel_settings
from tests.support.payloads import VERIFY_TOKEN, sign, signed, wa_delivery, wa_message, wa_status

URL = "/webhooks/whatsapp"


@pytest.fixture
def live_settings(db_url, graph, bot):  # every test here, once per storage backend
    return channel_settings(db_url, graph.api_base, bot.api_base)


def post(live, payload, **kwargs):
    body, headers = signed(payload)
    return httpx.post(live.url + URL, content=body, headers=headers, **kwargs)


def inbox_count(live) -> int:
    return sum(live.store.depths()["inbox"].values())


def settle(live, table: str, expected: dict, timeout: float = 10.0) -> None:
    """Wait until the queue table shows ``expected`` (the API records a reply just before we mark it sent)."""
    deadline = time.monotonic() + timeout
    while live.store.depths()[table] != expected:
        assert time.monotonic() < deadline, live.store.depths()
        time.sleep(0.05)


def body_text(message: dict) -> str:
    if message["type"] == "text":
        return message["text"]["body"]
    return message["interactive"]["body"]["text"]


def test_verification_handshake(live):
    ok = httpx.get(live.url + URL, params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN,
                                           "hub.challenge": "1158201444"})
    assert ok.status_code == 200 and ok.text == "1158201444"
    for params in ({"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
                   {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"}, {}):
        refused = httpx.get(live.url + URL, params=params)
        assert refused.status_code == 403 and "1" != refused.text


def test_missing_or_forged_signatures_are_refused_and_store_nothing(live, graph):
    body, headers = signed(wa_delivery(wa_message("6281100000001")))
    assert httpx.post(live.url + URL, content=body, headers={"content-type": "application/json"}).status_code == 401
    forged = {**headers, "x-hub-signature-256": sign(body, "another-secret")}
    assert httpx.post(live.url + URL, content=body, headers=forged).status_code == 403
    tampered = body.replace(b"vaksin", b"VAKSIN")
    assert httpx.post(live.url + URL, content=tampered, headers=headers).status_code == 403
    assert httpx.post(live.url + URL, content=body, headers={**headers, "x-hub-signature-256": "sha256=zz"}
                      ).status_code == 403
    time.sleep(0.2)
    assert inbox_count(live) == 0 and graph.attempts == 0


def test_a_text_message_gets_one_reply_quoting_it(live, graph):
    message = wa_message("6281100000002", "text", {"body": "vaksin covid ada chip pelacaknya??"})
    response = post(live, wa_delivery(message))
    assert response.status_code == 200 and response.json() == {"status": "ok", "stored": 1}
    [sent] = graph.wait_for(1)
    assert sent.body["to"] == "6281100000002" and sent.body["context"] == {"message_id": message["id"]}
    text = body_text(sent.body)
    assert "Vaksin Covid-19 Mengandung Chip" in text and "*SALAH*" in text


EXPECTED = {
    # kind: (content, what the reply must contain)
    # files the fake Graph API does not serve: their ids are unknown to it (as an expired id would be)
    "image": (None, "gambar Anda *gagal kami unduh*"),
    "video": (None, "video Anda *gagal kami unduh*"),
    "audio": (None, "pesan suara Anda *gagal kami unduh*"),
    "document": (None, "jenis file ini *belum bisa kami periksa*"),  # a PDF: refused without downloading
    "sticker": (None, "stiker Anda *gagal kami unduh*"),
    "location": (None, "pesan jenis ini *belum bisa kami periksa*"),
    "contacts": (None, "pesan jenis ini *belum bisa kami periksa*"),
    "unsupported": (None, "pesan jenis ini *belum bisa kami periksa*"),
    "text": ({"body": "tips"}, "Tips menghadapi hoaks"),
    "interactive": (None, "Cek fakta terbaru"),
    "button": ({"payload": "p", "text": "bantuan"}, "Cara memakai layanan ini"),
    "request_welcome": (None, "Ini layanan *cek fakta*"),
}


def test_every_message_type_is_answered_once_and_reactions_are_not(live, graph):
    senders = {}
    messages = []
    for n, (kind, (content, _)) in enumerate(EXPECTED.items()):
        senders[kind] = f"62812000{n:05d}"
        messages.append(wa_message(senders[kind], kind, content))
    voice = wa_message("6281299999991", "audio", {"id": "9", "mime_type": "audio/ogg", "voice": True})
    captioned = wa_message("6281299999992", "image", {"id": "8", "caption": "vaksin covid mengandung chip 5G"})
    reaction = wa_message("6281299999993", "reaction")
    listed = [*messages, voice, captioned, reaction]
    assert post(live, wa_delivery(*listed)).json()["stored"] == len(listed)
    graph.wait_for(len(listed) - 1)
    time.sleep(0.3)
    assert len(graph.deliveries) == len(listed) - 1, "a reaction gets no reply; everything else exactly one"
    for kind, (_, expected) in EXPECTED.items():
        [reply] = graph.texts_to(senders[kind])
        assert expected in body_text(reply), kind
    assert "*gagal kami unduh*" in body_text(graph.texts_to("6281299999991")[0])
    captioned_reply = body_text(graph.texts_to("6281299999992")[0])
    assert "*gagal kami unduh*" in captioned_reply and "Kami periksa keterangan" in captioned_reply
    assert "Chip Pelacak" in captioned_reply  # the caption is still checked
    assert graph.texts_to("6281299999993") == []
    assert not graph.rejected


def test_the_menu_is_an_interactive_list_and_more_results_a_button(live, graph):
    post(live, wa_delivery(wa_message("6281100000003", "text", {"body": "halo"})))
    [menu] = graph.wait_for(1)
    interactive = menu.body["interactive"]
    assert menu.body["type"] == "interactive" and interactive["type"] == "list"
    rows = interactive["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == ["cmd:cek", "cmd:terbaru", "cmd:tips", "cmd:langganan", "cmd:bantuan"]
    assert [r["title"] for r in rows] == ["Cek fakta", "Terbaru", "Tips", "Langganan", "Bantuan"]
    post(live, wa_delivery(wa_message("6281100000003", "text", {"body": "vaksin"})))
    graph.wait_for(2)
    results = graph.deliveries[1].body
    if results["type"] == "interactive":  # short enough for a button message
        assert results["interactive"]["action"]["buttons"][0]["reply"]["id"] == "cmd:lagi"
    else:
        assert "Ketik *lagi*" in results["text"]["body"]
    pressed = {"type": "button_reply", "button_reply": {"id": "cmd:lagi", "title": "Hasil lainnya"}}
    post(live, wa_delivery(wa_message("6281100000003", "interactive", pressed)))
    graph.wait_for(3)
    assert "Hasil lainnya" in body_text(graph.deliveries[2].body)


def test_duplicate_deliveries_get_one_reply(live, graph):
    message = wa_message("6281100000004", "text", {"body": "bansos lewat link"})
    for _ in range(3):
        assert post(live, wa_delivery(message)).status_code == 200
    batch = wa_delivery(message, message)  # the same id twice in one delivery
    assert post(live, batch).json()["stored"] == 0
    graph.wait_for(1)
    time.sleep(0.4)
    assert len(graph.texts_to("6281100000004")) == 1
    settle(live, "inbox", {"done": 1})


def test_api_failures_are_retried_until_one_reply_is_delivered(live, graph):
    graph.fail_next(2, 500)
    graph.fail_next(1, 429, retry_after=0)
    post(live, wa_delivery(wa_message("6281100000005", "text", {"body": "lowongan kerja kai"})))
    graph.wait_for(1, timeout=15)
    time.sleep(0.3)
    assert graph.attempts == 4 and len(graph.deliveries) == 1
    settle(live, "outbox", {"sent": 1})


def test_a_slow_api_times_out_and_is_retried(live, graph):
    graph.delay = 2.5  # longer than the client's 2 s timeout
    post(live, wa_delivery(wa_message("6281100000006", "text", {"body": "tips"})))
    deadline = time.monotonic() + 10
    while graph.attempts < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    graph.delay = 0
    graph.wait_for(1, timeout=15)
    assert len(graph.texts_to("6281100000006")) >= 1
    settle(live, "outbox", {"sent": 1})


def test_after_the_retry_bound_it_is_a_dead_letter_that_can_be_retried(live, graph):
    graph.fail_always(503)
    post(live, wa_delivery(wa_message("6281100000007", "text", {"body": "tips"})))
    deadline = time.monotonic() + 15
    while live.store.depths()["outbox"] != {"dead": 1}:
        assert time.monotonic() < deadline, live.store.depths()
        time.sleep(0.05)
    assert graph.attempts == 4  # messaging_max_attempts
    assert "503" in live.store.dead_letters()[0].error
    graph.recover()
    assert live.store.retry_dead() == 1
    graph.wait_for(1)
    settle(live, "outbox", {"sent": 1})


def test_a_refused_request_is_dead_at_once(live, graph):
    graph.token = "another-token"  # our token is now wrong: 401, no point retrying
    post(live, wa_delivery(wa_message("6281100000008", "text", {"body": "tips"})))
    deadline = time.monotonic() + 10
    while live.store.depths()["outbox"] != {"dead": 1}:
        assert time.monotonic() < deadline, live.store.depths()
        time.sleep(0.05)
    assert graph.attempts == 1


@pytest.mark.parametrize("payload", [
    {"object": "page", "entry": [{"changes": [{"field": "feed", "value": {}}]}]},
    {"object": "whatsapp_business_account"},
    [1, 2, 3],
    {"entry": [{"changes": [{"field": "messages", "value": {"messages": [{"type": "text"}]}}]}]},
    {"entry": [{"changes": [{"field": "messages", "value": {"messages": "nope", "statuses": [None]}}]}]},
])
def test_unknown_shapes_are_acknowledged_and_store_nothing(live, payload):
    response = post(live, payload)
    assert response.status_code == 200 and response.json()["stored"] == 0
    assert inbox_count(live) == 0


def test_status_updates_are_acknowledged_without_replies(live, graph):
    statuses = [wa_status("wamid.out1", "sent"), wa_status("wamid.out1", "delivered"),
                {**wa_status("wamid.out2", "failed"), "errors": [{"code": 131047, "title": "Re-engagement"}]}]
    assert post(live, wa_delivery(statuses=statuses)).json() == {"status": "ok", "stored": 0}
    time.sleep(0.2)
    assert inbox_count(live) == 0 and graph.attempts == 0


def test_another_phone_number_ids_messages_are_ignored(live):
    payload = wa_delivery(wa_message("6281100000009"), phone_number_id="999")
    assert post(live, payload).json()["stored"] == 0


def test_a_1mb_body_and_malformed_json_are_clear_4xx_and_store_nothing(live, graph):
    big = json.dumps(wa_delivery(wa_message("6281100000010", "text", {"body": "x" * 1_000_000}))).encode()
    response = httpx.post(live.url + URL, content=big,
                          headers={"content-type": "application/json", "x-hub-signature-256": sign(big)})
    assert response.status_code == 413 and "too large" in response.json()["detail"]
    broken = b'{"object": "whatsapp_business_account", "entry": [{'
    response = httpx.post(live.url + URL, content=broken,
                          headers={"content-type": "application/json", "x-hub-signature-256": sign(broken)})
    assert response.status_code == 400 and "not JSON" in response.json()["detail"]
    latin1 = "{\"x\": \"caf\xe9\"}".encode("latin-1")
    response = httpx.post(live.url + URL, content=latin1, headers={"x-hub-signature-256": sign(latin1)})
    assert response.status_code == 400
    time.sleep(0.2)
    assert inbox_count(live) == 0 and graph.attempts == 0


def test_a_flood_from_one_number_does_not_starve_others(live, graph):
    flood = [wa_message("6281100000011", "text", {"body": f"hoaks nomor {n}"}) for n in range(30)]
    post(live, wa_delivery(*flood))
    post(live, wa_delivery(wa_message("6281100000012", "text", {"body": "tips"})))
    graph.wait_for(22, timeout=20)
    time.sleep(0.5)
    assert len(graph.texts_to("6281100000012")) == 1
    flooded = graph.texts_to("6281100000011")
    assert len(flooded) == 21  # 20 answers (the per-minute limit) and one notice to slow down
    assert sum("Kami jeda dulu" in body_text(m) for m in flooded) == 1
    settle(live, "inbox", {"done": 22, "throttled": 9})


def test_no_phone_number_is_stored_in_the_database(live, graph, live_settings):
    number = "6281377778888"
    post(live, wa_delivery(wa_message(number, "text", {"body": "vaksin chip"})))
    graph.wait_for(1)
    time.sleep(0.2)
    store = live.services.store
    if store.backend == "postgresql":  # every row of every table, as text
        tables = [r[0] for r in store.connection().execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")]
        assert "messaging_inbox" in tables
        for table in tables:
            rows = store.connection().execute(f'SELECT * FROM "{table}"').fetchall()
            assert number not in repr(rows), table
        return
    store.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for path in glob.glob(live_settings.db + "*"):
        data = open(path, "rb").read()
        assert number.encode() not in data and number.encode("utf-16-le") not in data, path
