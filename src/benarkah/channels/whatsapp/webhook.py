"""``/webhooks/whatsapp``: Meta's verification handshake and signed message deliveries.

A POST is checked before anything else: ``X-Hub-Signature-256`` must be the HMAC-SHA256 of the raw body
with the app secret (compared in constant time); missing -> 401, wrong -> 403, nothing stored. Then,
before the 200 goes back (so an answer of 200 means "stored for good"): identity changes (a person's
new number or user id) are applied first, so the messages that follow them find the same person; the
messages are committed to the inbox (deduplicated by message id); and delivery statuses are matched to
the outbox rows they report on. The worker answers the messages afterwards.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from ...messaging.store import MessageStore
from ...settings import Settings
from ..payload import InvalidPayload, load_json
from .parse import WebhookDelivery, parse_delivery, status_summary

log = logging.getLogger(__name__)
PATH = "/webhooks/whatsapp"
SIGNATURE_HEADER = "x-hub-signature-256"


def valid_signature(secret: str, body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), header.strip().lower().encode("ascii", "replace"))


def _error(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def whatsapp_router(settings: Settings, store: MessageStore) -> APIRouter | None:
    """The webhook, when ``BENARKAH_WHATSAPP_VERIFY_TOKEN`` and ``..._APP_SECRET`` are set."""
    if not (settings.whatsapp_verify_token and settings.whatsapp_app_secret):
        return None
    verify_token, secret = settings.whatsapp_verify_token, settings.whatsapp_app_secret
    router = APIRouter(tags=["whatsapp"])

    @router.get(PATH, include_in_schema=False)
    def verify(request: Request) -> Response:
        params = request.query_params
        token = params.get("hub.verify_token", "")
        if params.get("hub.mode") == "subscribe" and hmac.compare_digest(token.encode(), verify_token.encode()):
            return PlainTextResponse(params.get("hub.challenge", ""))
        return _error(403, "verification failed: hub.mode must be 'subscribe' and hub.verify_token must match "
                           "BENARKAH_WHATSAPP_VERIFY_TOKEN")

    @router.post(PATH, include_in_schema=False)
    async def deliver(request: Request) -> Response:
        body = await request.body()
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            return _error(401, "missing X-Hub-Signature-256")
        if not valid_signature(secret, body, signature):
            log.warning("whatsapp delivery with a wrong signature refused")
            return _error(403, "X-Hub-Signature-256 does not match the body (check BENARKAH_WHATSAPP_APP_SECRET)")
        try:
            payload = load_json(body)
        except InvalidPayload as exc:
            return _error(400, str(exc))
        delivery = parse_delivery(payload, settings.whatsapp_phone_number_id)
        stored = await run_in_threadpool(_store, store, delivery)
        return JSONResponse({"status": "ok", "stored": stored})

    return router


def _store(store: MessageStore, delivery: WebhookDelivery) -> int:
    """Identity changes, then messages, then statuses (one thread-pool hop for the lot)."""
    for change in delivery.changes:
        store.apply_identity_change(change)
    stored = sum(a.stored for a in store.accept(delivery.messages)) if delivery.messages else 0
    for report, outcome in zip(delivery.statuses, store.apply_statuses(delivery.statuses)):
        if report.error_code or outcome.action:
            log.warning("whatsapp reported %s%s", status_summary(report),
                        f"; outbox {outcome.outbox_id}: {outcome.action}" if outcome.action else "")
    return stored
