"""WhatsApp Cloud API webhook payloads into ``Inbound`` messages.

A delivery is ``{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages",
"value": {"metadata": {...}, "contacts": [...], "messages": [...], "statuses": [...]}}]}]}``. Every
message type the API sends is mapped; a shape we do not know is logged (without its content) and
skipped, never an error: Meta would otherwise retry the delivery for days.

Who sent a message (Meta's "Business-scoped user IDs", docs/messaging.md#identities): ``messages[].from``
(phone number, may be absent for people with a username), ``messages[].from_user_id`` (the BSUID), and
the matching ``contacts[]`` entry (``wa_id``, ``user_id``, ``parent_user_id``, ``profile.username``). A
message that has an id but none of these is still delivered (as unaddressable), never dropped. System
messages ``user_changed_number`` / ``user_changed_user_id`` become ``IdentityChange``s, and
``statuses[]`` become ``DeliveryReport``s (``recipient_id``, ``recipient_user_id`` name the recipient).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from ...domain.pictures import MediaProblem, MediaType
from ...identities import IdentityChange
from ...messaging.model import Delivery, DeliveryReport, Inbound, Kind, MediaRef
from ...privacy import Handles, is_bsuid, is_parent_bsuid
from .codes import remedy

log = logging.getLogger(__name__)
CHANNEL = "whatsapp"
COMMAND_PREFIX = "cmd:"
# Menu choices (ids of list rows and reply buttons we send) -> the command word the conversation knows.
COMMANDS = {"cek": "bantuan", "terbaru": "terbaru", "tips": "tips", "bantuan": "bantuan", "lagi": "lagi",
            "menu": "menu", "langganan": "langganan", "berhenti": "berhenti"}
MEDIA_KINDS = {"image": Kind.IMAGE, "video": Kind.VIDEO, "document": Kind.DOCUMENT, "sticker": Kind.STICKER,
               "location": Kind.LOCATION, "contacts": Kind.CONTACTS}
FILE_TYPES = {"image": MediaType.IMAGE, "video": MediaType.VIDEO, "document": MediaType.DOCUMENT,
              "sticker": MediaType.STICKER, "audio": MediaType.AUDIO}
READABLE_DECLARED = ("image/", "video/", "audio/")  # a document declared as anything else is refused unread
STATUSES = {d.value: d for d in Delivery}
NUMBER_CHANGES = ("user_changed_number", "customer_changed_number")
USER_ID_CHANGES = ("user_changed_user_id",)
MAX_ID_CHARS = 160


@dataclass
class WebhookDelivery:
    """What one webhook POST carried."""

    messages: list[Inbound] = field(default_factory=list)
    statuses: list[DeliveryReport] = field(default_factory=list)
    changes: list[IdentityChange] = field(default_factory=list)
    skipped: int = 0


def parse_delivery(payload: Any, phone_number_id: str | None = None) -> WebhookDelivery:
    """All messages, statuses and identity changes in a delivery; those for another phone number id
    are skipped."""
    delivery = WebhookDelivery()
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        log.warning("whatsapp delivery without entries (object=%r): acknowledged, ignored",
                    payload.get("object") if isinstance(payload, dict) else type(payload).__name__)
        delivery.skipped += 1
        return delivery
    for entry in payload["entry"]:
        for change in _list(entry.get("changes") if isinstance(entry, dict) else None):
            value = change.get("value") if isinstance(change, dict) else None
            field_name = change.get("field") if isinstance(change, dict) else None
            if isinstance(value, dict) and field_name == "user_id_update":
                delivery.changes.extend(_user_id_updates(value))
                continue
            if not isinstance(value, dict) or field_name != "messages":
                log.info("whatsapp change %r ignored", str(field_name)[:60])
                delivery.skipped += 1
                continue
            target = _dict(value.get("metadata")).get("phone_number_id")
            if phone_number_id and target and str(target) != str(phone_number_id):
                log.warning("whatsapp delivery for another phone number id ignored")
                delivery.skipped += len(_list(value.get("messages")))
                continue
            _parse_value(value, delivery)
    return delivery


def _parse_value(value: dict[str, Any], delivery: WebhookDelivery) -> None:
    contacts = [c for c in _list(value.get("contacts")) if isinstance(c, dict)]
    for raw in _list(value.get("messages")):
        if isinstance(raw, dict) and raw.get("type") == "system":
            change = parse_system(raw)
            if change is None:
                delivery.skipped += 1
            else:
                delivery.changes.append(change)
            continue
        message = parse_message(raw, contacts)
        if message is None:
            delivery.skipped += 1
        else:
            delivery.messages.append(message)
    for raw in _list(value.get("statuses")):
        report = parse_status(raw, contacts)
        if report is not None:
            delivery.statuses.append(report)


def parse_message(raw: Any, contacts: list[dict[str, Any]] | None = None) -> Inbound | None:
    """One message. Only a message without an id is skipped (it cannot be deduplicated); a message
    nobody can be identified for is delivered with empty handles, to be stored as unaddressable."""
    if not isinstance(raw, dict) or not _id(raw.get("id")):
        log.warning("whatsapp message without an id: acknowledged, ignored")
        return None
    handles = sender_handles(raw, contacts or [])
    kind, text = _kind_and_text(raw)
    context: dict[str, Any] = {"type": str(raw.get("type", ""))[:40]}
    if kind is not Kind.REACTION:
        context["message_id"] = str(raw["id"])
    return Inbound(channel=CHANNEL, external_id=str(raw["id"]), address=handles.reply_address, kind=kind,
                   text=text, context=context, handles=handles, media=media_ref(raw))


def media_ref(raw: dict[str, Any]) -> MediaRef | None:
    """The file an image/video/document/sticker/audio message carries: its media id and what the
    message claims about it (type, size, hash). The bytes are fetched later by the media lane."""
    kind = raw.get("type")
    if kind not in FILE_TYPES:
        return None
    content = _dict(raw.get(kind))
    declared = str(content.get("mime_type") or "")[:100].lower()
    problem = None
    if kind == "document" and declared and not declared.startswith(READABLE_DECLARED):
        problem = MediaProblem.UNSUPPORTED  # a PDF, an APK, a ZIP: not read, whatever it really is
    size = content.get("file_size")
    return MediaRef(FILE_TYPES[kind], file_id=_id(content.get("id")), mime=declared,
                    size=size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else 0,
                    sha256=str(content.get("sha256") or "")[:128], problem=problem)


def sender_handles(raw: dict[str, Any], contacts: list[dict[str, Any]]) -> Handles:
    """Phone number, BSUID, parent BSUID and username of a message's sender, from the message and its
    ``contacts[]`` entry (the one whose ``wa_id`` / ``user_id`` matches, or the only one)."""
    phone, bsuid = _phone(raw.get("from")), _bsuid(raw.get("from_user_id"))
    if not bsuid and is_bsuid(str(raw.get("from", ""))):  # some payloads carry the BSUID in "from"
        bsuid = _bsuid(raw.get("from"))
    contact = _contact_for(contacts, phone, bsuid)
    profile = _dict(contact.get("profile"))
    return Handles(
        bsuid=bsuid or _bsuid(contact.get("user_id")),
        phone=phone or _phone(contact.get("wa_id")),
        parent_bsuid=_parent(raw.get("from_parent_user_id")) or _parent(contact.get("parent_user_id")),
        username=_username(profile.get("username") or contact.get("username")))


def _contact_for(contacts: list[dict[str, Any]], phone: str, bsuid: str) -> dict[str, Any]:
    for contact in contacts:
        if (phone and _phone(contact.get("wa_id")) == phone) or (bsuid and _bsuid(contact.get("user_id")) == bsuid):
            return contact
    if len(contacts) == 1 and not phone and not bsuid:
        return contacts[0]
    return {}


def parse_system(raw: dict[str, Any]) -> IdentityChange | None:
    """A system message announcing that a person's number (``user_changed_number``) or BSUID
    (``user_changed_user_id``) changed: ``system.previous_user_id`` / ``previous_parent_user_id`` and
    the message's ``from`` name them as they were; ``system.user_id`` / ``parent_user_id`` and, for a
    number change, ``system.wa_id`` as they are now."""
    system = _dict(raw.get("system"))
    reason = str(system.get("type", ""))[:40]
    if reason not in (*NUMBER_CHANGES, *USER_ID_CHANGES):
        log.info("whatsapp system message %r ignored", reason)
        return None
    old = Handles(bsuid=_bsuid(system.get("previous_user_id")) or _bsuid(raw.get("from_user_id")),
                  phone=_phone(raw.get("from")), parent_bsuid=_parent(system.get("previous_parent_user_id")))
    new = Handles(bsuid=_bsuid(system.get("user_id")) or _bsuid(system.get("new_user_id")),
                  phone=_phone(system.get("wa_id") or system.get("new_wa_id")) if reason in NUMBER_CHANGES else "",
                  parent_bsuid=_parent(system.get("parent_user_id")))
    if new.bsuid and new.bsuid == old.bsuid:
        old = Handles(phone=old.phone, parent_bsuid=old.parent_bsuid)
    if not old or not new:
        log.warning("whatsapp %s without the old or the new identifiers: ignored", reason)
        return None
    return IdentityChange(CHANNEL, old=old, new=new, reason=reason)


def _user_id_updates(value: dict[str, Any]) -> list[IdentityChange]:
    """The ``user_id_update`` webhook field (documented by Meta until August 2026, when its changelog
    said BSUID changes come as system messages instead): accepted with the system message's keys."""
    items = value.get("user_id_update")
    changes = []
    for item in (items if isinstance(items, list) else [value]):
        if isinstance(item, dict):
            change = parse_system({"from": item.get("wa_id"), "system": {**item, "type": USER_ID_CHANGES[0]}})
            if change is not None:
                changes.append(change)
    return changes


def parse_status(raw: Any, contacts: list[dict[str, Any]] | None = None) -> DeliveryReport | None:
    """A status of a message we sent: sent, delivered, read, or failed with ``errors[].code``."""
    if not isinstance(raw, dict) or not _id(raw.get("id")) or raw.get("status") not in STATUSES:
        return None
    errors = [e for e in _list(raw.get("errors")) if isinstance(e, dict)]
    code = str(errors[0].get("code", ""))[:40] if errors else ""
    title = str(errors[0].get("title") or errors[0].get("message") or "")[:200] if errors else ""
    phone, bsuid = _phone(raw.get("recipient_id")), _bsuid(raw.get("recipient_user_id"))
    contact = _contact_for(contacts or [], phone, bsuid)
    recipient = Handles(bsuid=bsuid or _bsuid(contact.get("user_id")), phone=phone or _phone(contact.get("wa_id")),
                        parent_bsuid=_parent(raw.get("recipient_parent_user_id")),
                        username=_username(_dict(contact.get("profile")).get("username")))
    status = STATUSES[raw["status"]]
    return DeliveryReport(CHANNEL, str(raw["id"]), status, error_code=code, error=title,
                          remedy=remedy(code) if status is Delivery.FAILED else None, recipient=recipient)


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
    if kind in ("image", "video", "document"):  # the caption goes with the file: both are checked together
        return MEDIA_KINDS[kind], str(_dict(raw.get(kind)).get("caption") or "").strip()
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


def status_summary(report: DeliveryReport) -> str:
    """A status update for the log: never the recipient's number or user id."""
    return f"{report.status} {report.external_id[:40]} {report.error_code} {report.error}".strip()


def _id(value: Any) -> str:
    return value if isinstance(value, str) and 0 < len(value) <= 200 else ""


def _phone(value: Any) -> str:
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    return text if text.isascii() and text.isdigit() and len(text) <= 20 else ""


def _bsuid(value: Any) -> str:
    return value if isinstance(value, str) and is_bsuid(value) and not is_parent_bsuid(value) else ""


def _parent(value: Any) -> str:
    return value if isinstance(value, str) and is_parent_bsuid(value) else ""


def _username(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    name = value.strip().lstrip("@").lower()
    return name if 0 < len(name) <= MAX_ID_CHARS and name.isprintable() else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
