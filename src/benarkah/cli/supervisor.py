"""The messaging worker as a supervised child of ``benarkah serve``.

``serve`` answers the webhooks itself and runs ``benarkah worker`` beside it as a child process (its
own interpreter, so searching does not compete with the webhooks for one GIL). A child that dies (a
crash, the OOM killer, a stray SIGKILL) used to stay dead while the webhooks kept storing messages
nobody answered. ``WorkerSupervisor`` restarts it, with exponential backoff (1 s doubling to 30 s, back
to 1 s once a child has run for a minute) so a child that dies at start-up does not spin, and logs
every death and restart. The heartbeats (``messaging.health``) make the same visible in /readyz.

The child gets the database from its environment (``BENARKAH_DB``), never its command line: a
PostgreSQL URL carries a password, and a process's arguments are readable by every user (``ps``).
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time

from ..settings import Settings

log = logging.getLogger("benarkah.serve")
WORKER_NICENESS = 10  # the webhook answers Meta within its deadline first; the queue absorbs the worker's delay
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 30.0
STABLE_SECONDS = 60.0  # a child that ran this long died of something new: restart it at once


def spawn_worker_process(settings: Settings) -> subprocess.Popen[bytes]:
    """``benarkah worker`` as a child process, configured through its environment."""
    role = "all" if settings.sending_configured else "inbox"
    env = {**os.environ, "BENARKAH_DB": settings.db}
    return subprocess.Popen([sys.executable, "-m", "benarkah", "worker", "--role", role], env=env,
                            preexec_fn=_die_with_parent)


def _die_with_parent() -> None:
    """In the child before exec: die with the server, and yield the CPU to the webhooks when both want it
    (a delivery must be acknowledged fast; a reply that waits a moment in the durable queue loses nothing)."""
    try:
        os.nice(WORKER_NICENESS)
    except OSError:
        pass
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass  # elsewhere the worker outlives a killed server until stopped; leases keep it correct


def stop_worker_process(process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with status {code}"


class WorkerSupervisor:
    """Keeps one worker child running until ``stop``."""

    def __init__(self, settings: Settings, first_delay: float = BACKOFF_FIRST_SECONDS,
                 max_delay: float = BACKOFF_MAX_SECONDS, stable_after: float = STABLE_SECONDS) -> None:
        self.settings = settings
        self.first_delay, self.max_delay, self.stable_after = first_delay, max_delay, stable_after
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, name="benarkah-worker-supervisor", daemon=True)

    def start(self) -> "WorkerSupervisor":
        self._spawn()
        self._thread.start()
        return self

    def _spawn(self) -> None:
        with self._lock:
            if not self._stopping.is_set():
                self.process = spawn_worker_process(self.settings)
                self._started_at = time.monotonic()

    def _watch(self) -> None:
        delay = self.first_delay
        while not self._stopping.is_set():
            process = self.process
            assert process is not None
            code = process.wait()
            if self._stopping.is_set():
                return
            ran = time.monotonic() - self._started_at
            if ran >= self.stable_after:
                delay = self.first_delay
            log.error("messaging worker (pid %d) %s after %.0f s; restarting in %.0f s", process.pid,
                      describe_exit(code), ran, delay)
            if self._stopping.wait(delay):
                return
            self._spawn()
            self.restarts += 1
            if self.process is not None:
                log.warning("messaging worker restarted (pid %d, restart %d)", self.process.pid, self.restarts)
            delay = min(delay * 2, self.max_delay)

    def stop(self, timeout: float = 15.0) -> None:
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is not None:
            stop_worker_process(process, timeout)
        if self._thread.is_alive():
            self._thread.join(timeout)
