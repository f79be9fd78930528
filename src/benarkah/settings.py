"""All configuration in one typed object, read from ``BENARKAH_*`` environment variables.

CLI flags override by constructing ``Settings(db=...)``; nothing else reads the environment.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB = "benarkah.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BENARKAH_", extra="ignore")

    db: str = Field(DEFAULT_DB, description="SQLite file path (default ./benarkah.db) or postgresql:// URL")
    secret_key: str | None = Field(
        None, description="Key for hashing phone numbers and signing sessions. Generated into "
        "<db>.key beside a SQLite database when unset; set it explicitly in production.")
    semantic: bool = Field(True, description="Use sentence embeddings besides keywords (hybrid search)")
    stemmer: Literal["snowball", "sastrawi", "none"] = "snowball"
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = Field("", description="Public base URL, used in shareable links")
    max_request_bytes: int = Field(256 * 1024, description="Largest HTTP request body accepted")
    log_level: str = "INFO"
    metrics_token: str | None = Field(None, description="When set, /metrics requires 'Authorization: Bearer <token>'")

    # WhatsApp Business Cloud API (see README "Connect a WhatsApp number")
    whatsapp_verify_token: str | None = Field(None, description="Token you type in Meta's webhook setup")
    whatsapp_app_secret: str | None = Field(None, description="App secret: verifies X-Hub-Signature-256")
    whatsapp_token: str | None = Field(None, description="Access token for sending messages")
    whatsapp_phone_number_id: str | None = Field(None, description="The sending number's id")
    whatsapp_api_base: str = Field("https://graph.facebook.com/v21.0", description="Graph API base, pinned version")

    # Telegram Bot API
    telegram_token: str | None = Field(None, description="Bot token from @BotFather")
    telegram_secret: str | None = Field(None, description="Checked against X-Telegram-Bot-Api-Secret-Token")
    telegram_api_base: str = Field("https://api.telegram.org", description="Bot API base URL")
