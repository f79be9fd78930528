"""WhatsApp Cloud API webhook payloads into ``Inbound`` messages.

A delivery is ``{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages",
"value": {"metadata": {...}, "contacts": [...], "messages": [...], "statuses": [...]}}]}]}``. Every
message type the API sends is mapped; a shape we do not know is logged (without its content) and
skipped, never an error: Meta would otherwise retry the delivery for days.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from ...messaging.model import Inbound, Kind

log = logging.getLogger(__name__)
CHANNEL = "whatsapp"
COMMAND_PREFIX = "cmd:"
# Menu choices (ids of list rows and reply buttons we send) -> the command word the conversation knows.
COMMANDS = {"cek": "bantuan", "terbaru": "terbaru", "tips": "tips", "bantuan": "bantuan", "lagi": "lagi",
            "menu": "menu"}
MEDIA_KINDS = {"image": Kind.IMAGE, "video": Kind.VIDEO, "document": Kind.DOCUMENT, "sticker": Kind.STICKER,
               "location": Kind.LOCATION, "contacts": Kind.CONTACTS}


@dataclass
class Delivery:
    messages: list[Inbound] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0


def parse_delivery(payload: Any, phone_number_id: str | None = None) -> Delivery:
    """All messages and statuses in a delivery; those for another phone number id are skipped."""
    delivery = Delivery()
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        log.warning("whatsapp delivery without entries (object=%r): acknowledged, ignored",
                    payload.get("object") if isinstance(payload, dict) else type(payload).__name__)
        delivery.skipped += 1
        return delivery
    for entry in payload["entry"]:
        for change in _list(entry.get("changes") if isinstance(entry, dict) else None):
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict) or change.get("field") != "messages":
                log.info("whatsapp change %r ignored", change.get("field") if isinstance(change, dict) else None)
                delivery.skipped += 1
                continue
            target = _dict(value.get("metadata")).get("phone_number_id")
            if phone_number_id and target and str(target) != str(phone_number_id):
                log.warning("whatsapp delivery for another phone number id ignored")
                delivery.skipped += len(_list(value.get("messages")))
                continue
            for raw in _list(value.get("messages")):
                message = parse_message(raw)
                if message is None:
                    delivery.skipped += 1
                else:
                    delivery.messages.append(message)
            delivery.statuses.extend(s for s in _list(value.get("statuses")) if isinstance(s, dict))
    return delivery


def parse_message(raw: Any) -> Inbound | None:
    if not isinstance(raw, dict) or not raw.get("from") or not raw.get("id"):
        log.warning("whatsapp message without sender or id: acknowledged, ignored")
        return None
    kind, text = _kind_and_text(raw)
    context: dict[str, Any] = {"type": str(raw.get("type", ""))[:40]}
    if kind is not Kind.REACTION:
        context["message_id"] = str(raw["id"])
    return Inbound(channel=CHANNEL, external_id=str(raw["id"]), address=str(raw["from"]), kind=kind,
                   text=text, context=context)


def _kind_and_text(raw: dict[str, Any]) -> tuple[Kind, str]:
    kind = raw.get("type")
    if kind == "text":
        body = _dict(raw.get("text")).get("body")
        return Kind.TEXT, body if isinstance(body, str) else ""
    if kind == "interactive":
        return _interactive(_dict(raw.get("interactive")))
    if kind == "button":  # a quick-reply button of a template message
        button = _dict(raw.get("button"))
        return Kind.TEXT, str(button.get("text") or button.get("payload") or "")
    if kind in ("image", "video", "document"):
        caption = str(_dict(raw.get(kind)).get("caption") or "").strip()
        if caption:  # a forwarded picture with its claim written under it: check the words
            return Kind.TEXT, caption
        return MEDIA_KINDS[kind], ""
    if kind == "audio":
        return (Kind.VOICE if _dict(raw.get("audio")).get("voice") else Kind.AUDIO), ""
    if kind in MEDIA_KINDS:
        return MEDIA_KINDS[kind], ""
    if kind == "reaction":
        return Kind.REACTION, ""
    if kind == "request_welcome":  # the person opened the chat for the first time
        return Kind.COMMAND, "menu"
    if kind != "unsupported":
        log.info("whatsapp message type %r answered as unsupported", str(kind)[:40])
    return Kind.UNSUPPORTED, ""


def _interactive(interactive: dict[str, Any]) -> tuple[Kind, str]:
    reply = _dict(interactive.get("list_reply") or interactive.get("button_reply"))
    choice = str(reply.get("id", ""))
    if choice.startswith(COMMAND_PREFIX) and choice[len(COMMAND_PREFIX):] in COMMANDS:
        return Kind.COMMAND, COMMANDS[choice[len(COMMAND_PREFIX):]]
    if reply.get("title"):
        return Kind.TEXT, str(reply["title"])
    return Kind.UNSUPPORTED, ""


def status_summary(status: dict[str, Any]) -> str:
    """A status update for the log: never the recipient's number."""
    errors = [f"{e.get('code')} {e.get('title', '')}".strip() for e in _list(status.get("errors"))
              if isinstance(e, dict)]
    return f"{status.get('status')} {str(status.get('id', ''))[:40]} {'; '.join(errors)}".strip()


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
