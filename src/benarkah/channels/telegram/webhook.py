"""``/webhooks/telegram``: updates from the Bot API, checked with ``X-Telegram-Bot-Api-Secret-Token``.

Register it with ``setWebhook(url=..., secret_token=BENARKAH_TELEGRAM_SECRET)``; Telegram then sends the
secret with every update, so a request without it (or with another) is refused and nothing is stored.
The update is committed to the inbox before the 200 goes back (Telegram retries anything else).
"""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from ...messaging.store import MessageStore
from ...settings import Settings
from ..payload import InvalidPayload, load_json
from .parse import parse_update

log = logging.getLogger(__name__)
PATH = "/webhooks/telegram"
SECRET_HEADER = "x-telegram-bot-api-secret-token"


def telegram_router(settings: Settings, store: MessageStore) -> APIRouter | None:
    """The webhook, when ``BENARKAH_TELEGRAM_TOKEN`` and ``BENARKAH_TELEGRAM_SECRET`` are set."""
    if not (settings.telegram_token and settings.telegram_secret):
        return None
    secret = settings.telegram_secret.encode("utf-8")
    router = APIRouter(tags=["telegram"])

    @router.post(PATH, include_in_schema=False)
    async def deliver(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER)
        if not given:
            return JSONResponse({"detail": "missing X-Telegram-Bot-Api-Secret-Token"}, status_code=401)
        if not hmac.compare_digest(given.encode("utf-8", "replace"), secret):
            log.warning("telegram update with a wrong secret token refused")
            return JSONResponse({"detail": "X-Telegram-Bot-Api-Secret-Token does not match BENARKAH_TELEGRAM_SECRET"},
                                status_code=403)
        try:
            update = load_json(await request.body())
        except InvalidPayload as exc:
            return JSONResponse({"detail": str(exc)}, status_code=400)
        message = parse_update(update)
        stored = 0
        if message is not None:
            accepted = await run_in_threadpool(store.accept, [message])
            stored = sum(a.stored for a in accepted)
        return JSONResponse({"ok": True, "stored": stored})

    return router
