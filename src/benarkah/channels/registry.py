"""The API clients of the channels configured in ``Settings`` (for the sender)."""

from __future__ import annotations

from ..messaging.model import ChannelClient, MediaSource
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


def build_media_sources(settings: Settings) -> dict[str, MediaSource]:
    """The downloading side of the configured channels (for the media lane)."""
    sources: dict[str, MediaSource] = {}
    if settings.whatsapp_token and settings.whatsapp_phone_number_id:
        from .whatsapp.media import WhatsAppMedia

        sources["whatsapp"] = WhatsAppMedia(settings.whatsapp_api_base, settings.whatsapp_phone_number_id,
                                            settings.whatsapp_token, settings.media_download_timeout_seconds,
                                            settings.whatsapp_media_hosts)
    if settings.telegram_token:
        from .telegram.media import TelegramMedia

        sources["telegram"] = TelegramMedia(settings.telegram_api_base, settings.telegram_token,
                                            settings.media_download_timeout_seconds)
    return sources
