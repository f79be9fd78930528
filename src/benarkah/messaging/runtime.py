"""Run the inbox worker and outbox sender threads beside (or apart from) the webhook server."""

from __future__ import annotations

import logging
import threading
from typing import Callable, Literal

from .mediaworker import MediaWorker
from .health import Heartbeat
from .sender import OutboxSender
from .worker import InboxWorker

log = logging.getLogger(__name__)
Role = Literal["inbox", "media", "outbox", "all"]


class MessagingRuntime:
    """Background threads: one inbox worker (SQLite has one writer; more would only queue on its lock),
    ``media_workers`` media-lane threads (downloads and OCR, apart from the text replies; role ``inbox``
    runs them too, role ``media`` only them) and ``messaging_sender_threads`` senders (API calls wait on
    the network, so they overlap), each of the inbox and outbox roles with a heartbeat thread
    (``health``) so the deployment sees when they die or stall."""

    def __init__(self, worker: InboxWorker, sender: OutboxSender, role: Role = "all",
                 media: MediaWorker | None = None, on_stop: Callable[[], None] | None = None) -> None:
        self.worker = worker
        self.sender = sender
        self.media = media
        self.on_stop = on_stop
        self.clients = sender.clients
        self.role = role
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> "MessagingRuntime":
        interval = self.sender.settings.messaging_heartbeat_seconds
        if self.role in ("inbox", "all"):
            beat = Heartbeat(self.worker.store, "inbox", interval)
            self.worker.progress = beat.progress
            self._spawn("benarkah-inbox-heartbeat", beat.run)
            self._spawn("benarkah-inbox", self.worker.run)
        if self.role in ("inbox", "media", "all") and self.media is not None:
            for n in range(self.media.settings.media_workers):
                self._spawn(f"benarkah-media-{n}", self.media.run)
        if self.role in ("outbox", "all"):
            beat = Heartbeat(self.sender.store, "outbox", interval)
            self.sender.progress = beat.progress
            self._spawn("benarkah-outbox-heartbeat", beat.run)
            for n in range(max(1, self.sender.settings.messaging_sender_threads)):
                self._spawn(f"benarkah-outbox-{n}", self.sender.run)
        log.info("messaging %s started (%d threads; channels: %s)", self.role, len(self.threads),
                 ", ".join(sorted(self.clients)) or "none")
        return self

    def _spawn(self, name: str, target: Callable[[threading.Event], None]) -> None:
        thread = threading.Thread(target=target, args=(self.stop_event,), name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        self.worker.store.inbox_event.set()
        self.worker.store.media_event.set()
        self.sender.store.outbox_event.set()
        for thread in self.threads:
            thread.join(timeout)
        for client in self.clients.values():
            client.close()
        if self.on_stop is not None:
            self.on_stop()

    def wait(self) -> None:
        for thread in self.threads:
            while thread.is_alive():
                thread.join(0.5)
