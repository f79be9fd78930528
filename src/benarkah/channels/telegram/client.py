"""Sending through the Bot API: ``POST {API_BASE}/bot{TOKEN}/sendMessage`` (and answerCallbackQuery).

Replies are written in WhatsApp-style ``*bold*`` / ``_italic_``; here they become Telegram HTML (with
everything else escaped, so a fact-check title with ``<`` or ``&`` cannot break the message). The menu
and "more results" become inline keyboards whose button presses come back as callback queries.
"""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

from ...domain.render import widget_texts
from ...messaging.model import Remedy, SendError
from ...messaging.parts import CallbackAnswer, Part, TemplatePart, Widget
from .parse import COMMAND_PREFIX

_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")


def to_html(text: str) -> str:
    escaped = html.escape(text, quote=False)
    return _ITALIC.sub(r"<i>\1</i>", _BOLD.sub(r"<b>\1</b>", escaped))


class TelegramClient:
    channel = "telegram"

    def __init__(self, api_base: str, token: str, timeout: float = 10.0) -> None:
        self.base = f"{api_base.rstrip('/')}/bot{token}"
        self.http = httpx.Client(timeout=timeout)

    def send(self, address: str, part: Part) -> str:
        method, body = build_request(address, part)
        try:
            response = self.http.post(f"{self.base}/{method}", json=body)
        except httpx.TimeoutException as exc:
            raise SendError(f"Telegram API timed out: {type(exc).__name__}", retryable=True) from None
        except httpx.TransportError as exc:
            raise SendError(f"Telegram API unreachable: {type(exc).__name__}", retryable=True) from None
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        if response.status_code == 200 and payload.get("ok"):
            result = payload.get("result")
            return str(result.get("message_id", "")) if isinstance(result, dict) else ""
        retry_after = (payload.get("parameters") or {}).get("retry_after") if isinstance(payload, dict) else None
        status = response.status_code
        retryable = status == 429 or status >= 500
        # 403: the person blocked the bot (or deleted their account): sending again cannot help.
        raise SendError(f"Telegram API {status}: {str(payload.get('description', ''))[:200]}",
                        retryable=retryable,
                        retry_after=float(retry_after) if isinstance(retry_after, (int, float)) else None,
                        code=str(payload.get("error_code") or status)[:40],
                        remedy=Remedy.RETRY if retryable else Remedy.GIVE_UP)

    def close(self) -> None:
        self.http.close()


def _chat(address: str) -> int | str:
    return int(address) if address.lstrip("-").isdigit() else address


def build_request(chat: str, part: Part) -> tuple[str, dict[str, Any]]:
    if isinstance(part, CallbackAnswer):
        return "answerCallbackQuery", {"callback_query_id": part.callback_id}
    if isinstance(part, TemplatePart):  # Telegram has no templates: the template's text goes as a message
        return "sendMessage", {"chat_id": _chat(chat), "text": to_html(part.text), "parse_mode": "HTML",
                               "link_preview_options": {"is_disabled": True}}
    body: dict[str, Any] = {"chat_id": _chat(chat), "text": to_html(part.text),
                            "parse_mode": "HTML", "link_preview_options": {"is_disabled": True}}
    if isinstance(part.reply_to, int):
        body["reply_parameters"] = {"message_id": part.reply_to, "allow_sending_without_reply": True}
    labels = widget_texts(part.language)
    if part.widget is Widget.MENU:
        body["reply_markup"] = {"inline_keyboard": [
            [_button(labels["check_title"], "cek"), _button(labels["latest_title"], "terbaru")],
            [_button(labels["tips_title"], "tips"), _button(labels["help_title"], "bantuan")],
            [_button(labels["subscribe_title"], "langganan")]]}
    elif part.widget is Widget.MORE:
        body["reply_markup"] = {"inline_keyboard": [[_button(labels["more_button"], "lagi")]]}
    elif part.widget is Widget.UNSUBSCRIBE:
        body["reply_markup"] = {"inline_keyboard": [[_button(labels["unsubscribe_button"], "berhenti")]]}
    return "sendMessage", body


def _button(text: str, command: str) -> dict[str, str]:
    return {"text": text, "callback_data": f"{COMMAND_PREFIX}{command}"}
