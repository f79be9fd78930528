"""Cloud API error codes benarkah acts on, and what each means for a message (Meta's "WhatsApp error
codes" reference, developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes).

The same codes arrive two ways: synchronously in a Graph error response, and asynchronously in a
``failed`` status webhook after the API had accepted the message; both map to one ``Remedy``.
"""

from __future__ import annotations

from ...messaging.model import Remedy

REENGAGEMENT = 131047          # more than 24 hours since the person last wrote: only a template may go
BSUID_NOT_SUPPORTED = 131062   # this message type cannot go to a business-scoped user id
# "Slow down / try later" even when the HTTP status is 400: rate limits (4, 80007, 130429, 131056),
# temporary errors (131000 something went wrong, 131016 service unavailable, 133004 server
# temporarily unavailable) and 131048 (spam rate limit: the number is sending too much).
RETRYABLE = frozenset({4, 80007, 130429, 131000, 131016, 131048, 131056, 133004})


def remedy(code: object) -> Remedy:
    """What to do about an error code: retry, resend as a template, or give up visibly. Everything not
    known to be temporary is given up on (131026 undeliverable, 131049/131050 not delivered by Meta's
    choice or the person's, 131051 unsupported type, 131062, token and parameter errors …): sending
    the same request again would only fail again."""
    number = _code(code)
    if number == REENGAGEMENT:
        return Remedy.TEMPLATE
    if number in RETRYABLE:
        return Remedy.RETRY
    return Remedy.GIVE_UP


def _code(code: object) -> int | None:
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return code
    text = str(code).strip()
    return int(text) if text.isdigit() and len(text) <= 9 else None
