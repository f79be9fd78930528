"""The inbox/outbox store on real SQLite and PostgreSQL: dedup, per-person claims, leases, exactly one reply."""

from __future__ import annotations

import time

import pytest

from benarkah.messaging import Inbound, Kind
from benarkah.messaging.model import Purpose
from benarkah.messaging.parts import TextPart
from benarkah.messaging.store import MessageStore


@pytest.fixture
def services(any_services):  # every test here, once per storage backend
    return any_services


def _in(n: int, who: str = "6281000000001", text: str = "tips") -> Inbound:
    return Inbound("whatsapp", f"wamid.{n}", who, Kind.TEXT, text, {"message_id": f"wamid.{n}"})


def test_redeliveries_are_not_stored_again(services):
    store = services.queue
    first = store.accept([_in(1), _in(1)])
    assert [a.stored for a in first] == [True, False]
    assert [a.stored for a in store.accept([_in(1)])] == [False]
    assert store.depths()["inbox"] == {"pending": 1}


def test_claims_take_one_message_per_person_in_order(services):
    store = services.queue
    store.accept([_in(1, "a"), _in(2, "a"), _in(3, "b")])
    claimed = store.claim_inbox(10)
    assert [i.external_id for i in claimed] == ["wamid.1", "wamid.3"]
    assert store.claim_inbox(10) == []  # a's second message waits until the first is answered
    assert store.complete_inbox(claimed[0], [TextPart("ok")])
    assert [i.external_id for i in store.claim_inbox(10)] == ["wamid.2"]


def test_a_dead_workers_claim_expires_and_the_late_worker_cannot_reply_twice(services):
    store = services.queue
    store.accept([_in(1)])
    stale = store.claim_inbox(1)[0]
    later = time.time() + services.settings.messaging_lease_seconds + 1
    fresh = store.claim_inbox(1, now=later)[0]
    assert fresh.id == stale.id and fresh.claim_token != stale.claim_token
    assert store.complete_inbox(fresh, [TextPart("one")])
    assert not store.complete_inbox(stale, [TextPart("two")])
    assert store.depths()["outbox"] == {"pending": 1}


def test_the_outbox_allows_one_reply_per_inbound_message(services):
    store = services.queue
    store.accept([_in(1)])
    item = store.claim_inbox(1)[0]
    assert store.complete_inbox(item, [TextPart("one")])
    with services.store.transaction() as tx:  # even a second insert by hand is refused by the key
        assert not store.insert_outbox(tx, key=f"reply:{item.id}", inbox_id=item.id, channel="whatsapp",
                                        sender_hash=item.sender_hash, address=item.address, purpose=Purpose.REPLY,
                                        parts=[], status="pending", now=time.time())
    assert store.depths()["outbox"] == {"pending": 1}


def test_progress_is_kept_per_part_and_a_lost_send_claim_is_taken_again(services):
    store = services.queue
    store.accept([_in(1)])
    store.complete_inbox(store.claim_inbox(1)[0], [TextPart("a"), TextPart("b")])
    sending = store.claim_outbox(5)[0]
    store.record_part_sent(sending, 1, ["wamid.out1"])
    retaken = store.claim_outbox(5, now=time.time() + services.settings.messaging_lease_seconds + 1)[0]
    assert retaken.parts_sent == 1 and retaken.attempts == 2


def test_flood_limit_and_one_notice(services):
    store = services.queue
    limit = services.settings.messaging_sender_rate_per_minute
    results = store.accept([_in(n, "flooder") for n in range(limit + 5)])
    assert [r.status for r in results].count("throttled") == 4
    kinds = [i.kind for i in MessageStore.claim_inbox(store, 100)]
    assert kinds == [Kind.TEXT]  # one at a time per person
    later = time.time() + 61
    assert store.accept([_in(999, "flooder")], now=later)[0].status == "pending"


def test_forget_erases_queue_rows(services):
    store = services.queue
    store.accept([_in(1, "6281999")])
    store.complete_inbox(store.claim_inbox(1)[0], [TextPart("x")])
    removed = services.forget("whatsapp", "6281999")
    assert removed.records >= 3  # inbox, outbox, contact
    assert store.depths() == {"inbox": {}, "outbox": {}}
    assert store.last_inbound_at("whatsapp", services.identity.hash("whatsapp", "6281999")) is None
