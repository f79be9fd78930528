"""Messaging cost: database statements and CPU per message, and the webhook against a minimal one.

    python benchmarks/messaging_cost.py                                  # both parts, SQLite and PostgreSQL
    python benchmarks/messaging_cost.py --part statements --messages 400
    python benchmarks/messaging_cost.py --part load --rate 300 --seconds 15
    python benchmarks/messaging_cost.py --tree /tmp/before --label before    # another checkout's src/ (before/after)

**statements** (in this process): the 3,746-article turnbackhoax-2024 corpus (lexical search), ``--messages``
signed WhatsApp deliveries (one text message each from its own number, ``--dup`` of them redeliveries)
taken through the three stages of a message's life, each stage run to the end before the next: the
webhook's work after the HTTP layer (signature check, JSON, parse, ``_store``: identity, inbox),
the inbox worker (``run_once`` until the inbox is empty: claim, search, conversation, tip, reply queued)
and the outbox sender (``run_once`` until empty: claim, 24-hour window, API call to the fake Graph API in
a process of its own, receipt). Statements are counted by the database: SQLite's trace callback on every
connection (trigger bodies not counted), PostgreSQL's ``pg_stat_statements`` in a throwaway cluster
(top-level statements, utility statements such as BEGIN/COMMIT/SAVEPOINT included) whose
``log_statement=all`` log also tells which statements psycopg ran as prepared statements. CPU is this
thread's CPU time per message (plus the PostgreSQL server's).

**load** (real processes): open-loop signed deliveries at ``--rate``/s on loopback (as
``whatsapp_load.py``: raw keep-alive HTTP, latency from when each request was due) to (a) the minimal
webhook of ``minimal_webhook.py`` (same stack: FastAPI + uvicorn, same driver; verifies the signature and
inserts one row: the floor) and (b) ``benarkah serve`` (webhook + its worker child: inbox worker and
sender threads, the default deployment), replies to the fake Graph API in a process of its own. Reported:
accepted/s (answered 200, per second of offered load) and its ratio to the floor, time-to-200 p50/p99,
lost/duplicated replies after draining, and CPU seconds per 1,000 unique messages of the webhook
process, of the worker process and of PostgreSQL, from /proc, from the first delivery until the last reply.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx

from _common import CACHE, ROOT, machine, percentile, table
from scaling import cpu_seconds, descendants, fake_api_process, postgres_pids
from whatsapp_load import CORPUS, QUERIES, SECRET, build_payloads, offer_load

sys.path.insert(0, str(ROOT))
from tests.support.fake_apis import WA_PHONE_NUMBER_ID, WA_TOKEN  # noqa: E402
from tests.support.payloads import APP_SECRET, VERIFY_TOKEN  # noqa: E402
from tests.support.postgres import Cluster, start_cluster  # noqa: E402
from tests.support.servers import free_port, stop_process  # noqa: E402

STAGES = ("webhook", "worker", "sender")
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def server_env(tree: Path, db: str, api_base: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BENARKAH_", "PROMETHEUS_"))}
    env.update({
        "BENARKAH_DB": db, "BENARKAH_SECRET_KEY": SECRET, "BENARKAH_SEMANTIC": "false",
        "BENARKAH_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN, "BENARKAH_WHATSAPP_APP_SECRET": APP_SECRET,
        "BENARKAH_WHATSAPP_TOKEN": WA_TOKEN, "BENARKAH_WHATSAPP_PHONE_NUMBER_ID": WA_PHONE_NUMBER_ID,
        "BENARKAH_WHATSAPP_API_BASE": api_base, "BENARKAH_LOG_LEVEL": "WARNING",
        "BENARKAH_MESSAGING_POLL_SECONDS": "0.2", "PYTHONPATH": str(tree / "src"),
    })
    return env


def prepare_database(tree: Path, backend: str, cluster: Cluster | None, label: str) -> str:
    """The corpus ingested (lexical) by ``tree``'s own code, so its migrations made the schema."""
    if backend == "sqlite":
        CACHE.mkdir(parents=True, exist_ok=True)
        path = CACHE / f"messaging-cost-{label}.db"
        for suffix in ("", "-wal", "-shm", ".key"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        db = str(path)
    else:
        assert cluster is not None
        db = cluster.fresh_database("cost")
    subprocess.run([sys.executable, "-m", "benarkah", "ingest", str(CORPUS), "--db", db],
                   env=server_env(tree, db, "http://127.0.0.1:9"), check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    return db


# statements ---------------------------------------------------------------------------------------

class SqliteCounter:
    """Every statement SQLite runs on any connection opened from now on (``set_trace_callback``)."""

    def __init__(self) -> None:
        self.kinds: Counter = Counter()
        self.texts: Counter = Counter()
        self._connect = sqlite3.connect
        counter = self

        def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
            conn = counter._connect(*args, **kwargs)
            conn.set_trace_callback(counter.saw)
            return conn

        sqlite3.connect = connect  # type: ignore[assignment]

    def saw(self, sql: str) -> None:
        text = sql.lstrip()
        if not text.startswith("--"):  # trigger bodies are reported as comments
            self.kinds[text.split(None, 1)[0].upper()] += 1
            self.texts[" ".join(text.split())[:110]] += 1

    def reset(self) -> None:
        self.kinds = Counter()
        self.texts = Counter()

    def read(self) -> tuple[Counter, dict[str, int], Counter]:
        return Counter(self.kinds), {}, Counter(self.texts)


class PostgresCounter:
    """``pg_stat_statements`` of the benchmark database, and which executions were prepared (server log)."""

    def __init__(self, cluster: Cluster, url: str) -> None:
        import psycopg

        self.cluster = cluster
        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        assert cluster.datadir is not None
        self.log = cluster.datadir.parent / "server.log"
        self.log_at = 0

    def reset(self) -> None:
        self.conn.execute("SELECT pg_stat_statements_reset()")
        self.log_at = self.log.stat().st_size

    def read(self) -> tuple[Counter, dict[str, int], Counter]:
        kinds: Counter = Counter()
        texts: Counter = Counter()
        for query, calls in self.conn.execute(
                "SELECT query, calls FROM pg_stat_statements WHERE dbid = "
                "(SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND query NOT ILIKE '%pg_stat_statements%'"):
            kinds[query.lstrip().split(None, 1)[0].upper()] += int(calls)
            texts[" ".join(query.split())[:110]] += int(calls)
        with self.log.open("rb") as log:
            log.seek(self.log_at)
            text = log.read().decode("utf-8", "replace")
        executions = {
            "prepared": text.count("LOG:  execute _pg3_"),      # psycopg's automatically prepared statements
            "unprepared": text.count("LOG:  execute <unnamed>") + text.count("LOG:  statement: "),
        }
        return kinds, executions, texts


def statements_run(tree: Path, backend: str, cluster: Cluster | None, messages: int, dup: float,
                   label: str, detail: bool = False) -> list[dict]:
    """One backend's three stages, in this process, with ``tree``'s benarkah."""
    db = prepare_database(tree, backend, cluster, label)
    counter: SqliteCounter | PostgresCounter = SqliteCounter() if backend == "sqlite" else \
        PostgresCounter(cluster, db)  # type: ignore[arg-type]
    payloads, unique = build_payloads(int(messages / (1 - dup)), dup, random.Random(7))
    rows = []
    with fake_api_process() as (api_base, _api, _process):
        os.environ.update({k: v for k, v in server_env(tree, db, api_base).items() if k.startswith("BENARKAH_")})
        from benarkah.app import build
        from benarkah.channels.whatsapp import webhook
        from benarkah.channels.whatsapp.parse import parse_delivery
        from benarkah.settings import Settings

        services = build(Settings())
        print(f"benarkah from {Path(sys.modules['benarkah'].__file__).parent}", file=sys.stderr)
        runtime = services.runtime("all")
        worker, sender = runtime.worker, runtime.sender
        services.index.search("vaksin covid chip")  # the index is built before anything is counted
        load = getattr(webhook, "load_json", None) or (lambda body: json.loads(body))

        def deliver() -> None:
            for _, body, headers in payloads:
                assert webhook.valid_signature(APP_SECRET, body, headers["x-hub-signature-256"])
                webhook._store(services.queue, parse_delivery(load(body), WA_PHONE_NUMBER_ID))

        def drain(step: Callable[[], int]) -> Callable[[], None]:
            def run() -> None:
                idle = 0
                while idle < 3:  # a lease or a retry may hold a row back for a moment
                    if step():
                        idle = 0
                    else:
                        idle += 1
                        time.sleep(0.05)
            return run

        db_pids = postgres_pids(cluster) if backend == "postgresql" else []
        for stage, run in zip(STAGES, (deliver, drain(worker.run_once), drain(sender.run_once))):
            counter.reset()
            cpu, wall, db_cpu = time.thread_time(), time.perf_counter(), cpu_seconds(db_pids)
            run()
            cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
            db_cpu = cpu_seconds(db_pids) - db_cpu
            kinds, executions, texts = counter.read()
            if detail:
                print(f"\n{backend} {stage}: statements per message", file=sys.stderr)
                for text, count in texts.most_common(40):
                    print(f"  {count / unique:6.2f}  {text}", file=sys.stderr)
            total = sum(kinds.values())
            rows.append({
                "tree": label, "backend": backend, "stage": stage, "messages": unique,
                "statements": total, "per message": total / unique,
                "of which BEGIN/COMMIT/SAVEPOINT": sum(kinds[k] for k in CONTROL) / unique,
                "SELECT": kinds["SELECT"] / unique, "INSERT": kinds["INSERT"] / unique,
                "UPDATE": kinds["UPDATE"] / unique,
                "prepared share": (executions["prepared"] / max(1, sum(executions.values())))
                if executions else None,
                "CPU ms/message": cpu * 1000 / unique, "wall ms/message": wall * 1000 / unique,
                "PostgreSQL CPU ms/message": db_cpu * 1000 / unique if db_pids else None,
            })
        replies = services.store.connection().execute(
            "SELECT COUNT(*) FROM messaging_outbox WHERE status = 'sent'").fetchone()[0]
        services.close()
        if isinstance(counter, PostgresCounter):
            counter.conn.close()
    if replies != unique:
        print(f"warning: {replies} replies sent for {unique} messages", file=sys.stderr)
    total = {k: sum(r[k] for r in rows) for k in ("statements", "CPU ms/message", "wall ms/message")}
    rows.append({**rows[-1], "stage": "all", "statements": total["statements"],
                 "per message": total["statements"] / unique,
                 "of which BEGIN/COMMIT/SAVEPOINT": sum(r["of which BEGIN/COMMIT/SAVEPOINT"] for r in rows),
                 "SELECT": sum(r["SELECT"] for r in rows), "INSERT": sum(r["INSERT"] for r in rows),
                 "UPDATE": sum(r["UPDATE"] for r in rows), "prepared share": None,
                 "CPU ms/message": total["CPU ms/message"], "wall ms/message": total["wall ms/message"],
                 "PostgreSQL CPU ms/message": sum(r["PostgreSQL CPU ms/message"] or 0 for r in rows)
                 if backend == "postgresql" else None})
    return rows


def statements_in_child(args: argparse.Namespace, backend: str) -> list[dict]:
    """Each backend in a fresh interpreter: ``tree``'s benarkah imported, sqlite3 counting from the start."""
    command = [sys.executable, __file__, "--_statements-child", backend, "--tree", str(args.tree), "--label",
               args.label, "--messages", str(args.messages), "--dup", str(args.dup)] + (["--detail"] if args.detail else [])
    env = {**os.environ, "PYTHONPATH": str(Path(args.tree) / "src")}
    done = subprocess.run(command, env=env, cwd=ROOT / "benchmarks", stdout=subprocess.PIPE,
                          stderr=None if args.detail else subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"statements run failed ({backend}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextmanager
def statements_cluster() -> Iterator[Cluster]:
    cluster = start_cluster(durable=True, settings={
        "shared_preload_libraries": "pg_stat_statements", "pg_stat_statements.track_utility": "on",
        "log_statement": "all"})
    cluster.prepare()
    try:
        yield cluster
    finally:
        cluster.stop()


# load ---------------------------------------------------------------------------------------------

@contextmanager
def serving(kind: str, tree: Path, db: str, api_base: str) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    env = server_env(tree, db, api_base)
    if kind == "minimal":
        command = [sys.executable, str(ROOT / "benchmarks/minimal_webhook.py"), "--db", db, "--port", str(port),
                   "--secret", APP_SECRET]
    else:
        command = [sys.executable, "-m", "benarkah", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    try:
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{command} did not start")
            time.sleep(0.2)
        time.sleep(1.0 if kind == "minimal" else 3.0)  # the worker child opens its index
        yield url, process
    finally:
        stop_process(process, timeout=30)


def load_run(kind: str, tree: Path, backend: str, cluster: Cluster | None, args: argparse.Namespace) -> dict:
    if kind == "minimal":
        if backend == "sqlite":
            path = Path(tempfile.mkdtemp(prefix="floor-")) / "floor.db"
            db = str(path)
        else:
            assert cluster is not None
            db = cluster.fresh_database("floor")
    else:
        db = prepare_database(tree, backend, cluster, f"{args.label}-load")
    payloads, unique = build_payloads(int(args.rate * args.seconds), args.dup, random.Random(11))
    with fake_api_process() as (api_base, api, api_process):
        with serving(kind, tree, db, api_base) as (url, server):
            pids = descendants(server.pid)
            webhook_pid, worker_pids = server.pid, [p for p in pids if p != server.pid]
            db_pids = postgres_pids(cluster) if backend == "postgresql" else []
            cpu_web, cpu_worker, cpu_db = cpu_seconds([webhook_pid]), cpu_seconds(worker_pids), cpu_seconds(db_pids)
            sent_at: dict[str, float] = {}
            began = time.time()
            latencies, statuses = asyncio.run(offer_load(url, "/webhooks/whatsapp", payloads, args.rate, sent_at))
            offered_for = time.time() - began
            replied = 0
            if kind != "minimal":
                deadline = time.monotonic() + args.drain
                while time.monotonic() < deadline:
                    api.send("count")  # type: ignore[attr-defined]
                    replied = api.recv()  # type: ignore[attr-defined]
                    if replied >= unique:
                        break
                    time.sleep(0.2)
                time.sleep(1.0)  # anything arriving late would be a duplicate
            drained_at = time.time()
            cpu_web = cpu_seconds([webhook_pid]) - cpu_web
            cpu_worker = cpu_seconds(worker_pids) - cpu_worker
            cpu_db = cpu_seconds(db_pids) - cpu_db if db_pids else 0.0
        api.send("dump")  # type: ignore[attr-defined]
        deliveries, rejected = api.recv()  # type: ignore[attr-defined]
    replies: Counter = Counter(mid for mid, _ in deliveries if mid is not None)
    per_k = 1000 / unique
    return {
        "tree": args.label, "backend": backend, "server": kind, "offered/s": args.rate, "deliveries": len(payloads),
        "unique": unique, "accepted/s": statuses[200] / offered_for,
        "non-200": sum(v for k, v in statuses.items() if k != 200),
        "200 p50 ms": percentile(latencies, 50) * 1000, "200 p99 ms": percentile(latencies, 99) * 1000,
        "replies": len(replies), "lost": unique - len(replies) if kind != "minimal" else None,
        "duplicated": sum(c - 1 for c in replies.values() if c > 1), "rejected by API": rejected,
        "drain s": drained_at - began - offered_for if kind != "minimal" else None,
        "CPU s/1k webhook": cpu_web * per_k, "CPU s/1k worker": cpu_worker * per_k,
        "CPU s/1k PostgreSQL": cpu_db * per_k if backend == "postgresql" else None,
        "load": " ".join(f"{v:.1f}" for v in os.getloadavg()),
    }


# main ---------------------------------------------------------------------------------------------

def fmt(value: object) -> object:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
    return value


def print_table(rows: list[dict]) -> None:
    headers = list(rows[0])
    print(table(headers, [[fmt(r[h]) for h in headers] for r in rows]))
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", default="statements,load", help="statements, load or both")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--servers", default="minimal,benarkah", help="load part: minimal, benarkah or both")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose src/ is measured")
    parser.add_argument("--label", default="after", help="names this tree's rows (before / after)")
    parser.add_argument("--messages", type=int, default=400, help="statements part: unique messages")
    parser.add_argument("--rate", type=float, default=300.0, help="load part: deliveries offered per second")
    parser.add_argument("--seconds", type=float, default=15.0, help="load part: how long to offer load")
    parser.add_argument("--dup", type=float, default=0.2, help="share of deliveries that are redeliveries")
    parser.add_argument("--drain", type=float, default=180.0, help="load part: longest wait for every reply")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON too")
    parser.add_argument("--detail", action="store_true", help="statements part: the statements of each stage")
    parser.add_argument("--_statements-child", dest="child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.tree = args.tree.resolve()
    if args.child:
        sys.path.insert(0, str(args.tree / "src"))  # before _common's ROOT/src: this tree's benarkah
        cluster_cm = statements_cluster() if args.child == "postgresql" else None
        if cluster_cm is None:
            rows = statements_run(args.tree, "sqlite", None, args.messages, args.dup, args.label, args.detail)
        else:
            with cluster_cm as cluster:
                rows = statements_run(args.tree, "postgresql", cluster, args.messages, args.dup, args.label,
                                      args.detail)
        print(json.dumps(rows))
        return
    if not CORPUS.exists() or not QUERIES.exists():
        sys.exit(f"needs the shared data beside the project: {CORPUS} and {QUERIES}")
    backends = args.backends.split(",")
    print(f"machine: {machine()}; load average before: {' '.join(f'{v:.1f}' for v in os.getloadavg())}; "
          f"tree {args.tree} ({args.label})\n")
    everything: list[dict] = []
    if "statements" in args.part:
        rows = [r for backend in backends for r in statements_in_child(args, backend)]
        print_table(rows)
        everything += rows
    if "load" in args.part:
        cluster = None
        if "postgresql" in backends:
            cluster = start_cluster(durable=True)
            cluster.prepare()
        try:
            rows = []
            for backend in backends:
                for kind in args.servers.split(","):
                    rows.append(load_run(kind, args.tree, backend, cluster, args))
                    print(json.dumps(rows[-1]), file=sys.stderr)
        finally:
            if cluster is not None:
                cluster.stop()
        floors = {r["backend"]: r["accepted/s"] for r in rows if r["server"] == "minimal"}
        for r in rows:
            r["× minimal"] = r["accepted/s"] / floors[r["backend"]] if r["backend"] in floors else None
        print_table(rows)
        everything += rows
    print(f"load average after: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    if args.json:
        print(json.dumps(everything, indent=2))


if __name__ == "__main__":
    main()
