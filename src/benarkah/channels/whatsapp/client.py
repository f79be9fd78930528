"""Sending through the Cloud API: ``POST {API_BASE}/{PHONE_NUMBER_ID}/messages`` with a Bearer token.

Neutral parts become WhatsApp messages: text (<= 4,096 chars), the menu as an interactive list, a
results page with a "more results" reply button (interactive bodies are limited to 1,024 chars, so a
longer page goes as text, whose own hint says to type *lagi*), and notification templates.

A person is addressed by phone number in ``to`` when we know it (Meta recommends it), else by their
business-scoped user id in ``recipient`` (Meta's "Business-scoped user IDs": ``to`` wins when both are
present, so only one is ever sent).
"""

from __future__ import annotations

from typing import Any

import httpx

from ...domain.render import widget_texts
from ...messaging.model import Remedy, SendError
from ...messaging.parts import CallbackAnswer, Part, TemplatePart, Widget, text_units
from ...privacy import is_bsuid
from .codes import remedy
from .parse import COMMAND_PREFIX

INTERACTIVE_BODY_UNITS = 1024


class WhatsAppClient:
    channel = "whatsapp"

    def __init__(self, api_base: str, phone_number_id: str, token: str, timeout: float = 10.0) -> None:
        self.url = f"{api_base.rstrip('/')}/{phone_number_id}/messages"
        self.http = httpx.Client(timeout=timeout, headers={"Authorization": f"Bearer {token}"})

    def send(self, address: str, part: Part) -> str:
        body = build_message(address, part)
        if body is None:
            return ""
        try:
            response = self.http.post(self.url, json=body)
        except httpx.TimeoutException as exc:
            raise SendError(f"WhatsApp API timed out: {type(exc).__name__}", retryable=True) from None
        except httpx.TransportError as exc:
            raise SendError(f"WhatsApp API unreachable: {type(exc).__name__}", retryable=True) from None
        if response.status_code == 200:
            return _message_id(response)
        raise _send_error(response)

    def close(self) -> None:
        self.http.close()


def _message_id(response: httpx.Response) -> str:
    try:
        return str(response.json()["messages"][0]["id"])
    except (ValueError, KeyError, IndexError, TypeError):
        return ""


def _send_error(response: httpx.Response) -> SendError:
    try:
        error = response.json().get("error", {})
    except ValueError:
        error = {}
    code = error.get("code") if isinstance(error, dict) else None
    message = f"WhatsApp API {response.status_code}" + (f" (code {code}: {error.get('message', '')})" if code else "")
    retry_after = response.headers.get("retry-after")
    action = remedy(code)
    retryable = response.status_code in (408, 429) or response.status_code >= 500 or action is Remedy.RETRY
    return SendError(message[:300], retryable=retryable,
                     retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
                     code=str(code or "")[:40], remedy=Remedy.RETRY if retryable else action)


def recipient(address: str) -> dict[str, str]:
    """A phone number goes in ``to``, a BSUID (or parent BSUID) in ``recipient``."""
    return {"recipient": address} if is_bsuid(address) else {"to": address}


def build_message(to: str, part: Part) -> dict[str, Any] | None:
    """The Cloud API request body for one part (``None``: nothing to send on WhatsApp)."""
    message: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual", **recipient(to)}
    if isinstance(part, CallbackAnswer):
        return None  # a Telegram button answer: nothing to do here
    if isinstance(part, TemplatePart):
        components: list[dict[str, Any]] = [{"type": "body", "parameters": [{"type": "text", "text": part.text}]}]
        components += [{"type": "button", "sub_type": "quick_reply", "index": str(n),
                        "parameters": [{"type": "payload", "payload": payload}]}
                       for n, payload in enumerate(part.buttons)]
        message.update(type="template", template={"name": part.name, "language": {"code": part.language},
                                                  "components": components})
        return message
    if part.reply_to:
        message["context"] = {"message_id": str(part.reply_to)}
    labels = widget_texts(part.language)
    fits_interactive = text_units(part.text) <= INTERACTIVE_BODY_UNITS
    if part.widget is Widget.MENU and fits_interactive:
        rows = [("cek", "check"), ("terbaru", "latest"), ("tips", "tips"), ("langganan", "subscribe"),
                ("bantuan", "help")]
        message.update(type="interactive", interactive={
            "type": "list", "body": {"text": part.text},
            "action": {"button": labels["menu_button"], "sections": [{
                "title": labels["menu_section"][:24],
                "rows": [{"id": f"{COMMAND_PREFIX}{cmd}", "title": labels[f"{key}_title"][:24],
                          "description": labels[f"{key}_desc"][:72]} for cmd, key in rows]}]}})
    elif part.widget in (Widget.MORE, Widget.UNSUBSCRIBE) and fits_interactive:
        command, label = ("lagi", "more_button") if part.widget is Widget.MORE else ("berhenti", "unsubscribe_button")
        message.update(type="interactive", interactive={
            "type": "button", "body": {"text": part.text},
            "action": {"buttons": [{"type": "reply", "reply": {"id": f"{COMMAND_PREFIX}{command}",
                                                               "title": labels[label][:20]}}]}})
    else:
        message.update(type="text", text={"preview_url": False, "body": part.text})
    return message
