"""The messaging inbox/outbox on PostgreSQL, for many worker processes at once.

On SQLite every write transaction holds the one write lock, so ``MessageStore``'s claims are
trivially exclusive. On PostgreSQL the store's "store"-locked transactions emulate that lock, which is
correct but makes every webhook and every claim of every process queue behind one another. This
subclass lets them run in parallel and stays exactly-once:

* Claims lock candidate rows with ``FOR UPDATE SKIP LOCKED``: two workers never take the same message
  and never wait for each other.
* "One message per person in flight, oldest first" (answers in order) is kept with a
  transaction-scoped advisory lock per person, taken *before* looking at whether that person already
  has a message in work and which of their messages is oldest. A worker that gets the lock after
  another worker's claim committed sees that claim; one that asks while the claim is still open is
  refused the lock and skips the person. No race either way.
* Everything else is already safe under row locks: the inbox is unique on (channel, external id) and
  the outbox on the inbound id (``ON CONFLICT DO NOTHING`` waits for the other transaction, then does
  nothing), and completions are guarded by the claim token. So the base class declares those
  transactions ``lock="rows"``, and only the claim differs here.
"""

from __future__ import annotations

import uuid
from typing import Any

from .store import CLAIM_OVERSCAN, MessageStore


class PostgresMessageStore(MessageStore):
    """The inbox/outbox for PostgreSQL; the composition root picks it for a PostgreSQL store."""

    def _claim(self, table: str, columns: str, limit: int, now: float, claimable: str,
               params: tuple[Any, ...], working: str, lease: float | None = None) -> list[Any]:
        """Claim up to ``limit`` rows of ``table``, at most one per person and none of a busy person."""
        # Idle workers poll: one cheap statement instead of a transaction when there is nothing to take.
        if self.db.connection().execute(
                f"SELECT 1 FROM {table} WHERE {claimable} LIMIT 1", params).fetchone() is None:
            return []
        token = uuid.uuid4().hex
        with self.db.transaction(lock="rows") as tx:
            candidates = tx.execute(
                f"SELECT id, sender_hash FROM {table} WHERE {claimable} ORDER BY id LIMIT ? "
                "FOR UPDATE SKIP LOCKED", (*params, limit * CLAIM_OVERSCAN)).fetchall()
            senders = list(dict.fromkeys(r[1] for r in candidates))
            if not senders:
                return []
            locked = {r[0] for r in tx.execute(
                "SELECT s FROM unnest(?::text[]) AS s WHERE pg_try_advisory_xact_lock(hashtextextended(? || s, 0))",
                (senders, f"benarkah:{table}:")) }
            if not locked:
                return []
            busy = {r[0] for r in tx.execute(
                f"SELECT DISTINCT sender_hash FROM {table} WHERE status = ? AND lease_until >= ? "
                "AND sender_hash = ANY(?)", (working, now, list(locked)))}
            # A person's oldest waiting message goes first, even when another claimer holds its row lock
            # for now (then the person waits for the next round).
            oldest = {r[0]: r[1] for r in tx.execute(
                f"SELECT sender_hash, MIN(id) FROM {table} WHERE sender_hash = ANY(?) AND ({claimable}) "
                "GROUP BY sender_hash", (list(locked), *params))}
            chosen: list[int] = []
            for row_id, who in candidates:
                if who in locked and who not in busy and oldest.get(who) == row_id:
                    locked.discard(who)  # one per person
                    chosen.append(row_id)
                    if len(chosen) >= limit:
                        break
            if not chosen:
                return []
            rows = tx.execute(
                f"UPDATE {table} SET status = ?, claim_token = ?, lease_until = ?, attempts = attempts + 1 "
                f"WHERE id = ANY(?) RETURNING {columns}",
                (working, token, now + (self.settings.messaging_lease_seconds if lease is None else lease),
                 chosen)).fetchall()
        return sorted(rows, key=lambda r: r[0])
