"""Keyed hashing of people's identifiers (phone numbers, chat ids).

A plain SHA-256 of a phone number is reversible by enumeration (Indonesia has ~10^11 numbers), so
the hash is an HMAC with a secret key kept outside the database.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import tempfile
import threading
from pathlib import Path
from typing import Callable, Protocol

from .errors import ConfigError

KEY_BYTES = 32


def sender_hash(key: bytes, channel: str, sender_id: str) -> str:
    """A stable pseudonym for one person on one channel. Never store or log ``sender_id`` itself."""
    digest = hmac.new(key, f"{channel}:{sender_id.strip()}".encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:32]


MIN_KEY_FILE_BYTES = 32  # we write 64 hex characters; anything shorter was cut off


def load_or_create_key(configured: str | None, db_location: str, may_create: bool = True) -> bytes:
    """The configured key, else the one in ``<db>.key`` beside a SQLite file, created once (mode 0600).

    The file appears whole or not at all: the key is written to a temporary file, flushed to disk and
    then hard-linked into place (which fails if another process got there first, whose key is then
    read). A file that is empty, short or unreadable is refused with the reason, never used: with an
    empty key every number would be hashed and every address sealed with a key anyone can guess.
    ``may_create=False`` (the database already depends on a key) refuses to make a new one."""
    if configured:
        if len(configured) < 16:
            raise ConfigError("BENARKAH_SECRET_KEY must be at least 16 characters")
        return configured.encode("utf-8")
    if "://" in db_location and not db_location.startswith("sqlite:///"):
        raise ConfigError("set BENARKAH_SECRET_KEY when the database is not a local SQLite file")
    path = Path(db_location.removeprefix("sqlite:///") + ".key")
    if not os.path.lexists(path):
        if not may_create:
            raise ConfigError(f"the secret key file {path} is missing, but the database was written with a key: "
                              "restore the file from your backup (or set BENARKAH_SECRET_KEY to that key). "
                              "A new key would make every stored person and address unreadable.")
        _create_key_file(path)
    return _read_key_file(path)


def _create_key_file(path: Path) -> None:
    """Write a new key into place atomically; a no-op if another process created the file first."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_hex(KEY_BYTES).encode())
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return
        _fsync_folder(path.parent)
    except OSError as exc:
        raise ConfigError(f"cannot write the secret key file {path}: {exc.strerror or exc} (is the disk full?); "
                          "nothing was created, start again when it can be written") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _fsync_folder(folder: Path) -> None:
    """Make the new directory entry durable too (a crash right after must not lose the key)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on directories; the file itself is on disk
    finally:
        os.close(fd)


def _read_key_file(path: Path) -> bytes:
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"cannot read the secret key file {path}: {exc.strerror or exc}") from exc
    if len(key) < MIN_KEY_FILE_BYTES:
        raise ConfigError(
            f"the secret key file {path} is empty or cut short ({len(key)} bytes, 64 expected): it was not "
            "written completely (a full disk?). If no messages were stored with it yet, delete it and start "
            "again; otherwise restore it from your backup.")
    return key


def key_fingerprint(key: bytes) -> str:
    """What the database remembers of the key: an HMAC of a constant, which reveals nothing about it."""
    return hmac.new(key, b"benarkah:key-check:v1", hashlib.sha256).hexdigest()[:32]


class KeyLedger(Protocol):
    """Where the fingerprint of the key is kept (the store)."""

    def key_fingerprint(self) -> str | None: ...
    def remember_key_fingerprint(self, fingerprint: str) -> str: ...


def load_checked_key(configured: str | None, db_location: str, ledger: KeyLedger | None) -> bytes:
    """The key, checked against the fingerprint the database was written with (recorded on first use):
    a lost key file or another ``BENARKAH_SECRET_KEY`` is refused instead of silently splitting every
    person in two and making stored addresses unreadable."""
    recorded = ledger.key_fingerprint() if ledger is not None else None
    key = load_or_create_key(configured, db_location, may_create=recorded is None)
    if ledger is None:
        return key
    fingerprint = key_fingerprint(key)
    recorded = recorded or ledger.remember_key_fingerprint(fingerprint)
    if not hmac.compare_digest(recorded, fingerprint):
        source = "BENARKAH_SECRET_KEY" if configured else f"the key file beside {db_location}"
        raise ConfigError(f"{source} is another key than the one this database was written with: start with "
                          "the original key (every machine must use the same one)")
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
    def for_store(cls, configured: str | None, db_location: str, ledger: KeyLedger | None = None) -> "Identity":
        return cls(lambda: load_checked_key(configured, db_location, ledger))

    def check(self) -> None:
        """Load the key now (servers and workers refuse to start on a bad one rather than fail later)."""
        _ = self.key

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
