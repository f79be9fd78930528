"""WhatsApp business-scoped user ids (BSUIDs) end to end: real HTTP in, real SQLite and PostgreSQL (each
test runs on both), real HTTP out to the fake Graph API, which refuses recipients the way Meta documents
(a phone number in ``to``, a BSUID in ``recipient``)."""

from __future__ import annotations

import glob
import logging
import time

import httpx
import pytest
from typer.testing import CliRunner

from benarkah.cli import app as cli
from tests.channels.conftest import channel_settings
from tests.conftest import TEST_KEY
from tests.support.payloads import (signed, wa_contact, wa_delivery, wa_message, wa_system, wa_user_message)

URL = "/webhooks/whatsapp"
PHONE, BSUID, USERNAME = "6281377771111", "ID.1502576394655843", "budi.cekfakta"
NEW_PHONE, NEW_BSUID = "6281377772222", "ID.9902576394655111"


@pytest.fixture
def live_settings(db_url, graph, bot, request):  # every test here, once per storage backend
    return channel_settings(db_url, graph.api_base, bot.api_base, **getattr(request, "param", {}))


def post(live, payload):
    body, headers = signed(payload)
    response = httpx.post(live.url + URL, content=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def body_text(message: dict) -> str:
    if message["type"] == "text":
        return message["text"]["body"]
    if message["type"] == "template":
        return message["template"]["components"][0]["parameters"][0]["text"]
    return message["interactive"]["body"]["text"]


def settle(live, expected: dict, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while live.store.depths()["inbox"] != expected:
        assert time.monotonic() < deadline, live.store.depths()
        time.sleep(0.05)


def whatsapp_people(live) -> set[str]:
    rows = live.services.store.connection().execute(
        "SELECT DISTINCT sender_hash FROM messaging_inbox WHERE channel = 'whatsapp'").fetchall()
    return {r[0] for r in rows}


def test_a_bsuid_only_sender_is_answered_once_through_the_recipient_field(live, graph):
    message = wa_user_message(None, BSUID, "text", {"body": "vaksin covid ada chip pelacaknya??"})
    assert post(live, wa_delivery(message, contacts=[wa_contact(bsuid=BSUID, username=USERNAME)]))["stored"] == 1
    [sent] = graph.wait_for(1)
    assert sent.body["recipient"] == BSUID and "to" not in sent.body
    assert sent.body["context"] == {"message_id": message["id"]}
    assert "Vaksin Covid-19 Mengandung Chip" in body_text(sent.body)
    post(live, wa_delivery(message, contacts=[wa_contact(bsuid=BSUID)]))  # a redelivery
    time.sleep(0.4)
    assert len(graph.deliveries) == 1 and not graph.rejected


def test_first_by_phone_then_by_bsuid_is_one_person_one_session_one_follow_up(live, graph):
    both = [wa_contact(phone=PHONE, bsuid=BSUID)]
    post(live, wa_delivery(wa_user_message(PHONE, BSUID, "text", {"body": "english"}), contacts=both))
    graph.wait_for(1)
    # Later Meta withholds the number (a username, no recent interaction): only the BSUID comes.
    only_bsuid = [wa_contact(bsuid=BSUID, username=USERNAME)]
    for n, text in enumerate(["gajah terbang di atas monas malam tahun baru", "video gajah terbang di atas monas"]):
        post(live, wa_delivery(wa_user_message(None, BSUID, "text", {"body": text}), contacts=only_bsuid))
        graph.wait_for(2 + n)
    post(live, wa_delivery(wa_user_message(None, BSUID, "text", {"body": "tips"}), contacts=only_bsuid))
    [*_, tips_reply] = graph.wait_for(4)
    assert "Tips against hoaxes" in body_text(tips_reply.body)  # the language chosen by phone, kept by BSUID
    assert len(whatsapp_people(live)) == 1
    assert live.services.store.connection().execute(
        "SELECT COUNT(*) FROM sessions WHERE channel = 'whatsapp'").fetchone()[0] == 1
    [cluster] = live.services.tips.queue()
    assert cluster.tip_count == 2
    article = live.services.store.latest_articles(1)[0]
    outcome = live.services.tips.link_article(cluster.id, article.id, by="editor")
    assert sum(outcome.statuses.values()) == 1  # two tips, one person: one follow-up
    [*_, follow_up] = graph.wait_for(5)
    time.sleep(0.3)
    assert len(graph.deliveries) == 5
    assert follow_up.body["to"] == PHONE  # the number is known: Meta recommends sending to it
    assert "A while ago you sent us a message" in body_text(follow_up.body)


def test_a_user_id_change_event_moves_the_identity(live, graph):
    post(live, wa_delivery(wa_user_message(None, BSUID, "text", {"body": "english"}),
                           contacts=[wa_contact(bsuid=BSUID)]))
    graph.wait_for(1)
    change = wa_system("user_changed_user_id", None, previous_bsuid=BSUID, new_bsuid=NEW_BSUID)
    assert post(live, wa_delivery(change, contacts=[]))["stored"] == 0
    post(live, wa_delivery(wa_user_message(None, NEW_BSUID, "text", {"body": "tips"}),
                           contacts=[wa_contact(bsuid=NEW_BSUID)]))
    [_, reply] = graph.wait_for(2)
    assert reply.body["recipient"] == NEW_BSUID and "Tips against hoaxes" in body_text(reply.body)
    assert len(whatsapp_people(live)) == 1
    person = next(iter(whatsapp_people(live)))
    assert live.services.identity.unseal(live.store.current_address("whatsapp", person)) == NEW_BSUID


def test_a_number_change_moves_the_identity_and_the_old_number_can_pass_to_someone_else(live, graph):
    both = [wa_contact(phone=PHONE, bsuid=BSUID)]
    post(live, wa_delivery(wa_user_message(PHONE, BSUID, "text", {"body": "english"}), contacts=both))
    graph.wait_for(1)
    change = wa_system("user_changed_number", PHONE, previous_bsuid=BSUID, new_bsuid=NEW_BSUID, new_phone=NEW_PHONE)
    post(live, wa_delivery(change, contacts=[]))
    person = next(iter(whatsapp_people(live)))
    assert live.services.identity.unseal(live.store.current_address("whatsapp", person)) == NEW_PHONE
    post(live, wa_delivery(wa_user_message(NEW_PHONE, NEW_BSUID, "text", {"body": "tips"}),
                           contacts=[wa_contact(phone=NEW_PHONE, bsuid=NEW_BSUID)]))
    [_, reply] = graph.wait_for(2)
    assert reply.body["to"] == NEW_PHONE and "Tips against hoaxes" in body_text(reply.body)
    # The carrier gives the old number to a stranger, who has their own BSUID: a new person.
    stranger = "ID.7702576394655999"
    post(live, wa_delivery(wa_user_message(PHONE, stranger, "text", {"body": "tips"}),
                           contacts=[wa_contact(phone=PHONE, bsuid=stranger)]))
    [*_, to_stranger] = graph.wait_for(3)
    assert to_stranger.body["to"] == PHONE and "Tips menghadapi hoaks" in body_text(to_stranger.body)
    assert len(whatsapp_people(live)) == 2


def test_a_status_naming_the_bsuid_of_a_number_links_them(live, graph):
    post(live, wa_delivery(wa_message(PHONE, "text", {"body": "english"})))  # an old-style payload: no BSUID
    graph.wait_for(1)
    [sent_id] = graph.ids_to(PHONE)
    status = {"id": sent_id, "status": "delivered", "timestamp": str(int(time.time())), "recipient_id": PHONE,
              "recipient_user_id": BSUID}
    post(live, wa_delivery(statuses=[status], contacts=[wa_contact(phone=PHONE, bsuid=BSUID)]))
    post(live, wa_delivery(wa_user_message(None, BSUID, "text", {"body": "tips"}), contacts=[wa_contact(bsuid=BSUID)]))
    [_, reply] = graph.wait_for(2)
    assert "Tips against hoaxes" in body_text(reply.body) and reply.body["to"] == PHONE
    assert len(whatsapp_people(live)) == 1


def test_a_message_with_neither_number_nor_user_id_is_stored_visibly_and_not_logged(live, graph, live_settings,
                                                                                     caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    secret_text = "pesan tanpa pengirim ZQXW-rahasia"
    message = wa_user_message(None, None, "text", {"body": secret_text})
    assert post(live, wa_delivery(message, contacts=[]))["stored"] == 1
    settle(live, {"unaddressable": 1})
    time.sleep(0.3)
    assert graph.attempts == 0
    assert "unaddressable" in caplog.text and secret_text not in caplog.text
    monkeypatch.setenv("BENARKAH_SECRET_KEY", TEST_KEY)
    status = CliRunner().invoke(cli, ["queue", "status", "--db", live_settings.db])
    assert status.exit_code == 0 and "inbox: unaddressable 1" in status.output


def test_no_raw_phone_number_bsuid_or_username_on_disk_or_in_logs(live, graph, live_settings, caplog):
    caplog.set_level(logging.DEBUG)
    post(live, wa_delivery(wa_user_message(PHONE, BSUID, "text", {"body": "gajah terbang di monas"}),
                           contacts=[wa_contact(phone=PHONE, bsuid=BSUID, username=USERNAME)]))
    post(live, wa_delivery(wa_system("user_changed_number", PHONE, BSUID, NEW_BSUID, NEW_PHONE), contacts=[]))
    post(live, wa_delivery(wa_user_message(None, NEW_BSUID, "text", {"body": "tips"}),
                           contacts=[wa_contact(bsuid=NEW_BSUID, username=USERNAME)]))
    graph.wait_for(2)
    for sent_id in graph.ids_to(PHONE) + graph.ids_to(NEW_PHONE):
        post(live, wa_delivery(statuses=[{"id": sent_id, "status": "read", "timestamp": "1",
                                          "recipient_id": NEW_PHONE, "recipient_user_id": NEW_BSUID}]))
    time.sleep(0.3)
    secrets = [PHONE, BSUID, NEW_PHONE, NEW_BSUID, USERNAME, BSUID.split(".")[1], NEW_BSUID.split(".")[1]]
    for secret in secrets:
        assert secret not in caplog.text, secret
    store = live.services.store
    if store.backend == "postgresql":  # every row of every table, as text
        tables = [r[0] for r in store.connection().execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")]
        assert "identity_links" in tables
        for table in tables:
            dump = repr(store.connection().execute(f'SELECT * FROM "{table}"').fetchall())
            for secret in secrets:
                assert secret not in dump, (table, secret)
        return
    files = glob.glob(live_settings.db + "*")  # the database, its -wal and -shm, as they are (no checkpoint)
    assert any(f.endswith("-wal") for f in files)
    for path in files:
        data = open(path, "rb").read()
        for secret in secrets:
            assert secret.encode() not in data and secret.encode("utf-16-le") not in data, (path, secret)


@pytest.mark.parametrize("live_settings", [{"whatsapp_notify_template": "cek_fakta_terbit"}], indirect=True)
def test_a_follow_up_outside_the_window_goes_to_the_bsuid_as_the_template(live, graph):
    post(live, wa_delivery(wa_user_message(None, BSUID, "text", {"body": "gajah terbang di atas monas malam tahun baru"}),
                           contacts=[wa_contact(bsuid=BSUID)]))
    graph.wait_for(1)
    live.services.store.connection().execute(  # the person last wrote 25 hours ago
        "UPDATE messaging_contacts SET last_inbound_at = last_inbound_at - 90000")
    [cluster] = live.services.tips.queue()
    live.services.tips.link_article(cluster.id, live.services.store.latest_articles(1)[0].id, by="editor")
    [_, follow_up] = graph.wait_for(2)
    assert follow_up.body["type"] == "template" and follow_up.body["recipient"] == BSUID and "to" not in follow_up.body
