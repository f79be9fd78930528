"""Claims on PostgreSQL under real concurrency: many claimers at once (threads with their own pool
connections, as processes would be), no message taken twice, one message per person in flight, in order."""

from __future__ import annotations

import threading

from benarkah.app import build
from benarkah.messaging import Inbound, Kind
from benarkah.messaging.parts import TextPart
from benarkah.messaging.pgqueue import PostgresMessageStore
from benarkah.settings import Settings
from tests.conftest import TEST_KEY

SENDERS = 12
MESSAGES = 150
CLAIMERS = 6


def test_concurrent_claimers_take_each_message_once_and_one_per_person_in_order(pg_url):
    services = build(Settings(db=pg_url, secret_key=TEST_KEY, semantic=False))
    try:
        store = services.queue
        assert isinstance(store, PostgresMessageStore)
        store.accept([Inbound("whatsapp", f"wamid.{n}", f"62811{n % SENDERS:04d}", Kind.TEXT, "tips")
                      for n in range(MESSAGES)])
        claimed: list[tuple[int, str]] = []
        in_flight: dict[str, int] = {}
        overlaps: list[str] = []
        lock = threading.Lock()

        def claimer() -> None:
            idle = 0
            while idle < 20:
                items = store.claim_inbox(4)
                if not items:
                    idle += 1
                    continue
                idle = 0
                with lock:
                    for item in items:
                        if item.sender_hash in in_flight:
                            overlaps.append(item.sender_hash)
                        in_flight[item.sender_hash] = item.id
                        claimed.append((item.id, item.sender_hash))
                for item in items:
                    with lock:
                        del in_flight[item.sender_hash]
                    assert store.complete_inbox(item, [TextPart("ok")])

        threads = [threading.Thread(target=claimer) for _ in range(CLAIMERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        ids = [i for i, _ in claimed]
        assert len(ids) == MESSAGES and len(set(ids)) == MESSAGES  # all taken, none twice
        assert overlaps == []  # never two messages of one person in work at once
        for who in {w for _, w in claimed}:  # each person's messages answered in arrival order
            theirs = [i for i, w in claimed if w == who]
            assert theirs == sorted(theirs)
        assert store.depths()["outbox"] == {"pending": MESSAGES}
    finally:
        services.close()
