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
import threading
from pathlib import Path
from typing import Callable

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


class Identity:
    """Who people are, as far as benarkah stores them: keyed pseudonyms and sealed reply addresses.

    The one holder of the secret key. Messaging, tips and the conversation get an ``Identity`` and
    never the key itself. The key is loaded (or, beside a SQLite file, created) on first use, so
    commands that never meet a person (``search``, ``ingest``) work without one on PostgreSQL.
    """

    def __init__(self, key: bytes | Callable[[], bytes]) -> None:
        self._key = key if isinstance(key, bytes) else None
        self._load = key if callable(key) else None
        self._lock = threading.Lock()

    @classmethod
    def for_store(cls, configured: str | None, db_location: str) -> "Identity":
        return cls(lambda: load_or_create_key(configured, db_location))

    @property
    def key(self) -> bytes:
        if self._key is None:
            with self._lock:
                if self._key is None:
                    assert self._load is not None
                    self._key = self._load()
        return self._key

    def hash(self, channel: str, sender_id: str) -> str:
        """The pseudonym of one person on one channel (``sender_hash`` in every table)."""
        return sender_hash(self.key, channel, sender_id)

    def seal(self, address: str) -> str:
        """Ciphertext of a reply address (phone number, chat id) for storage until it is used."""
        return seal(self.key, address)

    def unseal(self, token: str) -> str:
        return unseal(self.key, token)

    def subkey(self, purpose: str) -> bytes:
        """A key for one other purpose (e.g. ``claims:search`` page tokens), derived from the secret key:
        whoever holds it can neither recover the secret nor compute anyone's pseudonym."""
        return hmac.new(self.key, f"benarkah:subkey:{purpose}".encode("utf-8"), hashlib.sha256).digest()
