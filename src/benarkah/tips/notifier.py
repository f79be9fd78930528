"""The real ``Notifier``: the messaging outbox (WhatsApp 24-hour window and templates handled there)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..tipline import Tipline
    from .service import Notifier


def outbox_notifier(tipline: "Tipline") -> "Notifier | None":
    """``messaging.notify.enqueue_notification`` bound to this tipline, or None where the messaging
    package is not installed (then follow-ups are recorded as ``no_notifier`` and can be retried)."""
    try:
        notify = importlib.import_module("benarkah.messaging.notify")
    except ModuleNotFoundError:
        return None

    def send(*, channel: str, sealed_address: str, sender_hash: str, text: str, key: str) -> str:
        return str(notify.enqueue_notification(tipline, channel=channel, sealed_address=sealed_address,
                                               sender_hash=sender_hash, text=text, key=key))

    return send
