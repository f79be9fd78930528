"""Digests across real process deaths: ``benarkah digest send`` SIGKILLed part-way through queueing and
run again, then ``benarkah worker --role outbox`` SIGKILLed part-way through delivering and started
again. At the loopback fake WhatsApp and Telegram APIs every subscriber gets exactly one digest, and
subscribers who said "berhenti" while the sender was down get none."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from benarkah.app import build
from benarkah.domain.articles import article_from_record
from benarkah.domain.subscriptions import Frequency, SubscriptionChange
from benarkah.settings import Settings
from tests.conftest import ROOT, TEST_KEY, load_demo
from tests.subscriptions.test_service import NEW
from tests.support.fake_apis import (TG_TOKEN, WA_PHONE_NUMBER_ID, WA_TOKEN, FakeAPI, FakeBotAPI, FakeGraphAPI,
                                     recipient_of, run_fake)
from tests.support.processes import benarkah_env
from tests.support.servers import stop_process

pytestmark = pytest.mark.slow

PEOPLE = 150  # per channel: enough that queueing takes long enough to be interrupted
TEMPLATE = "ringkasan_cek_fakta"


def _env(db: str, graph: FakeAPI, bot: FakeAPI) -> dict[str, str]:
    return benarkah_env(
        db, TEST_KEY, BENARKAH_LOG_LEVEL="INFO",
        BENARKAH_WHATSAPP_TOKEN=WA_TOKEN, BENARKAH_WHATSAPP_PHONE_NUMBER_ID=WA_PHONE_NUMBER_ID,
        BENARKAH_WHATSAPP_API_BASE=graph.api_base,  # type: ignore[attr-defined]
        BENARKAH_TELEGRAM_TOKEN=TG_TOKEN, BENARKAH_TELEGRAM_API_BASE=bot.api_base,  # type: ignore[attr-defined]
        BENARKAH_WHATSAPP_DIGEST_TEMPLATE=TEMPLATE, BENARKAH_PUBLIC_URL="https://cekfakta.kota.id",
        # retries a few seconds apart: with sub-second retries a failing channel's rows (claimed in id
        # order) would keep the sender busy and the other channel's rows would wait behind them
        BENARKAH_MESSAGING_POLL_SECONDS="0.05", BENARKAH_MESSAGING_RETRY_BASE_SECONDS="2",
        BENARKAH_MESSAGING_RETRY_MAX_SECONDS="4", BENARKAH_MESSAGING_MAX_ATTEMPTS="1000",
        # a lease longer than a claimed batch can take (8 calls of at most 2 s): shorter, and a busy
        # machine would let a second sender thread take over rows still waiting in the first one's batch
        BENARKAH_MESSAGING_LEASE_SECONDS="20", BENARKAH_MESSAGING_SEND_TIMEOUT_SECONDS="2")


def _benarkah(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "benarkah", *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _seed(db: str) -> tuple[list[str], list[int]]:
    """The archive loaded long ago, PEOPLE daily subscribers per channel who subscribed before today's
    period began, and three fact-checks added since: everyone is due one digest now."""
    services = build(Settings(db=db, secret_key=TEST_KEY, semantic=False))
    try:
        load_demo(services)
        old = (datetime.now(timezone.utc) - timedelta(days=60)).isoformat()
        conn = services.store.connection()
        conn.execute("UPDATE articles SET created_at = ?", (old,))
        numbers = [f"62813{n:08d}" for n in range(PEOPLE)]
        chats = [900000 + n for n in range(PEOPLE)]
        daily = SubscriptionChange(active=True, frequency=Frequency.DAILY)
        with services.store.transaction():
            for channel, who in [("whatsapp", n) for n in numbers] + [("telegram", str(c)) for c in chats]:
                services.subscriptions.apply(channel, services.identity.hash(channel, who), who, daily, "id")
        conn.execute("UPDATE subscriptions SET started_at = ?", (old,))
        services.index.upsert([article_from_record(r) for r in NEW])
    finally:
        services.close()
    return numbers, chats


def _digests_queued(db: str) -> int:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute("SELECT COUNT(*) FROM messaging_outbox WHERE purpose = 'digest'").fetchone()[0]


def _per_person(db: str) -> list[int]:
    with sqlite3.connect(db, timeout=30) as conn:
        return [r[0] for r in conn.execute(
            "SELECT COUNT(*) FROM messaging_outbox WHERE purpose = 'digest' GROUP BY channel, sender_hash")]


def _statuses(db: str) -> dict[str, int]:
    with sqlite3.connect(db, timeout=30) as conn:
        return dict(conn.execute("SELECT status, COUNT(*) FROM messaging_outbox WHERE purpose = 'digest' "
                                 "GROUP BY status").fetchall())


class Rationed:
    """Accepts ``allowance`` messages, then answers 503 to everything: the process is killed while it is
    retrying, so no message is in the API's hands without the sender having heard back."""

    def __init__(self, api: FakeAPI, allowance: int) -> None:
        self.api, self.allowance, self.granted = api, allowance, 0
        original = api.handle

        def handle(path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
            with api.lock:
                refused = self.granted >= self.allowance
                if refused:
                    api.attempts += 1
                else:
                    self.granted += 1
            return api.failure_body(503, None) if refused else original(path, headers, raw)

        api.handle = handle  # type: ignore[method-assign]


def _kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_digests_survive_sigkill_while_queueing_and_while_sending(tmp_path):
    db = str(tmp_path / "digests.db")
    numbers, chats = _seed(db)
    everyone = 2 * PEOPLE
    with run_fake(FakeGraphAPI()) as graph, run_fake(FakeBotAPI()) as bot:
        env = _env(db, graph, bot)

        # 1. digest send dies part-way through queueing
        first = _benarkah(env, "digest", "send")
        deadline = time.monotonic() + 120
        while _digests_queued(db) == 0:
            assert first.poll() is None, first.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "digest send queued nothing"
            time.sleep(0.002)
        _kill(first)
        interrupted = _digests_queued(db)
        assert 0 < interrupted < everyone, f"killed after {interrupted} of {everyone}: not mid-run"

        # 2. run again: the rest is queued, nobody twice; a third run finds nothing due
        again = subprocess.run([sys.executable, "-m", "benarkah", "digest", "send"], env=env, cwd=ROOT,
                               capture_output=True, text=True, timeout=120, check=True)
        assert f"daily {datetime.now(timezone.utc):%Y}" in again.stdout
        assert _digests_queued(db) == everyone and set(_per_person(db)) == {1}
        third = subprocess.run([sys.executable, "-m", "benarkah", "digest", "send"], env=env, cwd=ROOT,
                               capture_output=True, text=True, timeout=120, check=True)
        assert "daily" in third.stdout and "queued" not in third.stdout, third.stdout
        assert _digests_queued(db) == everyone

        # 3. the sender dies part-way through delivering (the APIs took some, then fail: it is retrying)
        rations = [Rationed(graph, PEOPLE // 3), Rationed(bot, PEOPLE // 2)]
        sender = _benarkah(env, "worker", "--role", "outbox")
        deadline = time.monotonic() + 120
        while graph.attempts <= PEOPLE // 3 + 3 or bot.attempts <= PEOPLE // 2 + 3:
            assert sender.poll() is None, sender.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
            assert time.monotonic() < deadline, (graph.attempts, bot.attempts)
            time.sleep(0.05)
        _kill(sender)
        delivered_before = (len(graph.deliveries), len(bot.deliveries))
        assert delivered_before == (PEOPLE // 3, PEOPLE // 2)

        # 4. while it is down, two people who have not had theirs yet say "berhenti"
        got_wa = {recipient_of(d.body) for d in graph.deliveries}
        got_tg = {str(d.body["chat_id"]) for d in bot.deliveries}
        quitter_wa = next(n for n in numbers if n not in got_wa)
        quitter_tg = next(str(c) for c in chats if str(c) not in got_tg)
        services = build(Settings(db=db, secret_key=TEST_KEY, semantic=False))
        try:
            assert str(services.tipline.handle_text("whatsapp", quitter_wa, "berhenti").reply.kind) == "unsubscribed"
            assert str(services.tipline.handle_text("telegram", quitter_tg, "berhenti").reply.kind) == "unsubscribed"
        finally:
            services.close()

        # 5. restarted with healthy APIs: everyone else gets exactly one digest, the quitters none
        for ration in rations:
            ration.allowance = everyone
        restarted = _benarkah(env, "worker", "--role", "outbox")
        try:
            graph.wait_for(PEOPLE - 1, timeout=120)
            bot.wait_for(PEOPLE - 1, timeout=120)
            deadline = time.monotonic() + 60
            while _statuses(db) != {"sent": everyone - 2, "cancelled": 2}:  # nothing left that could go again
                assert time.monotonic() < deadline, _statuses(db)
                time.sleep(0.1)
            time.sleep(0.5)
        finally:
            stop_process(restarted)
    wa = [recipient_of(d.body) for d in graph.deliveries]
    tg = [str(d.body["chat_id"]) for d in bot.deliveries]
    twice = {who: n for who, n in Counter(wa + tg).items() if n > 1}
    assert not twice, f"twice: {twice}; quitters {quitter_wa} {quitter_tg}; before the kill {delivered_before}"
    assert quitter_wa not in wa and quitter_tg not in tg
    assert sorted(wa) == sorted(n for n in numbers if n != quitter_wa)
    assert sorted(tg) == sorted(str(c) for c in chats if str(c) != quitter_tg)
    assert {d.body["type"] for d in graph.deliveries} == {"template"}  # nobody wrote in the last 24 h
    assert all(d.body["template"]["name"] == TEMPLATE for d in graph.deliveries)
    assert all("Ringkasan cek fakta harian" in d.body["text"] for d in bot.deliveries)
    assert _statuses(db) == {"sent": everyone - 2, "cancelled": 2}
