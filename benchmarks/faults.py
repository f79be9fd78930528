"""Fault benchmark: what a burst of WhatsApp messages gets when processes die, the API fails, the disk
fills up or PostgreSQL restarts. For each scenario: messages accepted, replied once, lost and doubled.

    python benchmarks/faults.py                          # every scenario, outages of 15 s
    python benchmarks/faults.py --outage 60              # the issue's 60-second outages
    python benchmarks/faults.py --only api-429,disk-full --messages 200

Each scenario runs a real deployment on loopback: ``benarkah serve`` with its supervised worker child,
or webhook, worker and sender as separate processes, on SQLite or on a PostgreSQL cluster started here
(durable: fsync on). Replies go to the fake Graph API from ``tests/support``, in this process. A "Meta"
here posts ``--messages`` signed deliveries (one message each, from 60 numbers, no number repeating a
text) at ``--rate`` per second and, like Meta, redelivers every delivery that did not get a 200 (after
1, 2, 4, 5, 5 ... s). A third of the way into the burst the fault is injected. Then the script waits until
every accepted message has its reply (or ``--drain`` seconds), and a lease longer, so a late double is
seen too.

Counted per scenario:

* accepted: messages that got a 200 (at least once: Meta's redeliveries are deduplicated by id);
* replied once: accepted messages each of whose reply parts reached the API exactly once;
* lost: accepted messages without a reply at the end;
* doubled: messages with a part that reached the API more than once, split into *in the window* (every
  extra copy was accepted by the API but its message id was never recorded in an outbox row: the sender
  died, or its request timed out, after the API took the message; docs/messaging.md) and *outside* it.

Process settings: lease 10 s, send timeout 2 s, retries 0.5 s doubling to 4 s, 100 attempts, heartbeat
1 s. Durations are scaled down from the issue's 60 s unless ``--outage 60`` is given.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import httpx

from _common import ROOT, machine, table

sys.path.insert(0, str(ROOT))
from tests.support.fake_apis import WA_PHONE_NUMBER_ID, WA_TOKEN, FakeGraphAPI, run_fake  # noqa: E402
from tests.support.payloads import APP_SECRET, VERIFY_TOKEN, signed, wa_delivery, wa_message  # noqa: E402
from tests.support.servers import free_port  # noqa: E402

SECRET = "fault-benchmark-secret-key-0123456789"
SENDERS = 60
TEXTS = ["vaksin covid mengandung chip", "bansos 600 ribu lewat link", "gempa jakarta besok pagi", "pinjol ilegal",
         "undangan nikah apk", "kurir paket apk", "tips", "terbaru", "whatsapp berbayar", "listrik gratis pln",
         "hadiah undian bank", "air rebusan kelapa muda"]
LEASE = 10.0
SETTINGS = {
    "BENARKAH_SEMANTIC": "false", "BENARKAH_LOG_LEVEL": "WARNING",
    "BENARKAH_MESSAGING_LEASE_SECONDS": str(LEASE), "BENARKAH_MESSAGING_SEND_TIMEOUT_SECONDS": "2",
    "BENARKAH_MESSAGING_RETRY_BASE_SECONDS": "0.5", "BENARKAH_MESSAGING_RETRY_MAX_SECONDS": "4",
    "BENARKAH_MESSAGING_MAX_ATTEMPTS": "100", "BENARKAH_MESSAGING_POLL_SECONDS": "0.1",
    "BENARKAH_MESSAGING_HEARTBEAT_SECONDS": "1", "BENARKAH_MESSAGING_WORKER_STALE_SECONDS": "10",
    "BENARKAH_MESSAGING_SENDER_RATE_PER_MINUTE": "60",
}


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


# the deployment -----------------------------------------------------------------------------------

@dataclass
class Process:
    args: list[str]
    log: Path
    port: int | None = None
    popen: subprocess.Popen | None = None


class Deployment:
    """benarkah processes on one database; each can be killed and started again."""

    def __init__(self, db: str, api_base: str, folder: Path) -> None:
        self.db = db
        self.folder = folder
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("BENARKAH_")}
        self.env.update(SETTINGS, BENARKAH_DB=db, BENARKAH_SECRET_KEY=SECRET, PYTHONPATH=str(ROOT / "src"),
                        BENARKAH_WHATSAPP_VERIFY_TOKEN=VERIFY_TOKEN, BENARKAH_WHATSAPP_APP_SECRET=APP_SECRET,
                        BENARKAH_WHATSAPP_TOKEN=WA_TOKEN, BENARKAH_WHATSAPP_PHONE_NUMBER_ID=WA_PHONE_NUMBER_ID,
                        BENARKAH_WHATSAPP_API_BASE=api_base)
        self.processes: dict[str, Process] = {}

    def seed(self) -> None:
        subprocess.run([sys.executable, "-m", "benarkah", "demo", "--no-serve"], env=self.env, cwd=self.folder,
                       check=True, capture_output=True, timeout=300)

    def add(self, name: str, *args: str, serve: bool = False) -> None:
        port = free_port() if serve else None
        argv = ["serve", "--port", str(port), *args] if serve else list(args)
        self.processes[name] = Process(argv, self.folder / f"{name}.log", port)
        self.start(name)

    def start(self, name: str) -> None:
        process = self.processes[name]
        with open(process.log, "ab") as out:
            process.popen = subprocess.Popen([sys.executable, "-m", "benarkah", *process.args], env=self.env,
                                             cwd=self.folder, stdout=out, stderr=subprocess.STDOUT)

    def kill(self, name: str) -> None:
        process = self.processes[name].popen
        assert process is not None
        process.send_signal(signal.SIGKILL)
        process.wait()

    def child_of(self, name: str) -> int:
        pid = self.processes[name].popen.pid  # type: ignore[union-attr]
        children = [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
                    for c in (task / "children").read_text().split()]
        return children[0]

    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p.port}" for p in self.processes.values() if p.port]

    def wait_ready(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        for url in self.urls():
            while True:
                try:
                    if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"{url} not ready: " + "\n".join(
                        p.log.read_text(errors="replace")[-1500:] for p in self.processes.values()))
                time.sleep(0.2)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.popen is not None and process.popen.poll() is None:
                process.popen.terminate()
        for process in self.processes.values():
            if process.popen is not None:
                try:
                    process.popen.wait(20)
                except subprocess.TimeoutExpired:
                    process.popen.kill()

    def recorded_ids(self) -> set[str]:
        """The API message ids recorded in the outbox (what the senders know they sent)."""
        sys.path.insert(0, str(ROOT / "src"))
        from benarkah.storage import open_store

        store = open_store(self.db)
        try:
            rows = store.connection().execute("SELECT external_ids FROM messaging_outbox").fetchall()
        finally:
            store.close()
        return {i for r in rows for i in json.loads(r[0] or "[]")}


# Meta: deliveries, redelivered until accepted ------------------------------------------------------

@dataclass
class Meta:
    urls: Callable[[], list[str]]
    messages: list[dict]
    rate: float
    deadline: float = 0.0
    accepted: dict[str, float] = field(default_factory=dict)
    attempts: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, started: float) -> None:
        with ThreadPoolExecutor(64) as pool:
            for n, message in enumerate(self.messages):
                delay = started + n / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(self.deliver, n, message)

    def deliver(self, n: int, message: dict) -> None:
        body, headers = signed(wa_delivery(message))
        wait = 1.0
        while time.monotonic() < self.deadline:
            urls = self.urls()
            url = urls[(n + self.attempts[message["id"]]) % len(urls)]
            self.attempts[message["id"]] += 1
            try:
                if httpx.post(f"{url}/webhooks/whatsapp", content=body, headers=headers, timeout=10).status_code == 200:
                    with self.lock:
                        self.accepted.setdefault(message["id"], time.time())
                    return
            except httpx.HTTPError:
                pass
            time.sleep(wait)
            wait = min(wait * 2, 5.0)


def burst(count: int, rng: random.Random) -> list[dict]:
    numbers = [f"62813{rng.randrange(10**7, 10**8)}" for _ in range(SENDERS)]
    offsets = {number: rng.randrange(len(TEXTS)) for number in numbers}
    sent: Counter = Counter()
    messages = []
    for n in range(count):
        number = numbers[n % SENDERS]
        text = TEXTS[(offsets[number] + sent[number]) % len(TEXTS)]  # a number never repeats a text
        sent[number] += 1
        messages.append(wa_message(number, "text", {"body": f"{text}"}))
    return messages


# counting -----------------------------------------------------------------------------------------

def count(graph: FakeGraphAPI, meta: Meta, recorded: set[str]) -> dict[str, int]:
    """Per accepted message: its quoted first part and the unquoted parts after it, by (recipient, body)."""
    first: dict[str, list[int]] = defaultdict(list)
    later: dict[tuple[str, str], list[int]] = defaultdict(list)
    for d in graph.deliveries:
        quoted = d.body.get("context", {}).get("message_id")
        if quoted:
            first[quoted].append(d.number)
        else:
            later[(d.body.get("to", ""), json.dumps(d.body, sort_keys=True))].append(d.number)
    copies = list(first.values()) + list(later.values())
    extra = [c for c in copies if len(c) > 1]
    in_window = [c for c in extra if sum(f"wamid.fake{n:06d}" in recorded for n in c) <= 1]
    doubled_ids = {mid for mid, c in first.items() if len(c) > 1}
    replied = {mid for mid in meta.accepted if mid in first}
    return {"accepted": len(meta.accepted), "replied once": len(replied - doubled_ids),
            "lost": len(set(meta.accepted) - replied), "doubled in window": len(in_window),
            "doubled outside": len(extra) - len(in_window), "not accepted": len(meta.messages) - len(meta.accepted)}


# scenarios ----------------------------------------------------------------------------------------

@dataclass
class Scenario:
    name: str
    topology: str                           # serve | split | two-servers
    backend: str = "sqlite"                 # sqlite | postgresql | tmpfs
    fault: Callable[["Run"], None] = lambda run: None
    describe: str = ""


@dataclass
class Run:
    deployment: Deployment
    graph: FakeGraphAPI
    outage: float
    cluster: object = None
    tmpfs: Path | None = None


def kill_server(run: Run) -> None:
    run.deployment.kill("server")  # its worker child dies with it (PR_SET_PDEATHSIG)
    time.sleep(2)                  # a process manager restarts it
    run.deployment.start("server")


def kill_worker(run: Run) -> None:
    os.kill(run.deployment.child_of("server"), signal.SIGKILL)  # serve's supervisor restarts it


def kill_sender(run: Run) -> None:
    run.deployment.kill("sender")
    time.sleep(2)
    run.deployment.start("sender")


def api_failing(status: int) -> Callable[[Run], None]:
    def fault(run: Run) -> None:
        run.graph.fail_always(status)
        time.sleep(run.outage)
        run.graph.recover()
    return fault


def api_hang(run: Run) -> None:
    run.graph.hang_for(run.outage)
    time.sleep(run.outage)


def disk_full(run: Run) -> None:
    assert run.tmpfs is not None
    filler = run.tmpfs / "filler"
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(b"\0" * (1 << 16))
                out.flush()
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
    time.sleep(run.outage)
    filler.unlink()  # an operator frees space


def pg_restart(run: Run) -> None:
    cluster = run.cluster
    from tests.support.postgres import _as_owner

    # -l: the restarted server writes to its log, not to our pipes (which would then never close)
    subprocess.run(_as_owner(cluster.owner, [str(cluster.bindir / "pg_ctl"), "-D", str(cluster.datadir),  # type: ignore[attr-defined]
                                             "-l", str(cluster.datadir.parent / "server.log"), "-m", "fast", "-w",  # type: ignore[attr-defined]
                                             "restart"]), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120)


SCENARIOS = [
    Scenario("baseline", "serve", describe="no fault"),
    Scenario("server SIGKILL", "serve", fault=kill_server, describe="serve (and its worker child) killed, restarted 2 s later"),
    Scenario("worker SIGKILL", "serve", fault=kill_worker, describe="serve's worker child killed; the supervisor restarts it"),
    Scenario("sender SIGKILL", "split", fault=kill_sender, describe="`worker --role outbox` killed, restarted 2 s later"),
    Scenario("API 429", "serve", fault=api_failing(429), describe="every send answered 429 for the outage"),
    Scenario("API 500", "serve", fault=api_failing(500), describe="every send answered 500 for the outage"),
    Scenario("API hang", "serve", fault=api_hang, describe="sends hang for the outage, then are dropped undelivered"),
    Scenario("disk full", "serve", backend="tmpfs", fault=disk_full,
             describe="the SQLite file's filesystem full for the outage, then space freed"),
    Scenario("PostgreSQL restart", "split", backend="postgresql", fault=pg_restart,
             describe="`pg_ctl restart -m fast` mid-burst (webhook, worker, sender apart)"),
    Scenario("two servers, one SQLite file", "two-servers",
             describe="two `serve` (each with its worker child) on one file; Meta alternates between them"),
]


def slug(name: str) -> str:
    return name.lower().replace(" ", "-").replace(",", "").replace("postgresql", "pg")


def run_scenario(scenario: Scenario, args: argparse.Namespace, pg_cluster: object) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"faults-{slug(scenario.name)}-"))
    tmpfs = None
    if scenario.backend == "tmpfs":
        tmpfs = folder / "disk"
        tmpfs.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={args.disk_mb}m", "tmpfs", str(tmpfs)], check=True)
    if scenario.backend == "postgresql":
        db = pg_cluster.fresh_database("faults")  # type: ignore[attr-defined]
    else:
        db = str((tmpfs or folder) / "benarkah.db")
    load_before = load()
    try:
        with run_fake(FakeGraphAPI()) as graph:
            deployment = Deployment(db, graph.api_base, folder)  # type: ignore[attr-defined]
            deployment.seed()
            if scenario.topology == "serve":
                deployment.add("server", serve=True)
            elif scenario.topology == "split":
                deployment.add("server", "--no-workers", serve=True)
                deployment.add("worker", "worker", "--role", "inbox")
                deployment.add("sender", "worker", "--role", "outbox")
            else:
                deployment.add("server", serve=True)
                deployment.add("server2", serve=True)
            try:
                deployment.wait_ready()
                messages = burst(args.messages, random.Random(17))
                meta = Meta(deployment.urls, messages, args.rate)
                burst_seconds = args.messages / args.rate
                meta.deadline = time.monotonic() + burst_seconds + args.outage + args.drain
                run = Run(deployment, graph, args.outage, pg_cluster, tmpfs)  # type: ignore[arg-type]
                started = time.monotonic()
                timer = threading.Timer(burst_seconds / 3, scenario.fault, args=(run,))
                timer.start()
                meta.run(started)
                timer.join()
                drain_from = time.monotonic()
                while time.monotonic() < meta.deadline:
                    quoted = {d.body.get("context", {}).get("message_id") for d in list(graph.deliveries)}
                    if meta.accepted and set(meta.accepted) <= quoted and len(meta.accepted) == len(messages):
                        break
                    time.sleep(0.5)
                drained = time.monotonic() - drain_from
                time.sleep(LEASE + 2)  # a double that comes late comes now
            finally:
                deployment.stop()
            counts = count(graph, meta, deployment.recorded_ids())
            logs = "".join(p.log.read_text(errors="replace") for p in deployment.processes.values())
    finally:
        if tmpfs is not None:
            subprocess.run(["umount", str(tmpfs)], check=False)
        if args.keep:
            print(f"  logs kept in {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return {"scenario": scenario.name, "backend": "sqlite" if scenario.backend == "tmpfs" else scenario.backend,
            "what": scenario.describe, **counts, "drained in s": f"{drained:.1f}",
            "restarts logged": logs.count("restarting in"), "API timeouts": logs.count("API timed out"),
            "load before/after": f"{load_before} / {load()}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20.0, help="deliveries per second")
    parser.add_argument("--outage", type=float, default=15.0, help="seconds each API or disk outage lasts")
    parser.add_argument("--drain", type=float, default=120.0, help="seconds to wait for replies after the burst")
    parser.add_argument("--disk-mb", type=int, default=48, help="size of the tmpfs of the disk-full scenario")
    parser.add_argument("--only", default="", help="comma-separated scenario slugs, e.g. api-429,disk-full")
    parser.add_argument("--keep", action="store_true", help="keep each scenario's folder (process logs)")
    args = parser.parse_args()
    chosen = [s for s in SCENARIOS if not args.only or slug(s.name) in args.only.split(",")]
    pg_cluster = None
    if any(s.backend == "postgresql" for s in chosen):
        from tests.support.postgres import start_cluster

        pg_cluster = start_cluster(durable=True)
        pg_cluster.prepare()  # type: ignore[attr-defined]
    print(f"# Fault benchmark\n\nMachine: {machine()}; load average at start {load()}.\n")
    print(f"`python benchmarks/faults.py --messages {args.messages} --rate {args.rate:g} --outage {args.outage:g}`"
          f" — {args.messages} messages from {SENDERS} numbers at {args.rate:g}/s, fault a third of the way in, "
          f"outages of {args.outage:g} s.\n", flush=True)
    rows = []
    try:
        for scenario in chosen:
            result = run_scenario(scenario, args, pg_cluster)
            rows.append(result)
            print(f"  {scenario.name}: {result}", file=sys.stderr, flush=True)
    finally:
        if pg_cluster is not None:
            pg_cluster.stop()  # type: ignore[attr-defined]
    headers = ["scenario", "backend", "accepted", "replied once", "lost", "doubled in window", "doubled outside",
               "not accepted", "drained in s", "restarts logged", "API timeouts", "load before/after"]
    print(table(headers, [[r[h] for h in headers] for r in rows]))
    print()
    for r in rows:
        print(f"- **{r['scenario']}**: {r['what']}.")


if __name__ == "__main__":
    main()
