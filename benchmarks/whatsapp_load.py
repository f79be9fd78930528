"""WhatsApp load benchmark: signed deliveries on loopback to a running ``benarkah serve``.

    python benchmarks/whatsapp_load.py                       # semantic off and on, 250 deliveries/s, 30 s each
    python benchmarks/whatsapp_load.py --modes off --seconds 20 --rate 300
    python benchmarks/whatsapp_load.py --bsuid 0.3        # payloads as Meta sends them since April 2026

The server is a real ``benarkah serve`` process (webhook + worker + sender, the default deployment) over
the 3,746-article turnbackhoax-2024 corpus; replies go to the fake Graph API from ``tests/support`` in this
process, which records when each reply arrives. Deliveries are open-loop at ``--rate`` per second, one
message each, each from its own number, with ``--dup`` of them re-sending an earlier delivery (WhatsApp's
at-least-once redelivery). With ``--bsuid SHARE`` every message also carries the sender's business-scoped
user id (``from_user_id``, ``contacts[].user_id``) and SHARE of them withhold the phone number (people with a
username), so the webhook resolves and links identities as it will in production. Reported: deliveries/s accepted (200), webhook time-to-200, end-to-end time from
first delivery to the reply reaching the fake API, replies/s, and lost / duplicated replies (both must be 0).
Baseline in the same run: the same load against ``GET /healthz`` (the HTTP floor of this machine).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

from _common import CACHE, ROOT, SHARED, machine, percentile, read_jsonl, table

sys.path.insert(0, str(ROOT))
from tests.support.fake_apis import WA_PHONE_NUMBER_ID, WA_TOKEN, FakeGraphAPI, run_fake  # noqa: E402
from tests.support.payloads import (APP_SECRET, VERIFY_TOKEN, signed, wa_contact, wa_delivery,  # noqa: E402
                                    wa_message, wa_user_message)
from tests.support.servers import free_port, stop_process  # noqa: E402

CORPUS = SHARED / "corpora/turnbackhoax-2024/articles.jsonl"
QUERIES = SHARED / "bench/turnbackhoax-dev/queries.jsonl"
SECRET = "benchmark-secret-key-0123456789"


def prepare_db(semantic: bool) -> Path:
    """The corpus ingested (and embedded) once into .cache/bench; copied per run so runs are independent."""
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / "whatsapp-corpus.db"
    marker = CACHE / "whatsapp-corpus.embedded"
    env = {**os.environ, "BENARKAH_SECRET_KEY": SECRET, "BENARKAH_SEMANTIC": "true" if semantic else "false"}
    if not cached.exists() or (semantic and not marker.exists()):
        print(f"preparing {cached} (ingest{' + embeddings' if semantic else ''}) ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "benarkah", "ingest", str(CORPUS), "--db", str(cached)],
                       env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        if semantic:
            marker.touch()
    run_db = CACHE / f"whatsapp-run-{'sem' if semantic else 'lex'}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(run_db) + suffix).unlink(missing_ok=True)
    _copy_db(cached, run_db)
    return run_db


def _copy_db(source: Path, target: Path) -> None:
    import sqlite3

    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def start_server(db: Path, semantic: bool, api_base: str, port: int, cpus: str = "",
                 workers: bool = True) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BENARKAH_")}
    env.update({
        "BENARKAH_DB": str(db), "BENARKAH_SECRET_KEY": SECRET, "BENARKAH_SEMANTIC": str(semantic).lower(),
        "BENARKAH_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN, "BENARKAH_WHATSAPP_APP_SECRET": APP_SECRET,
        "BENARKAH_WHATSAPP_TOKEN": WA_TOKEN, "BENARKAH_WHATSAPP_PHONE_NUMBER_ID": WA_PHONE_NUMBER_ID,
        "BENARKAH_WHATSAPP_API_BASE": api_base, "BENARKAH_LOG_LEVEL": "WARNING",
        "BENARKAH_MESSAGING_POLL_SECONDS": "0.2",
    })
    pin = ["taskset", "-c", cpus] if cpus else []  # the server (and its worker child) on these cores only
    extra = [] if workers else ["--no-workers"]
    process = subprocess.Popen([*pin, sys.executable, "-m", "benarkah", "serve", "--port", str(port), *extra],
                               env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("benarkah serve did not start")
        time.sleep(0.2)


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    writer.write(request)
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


def _request(host: str, path: str, body: bytes, headers: dict) -> bytes:
    method = "POST" if body else "GET"
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}",
             *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def offer_load(base: str, path: str, payloads: list[tuple[str, bytes, dict]], rate: float,
                     sent_at: dict[str, float], connections: int = 64) -> tuple[list[float], Counter]:
    """Open-loop load: request n is due at start + n/rate; its latency counts from when it was due (so a
    slow server is not hidden by the generator waiting for it). Raw HTTP/1.1 keep-alive connections, so
    the generator costs little CPU beside the server."""
    host = base.removeprefix("http://")
    address, port = host.split(":")
    latencies: list[float] = []
    statuses: Counter = Counter()
    queue: asyncio.Queue = asyncio.Queue()

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(address, int(port))
        while (job := await queue.get()) is not None:
            due, request = job
            try:
                statuses[await _exchange(reader, writer, request)] += 1
                latencies.append(time.perf_counter() - due)
            except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as exc:
                statuses[type(exc).__name__] += 1
                writer.close()
                reader, writer = await asyncio.open_connection(address, int(port))
        writer.close()

    workers = [asyncio.create_task(connection()) for _ in range(connections)]
    start = time.perf_counter()
    for n, (message_id, body, headers) in enumerate(payloads):
        due = start + n / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if message_id:
            sent_at.setdefault(message_id, time.time())
        queue.put_nowait((due, _request(host, path, body, headers)))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    return latencies, statuses


def build_payloads(count: int, dup: float, rng: random.Random,
                   bsuid: float | None = None) -> tuple[list[tuple[str, bytes, dict]], int]:
    queries = [q["query"] for q in read_jsonl(QUERIES)]
    unique: list[tuple[str, bytes, dict]] = []
    payloads = []
    for n in range(count):
        if unique and rng.random() < dup:
            payloads.append(rng.choice(unique[-200:]))  # a redelivery of a recent message
            continue
        phone, text = f"628{rng.randrange(10**9, 10**10)}", {"body": rng.choice(queries)}
        if bsuid is None:
            delivery = wa_delivery(wa_message(phone, "text", text))
        else:
            user_id = f"ID.{rng.randrange(10**15, 10**16)}"
            shown = None if rng.random() < bsuid else phone
            delivery = wa_delivery(wa_user_message(shown, user_id, "text", text),
                                   contacts=[wa_contact(phone=shown, bsuid=user_id)])
        message = delivery["entry"][0]["changes"][0]["value"]["messages"][0]
        body, headers = signed(delivery)
        unique.append((message["id"], body, headers))
        payloads.append(unique[-1])
    return payloads, len(unique)


def run_mode(semantic: bool, seconds: float, rate: float, dup: float, drain: float, cpus: str = "",
             workers: bool = True, bsuid: float | None = None) -> dict:
    rng = random.Random(7)
    db = prepare_db(semantic)
    with run_fake(FakeGraphAPI()) as graph:
        port = free_port()
        server = start_server(db, semantic, graph.api_base, port, cpus, workers)  # type: ignore[attr-defined]
        base = f"http://127.0.0.1:{port}"
        try:
            floor, _ = asyncio.run(offer_load(base, "/healthz", [("", b"", {})] * int(rate * 5), rate, {}))
            payloads, unique = build_payloads(int(rate * seconds), dup, rng, bsuid)
            sent_at: dict[str, float] = {}
            began = time.time()
            latencies, statuses = asyncio.run(offer_load(base, "/webhooks/whatsapp", payloads, rate, sent_at))
            offered_for = time.time() - began
            deadline = time.monotonic() + drain
            while workers and time.monotonic() < deadline and len(graph.deliveries) < unique:
                time.sleep(0.2)
            time.sleep(1.0)  # anything arriving late would be a duplicate
            finished = max((d.at for d in graph.deliveries), default=time.time())
        finally:
            stop_process(server, timeout=15)
    replies: Counter = Counter()
    first_reply: dict[str, float] = {}
    for d in graph.deliveries:
        mid = d.body.get("context", {}).get("message_id")
        replies[mid] += 1
        first_reply.setdefault(mid, d.at)
    e2e = [first_reply[mid] - sent_at[mid] for mid in first_reply if mid in sent_at]
    lost = sum(1 for mid in sent_at if mid and mid not in replies)
    duplicated = sum(c - 1 for c in replies.values() if c > 1)
    return {
        "mode": ("semantic on" if semantic else "semantic off") + ("" if workers else ", webhook only")
        + ("" if bsuid is None else f", BSUIDs ({bsuid:.0%} without number)"),
        "offered/s": rate, "deliveries": len(payloads), "unique": unique,
        "accepted/s": statuses[200] / offered_for, "non-200": sum(v for k, v in statuses.items() if k != 200),
        "200 p50 ms": percentile(latencies, 50) * 1000, "200 p99 ms": percentile(latencies, 99) * 1000,
        "healthz p99 ms": percentile(floor, 99) * 1000,
        "e2e p50 ms": percentile(e2e, 50) * 1000, "e2e p99 ms": percentile(e2e, 99) * 1000,
        "replies/s": len(replies) / max(finished - began, 1e-9), "lost": lost, "duplicated": duplicated,
        "rejected by API": len(graph.rejected),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modes", default="off,on", help="semantic modes to run: off, on or off,on")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to offer load, per mode")
    parser.add_argument("--rate", type=float, default=250.0, help="deliveries offered per second")
    parser.add_argument("--dup", type=float, default=0.2, help="share of deliveries that are redeliveries")
    parser.add_argument("--drain", type=float, default=120.0, help="longest wait for the queue to empty")
    parser.add_argument("--webhook-only", action="store_true",
                        help="serve --no-workers: time-to-200 without the worker competing (no replies)")
    parser.add_argument("--server-cpus", default="", help="pin the server to these cores (taskset -c), e.g. 0,1")
    parser.add_argument("--bsuid", type=float, default=None, metavar="SHARE",
                        help="messages carry BSUIDs; this share of them without the phone number")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON too")
    args = parser.parse_args()
    if not CORPUS.exists() or not QUERIES.exists():
        sys.exit(f"needs the shared data beside the project: {CORPUS} and {QUERIES}")
    rows = [run_mode(mode == "on", args.seconds, args.rate, args.dup, args.drain, args.server_cpus,
                     not args.webhook_only, args.bsuid)
            for mode in args.modes.split(",")]
    headers = list(rows[0])
    where = f"server pinned to cores {args.server_cpus}" if args.server_cpus else "cores shared with other sessions"
    print(f"machine: {machine()}; {where}; offered {args.rate:g}/s for {args.seconds:g}s, {args.dup:.0%} duplicates\n")
    print(table(headers, [[r[h] if not isinstance(r[h], float) else round(r[h], 1) for h in headers] for r in rows]))
    if args.json:
        print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
