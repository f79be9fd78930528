"""All SQL of the messaging inbox/outbox, in one place.

Portable on purpose: plain column types, ``?`` placeholders through the store's ``connection()`` /
``transaction()``, ``ON CONFLICT ... DO NOTHING`` (SQLite >= 3.24 and PostgreSQL), no SQLite-only
functions. The two "which rows may I take" queries are separate methods (``_claimable_inbox``,
``_claimable_outbox``) and the claim itself is one method (``_claim``), which the PostgreSQL subclass
(``pgqueue``) replaces with ``FOR UPDATE SKIP LOCKED``; here a ``lock="store"`` transaction serialises
claimers. Every other transaction is safe under row locks and constraints, and says so (``lock="rows"``).

Exactly-once rests on three things here: the inbox is unique on (channel, external id), so a
redelivered webhook stores nothing; the outbox is unique on ``inbox_id`` (and an idempotency key), so a
message can never get two replies; and every claim carries a random token, so a worker whose lease
expired (it was presumed dead) cannot complete a row another worker has since taken.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Sequence

from ..privacy import Identity
from ..settings import Settings
from ..storage.base import Connection, Store
from .model import (SILENT_KINDS, InboxItem, InboxStatus, Inbound, Kind, OutboxItem, OutboxStatus, Purpose,
                    WorkerBeat)
from .parts import Part, part_from_json, part_to_json

MAX_TEXT_CHARS = 10_000   # stored text of one inbound message; the conversation reads at most 4,000
RATE_WINDOW_SECONDS = 60.0
CLAIM_OVERSCAN = 4        # rows looked at per row claimed, to skip people who already have one in flight

_INBOX_COLUMNS = "id, channel, external_id, sender_hash, address, kind, text, context, claim_token"
_OUTBOX_COLUMNS = ("id, channel, sender_hash, address, purpose, parts, parts_sent, attempts, claim_token, "
                   "lease_until, external_ids")


@dataclass(frozen=True)
class Accepted:
    """What ``accept`` did with one inbound message."""

    external_id: str
    stored: bool           # False: a redelivery of a message already stored
    status: str = ""


@dataclass(frozen=True)
class DeadLetter:
    """An outbox row that needs a person: given up on, or waiting for a template."""

    id: int
    channel: str
    purpose: str
    attempts: int
    error: str
    status: OutboxStatus


class MessageStore:
    """The inbox/outbox over a ``Store`` (its connection and transactions).

    One per process (built by the composition root), shared by its webhooks, worker and sender so a
    commit can wake the threads waiting on ``inbox_event`` / ``outbox_event``."""

    def __init__(self, db: Store, identity: Identity, settings: Settings) -> None:
        self.db = db
        self.identity = identity
        self.settings = settings
        # Set after commits so workers in this process wake at once instead of at the next poll.
        self.inbox_event = threading.Event()
        self.outbox_event = threading.Event()

    # inbox ---------------------------------------------------------------------------------------

    def accept(self, messages: Sequence[Inbound], now: float | None = None) -> list[Accepted]:
        """Store a webhook delivery's messages in one transaction (deduplicated, rate-limited)."""
        now = time.time() if now is None else now
        results = []
        with self.db.transaction(lock="rows") as tx:
            for message in messages:
                results.append(self._accept_one(tx, message, now))
        if any(r.stored and r.status == InboxStatus.PENDING.value for r in results):
            self.inbox_event.set()
        return results

    def _accept_one(self, tx: Connection, message: Inbound, now: float) -> Accepted:
        if tx.execute("SELECT 1 FROM messaging_inbox WHERE channel = ? AND external_id = ?",
                      (message.channel, message.external_id)).fetchone():
            return Accepted(message.external_id, stored=False)
        who = self.identity.hash(message.channel, message.address)
        kind, status = message.kind, InboxStatus.PENDING.value
        if kind in SILENT_KINDS:
            status = InboxStatus.DONE.value
        else:
            recent = tx.execute(
                "SELECT COUNT(*) FROM messaging_inbox WHERE channel = ? AND sender_hash = ? AND received_at >= ? "
                "AND status <> ?", (message.channel, who, now - RATE_WINDOW_SECONDS, InboxStatus.THROTTLED.value),
            ).fetchone()[0]
            limit = self.settings.messaging_sender_rate_per_minute
            if recent == limit:
                kind = Kind.THROTTLED       # the one notice: "slow down"
            elif recent > limit:
                status = InboxStatus.THROTTLED.value
        cursor = tx.execute(
            "INSERT INTO messaging_inbox (channel, external_id, sender_hash, address, kind, text, context, status, "
            "received_at) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (channel, external_id) DO NOTHING",
            (message.channel, message.external_id, who, self.identity.seal(message.address), str(kind),
             message.text[:MAX_TEXT_CHARS], json.dumps(message.context), str(status), now))
        tx.execute(
            "INSERT INTO messaging_contacts (channel, sender_hash, last_inbound_at) VALUES (?,?,?) "
            "ON CONFLICT (channel, sender_hash) DO UPDATE SET last_inbound_at = excluded.last_inbound_at",
            (message.channel, who, now))
        return Accepted(message.external_id, stored=cursor.rowcount == 1, status=str(status))

    def inbox_ready(self, now: float | None = None) -> bool:
        """A read-only peek, so idle workers in other processes poll without taking the write lock."""
        return self._ready("messaging_inbox", *_inbox_claimable(time.time() if now is None else now))

    def claim_inbox(self, limit: int, now: float | None = None) -> list[InboxItem]:
        """Take up to ``limit`` messages, at most one per person and none of a person already in work,
        so one person's messages are answered in order and a flood cannot occupy every worker."""
        now = time.time() if now is None else now
        rows = self._claim("messaging_inbox", _INBOX_COLUMNS, limit, now, *_inbox_claimable(now),
                           working=InboxStatus.WORKING.value)
        return [InboxItem(id=r[0], channel=r[1], external_id=r[2], sender_hash=r[3], address=r[4],
                          kind=Kind(r[5]), text=r[6], context=json.loads(r[7] or "{}"), claim_token=r[8])
                for r in rows]

    def _ready(self, table: str, claimable: str, params: tuple[Any, ...]) -> bool:
        return self.db.connection().execute(
            f"SELECT 1 FROM {table} WHERE {claimable} LIMIT 1", params).fetchone() is not None

    def _claim(self, table: str, columns: str, limit: int, now: float, claimable: str,
               params: tuple[Any, ...], working: str) -> list[Any]:
        """Claim up to ``limit`` claimable rows of ``table`` under one token and lease, at most one per
        person and none of a person whose earlier row is still in work. A "store" transaction makes the
        look-then-take exclusive; the PostgreSQL store overrides this with ``FOR UPDATE SKIP LOCKED``."""
        token = uuid.uuid4().hex
        with self.db.transaction(lock="store") as tx:
            busy = {r[0] for r in tx.execute(
                f"SELECT DISTINCT sender_hash FROM {table} WHERE status = ? AND lease_until >= ?", (working, now))}
            candidates = [(r[0], r[1]) for r in tx.execute(
                f"SELECT id, sender_hash FROM {table} WHERE {claimable} ORDER BY id LIMIT ?",
                (*params, limit * CLAIM_OVERSCAN))]
            ids = _one_per_sender(candidates, busy, limit)
            for row_id in ids:
                tx.execute(f"UPDATE {table} SET status = ?, claim_token = ?, lease_until = ?, "
                           "attempts = attempts + 1 WHERE id = ?",
                           (working, token, now + self.settings.messaging_lease_seconds, row_id))
            return [tx.execute(f"SELECT {columns} FROM {table} WHERE id = ?", (i,)).fetchone() for i in ids]

    def complete_inbox(self, item: InboxItem, parts: list[Part], now: float | None = None) -> bool:
        """Mark the message answered and queue its one reply, atomically. False if the claim was lost."""
        now = time.time() if now is None else now
        with self.db.transaction(lock="rows") as tx:
            updated = tx.execute(
                "UPDATE messaging_inbox SET status = ?, processed_at = ?, claim_token = '', lease_until = 0 "
                "WHERE id = ? AND claim_token = ? AND status = ?",
                (InboxStatus.DONE.value, now, item.id, item.claim_token, InboxStatus.WORKING.value)).rowcount
            if updated != 1:
                return False
            if parts:
                self._insert_outbox(tx, key=f"reply:{item.id}", inbox_id=item.id, channel=item.channel,
                                    sender_hash=item.sender_hash, address=item.address, purpose=Purpose.REPLY,
                                    parts=parts, status=OutboxStatus.PENDING.value, now=now)
        if parts:
            self.outbox_event.set()
        return True

    def release_inbox(self, item: InboxItem, error: str, max_attempts: int, retry_in: float) -> str:
        """A worker failed on this message: retry it later, or park it as failed after ``max_attempts``."""
        with self.db.transaction(lock="rows") as tx:
            attempts = tx.execute("SELECT attempts FROM messaging_inbox WHERE id = ?", (item.id,)).fetchone()[0]
            status = InboxStatus.FAILED.value if attempts >= max_attempts else InboxStatus.WORKING.value
            # WORKING with a short lease: the message comes back after ``retry_in`` seconds.
            tx.execute("UPDATE messaging_inbox SET status = ?, error = ?, lease_until = ?, claim_token = '' "
                       "WHERE id = ? AND claim_token = ?",
                       (status, error[:500], time.time() + retry_in, item.id, item.claim_token))
        return str(status)

    def inbox_backlog(self) -> int:
        return int(self.db.connection().execute(
            "SELECT COUNT(*) FROM messaging_inbox WHERE status = ?", (InboxStatus.PENDING.value,)).fetchone()[0])

    # outbox --------------------------------------------------------------------------------------

    def _insert_outbox(self, tx: Connection, *, key: str, inbox_id: int | None, channel: str, sender_hash: str,
                       address: str, purpose: Purpose, parts: list[Part], status: str, now: float) -> bool:
        cursor = tx.execute(
            "INSERT INTO messaging_outbox (idempotency_key, inbox_id, channel, sender_hash, address, purpose, "
            "parts, status, next_attempt_at, created_at) VALUES (?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT DO NOTHING",
            (key, inbox_id, channel, sender_hash, address, str(purpose),
             json.dumps([part_to_json(p) for p in parts], ensure_ascii=False), str(status), now, now))
        return cursor.rowcount == 1

    def enqueue(self, *, key: str, channel: str, sender_hash: str, address: str, purpose: Purpose,
                parts: list[Part], status: str = OutboxStatus.PENDING.value) -> bool:
        """Queue an outgoing message that answers no inbound one (a notification). False: key seen before."""
        with self.db.transaction(lock="rows") as tx:
            inserted = self._insert_outbox(tx, key=key, inbox_id=None, channel=channel, sender_hash=sender_hash,
                                           address=address, purpose=purpose, parts=parts, status=status,
                                           now=time.time())
        if inserted and status == OutboxStatus.PENDING.value:
            self.outbox_event.set()
        return inserted

    def outbox_ready(self, now: float | None = None) -> bool:
        return self._ready("messaging_outbox", *_outbox_claimable(time.time() if now is None else now))

    def claim_outbox(self, limit: int, now: float | None = None) -> list[OutboxItem]:
        now = time.time() if now is None else now
        rows = self._claim("messaging_outbox", _OUTBOX_COLUMNS, limit, now, *_outbox_claimable(now),
                           working=OutboxStatus.SENDING.value)
        return [OutboxItem(id=r[0], channel=r[1], sender_hash=r[2], address=r[3], purpose=Purpose(r[4]),
                           parts=[part_from_json(p) for p in json.loads(r[5])], parts_sent=r[6], attempts=r[7],
                           claim_token=r[8], lease_until=float(r[9]), external_ids=tuple(json.loads(r[10] or "[]")))
                for r in rows]

    def renew_lease(self, item: OutboxItem) -> float | None:
        """Extend this claim before an API call, so no other sender can take the row while the call
        runs; None if the claim was lost (it ran out and another sender took the row: leave it)."""
        until = time.time() + self.settings.messaging_lease_seconds
        with self.db.transaction(lock="rows") as tx:
            renewed = tx.execute(
                "UPDATE messaging_outbox SET lease_until = ? WHERE id = ? AND claim_token = ? AND status = ?",
                (until, item.id, item.claim_token, OutboxStatus.SENDING.value)).rowcount
        return until if renewed == 1 else None

    def record_part_sent(self, item: OutboxItem, parts_sent: int, external_ids: list[str]) -> float:
        """Remember progress after each API call, so a crash resends only the parts not yet sent; after
        the last part the row is marked sent in the same statement (one write per reply, not two).
        ``external_ids``: the API's ids of the parts sent under this claim (kept after the earlier
        claims' ones). Returns the renewed lease (0 once done)."""
        done = parts_sent >= len(item.parts)
        until = 0.0 if done else time.time() + self.settings.messaging_lease_seconds
        with self.db.transaction(lock="rows") as tx:
            tx.execute(
                "UPDATE messaging_outbox SET parts_sent = ?, external_ids = ?, status = ?, sent_at = ?, "
                "claim_token = ?, lease_until = ? WHERE id = ? AND claim_token = ?",
                (parts_sent, json.dumps([*item.external_ids, *external_ids][-20:]),
                 OutboxStatus.SENT.value if done else OutboxStatus.SENDING.value, time.time() if done else None,
                 "" if done else item.claim_token, until, item.id, item.claim_token))
        return until

    def _finish_outbox(self, item: OutboxItem, status: str, error: str = "", next_at: float = 0.0) -> None:
        now = time.time()
        with self.db.transaction(lock="rows") as tx:
            tx.execute(
                "UPDATE messaging_outbox SET status = ?, last_error = ?, next_attempt_at = ?, claim_token = '', "
                "lease_until = 0, sent_at = ? WHERE id = ? AND claim_token = ?",
                (status, error[:500], next_at, now if status == OutboxStatus.SENT.value else None, item.id,
                 item.claim_token))

    def mark_sent(self, item: OutboxItem) -> None:
        self._finish_outbox(item, OutboxStatus.SENT.value)

    def schedule_retry(self, item: OutboxItem, delay: float, error: str) -> None:
        self._finish_outbox(item, OutboxStatus.PENDING.value, error, next_at=time.time() + delay)

    def mark_dead(self, item: OutboxItem, error: str) -> None:
        self._finish_outbox(item, OutboxStatus.DEAD.value, error)

    def mark_needs_template(self, item: OutboxItem, error: str) -> None:
        self._finish_outbox(item, OutboxStatus.NEEDS_TEMPLATE.value, error)

    def retry_dead(self, ids: Sequence[int] | None = None) -> int:
        """Put dead letters back in the queue (after fixing the cause: a token, a template ...)."""
        sql = ("UPDATE messaging_outbox SET status = ?, attempts = 0, next_attempt_at = ?, last_error = '' "
               "WHERE status = ?")
        params: list[Any] = [OutboxStatus.PENDING.value, time.time(), OutboxStatus.DEAD.value]
        if ids:
            sql += f" AND id IN ({','.join('?' * len(ids))})"
            params.extend(ids)
        with self.db.transaction(lock="rows") as tx:
            count = tx.execute(sql, params).rowcount
        if count:
            self.outbox_event.set()
        return int(count)

    # workers' heartbeats ------------------------------------------------------------------------

    def beat(self, worker_id: str, role: str, *, started_at: float, progress_at: float, host: str = "",
             pid: int = 0) -> None:
        """Record that worker ``worker_id`` is alive now and last made progress at ``progress_at``."""
        with self.db.transaction(lock="rows") as tx:
            tx.execute(
                "INSERT INTO messaging_workers (id, role, host, pid, started_at, beat_at, progress_at) "
                "VALUES (?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at, "
                "progress_at = excluded.progress_at", (worker_id, role, host, pid, started_at, time.time(), progress_at))

    def forget_worker(self, worker_id: str) -> None:
        """A worker stopped cleanly: its row goes (and rows of workers silent for a day with it)."""
        with self.db.transaction(lock="rows") as tx:
            tx.execute("DELETE FROM messaging_workers WHERE id = ? OR beat_at < ?", (worker_id, time.time() - 86400))

    def worker_beats(self) -> list[WorkerBeat]:
        rows = self.db.connection().execute(
            "SELECT role, host, pid, beat_at, progress_at FROM messaging_workers ORDER BY beat_at DESC LIMIT 1000")
        return [WorkerBeat(r[0], r[1], int(r[2]), float(r[3]), float(r[4])) for r in rows]

    def oldest_waiting(self, now: float | None = None) -> dict[str, float | None]:
        """Seconds the oldest unanswered inbox message and the oldest unsent reply have waited (None: none)."""
        now = time.time() if now is None else now
        conn = self.db.connection()
        ages: dict[str, float | None] = {}
        for queue, column, statuses in (
                ("inbox", "received_at", (InboxStatus.PENDING, InboxStatus.WORKING)),
                ("outbox", "created_at", (OutboxStatus.PENDING, OutboxStatus.SENDING))):
            oldest = [row[0] for status in statuses for row in conn.execute(
                f"SELECT {column} FROM messaging_{queue} WHERE status = ? ORDER BY id LIMIT 1", (status.value,))]
            ages[queue] = max(0.0, now - float(min(oldest))) if oldest else None
        return ages

    # people and reporting ------------------------------------------------------------------------

    def last_inbound_at(self, channel: str, sender_hash: str) -> float | None:
        row = self.db.connection().execute(
            "SELECT last_inbound_at FROM messaging_contacts WHERE channel = ? AND sender_hash = ?",
            (channel, sender_hash)).fetchone()
        return float(row[0]) if row else None

    def depths(self) -> dict[str, dict[str, int]]:
        conn = self.db.connection()
        return {table: {r[0]: int(r[1]) for r in conn.execute(
                    f"SELECT status, COUNT(*) FROM messaging_{table} GROUP BY status ORDER BY status")}
                for table in ("inbox", "outbox")}

    def dead_letters(self, limit: int = 20) -> list[DeadLetter]:
        rows = self.db.connection().execute(
            "SELECT id, channel, purpose, attempts, last_error, status FROM messaging_outbox "
            "WHERE status IN (?, ?) ORDER BY id DESC LIMIT ?",
            (OutboxStatus.DEAD.value, OutboxStatus.NEEDS_TEMPLATE.value, limit)).fetchall()
        return [DeadLetter(int(r[0]), r[1], r[2], int(r[3]), r[4], OutboxStatus(r[5])) for r in rows]


def _inbox_claimable(now: float) -> tuple[str, tuple[Any, ...]]:
    """Messages waiting, or taken by a worker whose lease ran out (it died)."""
    return ("status = ? OR (status = ? AND lease_until < ?)",
            (InboxStatus.PENDING.value, InboxStatus.WORKING.value, now))


def _outbox_claimable(now: float) -> tuple[str, tuple[Any, ...]]:
    """Replies due (first try or a retry whose time came), or taken by a sender whose lease ran out."""
    return ("(status = ? AND next_attempt_at <= ?) OR (status = ? AND lease_until < ?)",
            (OutboxStatus.PENDING.value, now, OutboxStatus.SENDING.value, now))


def _one_per_sender(candidates: list[tuple[int, str]], busy: set[str], limit: int) -> list[int]:
    chosen: list[int] = []
    seen = set(busy)
    for row_id, who in candidates:
        if who in seen:
            continue
        seen.add(who)
        chosen.append(row_id)
        if len(chosen) >= limit:
            break
    return chosen
