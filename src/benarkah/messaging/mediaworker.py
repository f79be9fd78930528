"""The media lane: messages that carry a file, answered apart from text so a burst of pictures never
delays the text replies queued behind it.

Each thread claims one message at a time from the ``media`` lane, downloads its file through the
channel's ``MediaSource`` (bounded in bytes and time; the declared size refuses a file before it is
fetched), has the ``Responder`` read and search it (the reading runs in a reader process, see
``media.pool``), and then, in one transaction, marks the message done, queues its one reply and
stores the turn (tip, conversation state, the picture with the tip) — the same exactly-once commit
as the text worker's. A worker that dies mid-download or mid-OCR leaves the message claimed; its
lease (``BENARKAH_MEDIA_LEASE_SECONDS``) runs out and another worker answers it, once (a completion
carries the claim token, so the first worker, if it was only slow, cannot answer it too).

A failed download is tried again a few times (``MEDIA_FETCH_ATTEMPTS``, a retryable failure only);
then, or at once for a permanent failure (expired id, too large), the person is told it could not be
downloaded and the caption, if any, is still checked.
"""

from __future__ import annotations

import logging
import threading
from typing import Mapping

from ..domain.conversation import PreparedTurn
from ..domain.pictures import MediaProblem, MediaType
from ..privacy import Identity, Person
from ..settings import Settings
from .model import InboxItem, Lane, MediaFetchError, MediaRef, MediaSource
from .parts import reply_parts
from .store import MessageStore
from .worker import WORKER_MAX_ATTEMPTS, WORKER_RETRY_SECONDS, Responder

log = logging.getLogger(__name__)
MEDIA_FETCH_ATTEMPTS = 3
FETCH_RETRY_SECONDS = 5.0


class MediaWorker:
    def __init__(self, store: MessageStore, responder: Responder, identity: Identity, settings: Settings,
                 sources: Mapping[str, MediaSource], limits: Mapping[MediaType, int]) -> None:
        self.store = store
        self.responder = responder
        self.identity = identity
        self.settings = settings
        self.sources = sources
        self.limits = limits  # bytes accepted per kind of file

    def run_once(self) -> int:
        """Claim and answer one media message; returns how many it took (0 or 1)."""
        if not self.store.inbox_ready(lane=Lane.MEDIA):
            return 0
        items = self.store.claim_inbox(1, lane=Lane.MEDIA)
        for item in items:
            self.answer(item)
        return len(items)

    def answer(self, item: InboxItem) -> None:
        try:
            turn = self.prepare(item)
            if turn is None:
                return  # released for another try of the download
            parts = reply_parts(turn.reply, item.context)
            with self.store.db.transaction():
                if self.store.complete_inbox(item, parts):
                    self.responder.commit_turn(turn)
                else:
                    log.warning("media message %s was taken over by another worker (lease expired); not "
                                "answered twice", item.id)
        except Exception as exc:  # noqa: BLE001 - one bad message must not stop the lane; it is retried, then parked
            log.error("media message %s (%s) failed: %s", item.id, item.channel, exc, exc_info=exc)
            status = self.store.release_inbox(item, f"{type(exc).__name__}: {exc}", WORKER_MAX_ATTEMPTS,
                                              WORKER_RETRY_SECONDS)
            log.warning("media message %s is now %s", item.id, status)

    def prepare(self, item: InboxItem) -> PreparedTurn | None:
        """The answer to one media message (None: the download failed and is tried again later)."""
        person = Person(item.channel, item.sender_hash, self.identity.unseal(item.address))
        ref = item.media
        if ref is None:  # stored before the media lane existed, or a payload without a file id
            return self.responder.prepare_media(person, MediaType.IMAGE, None, item.text, MediaProblem.DOWNLOAD_FAILED)
        data, problem = self.download(item, ref)
        if data is None and problem is None:
            return None
        return self.responder.prepare_media(person, ref.media, data, item.text, problem)

    def download(self, item: InboxItem, ref: MediaRef) -> tuple[bytes | None, MediaProblem | None]:
        if ref.problem is not None:
            return None, ref.problem
        limit = self.limits.get(ref.media, 0)
        if ref.size and limit and ref.size > limit:
            return None, MediaProblem.TOO_LARGE
        source = self.sources.get(item.channel)
        if source is None or not ref.file_id:
            log.warning("no media source for %s: media message %s answered as not downloaded", item.channel, item.id)
            return None, MediaProblem.DOWNLOAD_FAILED
        try:
            return source.fetch(ref, limit), None
        except MediaFetchError as exc:
            if exc.retryable and item.attempts < MEDIA_FETCH_ATTEMPTS:
                log.warning("media message %s: download failed (%s); trying again in %.0f s", item.id, exc,
                            FETCH_RETRY_SECONDS)
                self.store.release_inbox(item, str(exc), WORKER_MAX_ATTEMPTS, FETCH_RETRY_SECONDS)
                return None, None
            log.warning("media message %s: download failed for good (%s)", item.id, exc)
            return None, exc.problem

    def run(self, stop: threading.Event) -> None:
        """Work until ``stop`` is set; idle, wait for a new media message or the poll interval."""
        event = self.store.lane_event(Lane.MEDIA)
        while not stop.is_set():
            event.clear()
            try:
                taken = self.run_once()
            except Exception:  # noqa: BLE001 - e.g. the database is locked for long; try again shortly
                log.exception("media worker iteration failed")
                taken = 0
            if not taken:
                event.wait(self.settings.messaging_poll_seconds)
