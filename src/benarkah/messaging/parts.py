"""A ``Reply`` as neutral outgoing parts, each within the channels' 4,096-character message limit.

Parts say *what* to send (a text, the menu, a results page with a "more" prompt, a template, an
answer to a button press); each channel's client decides *how* (WhatsApp interactive list and reply
button, Telegram inline keyboard). Keeping them neutral lets notifications be queued without knowing
the channel's request format, and keeps the queue free of people's addresses.
"""

from __future__ import annotations

from typing import Any

from ..domain.conversation import Reply, ReplyKind
from ..domain.render import render_text, widget_texts

MAX_MESSAGE_UNITS = 4096  # WhatsApp text body and Telegram message limit (counted here in UTF-16 units)

Part = dict[str, Any]


def text_units(text: str) -> int:
    """Length as both APIs count it: UTF-16 code units (an emoji outside the BMP counts two)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_MESSAGE_UNITS) -> list[str]:
    """Split at paragraph, then line, then word boundaries; a single overlong word is cut hard."""
    text = text.strip()
    if text_units(text) <= limit:
        return [text] if text else []
    for separator in ("\n\n", "\n", " "):
        pieces = text.split(separator)
        if len(pieces) > 1:
            return _pack(pieces, separator, limit)
    return _cut(text, limit)


def _pack(pieces: list[str], separator: str, limit: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{separator}{piece}" if current else piece
        if text_units(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current.strip())
        if text_units(piece) <= limit:
            current = piece
        else:
            *whole, current = split_text(piece, limit)
            chunks.extend(whole)
    if current.strip():
        chunks.append(current.strip())
    return [c for c in chunks if c]


def _cut(text: str, limit: int) -> list[str]:
    chunks, current = [], ""
    for char in text:
        if text_units(current + char) > limit:
            chunks.append(current)
            current = ""
        current += char
    return [*chunks, current] if current else chunks


def reply_parts(reply: Reply, context: dict[str, Any]) -> list[Part]:
    """The parts of one reply: an optional button-press answer, then the text in chunks; the last chunk
    carries the menu or the "more results" prompt when the reply has one."""
    parts: list[Part] = []
    if context.get("callback_id"):
        parts.append({"kind": "callback_answer", "id": context["callback_id"], "optional": True})
    chunks = split_text(render_text(reply))
    last_kind = "text"
    if reply.kind is ReplyKind.MENU:
        last_kind = "menu"
    elif reply.kind is ReplyKind.RESULTS and reply.more_available:
        last_kind = "more"
    for index, chunk in enumerate(chunks):
        part: Part = {"kind": last_kind if index == len(chunks) - 1 else "text", "text": chunk,
                      "language": reply.language}
        if index == 0 and context.get("message_id"):
            part["reply_to"] = context["message_id"]
        parts.append(part)
    return parts


def notice_parts(key: str, language: str, context: dict[str, Any]) -> list[Part]:
    """A queue notice (e.g. "slow down") as parts."""
    part: Part = {"kind": "text", "text": widget_texts(language)[key], "language": language}
    if context.get("message_id"):
        part["reply_to"] = context["message_id"]
    return [part]
