"""The outbox sender's claims end inside their lease: with a slow API, two sender threads and a lease
shorter than a full batch would take, nobody gets a message twice at the loopback fake Telegram API."""

from __future__ import annotations

import time
from collections import Counter

from benarkah.app import build
from benarkah.messaging.model import Purpose
from benarkah.messaging.parts import TextPart
from benarkah.messaging.sender import CLAIM_BATCH, claim_size
from benarkah.settings import Settings
from tests.channels.conftest import channel_settings
from tests.conftest import TEST_KEY
from tests.support.fake_apis import FakeBotAPI, FakeGraphAPI, run_fake


def test_a_claim_is_as_long_as_fits_in_its_lease():
    settings = Settings(secret_key=TEST_KEY)
    assert claim_size(settings) == 5  # 60 s lease, 10 s per call at worst
    assert claim_size(Settings(secret_key=TEST_KEY, messaging_lease_seconds=600)) == CLAIM_BATCH
    assert claim_size(Settings(secret_key=TEST_KEY, messaging_lease_seconds=5)) == 1


def test_a_slow_api_does_not_make_a_second_thread_send_a_batch_again(tmp_path):
    people = 10
    with run_fake(FakeGraphAPI()) as graph, run_fake(FakeBotAPI()) as bot:
        bot.delay = 0.5  # 8 rows in one claim would take 4 s: longer than the 3 s lease
        settings = channel_settings(str(tmp_path / "slow.db"), graph.api_base, bot.api_base,  # type: ignore[attr-defined]
                                    messaging_lease_seconds=3, messaging_send_timeout_seconds=1,
                                    messaging_sender_threads=2, messaging_max_attempts=1000)
        services = build(settings)
        try:
            for n in range(people):
                services.queue.enqueue(key=f"slow-{n}", channel="telegram", sender_hash=f"h{n}",
                                       address=services.identity.seal(str(800000 + n)), purpose=Purpose.STAFF,
                                       parts=[TextPart(f"pesan {n}")])
            runtime = services.runtime("outbox").start()
            try:
                bot.wait_for(people, timeout=60)
                deadline = time.monotonic() + 30
                while services.queue.depths()["outbox"].get("sent", 0) < people:
                    assert time.monotonic() < deadline, services.queue.depths()
                    time.sleep(0.1)
                time.sleep(1.0)
            finally:
                runtime.stop()
        finally:
            services.close()
    received = Counter(str(d.body["chat_id"]) for d in bot.deliveries)
    assert received == {str(800000 + n): 1 for n in range(people)}
