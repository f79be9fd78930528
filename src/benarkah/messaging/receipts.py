"""What the APIs say about messages they accepted: ``messaging_receipts``, one row per API message id.

The sender records a receipt (``sent``) for every part it posted, under the id the API answered with.
WhatsApp later reports ``delivered``, ``read`` or ``failed`` (with an error code) in status webhooks,
matched here by that id, so it does not matter whether the message went to a phone number or to a
business-scoped user id. Statuses can arrive twice and out of order; a receipt only moves forward
(sent < delivered < read; failed is final), and the outbox row carries the weakest of its parts
(``delivery``, ``delivery_code``) for ``benarkah queue status`` and /metrics.

A failure is acted on the way the Cloud API documents (the channel maps codes to a ``Remedy``):

* temporary (rate limits, "something went wrong"): the failed part is sent once more, as a new row;
* re-engagement (131047: more than 24 hours since the person wrote): the message goes again as the
  approved notification template when one is configured, else the row waits as ``needs_template``;
* anything else (131026 undeliverable, a blocked business, …): the row becomes ``undelivered``, visible
  and left for a person (``benarkah queue retry`` sends it again).

A status also names its recipient (phone number, BSUID): identifiers we did not know yet are linked to
the person we wrote to, so their BSUID is known before the day Meta stops showing their number.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Protocol, Sequence

from ..identities import IdentityBook
from ..storage.base import Connection, Store
from .model import Delivery, DeliveryReport, OutboxItem, OutboxStatus, Purpose, Remedy
from .parts import Part, TemplatePart, part_from_json

log = logging.getLogger(__name__)


class OutboxRows(Protocol):
    """The outbox as receipts need it (``store.MessageStore``)."""

    def insert_outbox(self, tx: Connection, *, key: str, inbox_id: int | None, channel: str, sender_hash: str,
                      address: str, purpose: Purpose, parts: list[Part], status: str, now: float) -> bool: ...

    def template_for(self, parts: Sequence[Part]) -> TemplatePart | None: ...


@dataclass(frozen=True)
class StatusOutcome:
    """What ``Receipts.apply`` did with one status update."""

    matched: bool                  # False: not a message this database sent (or sent before receipts existed)
    outbox_id: int | None = None
    status: str = ""               # the receipt's status after the update
    action: str = ""               # for failures: resent, resent_as_template, needs_template, undelivered

    @property
    def queued(self) -> bool:
        return self.action in ("resent", "resent_as_template")


@dataclass(frozen=True)
class _Receipt:
    id: int
    channel: str
    outbox_id: int
    part: int
    person: str
    status: Delivery
    row_status: OutboxStatus
    parts: list[Part]
    key: str
    purpose: Purpose
    address: str


class Receipts:
    """The only module that reads or writes ``messaging_receipts``."""

    def __init__(self, db: Store, book: IdentityBook, outbox: OutboxRows) -> None:
        self.db = db
        self.book = book
        self.outbox = outbox

    def record(self, tx: Connection, item: OutboxItem, part: int, external_id: str, now: float) -> None:
        """A part the API accepted. WhatsApp message ids are unique across the API; a Telegram message
        id only within its chat, and Telegram sends no statuses to match, so it is keyed by row and part."""
        key = external_id if item.channel == "whatsapp" else f"{item.id}:{part}:{external_id}"
        tx.execute(
            "INSERT INTO messaging_receipts (channel, external_id, outbox_id, part, sender_hash, status, created_at, "
            "updated_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (channel, external_id) DO NOTHING",
            (item.channel, key[:200], item.id, part, item.sender_hash, Delivery.SENT.value, now, now))

    def forget_row(self, tx: Connection, outbox_id: int) -> None:
        """A row is sent again from its first part: the earlier attempt's receipts no longer describe it
        (a late status for one of them is then simply not ours)."""
        tx.execute("DELETE FROM messaging_receipts WHERE outbox_id = ?", (outbox_id,))

    def apply(self, reports: Sequence[DeliveryReport], now: float | None = None) -> list[StatusOutcome]:
        """Record the status updates of one webhook delivery (one transaction: Meta sends three or more
        per message) and act on failures (see the module). Idempotent."""
        now = time.time() if now is None else now
        with self.db.transaction(lock="rows") as tx:
            return [self._apply(tx, report, now) for report in reports]

    def _apply(self, tx: Connection, report: DeliveryReport, now: float) -> StatusOutcome:
        receipt = self._find(tx, report)
        if receipt is None:
            return StatusOutcome(matched=False)
        if report.recipient and receipt.person:
            self.book.learn(tx, report.channel, receipt.person, report.recipient, now)
        if receipt.status is Delivery.FAILED or report.status.rank <= receipt.status.rank:
            return StatusOutcome(True, receipt.outbox_id, receipt.status.value)
        tx.execute("UPDATE messaging_receipts SET status = ?, error_code = ?, error = ?, updated_at = ? WHERE id = ?",
                   (report.status.value, report.error_code[:40], report.error[:300], now, receipt.id))
        self._update_row(tx, receipt.outbox_id)
        action = self._remedy(tx, report, receipt, now) if report.status is Delivery.FAILED else ""
        return StatusOutcome(True, receipt.outbox_id, report.status.value, action)

    def _find(self, tx: Connection, report: DeliveryReport) -> _Receipt | None:
        row = tx.execute(
            "SELECT r.id, r.channel, r.outbox_id, r.part, r.sender_hash, r.status, o.status, o.parts, "
            "o.idempotency_key, o.purpose, o.address FROM messaging_receipts r JOIN messaging_outbox o ON o.id = r.outbox_id "
            "WHERE r.channel = ? AND r.external_id = ?", (report.channel, report.external_id)).fetchone()
        if row is None:
            return None
        return _Receipt(int(row[0]), row[1], int(row[2]), int(row[3]), row[4], Delivery(row[5]), OutboxStatus(row[6]),
                        [part_from_json(p) for p in json.loads(row[7])], row[8], Purpose(row[9]), row[10])

    def _update_row(self, tx: Connection, outbox_id: int) -> None:
        """A row's delivery is its weakest part's: read only when every part was read; failed (with that
        part's code) if any part failed."""
        rows = tx.execute("SELECT status, error_code FROM messaging_receipts WHERE outbox_id = ?", (outbox_id,)).fetchall()
        if not rows:
            return
        failed = [r[1] for r in rows if r[0] == Delivery.FAILED.value]
        delivery = Delivery.FAILED if failed else min((Delivery(r[0]) for r in rows), key=lambda d: d.rank)
        tx.execute("UPDATE messaging_outbox SET delivery = ?, delivery_code = ? WHERE id = ?",
                   (delivery.value, failed[0] if failed else "", outbox_id))

    def _remedy(self, tx: Connection, report: DeliveryReport, receipt: _Receipt, now: float) -> str:
        error = f"{report.error_code} {report.error}".strip() or "failed"
        remedy = report.remedy or Remedy.GIVE_UP
        if remedy is Remedy.RETRY and not receipt.key.startswith("resend:") and receipt.part < len(receipt.parts):
            # Once: a second temporary failure of the same message is left for a person to look at.
            self._queue(tx, receipt, f"resend:{receipt.id}", [receipt.parts[receipt.part]], now)
            return "resent"
        new_status = OutboxStatus.UNDELIVERED
        if remedy is Remedy.TEMPLATE:
            template = self.outbox.template_for(receipt.parts)
            if template is not None:
                self._queue(tx, receipt, f"reengage:{receipt.outbox_id}", [template], now)
                tx.execute("UPDATE messaging_outbox SET last_error = ? WHERE id = ?",
                           (f"{error[:300]}; resent as template", receipt.outbox_id))
                return "resent_as_template"
            new_status = OutboxStatus.NEEDS_TEMPLATE
        if receipt.row_status in (OutboxStatus.SENT, OutboxStatus.SENDING):
            tx.execute("UPDATE messaging_outbox SET status = ?, last_error = ? WHERE id = ? AND status = ?",
                       (new_status.value, error[:500], receipt.outbox_id, receipt.row_status.value))
        log.warning("outbox %s was not delivered (%s): now %s", receipt.outbox_id, error[:120], new_status.value)
        return new_status.value

    def _queue(self, tx: Connection, receipt: _Receipt, key: str, parts: list[Part], now: float) -> None:
        self.outbox.insert_outbox(tx, key=key, inbox_id=None, channel=receipt.channel,
                                  sender_hash=receipt.person, address=receipt.address, purpose=receipt.purpose,
                                  parts=parts, status=OutboxStatus.PENDING.value, now=now)

    def counts(self) -> dict[str, dict[str, int]]:
        """Receipts per channel and status, and failures per error code (``failed:<code>``)."""
        conn = self.db.connection()
        found: dict[str, dict[str, int]] = {}
        for channel, status, count in conn.execute(
                "SELECT channel, status, COUNT(*) FROM messaging_receipts GROUP BY channel, status "
                "ORDER BY channel, status"):
            found.setdefault(channel, {})[status] = int(count)
        for channel, code, count in conn.execute(
                "SELECT channel, error_code, COUNT(*) FROM messaging_receipts WHERE status = ? "
                "GROUP BY channel, error_code ORDER BY channel, error_code", (Delivery.FAILED.value,)):
            found.setdefault(channel, {})[f"failed:{code or 'unknown'}"] = int(count)
        return found
