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


def wa_user_message(phone: str | None, bsuid: str | None, kind: str = "text", content: Any = None,
                    message_id: str | None = None) -> dict:
    """A message as Meta sends it since BSUIDs (Business-scoped user IDs): ``from`` (the phone number)
    only when it may be shared, ``from_user_id`` (the BSUID) always, when given."""
    message = wa_message(phone or "", kind, content, message_id)
    if phone is None:
        del message["from"]
    if bsuid is not None:
        message["from_user_id"] = bsuid
    return message


def wa_contact(phone: str | None = None, bsuid: str | None = None, username: str | None = None,
               parent: str | None = None) -> dict:
    """One ``contacts[]`` entry: ``wa_id`` only when the number may be shared; ``user_id`` the BSUID."""
    profile: dict[str, Any] = {"name": "Pengirim"}
    if username:
        profile["username"] = username
    contact: dict[str, Any] = {"profile": profile}
    for key, value in (("wa_id", phone), ("user_id", bsuid), ("parent_user_id", parent)):
        if value:
            contact[key] = value
    return contact


def wa_system(reason: str, old_phone: str | None, previous_bsuid: str | None, new_bsuid: str | None,
              new_phone: str | None = None) -> dict:
    """A system message: ``user_changed_number`` (with the new number) or ``user_changed_user_id``."""
    system: dict[str, Any] = {"type": reason, "body": "User changed"}
    if previous_bsuid:
        system["previous_user_id"] = previous_bsuid
    if new_bsuid:
        system["user_id"] = new_bsuid
    if new_phone:
        system["wa_id"] = new_phone
    message: dict[str, Any] = {"id": wamid(), "timestamp": str(int(time.time())), "type": "system", "system": system}
    if old_phone:
        message["from"] = old_phone
    return message


def wa_delivery(*messages: dict, statuses: list[dict] | None = None, contacts: list[dict] | None = None,
                phone_number_id: str = WA_PHONE_NUMBER_ID) -> dict:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": phone_number_id},
    }
    if contacts is not None:
        value["contacts"] = contacts
    elif messages:
        value["contacts"] = [{"profile": {"name": "Pengirim"}, "wa_id": m["from"]} for m in messages if m.get("from")]
    if messages:
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = statuses
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "WABA_ID", "changes": [{"value": value, "field": "messages"}]}]}


def wa_status(message_id: str, status: str = "delivered", recipient: str | None = "6281200000000",
              recipient_user_id: str | None = None, error: tuple[int, str] | None = None) -> dict:
    """One ``statuses[]`` entry: ``recipient_id`` (phone number, when it may be shared) and
    ``recipient_user_id`` (the BSUID); a failed status carries ``errors[]`` with the Graph code."""
    status_body: dict[str, Any] = {"id": message_id, "status": status, "timestamp": str(int(time.time()))}
    if recipient:
        status_body["recipient_id"] = recipient
    if recipient_user_id:
        status_body["recipient_user_id"] = recipient_user_id
    if error:
        status_body["errors"] = [{"code": error[0], "title": error[1]}]
    return status_body


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
