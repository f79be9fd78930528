"""Keyed hashing of people's identifiers (phone numbers, chat ids).

A plain SHA-256 of a phone number is reversible by enumeration (Indonesia has ~10^11 numbers), so
the hash is an HMAC with a secret key kept outside the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from .errors import ConfigError

KEY_BYTES = 32


def sender_hash(key: bytes, channel: str, sender_id: str) -> str:
    """A stable pseudonym for one person on one channel. Never store or log ``sender_id`` itself."""
    digest = hmac.new(key, f"{channel}:{sender_id.strip()}".encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:32]


def load_or_create_key(configured: str | None, db_location: str) -> bytes:
    """The configured key, else one generated once into ``<db>.key`` (mode 0600) beside a SQLite file."""
    if configured:
        if len(configured) < 16:
            raise ConfigError("BENARKAH_SECRET_KEY must be at least 16 characters")
        return configured.encode("utf-8")
    if "://" in db_location and not db_location.startswith("sqlite:///"):
        raise ConfigError("set BENARKAH_SECRET_KEY when the database is not a local SQLite file")
    path = Path(db_location.removeprefix("sqlite:///") + ".key")
    if path.exists():
        return path.read_bytes().strip()
    key = secrets.token_hex(KEY_BYTES).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def _sealing_key(key: bytes) -> bytes:
    return hmac.new(key, b"benarkah:seal:v1", hashlib.sha256).digest()


def seal(key: bytes, address: str) -> str:
    """Encrypt a reply address (phone number, chat id) so it can be kept until the reply is sent.

    The database then holds only ciphertext; the key lives outside it. AES-GCM with a random nonce.
    """
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_sealing_key(key)).encrypt(nonce, address.encode("utf-8"), b"address")
    return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(key: bytes, token: str) -> str:
    """The address inside ``seal``'s output; raises ``ConfigError`` if the key does not match."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    raw = base64.urlsafe_b64decode(token.encode("ascii"))
    try:
        return AESGCM(_sealing_key(key)).decrypt(raw[:12], raw[12:], b"address").decode("utf-8")
    except InvalidTag:
        raise ConfigError("cannot decrypt a stored address: BENARKAH_SECRET_KEY changed since it was stored") from None
