"""Scaling benchmark: the WhatsApp load on SQLite vs PostgreSQL, and on PostgreSQL with 1, 2 and 4 processes.

    python benchmarks/scaling.py                                  # sqlite:1, postgresql:1,2,4; 150/s for 20 s
    python benchmarks/scaling.py --configs postgresql:1,postgresql:4 --rate 300 --seconds 15

Each configuration is a real ``benarkah serve --processes N`` (every process: webhook + inbox worker +
outbox sender threads, the default deployment) over the 3,746-article turnbackhoax-2024 corpus, lexical
search. PostgreSQL is a throwaway cluster started by this script (as the tests do, but with fsync and
full-page writes on; ``synchronous_commit=off``, the counterpart of SQLite's WAL ``synchronous=NORMAL``
that benarkah uses: a power cut may lose the last commits, never corrupts). The load is ``whatsapp_load.py``'s: open-loop signed deliveries at ``--rate``/s, one
message each from its own number, ``--dup`` of them redeliveries, replies to the fake Graph API in this
process of its own. Reported per configuration: accepted deliveries/s, webhook p50/p99, end-to-end
p50/p99 (delivery to reply at the API), replies/s, lost (accepted, never answered) and duplicated
replies (both must be 0), and where the CPU went (seconds of CPU per 1,000 deliveries in the benarkah
processes, in PostgreSQL, in the load generator + fake API). ``--profile`` adds py-spy samples of the
benarkah processes by area.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx

from _common import ROOT, machine, percentile, table
from whatsapp_load import CORPUS, QUERIES, SECRET, build_payloads, prepare_db

sys.path.insert(0, str(ROOT))
from tests.support.fake_apis import WA_PHONE_NUMBER_ID, WA_TOKEN, FakeGraphAPI, run_fake  # noqa: E402
from tests.support.payloads import APP_SECRET, VERIFY_TOKEN  # noqa: E402
from tests.support.postgres import Cluster, start_cluster  # noqa: E402
from tests.support.servers import free_port, stop_process  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
LOAD_BEFORE = ""


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes and their reaped children, from /proc."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15]) / TICKS  # utime stime cutime cstime
    return total


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def postgres_pids(cluster: Cluster | None) -> list[int]:
    if cluster is None or cluster.datadir is None:
        return []
    postmaster = int((cluster.datadir / "postmaster.pid").read_text().split()[0])
    return descendants(postmaster)


def database_for(backend: str, cluster: Cluster | None) -> str:
    if backend == "sqlite":
        return str(prepare_db(semantic=False))
    assert cluster is not None
    url = cluster.fresh_database("bench")
    env = {**os.environ, "BENARKAH_SECRET_KEY": SECRET, "BENARKAH_SEMANTIC": "false", "PYTHONPATH": str(ROOT / "src")}
    subprocess.run([sys.executable, "-m", "benarkah", "ingest", str(CORPUS), "--db", url], env=env, check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL)
    return url


@contextmanager
def serving(db: str, processes: int, api_base: str) -> Iterator[tuple[str, subprocess.Popen]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BENARKAH_", "PROMETHEUS_"))}
    env.update({
        "BENARKAH_DB": db, "BENARKAH_SECRET_KEY": SECRET, "BENARKAH_SEMANTIC": "false",
        "BENARKAH_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN, "BENARKAH_WHATSAPP_APP_SECRET": APP_SECRET,
        "BENARKAH_WHATSAPP_TOKEN": WA_TOKEN, "BENARKAH_WHATSAPP_PHONE_NUMBER_ID": WA_PHONE_NUMBER_ID,
        "BENARKAH_WHATSAPP_API_BASE": api_base, "BENARKAH_LOG_LEVEL": "WARNING",
        "BENARKAH_MESSAGING_POLL_SECONDS": "0.2", "PYTHONPATH": str(ROOT / "src"),
    })
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "benarkah", "serve", "--port", str(port),
                                "--processes", str(processes)], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, processes)
        yield url, process
    finally:
        stop_process(process, timeout=30)


def _wait_ready(url: str, process: subprocess.Popen, processes: int) -> None:
    """Until ``processes`` different processes have answered /readyz (every index built)."""
    deadline = time.monotonic() + 300
    seen: set[int] = set()
    while len(seen) < processes:
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"benarkah serve --processes {processes} did not become ready")
        try:
            with httpx.Client(timeout=2) as client:
                response = client.get(f"{url}/readyz")
            if response.status_code == 200:
                seen.add(response.json()["pid"])
                continue
        except httpx.TransportError:
            pass
        time.sleep(0.1)


PROFILE_FILE = Path("/tmp/benarkah-scaling-profile.txt")


def start_profile(pid: int, seconds: float) -> subprocess.Popen | None:
    """py-spy (if installed) sampling the server and its children while the load runs."""
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        print("--profile needs py-spy in this environment (pip install py-spy)", file=sys.stderr)
        return None
    PROFILE_FILE.unlink(missing_ok=True)
    return subprocess.Popen([str(spy), "record", "--pid", str(pid), "--subprocesses", "--nonblocking", "--rate", "50",
                             "--duration", str(int(seconds)), "--format", "raw", "--output", str(PROFILE_FILE)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


BUCKETS = [  # first match wins, tested against the whole stack (innermost frames first)
    ("PostgreSQL driver wait/IO", ("psycopg", "psycopg_pool")), ("SQLite", ("sqlite3", "storage/sqlite.py")),
    ("search (BM25, matching)", ("search/",)), ("conversation/render", ("domain/",)),
    ("crypto (HMAC, AES seal)", ("cryptography", "privacy.py", "hmac")),
    ("HTTP client to the API", ("httpx", "httpcore")),
    ("HTTP server (uvicorn, FastAPI, pydantic)", ("uvicorn", "starlette", "fastapi", "pydantic", "h11", "httptools")),
    ("messaging logic", ("messaging/", "channels/")), ("json", ("json",)),
]


def finish_profile(profiler: subprocess.Popen) -> list[tuple[str, float]]:
    """Share of CPU samples per bucket (what the server processes spent their CPU on)."""
    profiler.wait(timeout=120)
    if not PROFILE_FILE.exists():
        return []
    counts: Counter = Counter()
    for line in PROFILE_FILE.read_text(errors="replace").splitlines():
        stack, _, number = line.rpartition(" ")
        if not number.isdigit():
            continue
        frames = stack.split(";")[::-1]
        bucket = next((name for frame in frames for name, keys in BUCKETS if any(k in frame for k in keys)), "other")
        counts[bucket] += int(number)
    total = sum(counts.values()) or 1
    return [(name, 100 * n / total) for name, n in counts.most_common(6)]


def _fake_api_main(conn) -> None:  # type: ignore[no-untyped-def]
    """The fake Graph API in its own process, so its CPU is not the load generator's."""
    with run_fake(FakeGraphAPI()) as graph:
        conn.send(graph.api_base)  # type: ignore[attr-defined]
        while conn.recv() != "dump":
            with graph.lock:  # messages answered so far (the first part of a reply quotes its message)
                conn.send(len({d.body.get("context", {}).get("message_id") for d in graph.deliveries} - {None}))
        with graph.lock:
            conn.send(([(d.body.get("context", {}).get("message_id"), d.at) for d in graph.deliveries],
                       len(graph.rejected)))


@contextmanager
def fake_api_process() -> Iterator[tuple[str, object, multiprocessing.Process]]:
    parent, child = multiprocessing.get_context("fork").Pipe()
    process = multiprocessing.get_context("fork").Process(target=_fake_api_main, args=(child,), daemon=True)
    process.start()
    try:
        yield parent.recv(), parent, process
    finally:
        process.kill()


async def offer(url: str, payloads: list[tuple[str, bytes, dict]], rate: float,
                sent_at: dict[str, float], accepted: set[str]) -> tuple[list[float], Counter]:
    """Open-loop load at ``rate``/s (as whatsapp_load.py), also noting which message ids got a 200."""
    latencies: list[float] = []
    statuses: Counter = Counter()
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        async def one(message_id: str, body: bytes, headers: dict) -> None:
            started = time.perf_counter()
            sent_at.setdefault(message_id, time.time())
            try:
                response = await client.post(url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                statuses[type(exc).__name__] += 1
                return
            statuses[response.status_code] += 1
            if response.status_code == 200:
                accepted.add(message_id)
            latencies.append(time.perf_counter() - started)

        tasks = []
        start = time.perf_counter()
        for n, (message_id, body, headers) in enumerate(payloads):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(message_id, body, headers)))
        await asyncio.gather(*tasks)
    return latencies, statuses


def run_config(backend: str, processes: int, cluster: Cluster | None, args: argparse.Namespace) -> dict:
    rng = random.Random(7)
    db = database_for(backend, cluster)
    payloads, unique = build_payloads(int(args.rate * args.seconds), args.dup, rng)
    with fake_api_process() as (api_base, api, api_process):
        with serving(db, processes, api_base) as (url, server):
            app_pids = descendants(server.pid)
            db_pids = postgres_pids(cluster) if backend == "postgresql" else []
            cpu_app, cpu_db, cpu_load = cpu_seconds(app_pids), cpu_seconds(db_pids), time.process_time()
            cpu_api = cpu_seconds([api_process.pid])
            profiler = start_profile(server.pid, args.seconds) if args.profile else None
            sent_at: dict[str, float] = {}
            accepted: set[str] = set()
            began = time.time()
            latencies, statuses = asyncio.run(
                offer(f"{url}/webhooks/whatsapp", payloads, args.rate, sent_at, accepted))
            offered_for = time.time() - began
            hot = finish_profile(profiler) if profiler else []
            deadline = time.monotonic() + args.drain
            while time.monotonic() < deadline:
                api.send("count")  # type: ignore[attr-defined]
                if api.recv() >= len(accepted):  # type: ignore[attr-defined]
                    break
                time.sleep(0.2)
            time.sleep(1.0)  # anything arriving late would be a duplicate
            cpu_app = cpu_seconds(app_pids) - cpu_app
            cpu_db = cpu_seconds(db_pids) - cpu_db if db_pids else 0.0
            cpu_load = time.process_time() - cpu_load
            cpu_api = cpu_seconds([api_process.pid]) - cpu_api
        api.send("dump")  # type: ignore[attr-defined]
        deliveries, rejected = api.recv()  # type: ignore[attr-defined]
    finished = max((at for _, at in deliveries), default=time.time())
    replies: Counter = Counter()
    first_reply: dict[str, float] = {}
    for mid, at in deliveries:
        if mid is None:  # a later part of a multi-part reply
            continue
        replies[mid] += 1
        first_reply.setdefault(mid, at)
    e2e = [first_reply[mid] - sent_at[mid] for mid in first_reply if mid in sent_at]
    per_k = 1000 / max(len(payloads), 1)
    return {
        "backend": backend, "processes": processes, "offered/s": args.rate, "deliveries": len(payloads),
        "accepted/s": statuses[200] / offered_for, "non-200": sum(v for k, v in statuses.items() if k != 200),
        "webhook p50 ms": percentile(latencies, 50) * 1000, "webhook p99 ms": percentile(latencies, 99) * 1000,
        "e2e p50 ms": percentile(e2e, 50) * 1000, "e2e p99 ms": percentile(e2e, 99) * 1000,
        "replies/s": len(replies) / max(finished - began, 1e-9),
        "lost": sum(1 for mid in accepted if mid not in replies),  # accepted (200) but never answered
        "duplicated": sum(c - 1 for c in replies.values() if c > 1),
        "rejected by API": rejected,
        "CPU s/1k app": cpu_app * per_k, "CPU s/1k postgres": cpu_db * per_k,
        "CPU s/1k loadgen+API": (cpu_load + cpu_api) * per_k,
        "_profile": hot,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", default="sqlite:1,postgresql:1,postgresql:2,postgresql:4",
                        help="backend:processes, comma-separated")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long to offer load, per configuration")
    parser.add_argument("--rate", type=float, default=150.0, help="deliveries offered per second")
    parser.add_argument("--dup", type=float, default=0.2, help="share of deliveries that are redeliveries")
    parser.add_argument("--drain", type=float, default=120.0, help="longest wait for the queue to empty")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON too")
    parser.add_argument("--profile", action="store_true", help="sample the servers with py-spy during the load")
    args = parser.parse_args()
    if not CORPUS.exists() or not QUERIES.exists():
        sys.exit(f"needs the shared data beside the project: {CORPUS} and {QUERIES}")
    global LOAD_BEFORE
    LOAD_BEFORE = " ".join(f"{v:.1f}" for v in os.getloadavg())
    configs = [(c.split(":")[0], int(c.split(":")[1])) for c in args.configs.split(",")]
    cluster = None
    if any(backend == "postgresql" for backend, _ in configs):
        cluster = start_cluster(durable=True)
        cluster.prepare()
    try:
        rows = [run_config(backend, processes, cluster, args) for backend, processes in configs]
    finally:
        if cluster is not None:
            cluster.stop()
    profiles = {f"{r['backend']}:{r['processes']}": r.pop("_profile") for r in rows}
    headers = list(rows[0])
    print(f"machine: {machine()}; {os.cpu_count()} cores shared with other sessions; "
          f"load average before: {LOAD_BEFORE}\n")
    print(table(headers, [[f"{r[h]:.1f}" if isinstance(r[h], float) else r[h] for h in headers] for r in rows]))
    for config, hot in profiles.items():
        if hot:
            print(f"\n{config} server CPU samples: " + ", ".join(f"{name} {share:.0f}%" for name, share in hot))
    if args.json:
        print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
