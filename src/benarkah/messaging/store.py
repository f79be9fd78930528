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

People are resolved when their message is stored (``identities.IdentityBook``): every row carries the
person's stable key, whichever of their identifiers the webhook showed. What the APIs later report
about a sent message (``messaging_receipts``: sent, delivered, read, failed with a code) is matched by
the API's message id and acted on (``apply_statuses``, ``receipts``).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Sequence

from ..identities import IdentityBook, IdentityChange
from ..privacy import Identity
from ..settings import Settings
from ..storage.base import Connection, Store
from .model import (SILENT_KINDS, Delivery, DeliveryReport, InboxItem, InboxStatus, Inbound, Kind, Lane,
                    OutboxItem, OutboxStatus, Purpose, WorkerBeat)
from .parts import Part, TemplatePart, TextPart, as_template, part_from_json, part_to_json
from .receipts import Receipts, StatusOutcome

log = logging.getLogger(__name__)
MAX_TEXT_CHARS = 10_000   # stored text of one inbound message; the conversation reads at most 4,000
RATE_WINDOW_SECONDS = 60.0
CLAIM_OVERSCAN = 4        # rows looked at per row claimed, to skip people who already have one in flight

_INBOX_COLUMNS = "id, channel, external_id, sender_hash, address, kind, text, context, claim_token, attempts, lane"
# The claim also reads when the person last wrote (for the 24-hour window): one statement per batch
# instead of one per reply. It can only be older than a read at send time, i.e. err towards "outside".
_OUTBOX_COLUMNS = ("id, channel, sender_hash, address, purpose, parts, parts_sent, attempts, claim_token, "
                   "lease_until, external_ids, "
                   "(SELECT c.last_inbound_at FROM messaging_contacts c WHERE c.channel = messaging_outbox.channel "
                   "AND c.sender_hash = messaging_outbox.sender_hash)")


@dataclass(frozen=True)
class Accepted:
    """What ``accept`` did with one inbound message."""

    external_id: str
    stored: bool           # False: a redelivery of a message already stored
    status: str = ""


@dataclass(frozen=True)
class DeadLetter:
    """An outbox row that needs a person: given up on, waiting for a template, or not delivered."""

    id: int
    channel: str
    purpose: str
    attempts: int
    error: str
    status: OutboxStatus
    code: str = ""


@dataclass(frozen=True)
class _Reply:
    """One outbox row to insert (``insert_outbox_many``)."""

    key: str
    inbox_id: int | None
    channel: str
    sender_hash: str
    address: str
    purpose: Purpose
    parts: list[Part]


_INSERT_CHUNK = 50  # rows per multi-row INSERT (10 values each; far below both engines' parameter limits)
PROBLEM_STATUSES = (OutboxStatus.DEAD.value, OutboxStatus.NEEDS_TEMPLATE.value, OutboxStatus.UNDELIVERED.value)


class MessageStore:
    """The inbox/outbox over a ``Store`` (its connection and transactions).

    One per process (built by the composition root), shared by its webhooks, worker and sender so a
    commit can wake the threads waiting on ``inbox_event`` / ``outbox_event``."""

    def __init__(self, db: Store, identity: Identity, settings: Settings, book: IdentityBook | None = None) -> None:
        self.db = db
        self.identity = identity
        self.settings = settings
        self.book = book or IdentityBook(db, identity)
        self.receipts = Receipts(db, self.book, self)
        # Set after commits so workers in this process wake at once instead of at the next poll.
        self.inbox_event = threading.Event()
        self.media_event = threading.Event()  # the media lane's inbox
        self.outbox_event = threading.Event()

    # inbox ---------------------------------------------------------------------------------------

    def accept(self, messages: Sequence[Inbound], now: float | None = None) -> list[Accepted]:
        """Store a webhook delivery's messages in one transaction (deduplicated, rate-limited).

        Redeliveries are recognised by one read before any write transaction, so a redelivered
        webhook costs one statement and never waits for the write lock. The inserts stay guarded by
        the inbox's unique key: a copy stored meanwhile by another request is not stored twice."""
        now = time.time() if now is None else now
        seen = self._stored_ids(messages)
        results: dict[int, Accepted] = {n: Accepted(m.external_id, stored=False)
                                        for n, m in enumerate(messages) if (m.channel, m.external_id) in seen}
        fresh = [(n, m) for n, m in enumerate(messages) if n not in results]
        if fresh:
            with self.db.transaction(lock="rows") as tx:
                for n, message in fresh:
                    results[n] = self._accept_one(tx, message, now)
        accepted = [results[n] for n in range(len(messages))]
        for message, result in zip(messages, accepted):
            if result.stored and result.status == InboxStatus.PENDING.value:
                self.lane_event(message.lane).set()
        return accepted

    def _stored_ids(self, messages: Sequence[Inbound]) -> set[tuple[str, str]]:
        """Which of these (channel, external id) the inbox already holds: one statement per channel."""
        found: set[tuple[str, str]] = set()
        by_channel: dict[str, list[str]] = {}
        for message in messages:
            by_channel.setdefault(message.channel, []).append(message.external_id)
        for channel, ids in by_channel.items():
            unique = list(dict.fromkeys(ids))
            rows = self.db.connection().execute(
                f"SELECT external_id FROM messaging_inbox WHERE channel = ? AND external_id IN "
                f"({','.join('?' * len(unique))})", (channel, *unique)).fetchall()
            found.update((channel, r[0]) for r in rows)
        return found

    def lane_event(self, lane: Lane) -> threading.Event:
        return self.media_event if lane is Lane.MEDIA else self.inbox_event

    def _accept_one(self, tx: Connection, message: Inbound, now: float) -> Accepted:
        who = self.book.resolve(tx, message.channel, message.sender, known=_known_contact, now=now) \
            if message.sender.reply_address else None
        if who is None:
            return self._accept_unaddressable(tx, message, now)
        sealed = self._reply_address(tx, message, who)
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
        lane = Lane.TEXT if kind is Kind.THROTTLED else message.lane
        cursor = tx.execute(
            "INSERT INTO messaging_inbox (channel, external_id, sender_hash, address, kind, text, context, status, "
            "received_at, lane) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (channel, external_id) DO NOTHING",
            (message.channel, message.external_id, who, sealed, str(kind),
             message.text[:MAX_TEXT_CHARS], json.dumps(_context(message)), str(status), now, str(lane)))
        tx.execute(
            "INSERT INTO messaging_contacts (channel, sender_hash, last_inbound_at) VALUES (?,?,?) "
            "ON CONFLICT (channel, sender_hash) DO UPDATE SET last_inbound_at = excluded.last_inbound_at",
            (message.channel, who, now))
        return Accepted(message.external_id, stored=cursor.rowcount == 1, status=str(status))

    def _reply_address(self, tx: Connection, message: Inbound, who: str) -> str:
        """Sealed. A WhatsApp message without the phone number (withheld for people with a username)
        is answered at the number we know for the person, if any (Meta recommends sending to numbers),
        else at the BSUID the message came from."""
        handles = message.sender
        if message.channel == "whatsapp" and not handles.phone:
            known = self.book.address(message.channel, who, tx)
            if known:
                return known
        return self.identity.seal(message.address or handles.reply_address)

    def _accept_unaddressable(self, tx: Connection, message: Inbound, now: float) -> Accepted:
        """A message nothing identifies (no phone number, no user id): kept, visibly, never answered
        (there is nowhere to send a reply) and counted by ``benarkah queue status``."""
        cursor = tx.execute(
            "INSERT INTO messaging_inbox (channel, external_id, sender_hash, address, kind, text, context, status, "
            "received_at) VALUES (?,?,'','',?,?,?,?,?) ON CONFLICT (channel, external_id) DO NOTHING",
            (message.channel, message.external_id, str(message.kind), message.text[:MAX_TEXT_CHARS],
             json.dumps(_context(message)), InboxStatus.UNADDRESSABLE.value, now))
        log.warning("%s message %s has neither a phone number nor a user id: stored as unaddressable",
                    message.channel, message.external_id[:80])
        return Accepted(message.external_id, stored=cursor.rowcount == 1, status=InboxStatus.UNADDRESSABLE.value)

    def apply_identity_change(self, change: IdentityChange) -> str | None:
        """A person's phone number or BSUID changed (a WhatsApp system message): their identity moves
        to the new identifiers. Returns their key, None when we never met them."""
        with self.db.transaction(lock="rows") as tx:
            person = self.book.apply_change(tx, change)
        log.info("%s identity change (%s): %s", change.channel, change.reason or "user id",
                 "moved" if person else "person not known here; nothing to move")
        return person

    def current_address(self, channel: str, sender_hash: str) -> str | None:
        """Where a person is reached now (sealed), when their identifiers changed since an address was
        stored with a message or tip."""
        return self.book.address(channel, sender_hash)

    def inbox_ready(self, now: float | None = None, lane: Lane = Lane.TEXT) -> bool:
        """A read-only peek, so idle workers in other processes poll without taking the write lock."""
        return self._ready("messaging_inbox", *_inbox_claimable(time.time() if now is None else now, lane))

    def claim_inbox(self, limit: int, now: float | None = None, lane: Lane = Lane.TEXT) -> list[InboxItem]:
        """Take up to ``limit`` messages of one lane, at most one per person, none of a person already in
        work and none with an earlier message of the same person still waiting in the other lane: one
        person's messages are answered in order, and a flood cannot occupy every worker."""
        now = time.time() if now is None else now
        lease = self.settings.media_lease_seconds if lane is Lane.MEDIA else self.settings.messaging_lease_seconds
        rows = self._claim("messaging_inbox", _INBOX_COLUMNS, limit, now, *_inbox_claimable(now, lane),
                           working=InboxStatus.WORKING.value, lease=lease)
        return [InboxItem(id=r[0], channel=r[1], external_id=r[2], sender_hash=r[3], address=r[4],
                          kind=Kind(r[5]), text=r[6], context=json.loads(r[7] or "{}"), claim_token=r[8],
                          attempts=int(r[9]), lane=Lane(r[10])) for r in rows]

    def _ready(self, table: str, claimable: str, params: tuple[Any, ...]) -> bool:
        return self.db.connection().execute(
            f"SELECT 1 FROM {table} WHERE {claimable} LIMIT 1", params).fetchone() is not None

    def _claim(self, table: str, columns: str, limit: int, now: float, claimable: str,
               params: tuple[Any, ...], working: str, lease: float | None = None) -> list[Any]:
        """Claim up to ``limit`` claimable rows of ``table`` under one token and lease, at most one per
        person and none of a person whose earlier row is still in work: one query for the candidates,
        one ``UPDATE ... RETURNING`` for the batch. A "store" transaction makes the look-then-take
        exclusive; the PostgreSQL store overrides this with ``FOR UPDATE SKIP LOCKED``."""
        token = uuid.uuid4().hex
        with self.db.transaction(lock="store") as tx:
            candidates = [(r[0], r[1]) for r in tx.execute(
                f"SELECT id, sender_hash FROM {table} WHERE ({claimable}) AND sender_hash NOT IN "
                f"(SELECT sender_hash FROM {table} WHERE status = ? AND lease_until >= ?) ORDER BY id LIMIT ?",
                (*params, working, now, limit * CLAIM_OVERSCAN))]
            ids = _one_per_sender(candidates, set(), limit)
            if not ids:
                return []
            lease = self.settings.messaging_lease_seconds if lease is None else lease
            rows = tx.execute(
                f"UPDATE {table} SET status = ?, claim_token = ?, lease_until = ?, attempts = attempts + 1 "
                f"WHERE id IN ({','.join('?' * len(ids))}) RETURNING {columns}",
                (working, token, now + lease, *ids)).fetchall()
        return sorted(rows, key=lambda r: r[0])

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
                self.insert_outbox(tx, key=f"reply:{item.id}", inbox_id=item.id, channel=item.channel,
                                    sender_hash=item.sender_hash, address=item.address, purpose=Purpose.REPLY,
                                    parts=parts, status=OutboxStatus.PENDING.value, now=now)
        if parts:
            self.outbox_event.set()
        return True

    def complete_inbox_many(self, done: Sequence[tuple[InboxItem, list[Part]]], now: float | None = None) -> set[int]:
        """``complete_inbox`` for a claimed batch in one transaction: one ``UPDATE ... RETURNING`` per
        claim token and one multi-row insert of the replies. Returns the ids whose claim held (only
        they get their reply queued; a lost claim's message belongs to whoever holds it now)."""
        now = time.time() if now is None else now
        completed: set[int] = set()
        with self.db.transaction(lock="rows") as tx:
            by_token: dict[str, list[int]] = {}
            for item, _ in done:
                by_token.setdefault(item.claim_token, []).append(item.id)
            for token, ids in by_token.items():
                completed.update(int(r[0]) for r in tx.execute(
                    f"UPDATE messaging_inbox SET status = ?, processed_at = ?, claim_token = '', lease_until = 0 "
                    f"WHERE id IN ({','.join('?' * len(ids))}) AND claim_token = ? AND status = ? RETURNING id",
                    (InboxStatus.DONE.value, now, *ids, token, InboxStatus.WORKING.value)).fetchall())
            replies = [(item, parts) for item, parts in done if parts and item.id in completed]
            if replies:
                self.insert_outbox_many(tx, [_Reply(key=f"reply:{item.id}", inbox_id=item.id, channel=item.channel,
                                                    sender_hash=item.sender_hash, address=item.address,
                                                    purpose=Purpose.REPLY, parts=parts) for item, parts in replies],
                                        status=OutboxStatus.PENDING.value, now=now)
        if any(parts for item, parts in done if item.id in completed):
            self.outbox_event.set()
        return completed

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

    def inbox_backlog(self, lane: Lane = Lane.TEXT) -> int:
        return int(self.db.connection().execute(
            "SELECT COUNT(*) FROM messaging_inbox WHERE status = ? AND lane = ?",
            (InboxStatus.PENDING.value, str(lane))).fetchone()[0])

    # outbox --------------------------------------------------------------------------------------

    def insert_outbox(self, tx: Connection, *, key: str, inbox_id: int | None, channel: str, sender_hash: str,
                       address: str, purpose: Purpose, parts: list[Part], status: str, now: float) -> bool:
        cursor = tx.execute(
            "INSERT INTO messaging_outbox (idempotency_key, inbox_id, channel, sender_hash, address, purpose, "
            "parts, status, next_attempt_at, created_at) VALUES (?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT DO NOTHING",
            (key, inbox_id, channel, sender_hash, address, str(purpose),
             json.dumps([part_to_json(p) for p in parts], ensure_ascii=False), str(status), now, now))
        return cursor.rowcount == 1

    def insert_outbox_many(self, tx: Connection, rows: Sequence[_Reply], status: str, now: float) -> None:
        """``insert_outbox`` for several rows in one statement (each still unique on its key and inbox id)."""
        for start in range(0, len(rows), _INSERT_CHUNK):
            chunk = rows[start:start + _INSERT_CHUNK]
            tx.execute(
                "INSERT INTO messaging_outbox (idempotency_key, inbox_id, channel, sender_hash, address, purpose, "
                "parts, status, next_attempt_at, created_at) VALUES "
                + ",".join(["(?,?,?,?,?,?,?,?,?,?)"] * len(chunk)) + " ON CONFLICT DO NOTHING",
                tuple(value for r in chunk for value in (
                    r.key, r.inbox_id, r.channel, r.sender_hash, r.address, str(r.purpose),
                    json.dumps([part_to_json(p) for p in r.parts], ensure_ascii=False), str(status), now, now)))

    def enqueue(self, *, key: str, channel: str, sender_hash: str, address: str, purpose: Purpose,
                parts: list[Part], status: str = OutboxStatus.PENDING.value) -> bool:
        """Queue an outgoing message that answers no inbound one (a notification). False: key seen before."""
        with self.db.transaction(lock="rows") as tx:
            inserted = self.insert_outbox(tx, key=key, inbox_id=None, channel=channel, sender_hash=sender_hash,
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
                           claim_token=r[8], lease_until=float(r[9]), external_ids=tuple(json.loads(r[10] or "[]")),
                           last_inbound_at=None if r[11] is None else float(r[11]))
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
        the last part the row is marked sent in the same statement (one write per reply, not two). The
        API's message id becomes a receipt, for the status updates that come later. ``external_ids``: the
        API's ids of the parts sent under this claim (kept after the earlier claims' ones). Returns the
        renewed lease (0 once done).
        """
        done = parts_sent >= len(item.parts)
        now = time.time()
        until = 0.0 if done else now + self.settings.messaging_lease_seconds
        with self.db.transaction(lock="rows") as tx:
            updated = tx.execute(
                "UPDATE messaging_outbox SET parts_sent = ?, external_ids = ?, status = ?, sent_at = ?, "
                "claim_token = ?, lease_until = ?, delivery = CASE WHEN ? = 1 THEN ? ELSE delivery END "
                "WHERE id = ? AND claim_token = ?",
                (parts_sent, json.dumps([*item.external_ids, *external_ids][-20:]),
                 OutboxStatus.SENT.value if done else OutboxStatus.SENDING.value, now if done else None,
                 "" if done else item.claim_token, until, int(done), Delivery.SENT.value, item.id,
                 item.claim_token)).rowcount
            if updated == 1 and external_ids and external_ids[-1]:
                self.receipts.record(tx, item, parts_sent - 1, external_ids[-1], now)
        return until

    def _finish_outbox(self, item: OutboxItem, status: str, error: str = "", next_at: float = 0.0,
                       code: str = "") -> None:
        now = time.time()
        failed = status in (OutboxStatus.DEAD.value, OutboxStatus.NEEDS_TEMPLATE.value) and bool(code)
        with self.db.transaction(lock="rows") as tx:
            tx.execute(
                "UPDATE messaging_outbox SET status = ?, last_error = ?, next_attempt_at = ?, claim_token = '', "
                "lease_until = 0, sent_at = ?, delivery = CASE WHEN ? = 1 THEN ? ELSE delivery END, "
                "delivery_code = CASE WHEN ? = 1 THEN ? ELSE delivery_code END WHERE id = ? AND claim_token = ?",
                (status, error[:500], next_at, now if status == OutboxStatus.SENT.value else None,
                 int(status == OutboxStatus.SENT.value or failed),
                 Delivery.FAILED.value if failed else Delivery.SENT.value, int(failed), code[:40], item.id,
                 item.claim_token))

    def mark_sent(self, item: OutboxItem) -> None:
        self._finish_outbox(item, OutboxStatus.SENT.value)

    def schedule_retry(self, item: OutboxItem, delay: float, error: str) -> None:
        self._finish_outbox(item, OutboxStatus.PENDING.value, error, next_at=time.time() + delay)

    def mark_dead(self, item: OutboxItem, error: str, code: str = "") -> None:
        self._finish_outbox(item, OutboxStatus.DEAD.value, error, code=code)

    def mark_needs_template(self, item: OutboxItem, error: str, code: str = "") -> None:
        self._finish_outbox(item, OutboxStatus.NEEDS_TEMPLATE.value, error, code=code)

    def reengage(self, item: OutboxItem, error: str, code: str) -> str:
        """The API refused a free-form message outside the 24-hour window (a claimed row): it goes again
        as the approved notification template when one is configured, else waits as ``needs_template``."""
        template = self.template_for(item.parts)
        if template is None:
            self.mark_needs_template(item, error, code)
            return OutboxStatus.NEEDS_TEMPLATE.value
        with self.db.transaction(lock="rows") as tx:
            self.receipts.forget_row(tx, item.id)  # the parts start again, as the template
            tx.execute(
                "UPDATE messaging_outbox SET status = ?, parts = ?, parts_sent = 0, attempts = 0, next_attempt_at = ?, "
                "last_error = ?, claim_token = '', lease_until = 0, delivery_code = ? WHERE id = ? AND claim_token = ?",
                (OutboxStatus.PENDING.value, json.dumps([part_to_json(template)], ensure_ascii=False), time.time(),
                 f"{error[:300]}; resent as template", code[:40], item.id, item.claim_token))
        self.outbox_event.set()
        return OutboxStatus.PENDING.value

    def template_for(self, parts: Sequence[Part]) -> TemplatePart | None:
        name = self.settings.whatsapp_notify_template
        text = " ".join(p.text for p in parts if isinstance(p, TextPart))
        if not name or not text.strip() or any(isinstance(p, TemplatePart) for p in parts):
            return None
        return as_template(name, self.settings.whatsapp_notify_template_language, text)

    def retry_dead(self, ids: Sequence[int] | None = None) -> int:
        """Put dead letters back in the queue (after fixing the cause: a token, a template ...). A row
        the API accepted and then reported undelivered is sent again from its first part."""
        only, params = "", []
        if ids:
            only = f" AND id IN ({','.join('?' * len(ids))})"
            params = list(ids)
        now = time.time()
        with self.db.transaction(lock="rows") as tx:
            count = tx.execute(
                "UPDATE messaging_outbox SET status = ?, attempts = 0, next_attempt_at = ?, last_error = '' "
                f"WHERE status = ?{only}", (OutboxStatus.PENDING.value, now, OutboxStatus.DEAD.value, *params)).rowcount
            undelivered = [r[0] for r in tx.execute(
                f"SELECT id FROM messaging_outbox WHERE status = ?{only}", (OutboxStatus.UNDELIVERED.value, *params))]
            for row_id in undelivered:  # sent again from the first part: the old attempt's receipts go
                self.receipts.forget_row(tx, row_id)
                count += tx.execute(
                    "UPDATE messaging_outbox SET status = ?, attempts = 0, next_attempt_at = ?, last_error = '', "
                    "parts_sent = 0, delivery = '', delivery_code = '' WHERE id = ?",
                    (OutboxStatus.PENDING.value, now, row_id)).rowcount
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

    def cancel_unsent(self, channel: str, sender_hash: str, purpose: Purpose) -> int:
        """Withdraw one person's messages of ``purpose`` not yet recorded as sent (e.g. digests, after
        "berhenti"): waiting ones, and claimed ones too (``sending``; the claim is voided, so a sender that
        died holding it cannot have it resent by the next one when its lease runs out). A message a live
        sender is handing to the API at this moment can still arrive; the row then stays withdrawn."""
        with self.db.transaction(lock="rows") as tx:
            return int(tx.execute(
                "UPDATE messaging_outbox SET status = ?, claim_token = '', lease_until = 0, last_error = CASE "
                "WHEN status = ? THEN 'withdrawn while claimed by a sender (it may have gone)' "
                "ELSE 'withdrawn before sending' END "
                "WHERE channel = ? AND sender_hash = ? AND purpose = ? AND status IN (?, ?, ?)",
                (OutboxStatus.CANCELLED.value, OutboxStatus.SENDING.value, channel, sender_hash, str(purpose),
                 OutboxStatus.PENDING.value, OutboxStatus.NEEDS_TEMPLATE.value,
                 OutboxStatus.SENDING.value)).rowcount)

    def sent_since(self, purpose: Purpose, since: float) -> dict[str, int]:
        """Messages of ``purpose`` queued since ``since`` (epoch seconds), by status."""
        rows = self.db.connection().execute(
            "SELECT status, COUNT(*) FROM messaging_outbox WHERE purpose = ? AND created_at >= ? GROUP BY status",
            (str(purpose), since)).fetchall()
        return {r[0]: int(r[1]) for r in rows}

    # delivery statuses (``receipts``) --------------------------------------------------------------

    def apply_statuses(self, reports: Sequence[DeliveryReport], now: float | None = None) -> list[StatusOutcome]:
        """What the API said about messages it accepted, matched by message id and acted on (one
        transaction for a webhook delivery's statuses)."""
        outcomes = self.receipts.apply(reports, now) if reports else []
        if any(o.queued for o in outcomes):
            self.outbox_event.set()
        return outcomes

    def delivery_counts(self) -> dict[str, dict[str, int]]:
        return self.receipts.counts()

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
            "SELECT id, channel, purpose, attempts, last_error, status, delivery_code FROM messaging_outbox "
            "WHERE status IN (?, ?, ?) ORDER BY id DESC LIMIT ?", (*PROBLEM_STATUSES, limit)).fetchall()
        return [DeadLetter(int(r[0]), r[1], r[2], int(r[3]), r[4], OutboxStatus(r[5]), r[6]) for r in rows]


def _known_contact(tx: Connection, channel: str, sender_hash: str) -> bool:
    """Whether a person key already wrote to us (adopting the keys of people stored before BSUIDs)."""
    return tx.execute("SELECT 1 FROM messaging_contacts WHERE channel = ? AND sender_hash = ?",
                      (channel, sender_hash)).fetchone() is not None


def _context(message: Inbound) -> dict[str, Any]:
    """What is stored with the message besides its text: the channel's context and its file, if any."""
    if message.media is None:
        return message.context
    return {**message.context, "media": message.media.to_json()}


def _inbox_claimable(now: float, lane: Lane = Lane.TEXT) -> tuple[str, tuple[Any, ...]]:
    """Messages of ``lane`` waiting, or taken by a worker whose lease ran out (it died), whose sender
    has no earlier message still waiting or in work in the other lane (so a person's text sent after
    their picture waits for the picture's answer, and other people's texts do not)."""
    pending, working = InboxStatus.PENDING.value, InboxStatus.WORKING.value
    return ("lane = ? AND (status = ? OR (status = ? AND lease_until < ?)) AND NOT EXISTS ("
            "SELECT 1 FROM messaging_inbox earlier WHERE earlier.sender_hash = messaging_inbox.sender_hash "
            "AND earlier.id < messaging_inbox.id AND earlier.lane <> ? AND earlier.status IN (?, ?))",
            (str(lane), pending, working, now, str(lane), pending, working))


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
