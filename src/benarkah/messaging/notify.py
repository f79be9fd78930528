"""Tell a person something they did not just ask for (e.g. "the claim you sent is now fact-checked").

``OutboxNotifier`` is the tips desk's ``Notifier``, bound to the outbox by the composition root. Each
notification has an idempotency ``key`` (e.g. ``"tip-followup:<article>:<sender_hash>"``) so that
publishing twice, or a retried request, never messages a person twice. On WhatsApp a free-form message
is only allowed within the customer-service window (``window``); outside it the notification goes as
the configured template (``BENARKAH_WHATSAPP_NOTIFY_TEMPLATE``) or waits, visibly, as ``needs_template``.
"""

from __future__ import annotations

import enum

from ..errors import ChannelError
from ..settings import Settings
from .model import OutboxStatus, Purpose
from .parts import Part, TextPart, as_template, split_text
from .store import MessageStore
from .window import window_open

CHANNELS = ("whatsapp", "telegram")


class NotifyOutcome(enum.StrEnum):
    QUEUED = "queued"
    QUEUED_TEMPLATE = "queued_template"  # outside the window: as the approved template
    NEEDS_TEMPLATE = "needs_template"    # outside the window and no template configured: waits, visibly
    DUPLICATE = "duplicate"              # this key was queued before: nothing new


class OutboxNotifier:
    """Queues follow-ups in the messaging outbox (``tips.service.Notifier``)."""

    def __init__(self, queue: MessageStore, settings: Settings) -> None:
        self.queue = queue
        self.settings = settings

    def __call__(self, *, channel: str, sealed_address: str, sender_hash: str, text: str,
                 key: str) -> NotifyOutcome:
        """Queue one outgoing message for ``sealed_address`` (as stored with a tip)."""
        if channel not in CHANNELS:
            raise ChannelError(f"cannot notify on channel {channel!r}: only {', '.join(CHANNELS)} send messages")
        if not text.strip() or not key.strip():
            raise ChannelError("a notification needs a non-empty text and idempotency key")
        outcome = NotifyOutcome.QUEUED
        parts: list[Part] = [TextPart(chunk) for chunk in split_text(text)]
        status = OutboxStatus.PENDING
        if not window_open(channel, self.queue.last_inbound_at(channel, sender_hash)):
            template = self.settings.whatsapp_notify_template
            if template:
                outcome = NotifyOutcome.QUEUED_TEMPLATE
                parts = [as_template(template, self.settings.whatsapp_notify_template_language, text)]
            else:
                outcome, status = NotifyOutcome.NEEDS_TEMPLATE, OutboxStatus.NEEDS_TEMPLATE
        # The person's current address when their number or user id changed since the tip was stored.
        address = self.queue.current_address(channel, sender_hash) or sealed_address
        inserted = self.queue.enqueue(key=f"notify:{key}", channel=channel, sender_hash=sender_hash,
                                      address=address, purpose=Purpose.NOTIFICATION, parts=parts, status=status)
        return outcome if inserted else NotifyOutcome.DUPLICATE
