"""All configuration in one typed object, read from ``BENARKAH_*`` environment variables.

CLI flags override by constructing ``Settings(db=...)``; nothing else reads the environment.
"""

from __future__ import annotations

from pathlib import Path
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
    index_dir: str = Field(
        "", description="Folder for the saved search index that processes memory-map at start (large "
        "archives). Default: <db>.index beside a SQLite file; none for PostgreSQL unless set")
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = Field("", description="Public base URL, used in shareable links (without it links are "
                            "relative: never built from a request's Host header)")
    trusted_proxies: str = Field(
        "", description="Comma-separated addresses or networks (CIDR) of the reverse proxies in front; only their "
        "X-Forwarded-For / X-Forwarded-Proto are believed. Empty: none (the peer is the client)")
    max_request_bytes: int = Field(256 * 1024, description="Largest HTTP request body accepted")
    request_read_timeout_seconds: float = Field(
        10.0, description="A request body must arrive within this many seconds (else 408)")
    log_level: str = "INFO"
    metrics_token: str | None = Field(None, description="When set, /metrics requires 'Authorization: Bearer <token>'")

    # WhatsApp Business Cloud API (see README "Connect a WhatsApp number")
    whatsapp_verify_token: str | None = Field(None, description="Token you type in Meta's webhook setup")
    whatsapp_app_secret: str | None = Field(None, description="App secret: verifies X-Hub-Signature-256")
    whatsapp_token: str | None = Field(None, description="Access token for sending messages")
    whatsapp_phone_number_id: str | None = Field(None, description="The sending number's id")
    whatsapp_api_base: str = Field("https://graph.facebook.com/v21.0", description="Graph API base, pinned version")
    whatsapp_notify_template: str | None = Field(
        None, description="Approved template for notifications outside the 24-hour window (one {{1}} body text)")
    whatsapp_notify_template_language: str = Field("id", description="Language code of that template")
    whatsapp_media_hosts: str = Field(
        "fbsbx.com,facebook.com,whatsapp.net,fbcdn.net",
        description="Hosts (and their subdomains) a media download URL from the Graph API may point to; the "
        "access token is sent to nothing else (the API base's own host is always allowed)")
    whatsapp_digest_template: str | None = Field(
        None, description="Approved template for digests outside the 24-hour window: one {{1}} body text and a "
        "quick-reply button (its payload is set to 'berhenti', which unsubscribes)")
    whatsapp_digest_template_language: str = Field("id", description="Language code of that template")
    whatsapp_staff_template: str | None = Field(
        None, description="Approved template for fact-checkers' replies outside the 24-hour window (one {{1}})")
    whatsapp_staff_template_language: str = Field("id", description="Language code of that template")

    # Telegram Bot API
    telegram_token: str | None = Field(None, description="Bot token from @BotFather")
    telegram_secret: str | None = Field(None, description="Checked against X-Telegram-Bot-Api-Secret-Token")
    telegram_api_base: str = Field("https://api.telegram.org", description="Bot API base URL")

    # Messaging inbox/outbox (both channels; see docs/messaging.md)
    messaging_sender_rate_per_minute: int = Field(
        20, description="Messages one person may send per minute; beyond it one notice, then silence")
    messaging_worker_batch: int = Field(16, description="Inbox messages a worker claims (and embeds) at once")
    worker_semantic_backlog: int = Field(
        64, description="Above this many waiting messages the worker answers by keywords only, to catch up")
    worker_semantic_budget_seconds: float = Field(
        5.0, description="...or above this many seconds of embedding work at the recent cost per message")
    messaging_lease_seconds: float = Field(
        60.0, description="A claimed message whose worker died is retried after this long")
    messaging_max_attempts: int = Field(8, description="Send attempts before a reply goes to dead letters")
    messaging_retry_base_seconds: float = Field(1.0, description="First retry delay (doubles, with jitter)")
    messaging_retry_max_seconds: float = Field(300.0, description="Longest delay between send attempts")
    messaging_send_timeout_seconds: float = Field(10.0, description="Timeout of one API call")
    messaging_sender_threads: int = Field(4, description="Concurrent API calls (one per recipient at a time)")
    messaging_poll_seconds: float = Field(0.1, description="How often idle workers peek for work (a cheap read)")
    messaging_heartbeat_seconds: float = Field(5.0, description="How often each worker writes its heartbeat")
    messaging_worker_stale_seconds: float = Field(
        30.0, description="A worker without a heartbeat (dead) or without progress (stalled) for this long "
        "makes /readyz answer 503")

    tips_per_sender_per_hour: int = Field(
        20, description="Tips one sender may add to the fact-checkers' queue per hour (on the web and the API: "
        "one client address); beyond it people are still answered, but no tip is queued")
    api_ask_per_minute: int = Field(30, description="/api/ask requests one client address may make per minute")

    tips_sweep_seconds: float = Field(
        60.0, description="How often an idle worker finishes interrupted tips work (clustering, follow-ups)")

    # Publishing: public fact-check pages, feed, sitemap and the claims:search API (docs/reach.md)
    site_name: str = Field("", description="The newsroom's name on public pages and the feed; the ClaimReview "
                           "author of articles without a publisher")
    api_keys_required: bool = Field(False, description="claims:search refuses requests without a valid API key")
    api_anonymous_per_minute: int = Field(
        60, ge=1, description="claims:search requests per minute per client address without an API key")
    api_key_per_minute: int = Field(600, ge=1, description="The per-minute limit a new API key gets by default")

    # Digest subscriptions (docs/reach.md)
    digest_hour: int = Field(7, ge=0, le=23, description="Local hour at which a day's (or week's) digest is due")
    digest_weekday: int = Field(0, ge=0, le=6, description="Day the weekly digest is due (0 = Monday)")
    digest_timezone: str = Field("Asia/Jakarta", description="Time zone of digest_hour (an IANA name)")
    digest_max_items: int = Field(5, ge=1, le=20, description="Fact-checks in one digest (the rest are linked)")
    digest_check_seconds: float = Field(60.0, description="How often an idle worker looks for digests due")

    # Page ingest (docs/ingest.md)
    profiles_dir: str = Field("", description="Folder of extra site profiles (*.toml) for page ingest; "
                              "a profile with a built-in's name replaces it")

    # Pictures, videos, voice notes (docs/media.md); thresholds measured in benchmarks/media.py
    ocr_engine: Literal["auto", "tesseract", "rapidocr", "none"] = Field(
        "auto", description="OCR engine: auto = Tesseract when its Indonesian data is installed, else RapidOCR")
    tessdata: str = Field("", description="Folder holding Tesseract's ind.traineddata (default: the usual places)")
    media_max_image_bytes: int = Field(10 * 1024 * 1024, description="Largest picture read")
    media_max_video_bytes: int = Field(64 * 1024 * 1024, description="Largest video read")
    media_max_audio_bytes: int = Field(16 * 1024 * 1024, description="Largest voice note kept")
    media_max_pixels: int = Field(40_000_000, description="Pictures claiming more pixels are refused undecoded")
    media_max_video_seconds: float = Field(300.0, description="Longer videos are refused")
    media_video_frames: int = Field(4, description="Keyframes read from a video or animation")
    image_match_distance: int = Field(
        31, description="A sent picture matches an article picture whose PDQ hash differs in at most this many bits")
    image_text_match_share: float = Field(
        0.7, description="...or whose OCR text shares at least this share of word 3-grams with the text read")
    media_storage: Literal["auto", "files", "database"] = Field(
        "auto", description="Where people's pictures and voice notes are kept: files beside the SQLite database, "
        "or the database itself (auto: files for SQLite, the database for PostgreSQL)")
    media_dir: str = Field("", description="Folder for media files (default: <database file>.media, mode 0700)")
    media_retention_days: float = Field(30.0, ge=0, description="Kept media older than this is deleted "
                                        "(0: deleted at the next sweep)")
    media_workers: int = Field(1, ge=0, description="Pictures read at once by a worker process (media lane "
                               "threads and reader processes; 0: this process reads no media messages)")
    media_isolated: bool = Field(True, description="Read media in child processes (bounded memory and time, "
                                 "a crash in a decoder cannot take the worker down)")
    media_reader_memory_mb: int = Field(2048, ge=0, description="Address-space limit of one reader process (0: none)")
    media_read_timeout_seconds: float = Field(60.0, description="A reader taking longer is killed; the person "
                                              "is told the file could not be read")
    media_download_timeout_seconds: float = Field(20.0, description="Timeout of one media download request")
    media_lease_seconds: float = Field(
        180.0, description="A media message claimed by a worker that died is retried after this long")
    media_max_upload_bytes: int = Field(
        16 * 1024 * 1024, description="Largest multipart body of a web chat or /api/ask picture upload")
    media_wait_seconds: float = Field(
        20.0, description="How long a web upload waits for a free reader before the answer is 'busy, try again'")

    @property
    def index_path(self) -> Path | None:
        """Where the main search segment is saved (``index_dir``, or beside a SQLite file)."""
        if self.index_dir:
            return Path(self.index_dir)
        db = self.db.removeprefix("sqlite:///")
        if db.startswith(("postgresql:", "postgres:")) or db in (":memory:", ""):
            return None
        return Path(f"{db}.index")

    @property
    def sending_configured(self) -> bool:
        """Whether any channel can send (so a sender, role outbox, must be running somewhere)."""
        return bool((self.whatsapp_token and self.whatsapp_phone_number_id) or self.telegram_token)

    @property
    def messaging_configured(self) -> bool:
        """Whether any channel is set up, so serving should also run the messaging worker and sender."""
        return bool(self.whatsapp_app_secret or self.whatsapp_token or self.telegram_token)
