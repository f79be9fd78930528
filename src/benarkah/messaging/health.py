"""Whether the deployment's messaging workers are alive and moving, read from their heartbeats.

Every worker process writes one row per role (``inbox``: answering, ``outbox``: sending) every
``messaging_heartbeat_seconds`` from a thread of its own (``Heartbeat``), with two moments: ``beat_at``
(the process is alive) and ``progress_at`` (its loop last went round; the loops mark it, in memory,
each time round and after each message or part). The rows are in the database, so a web server on one
machine sees workers on any other: a role with no fresh heartbeat is *dead*, one whose live workers
all stopped progressing is *stalled*. /readyz and /metrics report both, with the age of the oldest
message waiting (``MessageStore.oldest_waiting``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Sequence

from .model import WorkerBeat
from .store import MessageStore

log = logging.getLogger(__name__)
ROLES = ("inbox", "outbox")


@dataclass(frozen=True)
class RoleHealth:
    """One role's workers across the deployment, as their heartbeats tell."""

    role: str
    alive: int                 # processes with a fresh heartbeat
    beat_age: float | None     # seconds since the freshest heartbeat (None: never seen, or stopped cleanly)
    progress_age: float | None  # seconds since the freshest progress among the live ones
    stale_seconds: float

    @property
    def problem(self) -> str | None:
        if not self.alive:
            seen = f"last heartbeat {self.beat_age:.0f} s ago" if self.beat_age is not None else "none running"
            return f"no live messaging {self.role} worker ({seen}): messages are stored but not answered"
        if self.progress_age is not None and self.progress_age > self.stale_seconds:
            return (f"messaging {self.role} worker stalled: alive but no progress for {self.progress_age:.0f} s "
                    f"({self.alive} process{'es' if self.alive > 1 else ''})")
        return None


def assess(beats: Sequence[WorkerBeat], roles: Sequence[str], stale_seconds: float,
           now: float | None = None) -> list[RoleHealth]:
    now = time.time() if now is None else now
    health = []
    for role in roles:
        mine = [b for b in beats if b.role == role]
        live = [b for b in mine if now - b.beat_at <= stale_seconds]
        health.append(RoleHealth(
            role=role, alive=len(live),
            beat_age=min((now - b.beat_at for b in mine), default=None),
            progress_age=min((now - b.progress_at for b in live), default=None),
            stale_seconds=stale_seconds))
    return health


class Heartbeat:
    """This process's heartbeat for one role: ``progress()`` is called by the role's loops (cheap, in
    memory); ``run`` writes the row every ``interval`` seconds until stopped, then removes it."""

    def __init__(self, store: MessageStore, role: str, interval: float) -> None:
        self.store = store
        self.role = role
        self.interval = interval
        self.host = socket.gethostname()[:100]
        self.pid = os.getpid()
        self.id = f"{self.host}:{self.pid}:{role}:{uuid.uuid4().hex[:8]}"
        self.started_at = self.progress_at = time.time()
        self._failing = False

    def progress(self) -> None:
        self.progress_at = time.time()

    def beat(self) -> None:
        try:
            self.store.beat(self.id, self.role, started_at=self.started_at, progress_at=self.progress_at,
                            host=self.host, pid=self.pid)
        except Exception as exc:  # noqa: BLE001 - the database may be away; the next beat tries again
            if not self._failing:
                log.warning("messaging %s heartbeat not written: %s", self.role, exc)
            self._failing = True
        else:
            self._failing = False

    def run(self, stop: threading.Event) -> None:
        self.beat()
        while not stop.wait(self.interval):
            self.beat()
        try:
            self.store.forget_worker(self.id)
        except Exception as exc:  # noqa: BLE001 - the row then ages out and reads as dead, which it is
            log.warning("messaging %s heartbeat row not removed: %s", self.role, exc)


@dataclass(frozen=True)
class MessagingHealth:
    """The workers each configured role needs, and how long the oldest message of each queue has waited."""

    roles: list[RoleHealth]
    oldest_waiting: dict[str, float | None]

    @property
    def problems(self) -> list[str]:
        return [r.problem for r in self.roles if r.problem]

    def summary(self) -> dict[str, object]:
        return {f"{queue}_oldest_pending_seconds": None if age is None else round(age, 1)
                for queue, age in self.oldest_waiting.items()}


def messaging_health(store: MessageStore, roles: Sequence[str], stale_seconds: float) -> MessagingHealth:
    now = time.time()
    return MessagingHealth(assess(store.worker_beats(), roles, stale_seconds, now), store.oldest_waiting(now))
