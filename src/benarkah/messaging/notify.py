"""Tell a person something they did not just ask for (e.g. "the claim you sent is now fact-checked").

Used by the tips dashboard when a fact-check is published for a cluster of tips. Each notification has
an idempotency ``key`` (e.g. ``"published:<cluster>:<sender_hash>"``) so that publishing twice, or a
retried request, never messages a person twice. On WhatsApp a free-form message is only allowed within
24 hours of the person's last message; outside it the notification goes as the configured template
(``BENARKAH_WHATSAPP_NOTIFY_TEMPLATE``) or waits, visibly, as ``needs_template``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Literal

from ..errors import ChannelError
from .model import OutboxStatus
from .parts import split_text
from .store import message_store

if TYPE_CHECKING:
    from ..tipline import Tipline

WHATSAPP_WINDOW_SECONDS = 24 * 3600
TEMPLATE_PARAMETER_CHARS = 1024
CHANNELS = ("whatsapp", "telegram")

Outcome = Literal["queued", "queued_template", "needs_template", "duplicate"]


def enqueue_notification(tipline: "Tipline", *, channel: str, sealed_address: str, sender_hash: str,
                         text: str, key: str) -> Outcome:
    """Queue one outgoing message for ``sealed_address`` (as stored with a tip). Returns what happened."""
    if channel not in CHANNELS:
        raise ChannelError(f"cannot notify on channel {channel!r}: only {', '.join(CHANNELS)} send messages")
    if not text.strip() or not key.strip():
        raise ChannelError("a notification needs a non-empty text and idempotency key")
    store = message_store(tipline)
    outcome: Outcome = "queued"
    parts: list[dict[str, object]] = [{"kind": "text", "text": chunk} for chunk in split_text(text)]
    status = OutboxStatus.PENDING
    if channel == "whatsapp" and not _within_window(tipline, sender_hash):
        template = tipline.settings.whatsapp_notify_template
        if template:
            outcome = "queued_template"
            parts = [{"kind": "template", "name": template,
                      "language": tipline.settings.whatsapp_notify_template_language,
                      "text": " ".join(text.split())[:TEMPLATE_PARAMETER_CHARS]}]
        else:
            outcome, status = "needs_template", OutboxStatus.NEEDS_TEMPLATE
    inserted = store.enqueue(key=f"notify:{key}", channel=channel, sender_hash=sender_hash,
                             address=sealed_address, purpose="notification", parts=parts, status=status)
    return outcome if inserted else "duplicate"


def _within_window(tipline: "Tipline", sender_hash: str) -> bool:
    last = message_store(tipline).last_inbound_at("whatsapp", sender_hash)
    return last is not None and time.time() - last < WHATSAPP_WINDOW_SECONDS
