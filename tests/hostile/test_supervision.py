"""Cases 2 and 9: the worker child of ``benarkah serve`` is supervised, its death and stalls are visible,
and its command line carries no database password.

After SIGKILL of the worker child, 169 of 200 accepted messages had no reply 45 s later while the
webhooks answered 200 and /readyz said ready. Now ``serve`` restarts the child (with backoff, logged),
and /readyz and /metrics read the workers' heartbeats from the database, so any server of a
deployment sees a dead or stalled worker on any machine. Real processes; both backends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from benarkah.app import build
from benarkah.messaging.model import Inbound, Kind
from benarkah.web.app import create_app
from tests.channels.conftest import channel_settings
from tests.conftest import ROOT, TEST_KEY, load_demo
from tests.support.payloads import signed, wa_delivery, wa_message
from tests.support.processes import benarkah_env, whatsapp_env
from tests.support.servers import free_port, serve_app, stop_process

PASSWORD = "rahasia-sekali-pw"


def serve_env(db: str, api_base: str) -> dict[str, str]:
    return benarkah_env(db, TEST_KEY, **whatsapp_env(api_base), BENARKAH_LOG_LEVEL="INFO",
                        BENARKAH_MESSAGING_POLL_SECONDS="0.05", BENARKAH_MESSAGING_HEARTBEAT_SECONDS="0.5",
                        BENARKAH_MESSAGING_WORKER_STALE_SECONDS="3")


@contextmanager
def serving(env: dict[str, str], log: Path, *args: str) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "benarkah", "serve", "--port", str(port), *args],
                                   env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: ready(url), 90, lambda: log.read_text(errors="replace")[-2000:], process)
        yield url, process
    finally:
        stop_process(process, timeout=15)


def ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def wait_until(condition, seconds: float, why=lambda: "", process: subprocess.Popen | None = None) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"process exited with {process.returncode}: {why()}")
        assert time.monotonic() < deadline, why()
        time.sleep(0.1)


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


def with_password(url: str) -> str:
    """The test cluster trusts loopback, so any password is accepted: put one in, to look for it."""
    return url.replace("postgresql://postgres@", f"postgresql://postgres:{PASSWORD}@")


@pytest.mark.case(2)
def test_a_killed_worker_child_is_restarted_and_answers_what_waited(db_url, graph, tmp_path):
    db = with_password(db_url) if db_url.startswith("postgresql") else db_url
    seed = build(channel_settings(db, graph.api_base, "http://127.0.0.1:9"))
    load_demo(seed)
    seed.close()
    log = tmp_path / "serve.log"
    with serving(serve_env(db, graph.api_base), log) as (url, server):
        [child] = children(server.pid)
        os.kill(child, signal.SIGKILL)
        numbers = [f"62811000006{n:02d}" for n in range(5)]
        for number in numbers:
            body, headers = signed(wa_delivery(wa_message(number, "text", {"body": "vaksin chip"})))
            assert httpx.post(f"{url}/webhooks/whatsapp", content=body, headers=headers).status_code == 200
        wait_until(lambda: set(numbers) <= {d.body["to"] for d in graph.deliveries}, 60,
                   lambda: log.read_text(errors="replace")[-2000:])
        [restarted] = children(server.pid)
        assert restarted != child
        assert "restarting" in log.read_text() and str(child) in log.read_text()


@pytest.mark.case(9)
def test_no_process_of_serve_has_the_database_password_in_its_argv(pg_url, graph, tmp_path):
    with serving(serve_env(with_password(pg_url), graph.api_base), tmp_path / "serve.log") as (_, server):
        processes = [server.pid, *children(server.pid)]
        assert len(processes) == 2
        for pid in processes:
            assert PASSWORD not in cmdline(pid), cmdline(pid)
        ps = subprocess.run(["ps", "-eo", "pid,args", "ww"], capture_output=True, text=True).stdout
        assert PASSWORD not in ps


def gauges(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


@pytest.mark.case(2)
def test_readiness_and_metrics_see_a_dead_or_stalled_worker_anywhere(db_url, graph):
    settings = channel_settings(db_url, graph.api_base, "http://127.0.0.1:9", messaging_heartbeat_seconds=0.2,
                                messaging_worker_stale_seconds=1.5, telegram_token=None, telegram_secret=None)
    services = build(settings)
    load_demo(services)
    try:
        with serve_app(create_app(services)) as url:
            services.queue.accept([Inbound("whatsapp", "wamid.waiting", "6281100000701", Kind.TEXT, "vaksin chip")])
            time.sleep(1.1)
            down = httpx.get(f"{url}/readyz")
            assert down.status_code == 503, down.text
            assert any("no live messaging inbox worker" in p for p in down.json()["problems"]), down.json()
            assert down.json()["queue"]["inbox_oldest_pending_seconds"] >= 1
            metrics = gauges(httpx.get(f"{url}/metrics").text)
            assert metrics[("benarkah_queue_oldest_pending_seconds", (("queue", "inbox"),))] >= 1
            assert metrics[("benarkah_workers_alive", (("role", "inbox"),))] == 0

            runtime = services.runtime().start()  # a worker (here in-process; anywhere in the deployment)
            try:
                wait_until(lambda: httpx.get(f"{url}/readyz").status_code == 200, 15, lambda: httpx.get(f"{url}/readyz").text)
                graph.wait_for(1)
                # another machine's worker that beats but makes no progress (a deadlock) is reported too
                services.queue.beat("elsewhere:1:stuck", "inbox", started_at=time.time() - 60,
                                    progress_at=time.time() - 60)
                runtime.stop()
            except BaseException:
                runtime.stop()
                raise
            stalled = httpx.get(f"{url}/readyz")
            assert stalled.status_code == 503
            assert any("stalled" in p for p in stalled.json()["problems"]), stalled.json()
            time.sleep(DB_TTL)
            services.queue.beat("elsewhere:1:stuck", "inbox", started_at=time.time() - 60,
                                progress_at=time.time() - 60)
            metrics = gauges(httpx.get(f"{url}/metrics").text)
            assert metrics[("benarkah_workers_alive", (("role", "inbox"),))] == 1
            assert metrics[("benarkah_worker_progress_age_seconds", (("role", "inbox"),))] >= 50
    finally:
        services.close()


DB_TTL = 5.1  # the database gauges are cached for 5 s
