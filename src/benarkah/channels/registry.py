"""The API clients of the channels configured in ``Settings`` (for the sender)."""

from __future__ import annotations

from ..messaging.model import ChannelClient
from ..settings import Settings


def build_clients(settings: Settings) -> dict[str, ChannelClient]:
    clients: dict[str, ChannelClient] = {}
    if settings.whatsapp_token and settings.whatsapp_phone_number_id:
        from .whatsapp.client import WhatsAppClient

        clients["whatsapp"] = WhatsAppClient(settings.whatsapp_api_base, settings.whatsapp_phone_number_id,
                                             settings.whatsapp_token, settings.messaging_send_timeout_seconds)
    if settings.telegram_token:
        from .telegram.client import TelegramClient

        clients["telegram"] = TelegramClient(settings.telegram_api_base, settings.telegram_token,
                                             settings.messaging_send_timeout_seconds)
    return clients
