"""benarkah as separate OS processes, the way a deployment runs it: ``python -m benarkah ...``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator, Mapping

import httpx

from .fake_apis import WA_PHONE_NUMBER_ID, WA_TOKEN
from .payloads import APP_SECRET, VERIFY_TOKEN
from .servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def benarkah_env(db: str, key: str, **extra: str) -> dict[str, str]:
    """The environment of one process: the database URL and key, lexical search (fast to start), and
    none of the caller's own ``BENARKAH_*`` settings (a developer's shell must not leak into a test)."""
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("BENARKAH_")}
    return {**inherited, "PYTHONPATH": str(ROOT / "src"), "BENARKAH_DB": db, "BENARKAH_SECRET_KEY": key,
            "BENARKAH_SEMANTIC": "0", "BENARKAH_LOG_LEVEL": "WARNING", **extra}


def whatsapp_env(api_base: str) -> dict[str, str]:
    """The WhatsApp channel of such a process, pointed at a loopback fake Graph API."""
    return {"BENARKAH_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN, "BENARKAH_WHATSAPP_APP_SECRET": APP_SECRET,
            "BENARKAH_WHATSAPP_TOKEN": WA_TOKEN, "BENARKAH_WHATSAPP_PHONE_NUMBER_ID": WA_PHONE_NUMBER_ID,
            "BENARKAH_WHATSAPP_API_BASE": api_base}


@contextmanager
def running(args: list[str], env: Mapping[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """A ``benarkah`` subcommand as a child process (output to ``log``), terminated afterwards."""
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "benarkah", *args], env=dict(env), stdout=out,
                                stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def wait_http(url: str, proc: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in {seconds}s: {log.read_text(errors='replace')[-2000:]}")


@contextmanager
def servers(count: int, env: Mapping[str, str], folder: Path, extra_args: tuple[str, ...] = ()) -> Iterator[list[str]]:
    """``count`` ``benarkah serve`` processes on loopback ports; yields their base URLs once all are ready."""
    with ExitStack() as stack:
        urls, procs = [], []
        for n in range(count):
            port = free_port()
            log = folder / f"server{n}.log"
            proc = stack.enter_context(running(["serve", "--host", "127.0.0.1", "--port", str(port), *extra_args],
                                               env, log))
            urls.append(f"http://127.0.0.1:{port}")
            procs.append((proc, log))
        for url, (proc, log) in zip(urls, procs):
            wait_http(f"{url}/healthz", proc, log)
        yield urls
