"""The inbox worker: claims stored messages, answers them through the conversation core, and queues
exactly one reply per message (inbox row done + outbox row inserted in one transaction).

Throughput under load: with semantic search, embedding a long forward costs tens of milliseconds on a
small machine. So the worker claims messages in batches and embeds the batch's texts in one call
(``Responder.warm_queries``), and while its backlog exceeds ``worker_semantic_backlog`` messages (or
``worker_semantic_budget_seconds`` of embedding at the recently measured cost) it answers by keywords only
(``Responder.keywords_only``): a keyword answer now beats a hybrid answer in a minute.

The worker knows the conversation only as a ``Responder`` (the tipline, bound by the composition root)
and the tips desk only as a ``sweep`` callable, the digest subscriptions as a ``digests`` callable (the
scheduler: when idle, at most every ``digest_check_seconds``, it queues the digests that are due), so
messaging imports none of them.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Callable, Protocol, Sequence

from ..domain.conversation import PreparedTurn
from ..domain.pictures import MediaProblem, MediaType
from ..privacy import Identity, Person
from ..settings import Settings
from .model import TEXT_KINDS, InboxItem, Kind
from .parts import Part, notice_parts, reply_parts
from .store import MessageStore

log = logging.getLogger(__name__)
WORKER_MAX_ATTEMPTS = 5       # a message the worker keeps failing on is parked as 'failed', not retried forever
WORKER_RETRY_SECONDS = 5.0


class Responder(Protocol):
    """The conversation as the worker needs it: compute a turn outside any transaction, store it inside."""

    def prepare_text(self, person: Person, text: str, state: Any = None) -> PreparedTurn: ...
    def prepare_unsupported(self, person: Person, kind: str, state: Any = None) -> PreparedTurn: ...
    def prepare_media(self, person: Person, media: MediaType, data: bytes | None, caption: str = "",
                      problem: MediaProblem | None = None) -> PreparedTurn: ...
    def states(self, people: Sequence[Person]) -> dict[tuple[str, str], Any]: ...
    def commit_turn(self, turn: PreparedTurn) -> Any: ...
    def commit_turns(self, turns: Sequence[PreparedTurn]) -> Any: ...
    def language(self, channel: str, sender_hash: str) -> str: ...
    def warm_queries(self, texts: Sequence[str]) -> None: ...
    def keywords_only(self) -> AbstractContextManager[None]: ...


Sweep = Callable[[], tuple[int, int]]
Prepared = tuple[InboxItem, list[Part], PreparedTurn | None]  # a message, its reply, the turn to store


class InboxWorker:
    def __init__(self, store: MessageStore, responder: Responder, identity: Identity, settings: Settings,
                 sweep: Sweep | None = None, digests: Callable[[], object] | None = None) -> None:
        self.store = store
        self.responder = responder
        self.identity = identity
        self.settings = settings
        self.sweep = sweep  # the tips desk's unfinished work (clustering, follow-ups), done when idle
        self.keyword_batches = 0  # batches answered by keywords only
        self.semantic_cost: float | None = None  # recent seconds per message with embeddings (moving average)
        self._swept_at = float("-inf")  # the first idle moment sweeps the tips desk
        self.progress: Callable[[], None] = lambda: None  # the heartbeat's "still moving" (health.Heartbeat)
        self.digests = digests
        self._digests_at = float("-inf")

    def _catching_up(self, waiting: int) -> bool:
        """Answer by keywords only while the queue is long: more than ``worker_semantic_backlog`` messages,
        or more than ``worker_semantic_budget_seconds`` of embedding work at the recent cost per message
        (on a busy machine embedding slows down, and people should not wait a minute for a better match)."""
        if not self.settings.semantic:
            return False
        if waiting > self.settings.worker_semantic_backlog:
            return True
        return self.semantic_cost is not None and waiting * self.semantic_cost > \
            self.settings.worker_semantic_budget_seconds

    def run_once(self) -> int:
        """Claim and answer one batch; returns how many messages it took."""
        if not self.store.inbox_ready():
            return 0
        items = self.store.claim_inbox(self.settings.messaging_worker_batch)
        if not items:
            return 0
        catching_up = self.settings.semantic and self._catching_up(self.store.inbox_backlog() + len(items))
        started = time.perf_counter()
        if catching_up:
            self.keyword_batches += 1
        elif self.settings.semantic:
            self.responder.warm_queries([i.text for i in items if i.kind in TEXT_KINDS])
        states = self._states(items)
        with self.responder.keywords_only() if catching_up else nullcontext():
            prepared = [p for p in (self._prepare_or_park(item, states) for item in items) if p is not None]
        if self.settings.semantic and not catching_up:
            cost = (time.perf_counter() - started) / len(items)
            self.semantic_cost = cost if self.semantic_cost is None else 0.7 * self.semantic_cost + 0.3 * cost
        for item, exc in self._commit_batch(prepared):
            self._park(item, exc)
        return len(items)

    def _states(self, items: Sequence[InboxItem]) -> dict[tuple[str, str], Any]:
        """The batch's conversation states in one read; on failure each message reads its own."""
        try:
            return self.responder.states([Person(i.channel, i.sender_hash, "") for i in items])
        except Exception:  # noqa: BLE001 - an optimisation: the messages are still answered one by one
            log.exception("reading the batch's conversation states failed; reading them one by one")
            return {}

    def _prepare_or_park(self, item: InboxItem, states: dict[tuple[str, str], Any] | None = None,
                         ) -> tuple[InboxItem, list[Part], PreparedTurn | None] | None:
        """Compute the answer outside any transaction (searching holds no lock)."""
        self.progress()
        try:
            turn = self.prepare(item, (states or {}).get((item.channel, item.sender_hash)))
            parts = self.notice(item) if turn is None else reply_parts(turn.reply, item.context)
            return item, parts, turn
        except Exception as exc:  # noqa: BLE001 - one bad message must not stop the queue; it is parked
            self._park(item, exc)
            return None

    def _commit_batch(self, prepared: list[Prepared]) -> list[tuple[InboxItem, Exception]]:
        """Store the batch's answers: all of them in one transaction, a few statements for the lot
        (the searching is already done). If anything in it fails, nothing of it was stored, and the
        batch is stored again message by message, each in a savepoint, so the message that breaks is
        parked and the others are answered. Returns the messages that failed."""
        if not prepared:
            return []
        try:
            with self.store.db.transaction():
                self._commit_all(prepared)
            return []
        except Exception:  # noqa: BLE001 - find the message that breaks, store the others
            log.warning("storing a batch of %d answers failed; storing them one by one", len(prepared),
                        exc_info=True)
        failed: list[tuple[InboxItem, Exception]] = []
        with self.store.db.transaction():
            for item, parts, turn in prepared:
                try:
                    with self.store.db.transaction():  # a savepoint: a message that breaks leaves no writes
                        self._commit(item, parts, turn)
                except Exception as exc:  # noqa: BLE001 - isolate the message, commit the rest of the batch
                    failed.append((item, exc))
        return failed

    def _commit_all(self, prepared: list[Prepared]) -> None:
        """Inbox rows done + their replies queued + the conversations' writes, inside the caller's
        transaction, so they commit together or not at all."""
        completed = self.store.complete_inbox_many([(item, parts) for item, parts, _ in prepared])
        for item, _, _ in prepared:
            if item.id not in completed:
                log.warning("inbox message %s was taken over by another worker (lease expired); not answered "
                            "twice", item.id)
        turns = [turn for item, _, turn in prepared if turn is not None and item.id in completed]
        if turns:
            self.responder.commit_turns(turns)

    def _commit(self, item: InboxItem, parts: list[Part], turn: PreparedTurn | None) -> None:
        """One message's ``_commit_all`` (the path that isolates a message that breaks the batch)."""
        if not self.store.complete_inbox(item, parts):
            log.warning("inbox message %s was taken over by another worker (lease expired); not answered twice",
                        item.id)
            return
        if turn is not None:
            self.responder.commit_turn(turn)

    def _park(self, item: InboxItem, exc: Exception) -> None:
        log.error("inbox message %s (%s) failed: %s", item.id, item.channel, exc, exc_info=exc)
        status = self.store.release_inbox(item, f"{type(exc).__name__}: {exc}", WORKER_MAX_ATTEMPTS,
                                          WORKER_RETRY_SECONDS)
        log.warning("inbox message %s is now %s", item.id, status)

    def prepare(self, item: InboxItem, state: Any = None) -> PreparedTurn | None:
        """The conversation's answer (None for the queue's own notices); ``state``: the person's
        conversation state when already read for the batch."""
        if item.kind is Kind.THROTTLED:
            return None
        person = Person(item.channel, item.sender_hash, self.identity.unseal(item.address))
        if item.kind in TEXT_KINDS:
            return self.responder.prepare_text(person, item.text, state)
        return self.responder.prepare_unsupported(person, str(item.kind), state)

    def notice(self, item: InboxItem) -> list[Part]:
        return notice_parts("throttled", self.responder.language(item.channel, item.sender_hash), item.context)

    def sweep_tips(self, now: float | None = None) -> tuple[int, int]:
        """Finish the tips desk's interrupted work, at most every ``tips_sweep_seconds``: tips a crash
        left without a cluster, follow-ups claimed but not queued. Returns (clustered, queued)."""
        now = time.monotonic() if now is None else now
        if self.sweep is None or now - self._swept_at < self.settings.tips_sweep_seconds:
            return 0, 0
        self._swept_at = now
        try:
            return self.sweep()
        except Exception:  # noqa: BLE001 - the sweep is best effort; answering messages goes on
            log.exception("tips sweep failed; it runs again in %.0f s", self.settings.tips_sweep_seconds)
            return 0, 0

    def send_digests(self, now: float | None = None) -> bool:
        """Queue the digests that are due, at most every ``digest_check_seconds``; True if it looked."""
        now = time.monotonic() if now is None else now
        if self.digests is None or now - self._digests_at < self.settings.digest_check_seconds:
            return False
        self._digests_at = now
        try:
            self.digests()
        except Exception:  # noqa: BLE001 - digests are retried at the next check; answering messages goes on
            log.exception("digest run failed; it runs again in %.0f s", self.settings.digest_check_seconds)
        return True

    def run(self, stop: threading.Event) -> None:
        """Work until ``stop`` is set; idle, wait for a new message (same process) or the poll interval."""
        while not stop.is_set():
            self.progress()
            self.store.inbox_event.clear()
            try:
                taken = self.run_once()
            except Exception:  # noqa: BLE001 - e.g. the database is locked for long; try again shortly
                log.exception("inbox worker iteration failed")
                taken = 0
            if not taken:
                self.sweep_tips()
                self.send_digests()
                self.store.inbox_event.wait(self.settings.messaging_poll_seconds)


