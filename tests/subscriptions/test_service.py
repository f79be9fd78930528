"""Subscriptions and digests on both storage backends, through the real conversation and the real
outbox (no channel API here: tests/subscriptions/test_delivery.py sends them to fake APIs)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from benarkah.app import build
from benarkah.domain.articles import article_from_record
from benarkah.messaging import Inbound, Kind
from benarkah.messaging.parts import TemplatePart, TextPart, Widget
from benarkah.settings import Settings
from benarkah.subscriptions.service import SubscriptionService
from tests.conftest import TEST_KEY, load_demo

TOMORROW = datetime.now(timezone.utc) + timedelta(days=1)  # a daily period begins between now and then
NEXT_WEEK = datetime.now(timezone.utc) + timedelta(days=7)
NEW = [{"id": f"baru-{n}", "title": title, "verdict_label": label, "topic": topic,
        "published": datetime.now(timezone.utc).date().isoformat(), "url": f"https://contoh.id/{n}"}
       for n, (title, label, topic) in enumerate([
           ("[HOAKS] Minum Air Garam Menyembuhkan Demam Berdarah", "HOAKS", "kesehatan"),
           ("[SALAH] Video Banjir Bandang Ini dari 2019", "SALAH", "bencana"),
           ("[HOAKS] Surat Edaran Libur Nasional Tambahan Palsu", "HOAKS", "pemerintahan")])]


@pytest.fixture
def services(db_url):
    built = build(Settings(db=db_url, secret_key=TEST_KEY, semantic=False, public_url="https://cekfakta.kota.id",
                           whatsapp_digest_template="ringkasan_cek_fakta"))
    load_demo(built)
    old = (datetime.now(timezone.utc) - timedelta(days=60)).isoformat()  # the archive was loaded long ago
    built.store.connection().execute("UPDATE articles SET created_at = ?", (old,))
    yield built
    built.close()


def say(services, channel: str, who: str, text: str) -> str:
    """A message as the messaging worker handles it (the inbox row makes WhatsApp's window open)."""
    services.queue.accept([Inbound(channel, f"{channel}-{who}-{time.time_ns()}", who, Kind.TEXT, text)])
    return str(services.tipline.handle_text(channel, who, text).reply.kind)


def digests(services) -> list[tuple[str, str, list]]:
    rows = services.store.connection().execute(
        "SELECT channel, status, parts, sender_hash FROM messaging_outbox WHERE purpose = 'digest' ORDER BY id").fetchall()
    from benarkah.messaging.parts import part_from_json
    import json
    return [(r[0], r[1], [part_from_json(p) for p in json.loads(r[2])], r[3]) for r in rows]


def test_subscribe_then_one_digest_per_person_and_period(services):
    assert say(services, "telegram", "5001", "langganan") == "subscribed"
    assert say(services, "whatsapp", "6281100000001", "langganan mingguan") == "subscribed"
    assert say(services, "telegram", "5003", "langganan kesehatan") == "subscribed"
    assert say(services, "web", "browser-1", "langganan") == "subscribe_unavailable"
    services.index.upsert([article_from_record(r) for r in NEW])
    # the WhatsApp subscriber last wrote two days ago: outside the 24-hour window by now
    services.store.connection().execute("UPDATE messaging_contacts SET last_inbound_at = ? WHERE channel = 'whatsapp'",
                                        (time.time() - 2 * 86400,))
    tomorrow = services.subscriptions.send_due(now=TOMORROW)
    assert tomorrow.outcomes["daily"] == {"queued": 2}
    week = services.subscriptions.send_due(now=NEXT_WEEK)
    assert week.outcomes["weekly"] == {"queued_template": 1}
    assert week.outcomes["daily"] == {"empty": 2}  # a day's digest covers that day: nothing new since
    sent = digests(services)
    assert len(sent) == 3 and all(status == "pending" for _, status, _, _ in sent)
    telegram = [parts for channel, _, parts, _ in sent if channel == "telegram"]
    everything, health = sorted(telegram, key=lambda p: -len(p[0].text))
    assert all(isinstance(p[-1], TextPart) and p[-1].widget is Widget.UNSUBSCRIBE for p in telegram)
    assert "Minum Air Garam" in everything[0].text and "Surat Edaran" in everything[0].text
    assert "Minum Air Garam" in health[0].text and "Banjir" not in health[0].text  # the topic only
    [(_, _, [template], _)] = [s for s in sent if s[0] == "whatsapp"]
    assert isinstance(template, TemplatePart) and template.name == "ringkasan_cek_fakta"
    assert template.buttons == ("berhenti",) and "\n" not in template.text
    again = services.subscriptions.send_due(now=NEXT_WEEK)
    assert sum(sum(c.values()) for c in again.outcomes.values()) == 0 and len(digests(services)) == 3
    assert SubscriptionService(services.store, services.identity, services.settings,
                               notifier=services.subscriptions.notifier).send_due(now=NEXT_WEEK + timedelta(hours=1)) \
        .outcomes == {"daily": {}, "weekly": {}}  # another process: the same periods, nothing twice


def test_nothing_new_is_no_message(services):
    say(services, "telegram", "5001", "langganan")
    run = services.subscriptions.send_due(now=TOMORROW)
    assert run.outcomes["daily"] == {"empty": 1} and digests(services) == []
    assert services.subscriptions.counts().digests == [("empty", 1)]


def test_stopping_is_at_once_and_withdraws_what_is_waiting(services):
    say(services, "telegram", "5001", "langganan")
    say(services, "telegram", "5002", "langganan")
    services.index.upsert([article_from_record(r) for r in NEW])
    services.subscriptions.send_due(now=TOMORROW)
    assert say(services, "telegram", "5001", "berhenti") == "unsubscribed"
    statuses = {who: status for _, status, _, who in digests(services)}
    assert statuses == {services.identity.hash("telegram", "5001"): "cancelled",
                        services.identity.hash("telegram", "5002"): "pending"}
    assert [i.sender_hash for i in services.queue.claim_outbox(10)] == [services.identity.hash("telegram", "5002")]
    later = services.subscriptions.send_due(now=TOMORROW + timedelta(days=1))
    assert later.outcomes["daily"] == {"empty": 1}  # 5002 only; 5001 is not due any more
    counts = services.subscriptions.counts()
    assert counts.active == [("telegram", "daily", 1)] and counts.stopped == 1


def test_stopping_voids_a_claim_a_dead_sender_left_behind(services):
    say(services, "telegram", "5001", "langganan")
    services.index.upsert([article_from_record(r) for r in NEW])
    services.subscriptions.send_due(now=TOMORROW)
    [claimed] = services.queue.claim_outbox(10)  # a sender takes the digest, then dies before sending it
    assert say(services, "telegram", "5001", "berhenti") == "unsubscribed"
    assert [status for _, status, _, _ in digests(services)] == ["cancelled"]
    # the lease runs out: no other sender may take it; a late word from the old claimer changes nothing
    assert services.queue.claim_outbox(10, now=time.time() + 3600) == []
    services.queue.record_part_sent(claimed, 1, ["late"])
    services.queue.schedule_retry(claimed, 1.0, "late failure")
    assert [status for _, status, _, _ in digests(services)] == ["cancelled"]


def test_a_crash_mid_send_never_sends_anyone_twice(services):
    for n in range(4):
        say(services, "telegram", f"60{n}", "langganan")
    services.index.upsert([article_from_record(r) for r in NEW])
    calls = []

    def crashing(**kwargs):
        calls.append(kwargs["sender_hash"])
        outcome = services.subscriptions.notifier(**kwargs)  # the outbox row is written...
        if len(calls) == 3:
            raise RuntimeError("power cut")  # ...and the process dies before the period is recorded
        return outcome

    first = SubscriptionService(services.store, services.identity, services.settings, notifier=crashing)
    with pytest.raises(RuntimeError):
        first.send_due(now=TOMORROW)
    assert len(digests(services)) == 2  # the third one rolled back with its period record
    restarted = SubscriptionService(services.store, services.identity, services.settings,
                                    notifier=services.subscriptions.notifier)
    assert restarted.send_due(now=TOMORROW).outcomes["daily"] == {"queued": 2}
    people = [who for _, _, _, who in digests(services)]
    assert len(people) == 4 and len(set(people)) == 4


def test_forget_removes_subscriptions_and_digests(services):
    say(services, "whatsapp", "6281100000009", "langganan")
    services.index.upsert([article_from_record(r) for r in NEW])
    services.subscriptions.send_due(now=TOMORROW)
    assert {"subscriptions", "subscription_digests", "staff_replies"} <= set(services.store.sender_tables())
    assert services.forget("whatsapp", "6281100000009").records >= 3
    conn = services.store.connection()
    assert conn.execute("SELECT COUNT(*) FROM subscriptions").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM subscription_digests").fetchone()[0] == 0


def test_replies_link_articles_without_an_original_to_their_page_here(services):
    services.index.upsert([article_from_record({"id": "lokal-1", "title": "[HOAKS] Gajah Terbang di Atas Monas",
                                                "summary": "Videonya hasil suntingan."})])
    reply = services.tipline.handle_text("telegram", "5009", "gajah terbang di atas monas").reply
    assert reply.articles[0].url == "https://cekfakta.kota.id/f/lokal-1"
    assert services.store.get_article("lokal-1").url == ""  # only the reply: the archive is unchanged
