"""Tell a person something they did not just ask for (e.g. "the claim you sent is now fact-checked").

``OutboxNotifier`` is the tips desk's ``Notifier``, bound to the outbox by the composition root. Each
notification has an idempotency ``key`` (e.g. ``"tip-followup:<article>:<sender_hash>"``) so that
publishing twice, or a retried request, never messages a person twice. On WhatsApp a free-form message
is only allowed within the customer-service window (``window``); outside it the notification goes as
the configured template (``BENARKAH_WHATSAPP_NOTIFY_TEMPLATE``, or the caller's own: a digest has
its template with an unsubscribe button) or waits, visibly, as ``needs_template`` — or, for a staff
reply, which a person is typing right now, is refused so they know at once.
"""

from __future__ import annotations

import enum
from dataclasses import replace

from ..errors import ChannelError
from ..settings import Settings
from .model import OutboxStatus, Purpose
from .parts import Part, TextPart, Widget, as_template, split_text
from .store import MessageStore
from .window import window_open

CHANNELS = ("whatsapp", "telegram")
UNSUBSCRIBE_PAYLOAD = "berhenti"  # what a digest template's quick-reply button sends back


class NotifyOutcome(enum.StrEnum):
    QUEUED = "queued"
    QUEUED_TEMPLATE = "queued_template"  # outside the window: as the approved template
    NEEDS_TEMPLATE = "needs_template"    # outside the window and no template configured: waits, visibly
    DUPLICATE = "duplicate"              # this key was queued before: nothing new
    REFUSED = "refused"                  # outside the window, no template, and the caller asked not to wait


class OutboxNotifier:
    """Queues follow-ups in the messaging outbox (``tips.service.Notifier``)."""

    def __init__(self, queue: MessageStore, settings: Settings) -> None:
        self.queue = queue
        self.settings = settings

    def __call__(self, *, channel: str, sealed_address: str, sender_hash: str, text: str, key: str,
                 purpose: Purpose = Purpose.NOTIFICATION, language: str = "id",
                 template: tuple[str, str] | None = None, unsubscribe: bool = False,
                 refuse_without_template: bool = False) -> NotifyOutcome:
        """Queue one outgoing message for ``sealed_address`` (as stored with a tip or a subscription).

        ``template``: (name, language) to use outside the window instead of the notification template;
        ``unsubscribe``: the message carries an unsubscribe button (the template's quick reply too);
        ``refuse_without_template``: outside the window with no template, queue nothing (REFUSED)."""
        if channel not in CHANNELS:
            raise ChannelError(f"cannot notify on channel {channel!r}: only {', '.join(CHANNELS)} send messages")
        if not text.strip() or not key.strip():
            raise ChannelError("a notification needs a non-empty text and idempotency key")
        outcome = NotifyOutcome.QUEUED
        chunks = split_text(text)
        last = Widget.UNSUBSCRIBE if unsubscribe else Widget.NONE
        parts: list[Part] = [TextPart(chunk, language, last if n == len(chunks) - 1 else Widget.NONE)
                             for n, chunk in enumerate(chunks)]
        status = OutboxStatus.PENDING
        if not window_open(channel, self.queue.last_inbound_at(channel, sender_hash)):
            name, template_language = template or (self.settings.whatsapp_notify_template or "",
                                                   self.settings.whatsapp_notify_template_language)
            if name:
                outcome = NotifyOutcome.QUEUED_TEMPLATE
                parts = [replace(as_template(name, template_language, text),
                                 buttons=(UNSUBSCRIBE_PAYLOAD,) if unsubscribe else ())]
            elif refuse_without_template:
                return NotifyOutcome.REFUSED
            else:
                outcome, status = NotifyOutcome.NEEDS_TEMPLATE, OutboxStatus.NEEDS_TEMPLATE
        # The person's current address when their number or user id changed since it was stored.
        address = self.queue.current_address(channel, sender_hash) or sealed_address
        prefix = "notify" if purpose is Purpose.NOTIFICATION else str(purpose)
        inserted = self.queue.enqueue(key=f"{prefix}:{key}", channel=channel, sender_hash=sender_hash,
                                      address=address, purpose=purpose, parts=parts, status=status)
        return outcome if inserted else NotifyOutcome.DUPLICATE
