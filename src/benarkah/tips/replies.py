"""A fact-checker writes to the person who sent a tip, from the dashboard, through the same outbox.

The person's number never reaches the dashboard: the reply goes to the tip's sealed reply address
and is logged with the staff account that wrote it (``staff_replies``, erased by ``benarkah forget``
with the rest of the person's data). On WhatsApp a free-form message is allowed only inside the
24-hour window; outside it the reply goes as the approved ``BENARKAH_WHATSAPP_STAFF_TEMPLATE`` or is
refused on the spot (the fact-checker is looking at the form; a reply silently parked for a template
that may never come would look sent). Each form carries a request key, so a double submit sends once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..domain.conversation import ConversationState
from ..errors import BenarkahError
from ..storage.base import Store
from ..storage.records import utcnow
from .repository import TipRepository
from .service import NOTIFIABLE_CHANNELS, Notifier

MAX_REPLY_CHARS = 1000  # fits one WhatsApp template parameter (1,024) with the greeting
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_HEAD = {"id": "💬 Pesan dari tim pemeriksa fakta:", "en": "💬 A message from our fact-checkers:"}
REFUSED = "refused"
OUTSIDE_WINDOW = ("not sent: the person last wrote more than 24 hours ago, so WhatsApp allows only an approved "
                  "template, and none is configured (BENARKAH_WHATSAPP_STAFF_TEMPLATE)")


class ReplyRefused(BenarkahError):
    """The reply cannot be sent; the message says why and what would make it possible."""


@dataclass(frozen=True)
class StaffReply:
    id: int
    created_at: str
    staff_user: str
    tip_id: int
    text: str
    outcome: str


class StaffReplies:
    def __init__(self, store: Store, notifier: Notifier | None) -> None:
        """``notifier``: the outbox for staff messages, refusing (not parking) outside the window
        without a template (bound by the composition root)."""
        self.store = store
        self.repo = TipRepository(store)
        self.notifier = notifier

    def send(self, tip_id: int, text: str, staff_user: str, request_key: str) -> StaffReply:
        """Queue one reply to the person who sent ``tip_id``; the same ``request_key`` again is the same
        reply (returned, not sent twice). Raises ``ReplyRefused`` with the reason."""
        text = "\n".join(line.rstrip() for line in text.replace("\x00", "").strip().splitlines())
        if not text:
            raise ReplyRefused("the reply is empty")
        if len(text) > MAX_REPLY_CHARS:
            raise ReplyRefused(f"the reply is {len(text):,} characters; the limit is {MAX_REPLY_CHARS:,}")
        if not _KEY.match(request_key):
            raise ReplyRefused("the form is out of date: reload the page and write the reply again")
        if (earlier := self._by_key(request_key)) is not None:
            if earlier.outcome == REFUSED:
                raise ReplyRefused(OUTSIDE_WINDOW)
            return earlier
        found = self.repo.tip(tip_id)
        if found is None:
            raise ReplyRefused(f"tip {tip_id} does not exist (any more)")
        tip, cluster_id = found
        if tip.channel not in NOTIFIABLE_CHANNELS or not tip.reply_address:
            raise ReplyRefused(f"this tip came through {tip.channel}: there is no way to write back to its sender")
        if self.notifier is None:
            raise ReplyRefused("no messaging channel is configured in this deployment")
        language = ConversationState.from_dict(self.store.get_session(tip.channel, tip.sender_hash)).language
        message = f"{_HEAD.get(language, _HEAD['id'])}\n\n{text}"
        with self.store.transaction(lock="rows") as tx:
            outcome = str(self.notifier(channel=tip.channel, sealed_address=tip.reply_address,
                                        sender_hash=tip.sender_hash, text=message, key=f"{tip_id}:{request_key}"))
            row = tx.execute(
                "INSERT INTO staff_replies (request_key, created_at, staff_user, tip_id, cluster_id, channel, "
                "sender_hash, text, outcome) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id, created_at",
                (request_key, utcnow(), staff_user, tip_id, cluster_id, tip.channel, tip.sender_hash, text,
                 outcome)).fetchone()
        reply = StaffReply(int(row[0]), row[1], staff_user, tip_id, text, outcome)
        if outcome == REFUSED:
            raise ReplyRefused(OUTSIDE_WINDOW)
        return reply

    def for_tips(self, tip_ids: list[int]) -> dict[int, list[StaffReply]]:
        """Replies written to these tips' senders, oldest first (for the cluster page)."""
        if not tip_ids:
            return {}
        marks = ",".join("?" * len(tip_ids))
        rows = self.store.connection().execute(
            f"SELECT id, created_at, staff_user, tip_id, text, outcome FROM staff_replies WHERE tip_id IN ({marks}) "
            "ORDER BY id", tip_ids).fetchall()
        found: dict[int, list[StaffReply]] = {}
        for r in rows:
            found.setdefault(int(r[3]), []).append(StaffReply(int(r[0]), r[1], r[2], int(r[3]), r[4], r[5]))
        return found

    def _by_key(self, request_key: str) -> StaffReply | None:
        row = self.store.connection().execute(
            "SELECT id, created_at, staff_user, tip_id, text, outcome FROM staff_replies WHERE request_key = ?",
            (request_key,)).fetchone()
        return StaffReply(int(row[0]), row[1], row[2], int(row[3]), row[4], row[5]) if row else None
