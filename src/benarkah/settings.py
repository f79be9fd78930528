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
