"""benarkah scaled out on one PostgreSQL: three webhook servers and two worker processes under a burst of
WhatsApp deliveries, every message delivered twice to different servers. Exactly one reply each."""

from __future__ import annotations

import collections
import random
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from benarkah.app import build
from benarkah.settings import Settings
from tests.conftest import TEST_KEY, load_demo
from tests.support.fake_apis import FakeGraphAPI, run_fake
from tests.support.payloads import signed, wa_delivery, wa_message
from tests.support import processes
from tests.support.processes import benarkah_env, running, servers

pytestmark = pytest.mark.slow

QUESTIONS = ["vaksin ada chip pelacak?", "bansos lewat link wa", "gempa besar jakarta besok", "tips",
             "minum air garam sembuhkan covid", "menu", "pemilu ditunda?", "hadiah mobil dari bank"]
SENDERS = 30
MESSAGES = 120


def whatsapp_env(db: str, api_base: str) -> dict[str, str]:
    return benarkah_env(db, TEST_KEY, **processes.whatsapp_env(api_base), BENARKAH_MESSAGING_POLL_SECONDS="0.05",
                        BENARKAH_MESSAGING_LEASE_SECONDS="30")


def test_three_servers_two_workers_burst_with_duplicates_zero_lost_zero_doubled(pg_url, tmp_path):
    seed = build(Settings(db=pg_url, secret_key=TEST_KEY, semantic=False))
    load_demo(seed)
    seed.close()
    rng = random.Random(7)
    messages = [wa_message(f"628120000{n % SENDERS:04d}", "text", {"body": rng.choice(QUESTIONS)})
                for n in range(MESSAGES)]
    # every message twice, to two different servers, in a shuffled burst; some deliveries carry two messages
    deliveries = [(m,) for m in messages] + [(m,) for m in messages[:MESSAGES // 2]]
    deliveries += [tuple(messages[i:i + 2]) for i in range(MESSAGES // 2, MESSAGES, 2)]
    rng.shuffle(deliveries)

    with run_fake(FakeGraphAPI()) as graph:
        env = whatsapp_env(pg_url, graph.api_base)  # type: ignore[attr-defined]
        with servers(3, env, tmp_path, extra_args=("--no-workers",)) as urls, \
                running(["worker", "--role", "all"], env, tmp_path / "worker0.log"), \
                running(["worker", "--role", "all"], env, tmp_path / "worker1.log"):

            def deliver(job: tuple[int, tuple[dict, ...]]) -> int:
                n, batch = job
                body, headers = signed(wa_delivery(*batch))
                response = httpx.post(f"{urls[n % 3]}/webhooks/whatsapp", content=body, headers=headers, timeout=30)
                assert response.status_code == 200, response.text
                return int(response.json()["stored"])

            with ThreadPoolExecutor(12) as pool:
                stored = sum(pool.map(deliver, enumerate(deliveries)))
            assert stored == MESSAGES  # each message stored once, whichever server got it first

            deadline = time.monotonic() + 90
            while len(_quoted(graph)) < MESSAGES and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1.0)  # anything doubled would show up now
            worker_logs = [(tmp_path / f"worker{n}.log").read_text(errors="replace") for n in range(2)]

    quoted = _quoted(graph)
    assert set(quoted) == {m["id"] for m in messages}, f"lost: {MESSAGES - len(quoted)}"  # zero lost
    assert [mid for mid, count in quoted.items() if count != 1] == []  # zero doubled
    assert graph.rejected == []
    assert not any("Traceback" in log for log in worker_logs), worker_logs
    check = build(Settings(db=pg_url, secret_key=TEST_KEY, semantic=False))
    try:
        depths = check.queue.depths()
    finally:
        check.close()
    assert depths["inbox"] == {"done": MESSAGES} and depths["outbox"] == {"sent": MESSAGES}


def _quoted(graph: FakeGraphAPI) -> collections.Counter:
    """How many replies quote each inbound message id (the first part of a reply quotes it)."""
    with graph.lock:
        return collections.Counter(d.body["context"]["message_id"] for d in graph.deliveries if "context" in d.body)
