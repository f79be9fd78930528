"""Case 10: a claim outlives the sends it covers, so a slow API never gets a reply twice.

A sender claimed a batch under one lease and sent it one by one; with a slow API the rows late in the
batch ran out of lease while they waited, another sender took them, and both sent them (11 replies twice
in the issue's run). A real loopback Graph API that answers slowly, real sender threads, both backends.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from benarkah.app import build
from benarkah.errors import ConfigError
from benarkah.messaging.model import Inbound, Kind, OutboxStatus, Purpose
from benarkah.messaging.parts import TextPart
from tests.channels.conftest import channel_settings

pytestmark = pytest.mark.case(10)
PEOPLE = 16


def test_a_slow_api_and_a_short_lease_send_each_reply_once(db_url, graph):
    settings = channel_settings(db_url, graph.api_base, "http://127.0.0.1:9", messaging_lease_seconds=2.5,
                                messaging_send_timeout_seconds=1.0, messaging_sender_threads=4,
                                telegram_token=None, telegram_secret=None)
    services = build(settings)
    numbers = [f"62811000005{n:02d}" for n in range(PEOPLE)]
    try:
        queue = services.queue
        queue.accept([Inbound("whatsapp", f"wamid.lease{n}", number, Kind.TEXT, "halo")  # opens the 24-h window
                      for n, number in enumerate(numbers)])
        for n, number in enumerate(numbers):
            queue.enqueue(key=f"lease:{n}", channel="whatsapp", sender_hash=services.identity.hash("whatsapp", number),
                          address=services.identity.seal(number), purpose=Purpose.NOTIFICATION,
                          parts=[TextPart(f"kabar nomor {n}")])
        graph.delay = 0.6  # 8 rows a claim x 0.6 s = 4.8 s of sending under a 2.5 s lease
        runtime = services.runtime("outbox").start()
        try:
            deadline = time.monotonic() + 40
            while queue.depths()["outbox"] != {OutboxStatus.SENT.value: PEOPLE}:
                assert time.monotonic() < deadline, queue.depths()
                time.sleep(0.1)
            time.sleep(settings.messaging_lease_seconds + 1)  # a late double would come in this time
        finally:
            runtime.stop()
        sent = Counter(d.body["to"] for d in graph.deliveries)
        assert sorted(sent) == sorted(numbers)
        assert [n for n, times in sent.items() if times > 1] == []
    finally:
        services.close()


def test_a_lease_shorter_than_an_api_call_is_refused(settings):
    services = build(settings.model_copy(update={"messaging_lease_seconds": 15.0,
                                                 "messaging_send_timeout_seconds": 10.0}))
    try:
        with pytest.raises(ConfigError, match="LEASE_SECONDS"):
            services.runtime("outbox")
    finally:
        services.close()
