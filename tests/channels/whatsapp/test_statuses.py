"""WhatsApp delivery statuses against outbox rows, and what each failure leads to, end to end on both
storage backends: statuses come in over the signed webhook and are matched by the message id the fake
Graph API gave, whether the message went to a phone number or to a BSUID."""

from __future__ import annotations

import time

import httpx
import pytest
from typer.testing import CliRunner

from benarkah.cli import app as cli
from tests.channels.conftest import channel_settings
from tests.conftest import TEST_KEY
from tests.support.payloads import signed, wa_contact, wa_delivery, wa_message, wa_status, wa_user_message

URL = "/webhooks/whatsapp"
PHONE, BSUID = "6281355550001", "ID.4402576394655843"


@pytest.fixture
def live_settings(db_url, graph, bot, request):
    extra = getattr(request, "param", {})
    return channel_settings(db_url, graph.api_base, bot.api_base, **extra)


def post(live, payload) -> None:
    body, headers = signed(payload)
    assert httpx.post(live.url + URL, content=body, headers=headers).status_code == 200


def outbox(live) -> list[tuple]:
    return [tuple(r) for r in live.services.store.connection().execute(
        "SELECT id, status, delivery, delivery_code, idempotency_key FROM messaging_outbox ORDER BY id").fetchall()]


def wait(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def reply_id(live, graph, message: dict, address: str, contacts: list | None = None) -> str:
    post(live, wa_delivery(message, contacts=contacts))
    wait(lambda: graph.ids_to(address))
    wait(lambda: all(r[1] == "sent" for r in outbox(live)))
    return graph.ids_to(address)[-1]


def test_statuses_move_a_row_forward_only_and_show_in_queue_status_and_metrics(live, graph, live_settings,
                                                                                 monkeypatch):
    by_phone = reply_id(live, graph, wa_message(PHONE, "text", {"body": "tips"}), PHONE)
    by_bsuid = reply_id(live, graph, wa_user_message(None, BSUID, "text", {"body": "tips"}), BSUID,
                        contacts=[wa_contact(bsuid=BSUID)])
    post(live, wa_delivery(statuses=[wa_status(by_phone, "read", PHONE), wa_status(by_phone, "delivered", PHONE),
                                     wa_status(by_phone, "sent", PHONE)]))  # out of order, as Meta may
    post(live, wa_delivery(statuses=[wa_status(by_bsuid, "delivered", recipient=None, recipient_user_id=BSUID)]))
    assert [r[2] for r in outbox(live)] == ["read", "delivered"]
    assert live.store.delivery_counts() == {"whatsapp": {"delivered": 1, "read": 1}}
    monkeypatch.setenv("BENARKAH_SECRET_KEY", TEST_KEY)
    status = CliRunner().invoke(cli, ["queue", "status", "--db", live_settings.db])
    assert status.exit_code == 0 and "deliveries whatsapp: delivered 1, read 1" in status.output
    metrics = httpx.get(live.url + "/metrics").text
    assert 'benarkah_deliveries{channel="whatsapp",status="read"} 1.0' in metrics


def test_re_engagement_without_a_template_waits_visibly_as_needs_template(live, graph):
    sent = reply_id(live, graph, wa_message(PHONE, "text", {"body": "tips"}), PHONE)
    failed = wa_status(sent, "failed", PHONE, error=(131047, "Re-engagement message"))
    post(live, wa_delivery(statuses=[failed]))
    post(live, wa_delivery(statuses=[failed, wa_status(sent, "read", PHONE)]))  # redelivered, then a late status
    assert [r[1:4] for r in outbox(live)] == [("needs_template", "failed", "131047")]
    [dead] = live.store.dead_letters()
    assert dead.code == "131047" and "Re-engagement" in dead.error
    assert 'benarkah_delivery_failures{channel="whatsapp",code="131047"} 1.0' in httpx.get(live.url + "/metrics").text
    time.sleep(0.3)
    assert len(graph.deliveries) == 1


@pytest.mark.parametrize("live_settings", [{"whatsapp_notify_template": "cek_fakta_terbit"}], indirect=True)
def test_re_engagement_with_a_template_is_resent_as_the_template_to_the_same_recipient(live, graph):
    sent = reply_id(live, graph, wa_user_message(None, BSUID, "text", {"body": "tips"}), BSUID,
                    contacts=[wa_contact(bsuid=BSUID)])
    post(live, wa_delivery(statuses=[wa_status(sent, "failed", None, BSUID, error=(131047, "Re-engagement message"))]))
    [_, template] = graph.wait_for(2)
    assert template.body["type"] == "template" and template.body["recipient"] == BSUID
    assert template.body["template"]["name"] == "cek_fakta_terbit"
    assert "Tips menghadapi hoaks" in template.body["template"]["components"][0]["parameters"][0]["text"]
    wait(lambda: [r[1] for r in outbox(live)] == ["sent", "sent"])
    assert outbox(live)[1][4].startswith("reengage:")


def test_a_temporary_failure_is_resent_once_then_left_undelivered_and_retry_sends_it(live, graph):
    sent = reply_id(live, graph, wa_message(PHONE, "text", {"body": "tips"}), PHONE)
    post(live, wa_delivery(statuses=[wa_status(sent, "failed", PHONE, error=(131000, "Something went wrong"))]))
    [first, again] = graph.wait_for(2)
    assert again.body == first.body
    wait(lambda: len(graph.ids_to(PHONE)) == 2 and [r[1] for r in outbox(live)] == ["sent", "sent"])
    resent = graph.ids_to(PHONE)[1]
    post(live, wa_delivery(statuses=[wa_status(resent, "failed", PHONE, error=(131000, "Something went wrong"))]))
    assert [r[1] for r in outbox(live)] == ["sent", "undelivered"]
    time.sleep(0.3)
    assert len(graph.deliveries) == 2  # once, not for ever
    assert live.store.retry_dead() == 1
    graph.wait_for(3)


def test_an_undeliverable_message_is_not_resent_until_someone_retries_it(live, graph):
    sent = reply_id(live, graph, wa_message(PHONE, "text", {"body": "tips"}), PHONE)
    post(live, wa_delivery(statuses=[wa_status(sent, "failed", PHONE, error=(131026, "Message undeliverable"))]))
    assert [r[1:4] for r in outbox(live)] == [("undelivered", "failed", "131026")]
    time.sleep(0.3)
    assert len(graph.deliveries) == 1
    assert live.store.retry_dead() == 1
    graph.wait_for(2)
    wait(lambda: [r[1:4] for r in outbox(live)] == [("sent", "sent", "")])
    post(live, wa_delivery(statuses=[wa_status(graph.ids_to(PHONE)[1], "delivered", PHONE)]))
    assert [r[1:4] for r in outbox(live)] == [("sent", "delivered", "")]  # the new attempt's status counts
    post(live, wa_delivery(statuses=[wa_status(sent, "read", PHONE)]))  # a late one for the old attempt: not ours
    assert [r[1:4] for r in outbox(live)] == [("sent", "delivered", "")]


def test_statuses_for_messages_we_never_sent_change_nothing(live, graph):
    post(live, wa_delivery(statuses=[wa_status("wamid.not-ours", "failed", PHONE, error=(131026, "x"))]))
    assert outbox(live) == [] and live.store.delivery_counts() == {}
