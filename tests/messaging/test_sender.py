"""The outbox sender sends no row whose lease could run out during the call: with a slow API, two sender
threads and a lease shorter than a full batch takes, nobody gets a message twice at the loopback fake
Telegram API (before, the last rows of a batch were taken over by the other thread and sent twice)."""

from __future__ import annotations

import time
from collections import Counter

from benarkah.app import build
from benarkah.messaging.model import Purpose
from benarkah.messaging.parts import TextPart
from tests.channels.conftest import channel_settings
from tests.support.fake_apis import FakeBotAPI, FakeGraphAPI, run_fake


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
