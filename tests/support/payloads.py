"""Webhook payloads as WhatsApp and Telegram send them (shapes from their API references), and signing."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any

from .fake_apis import WA_PHONE_NUMBER_ID

APP_SECRET = "fake-app-secret-for-tests"
VERIFY_TOKEN = "verify-me-please"
TG_SECRET = "telegram-secret_token-123"
_ids = itertools.count(1)


def wamid() -> str:
    return f"wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA{next(_ids):08d}"


def wa_message(sender: str, kind: str = "text", content: Any = None, message_id: str | None = None) -> dict:
    """One entry of ``value.messages``. ``content`` is the type's object (defaults per type)."""
    defaults: dict[str, Any] = {
        "text": {"body": "vaksin covid mengandung chip?"},
        "image": {"mime_type": "image/jpeg", "sha256": "abc=", "id": "1001"},
        "video": {"mime_type": "video/mp4", "sha256": "abc=", "id": "1002"},
        "audio": {"mime_type": "audio/ogg; codecs=opus", "sha256": "abc=", "id": "1003", "voice": False},
        "document": {"mime_type": "application/pdf", "sha256": "abc=", "id": "1004", "filename": "surat.pdf"},
        "sticker": {"mime_type": "image/webp", "sha256": "abc=", "id": "1005", "animated": False},
        "location": {"latitude": -6.2, "longitude": 106.8, "name": "Monas", "address": "Jakarta"},
        "contacts": [{"name": {"formatted_name": "Budi", "first_name": "Budi"},
                      "phones": [{"phone": "+62 811 0000 000", "type": "CELL"}]}],
        "reaction": {"message_id": "wamid.previous", "emoji": "👍"},
        "interactive": {"type": "list_reply", "list_reply": {"id": "cmd:terbaru", "title": "Terbaru"}},
        "button": {"payload": "menu", "text": "menu"},
        "unsupported": None,
        "request_welcome": None,
    }
    message: dict[str, Any] = {"from": sender, "id": message_id or wamid(), "timestamp": str(int(time.time())),
                               "type": kind}
    body = content if content is not None else defaults.get(kind)
    if kind == "unsupported":
        message["errors"] = [{"code": 131051, "title": "Message type unknown",
                              "error_data": {"details": "Message type is currently not supported."}}]
    elif body is not None:
        message[kind] = body
    return message


def wa_delivery(*messages: dict, statuses: list[dict] | None = None,
                phone_number_id: str = WA_PHONE_NUMBER_ID) -> dict:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": phone_number_id},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": "Pengirim"}, "wa_id": m["from"]} for m in messages]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = statuses
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "WABA_ID", "changes": [{"value": value, "field": "messages"}]}]}


def wa_status(message_id: str, status: str = "delivered", recipient: str = "6281200000000") -> dict:
    return {"id": message_id, "status": status, "timestamp": str(int(time.time())), "recipient_id": recipient}


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed(payload: Any, secret: str = APP_SECRET) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    return body, {"content-type": "application/json", "x-hub-signature-256": sign(body, secret)}


_updates = itertools.count(700_000_000)


def tg_message(chat_id: int, text: str | None = "vaksin chip", update_id: int | None = None, **extra: Any) -> dict:
    message: dict[str, Any] = {"message_id": next(_updates) % 100_000, "date": int(time.time()),
                               "from": {"id": chat_id, "is_bot": False, "first_name": "Siti", "language_code": "id"},
                               "chat": {"id": chat_id, "type": "private", "first_name": "Siti"}}
    if text is not None:
        message["text"] = text
    message.update(extra)
    return {"update_id": update_id or next(_updates), "message": message}


def tg_callback(chat_id: int, data: str, update_id: int | None = None) -> dict:
    return {"update_id": update_id or next(_updates), "callback_query": {
        "id": str(next(_updates)), "chat_instance": "-123", "data": data,
        "from": {"id": chat_id, "is_bot": False, "first_name": "Siti"},
        "message": {"message_id": 5, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
                    "text": "menu"}}}
