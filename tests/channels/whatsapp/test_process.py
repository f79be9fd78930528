"""``benarkah serve`` as a real process: answers a signed delivery through the fake Graph API, and
SIGKILL between accepting a message and sending its reply loses nothing and doubles nothing."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from typing import Iterator

import httpx
import pytest

from benarkah.app import build
from benarkah.settings import Settings
from tests.conftest import ROOT, TEST_KEY, load_demo
from tests.support.fake_apis import FakeGraphAPI, run_fake
from tests.support.payloads import signed, wa_delivery, wa_message
from tests.support.processes import benarkah_env, whatsapp_env
from tests.support.servers import free_port, stop_process

pytestmark = pytest.mark.slow


def _env(db: str, api_base: str) -> dict[str, str]:
    return benarkah_env(db, TEST_KEY, **whatsapp_env(api_base), BENARKAH_LOG_LEVEL="INFO",
                        BENARKAH_MESSAGING_POLL_SECONDS="0.05", BENARKAH_MESSAGING_RETRY_BASE_SECONDS="0.1",
                        BENARKAH_MESSAGING_RETRY_MAX_SECONDS="0.3", BENARKAH_MESSAGING_MAX_ATTEMPTS="1000",
                        BENARKAH_MESSAGING_LEASE_SECONDS="1",
                        BENARKAH_MESSAGING_SEND_TIMEOUT_SECONDS="0.4")  # a lease must outlive one API call


@contextmanager
def serving(env: dict[str, str], *args: str) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "benarkah", "serve", "--port", str(port), *args],
                               env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            assert process.poll() is None, process.stderr.read().decode()[-2000:] if process.stderr else ""
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "benarkah serve did not start"
            time.sleep(0.1)
        yield url, process
    finally:
        stop_process(process, timeout=10)


def deliver(url: str, message: dict) -> None:
    body, headers = signed(wa_delivery(message))
    response = httpx.post(f"{url}/webhooks/whatsapp", content=body, headers=headers, timeout=10)
    assert response.status_code == 200 and response.json()["stored"] == 1


def test_sigkill_between_accept_and_send_then_restart_delivers_each_reply_once(tmp_path):
    db = str(tmp_path / "serve.db")
    seed = build(Settings(db=db, secret_key=TEST_KEY, semantic=False))
    load_demo(seed)
    seed.close()
    with run_fake(FakeGraphAPI()) as graph:
        env = _env(db, graph.api_base)  # type: ignore[attr-defined]
        # 1. webhooks only: the message is stored (200) and the process dies before any worker saw it
        with serving(env, "--no-workers") as (url, process):
            deliver(url, wa_message("6281500000001", "text", {"body": "vaksin chip"}))
            process.kill()
            process.wait()
        # 2. workers on, API failing: the reply is queued and being attempted when the process dies
        graph.fail_always(500)
        with serving(env) as (url, process):
            deliver(url, wa_message("6281500000002", "text", {"body": "tips"}))
            deadline = time.monotonic() + 60  # the worker child starts first (slow on a loaded machine)
            while graph.attempts < 3:  # both replies attempted (and retried) at least once
                assert time.monotonic() < deadline, graph.attempts
                time.sleep(0.05)
            process.send_signal(signal.SIGKILL)
            process.wait()
        assert graph.deliveries == []
        # 3. restarted with the API healthy: each message gets its one reply
        graph.recover()
        with serving(env) as (url, _):
            graph.wait_for(2, timeout=30)
            time.sleep(1.5)  # longer than the lease: nothing else may come
            status = subprocess.run([sys.executable, "-m", "benarkah", "queue", "status", "--json"], env=env,
                                    cwd=ROOT, capture_output=True, text=True, check=True)
        assert len(graph.texts_to("6281500000001")) == 1
        assert len(graph.texts_to("6281500000002")) == 1
        assert '"sent": 2' in status.stdout and '"done": 2' in status.stdout
