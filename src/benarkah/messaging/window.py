"""WhatsApp's customer-service window, the one rule for when a free-form message may be sent.

Meta allows free-form messages only within 24 hours of the person's last message to the business;
outside it only an approved template may go. The outbox sender (before each free-form reply) and the
follow-up notifier (when choosing between text and template) both ask here. Telegram bots may write to
anyone who started them, at any time.
"""

from __future__ import annotations

import time

SERVICE_WINDOW_SECONDS: dict[str, float] = {"whatsapp": 24 * 3600.0}


def window_open(channel: str, last_inbound_at: float | None, now: float | None = None) -> bool:
    """Whether a free-form message may be sent on ``channel`` to someone last heard from at
    ``last_inbound_at`` (epoch seconds; None: never)."""
    window = SERVICE_WINDOW_SECONDS.get(channel)
    if window is None:
        return True
    now = time.time() if now is None else now
    return last_inbound_at is not None and now - last_inbound_at < window
