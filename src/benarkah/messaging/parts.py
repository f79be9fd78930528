"""A ``Reply`` as neutral outgoing parts, each within the channels' 4,096-character message limit.

Parts say *what* to send (a text, the menu, a results page with a "more" prompt, a template, an
answer to a button press); each channel's client decides *how* (WhatsApp interactive list and reply
button, Telegram inline keyboard). Keeping them neutral lets notifications be queued without knowing
the channel's request format, and keeps the queue free of people's addresses.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Mapping

from ..domain.conversation import Reply, ReplyKind
from ..domain.render import render_text, widget_texts


class Widget(enum.StrEnum):
    """What a channel may draw under a text: nothing, the menu, or a "more results" button."""

    NONE = "text"
    MENU = "menu"
    MORE = "more"
    UNSUBSCRIBE = "unsubscribe"  # a digest: a button that sends "berhenti"


@dataclass(frozen=True)
class TextPart:
    """A free-form message (on WhatsApp only inside the 24-hour customer-service window)."""

    text: str
    language: str = "id"
    widget: Widget = Widget.NONE
    reply_to: str | int | None = None  # the inbound message to quote (WhatsApp wamid, Telegram message id)


@dataclass(frozen=True)
class TemplatePart:
    """An approved WhatsApp template with one body parameter (outside the window); ``buttons`` are the
    payloads of its quick-reply buttons, in order (a digest's "Berhenti" sends back ``berhenti``)."""

    name: str
    language: str
    text: str
    buttons: tuple[str, ...] = ()


TEMPLATE_PARAMETER_CHARS = 1024


def as_template(name: str, language: str, text: str) -> TemplatePart:
    """``text`` as the one body parameter of an approved template: WhatsApp refuses new lines and runs
    of spaces in parameters, and more than 1,024 characters."""
    return TemplatePart(name, language, " ".join(text.split())[:TEMPLATE_PARAMETER_CHARS])


@dataclass(frozen=True)
class CallbackAnswer:
    """Telegram: stop the spinner on a pressed inline button. Optional: a refusal is not a failure."""

    callback_id: str
    optional: bool = True


Part = TextPart | TemplatePart | CallbackAnswer


def part_to_json(part: Part) -> dict[str, Any]:
    """The stored form of a part (the outbox keeps JSON; the format predates the classes)."""
    if isinstance(part, TextPart):
        data: dict[str, Any] = {"kind": str(part.widget), "text": part.text, "language": part.language}
        if part.reply_to is not None:
            data["reply_to"] = part.reply_to
        return data
    if isinstance(part, TemplatePart):
        data = {"kind": "template", "name": part.name, "language": part.language, "text": part.text}
        if part.buttons:
            data["buttons"] = list(part.buttons)
        return data
    return {"kind": "callback_answer", "id": part.callback_id, "optional": part.optional}


def part_from_json(data: Mapping[str, Any]) -> Part:
    kind = data.get("kind")
    if kind == "template":
        buttons = data.get("buttons") or []
        return TemplatePart(str(data["name"]), str(data.get("language", "id")), str(data.get("text", "")),
                            tuple(str(b) for b in buttons) if isinstance(buttons, list) else ())
    if kind == "callback_answer":
        return CallbackAnswer(str(data["id"]), bool(data.get("optional", True)))
    reply_to = data.get("reply_to")
    return TextPart(str(data.get("text", "")), str(data.get("language", "id")), Widget(kind or "text"),
                    reply_to if isinstance(reply_to, (str, int)) else None)


MAX_MESSAGE_UNITS = 4096  # WhatsApp text body and Telegram message limit (counted here in UTF-16 units)



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


def reply_parts(reply: Reply, context: Mapping[str, Any]) -> list[Part]:
    """The parts of one reply: an optional button-press answer, then the text in chunks; the last chunk
    carries the menu or the "more results" prompt when the reply has one."""
    parts: list[Part] = []
    if context.get("callback_id"):
        parts.append(CallbackAnswer(str(context["callback_id"])))
    chunks = split_text(render_text(reply))
    last = Widget.NONE
    if reply.kind is ReplyKind.MENU:
        last = Widget.MENU
    elif reply.kind is ReplyKind.RESULTS and reply.more_available:
        last = Widget.MORE
    for index, chunk in enumerate(chunks):
        parts.append(TextPart(chunk, reply.language, last if index == len(chunks) - 1 else Widget.NONE,
                              context.get("message_id") if index == 0 else None))
    return parts


def notice_parts(key: str, language: str, context: Mapping[str, Any]) -> list[Part]:
    """A queue notice (e.g. "slow down") as parts."""
    return [TextPart(widget_texts(language)[key], language, reply_to=context.get("message_id"))]
