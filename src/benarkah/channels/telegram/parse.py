"""Telegram ``Update`` objects into ``Inbound`` messages (deduplicated by ``update_id``).

Handled: messages (text, commands, captions, and every media kind as "not text"), and button presses
(``callback_query``) from our inline keyboards. Other updates (edits, membership changes, channel posts)
are acknowledged and ignored.
"""

from __future__ import annotations

import logging
from typing import Any

from ...domain.pictures import MediaProblem, MediaType
from ...messaging.model import Inbound, Kind, MediaRef

log = logging.getLogger(__name__)
CHANNEL = "telegram"
COMMAND_PREFIX = "cmd:"
COMMANDS = {"cek": "bantuan", "terbaru": "terbaru", "tips": "tips", "bantuan": "bantuan", "lagi": "lagi",
            "menu": "menu", "langganan": "langganan", "berhenti": "berhenti"}
MEDIA_KINDS = (
    ("photo", Kind.IMAGE), ("video", Kind.VIDEO), ("animation", Kind.VIDEO), ("video_note", Kind.VIDEO),
    ("voice", Kind.VOICE), ("audio", Kind.AUDIO), ("document", Kind.DOCUMENT), ("sticker", Kind.STICKER),
    ("location", Kind.LOCATION), ("venue", Kind.LOCATION), ("contact", Kind.CONTACTS),
)


def parse_update(update: Any) -> Inbound | None:
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        log.warning("telegram update without update_id: acknowledged, ignored")
        return None
    update_id = str(update["update_id"])
    if isinstance(update.get("message"), dict):
        return _message(update_id, update["message"])
    if isinstance(update.get("callback_query"), dict):
        return _callback(update_id, update["callback_query"])
    log.info("telegram update of another kind ignored: %s", ", ".join(k for k in update if k != "update_id")[:80])
    return None


def _chat_id(message: dict[str, Any]) -> str | None:
    chat = message.get("chat")
    return str(chat["id"]) if isinstance(chat, dict) and isinstance(chat.get("id"), int) else None


def _message(update_id: str, message: dict[str, Any]) -> Inbound | None:
    chat_id = _chat_id(message)
    if chat_id is None:
        log.warning("telegram message without chat id: ignored")
        return None
    kind, text = _kind_and_text(message)
    context: dict[str, Any] = {}
    if isinstance(message.get("message_id"), int):
        context["message_id"] = message["message_id"]
    media = media_ref(message)
    return Inbound(channel=CHANNEL, external_id=update_id, address=chat_id, kind=kind, text=text, context=context,
                   media=media)


READABLE_DECLARED = ("image/", "video/", "audio/")
FILE_TYPES = (("photo", MediaType.IMAGE), ("video", MediaType.VIDEO), ("animation", MediaType.VIDEO),
              ("video_note", MediaType.VIDEO), ("voice", MediaType.AUDIO), ("audio", MediaType.AUDIO),
              ("document", MediaType.DOCUMENT), ("sticker", MediaType.STICKER))


def media_ref(message: dict[str, Any]) -> MediaRef | None:
    """The file a message carries: its ``file_id`` (the largest size of a photo) and what the update
    says about it. Animated (Lottie) stickers and documents declared as neither picture, video nor
    audio are refused from the update alone."""
    for key, media in FILE_TYPES:
        content = message.get(key)
        if key == "photo":
            sizes = [p for p in content if isinstance(p, dict) and p.get("file_id")] if isinstance(content, list) else []
            content = max(sizes, key=lambda p: (int(p.get("width") or 0) * int(p.get("height") or 0)), default=None)
        if not isinstance(content, dict) or not content.get("file_id"):
            continue
        declared = str(content.get("mime_type") or ("image/jpeg" if key == "photo" else ""))[:100].lower()
        problem = None
        if key == "sticker" and content.get("is_animated"):
            problem = MediaProblem.ANIMATED_STICKER
        elif key == "document" and declared and not declared.startswith(READABLE_DECLARED):
            problem = MediaProblem.UNSUPPORTED
        size = content.get("file_size")
        return MediaRef(media, file_id=str(content["file_id"])[:300], mime=declared,
                        size=size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else 0,
                        problem=problem)
    return None


def _kind_and_text(message: dict[str, Any]) -> tuple[Kind, str]:
    if isinstance(message.get("text"), str):
        text = message["text"]
        if text.startswith("/"):  # "/start@benarkah_bot payload" -> "/start"
            text = text.split()[0].split("@")[0] if text.split() else text
        return Kind.TEXT, text
    caption = str(message.get("caption") or "").strip()  # checked together with the file it describes
    for key, kind in MEDIA_KINDS:
        if key in message:
            return kind, caption
    if caption:
        return Kind.TEXT, caption
    return Kind.UNSUPPORTED, ""


def _callback(update_id: str, query: dict[str, Any]) -> Inbound | None:
    message = query.get("message")
    chat_id = _chat_id(message) if isinstance(message, dict) else None
    if chat_id is None or not query.get("id"):
        log.info("telegram callback query without a chat: ignored")
        return None
    data = str(query.get("data") or "")
    command = COMMANDS.get(data.removeprefix(COMMAND_PREFIX)) if data.startswith(COMMAND_PREFIX) else None
    context = {"callback_id": str(query["id"])}
    if command is None:
        return Inbound(CHANNEL, update_id, chat_id, Kind.UNSUPPORTED, "", context)
    return Inbound(CHANNEL, update_id, chat_id, Kind.COMMAND, command, context)
