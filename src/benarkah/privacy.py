"""Keyed hashing of people's identifiers (phone numbers, WhatsApp user ids, chat ids).

A plain SHA-256 of a phone number is reversible by enumeration (Indonesia has ~10^11 numbers), so
the hash is an HMAC with a secret key kept outside the database.

One person can be known by several identifiers on one channel: on WhatsApp a phone number, a
business-scoped user id (BSUID, ``ID.1502576394655843``), a parent BSUID and a username, any of which
may be missing from a given webhook. ``Handles`` carries what a channel said about one sender (raw,
in memory only); ``identities.IdentityBook`` links their keyed hashes to one stable person key.
"""

from __future__ import annotations

import base64
import contextlib
import enum
import hashlib
import hmac
import os
import re
import secrets
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Protocol

from .errors import BenarkahError, ConfigError

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

    def hash_handle(self, channel: str, kind: "HandleKind", value: str) -> str:
        """The keyed hash of one identifier. Phone numbers, chat ids and BSUIDs hash exactly as
        ``hash`` always did (so people stored before BSUIDs keep their pseudonym); usernames get a
        ``@`` prefix so a username can never collide with another kind of id."""
        return self.hash(channel, f"@{value}" if kind is HandleKind.USERNAME else value)

    def seal(self, address: str) -> str:
        """Ciphertext of a reply address (phone number, chat id) for storage until it is used."""
        return seal(self.key, address)

    def unseal(self, token: str) -> str:
        return unseal(self.key, token)

    def subkey(self, purpose: str) -> bytes:
        """A key for one other purpose (e.g. ``claims:search`` page tokens), derived from the secret key:
        whoever holds it can neither recover the secret nor compute anyone's pseudonym."""
        return hmac.new(self.key, f"benarkah:subkey:{purpose}".encode("utf-8"), hashlib.sha256).digest()


# Who a sender is, as a channel reports it ---------------------------------------------------------

class HandleKind(enum.StrEnum):
    """Kinds of identifier, strongest first (``Handles.items`` yields them in this order)."""

    BSUID = "bsuid"                # WhatsApp business-scoped user id: stable until the number changes
    PHONE = "phone"                # WhatsApp phone number (wa_id), digits with the country code
    PARENT_BSUID = "parent_bsuid"  # a BSUID shared by linked business portfolios (``US.ENT.…``)
    USERNAME = "username"          # a WhatsApp username: identifies, never addresses (it can change)
    CHAT = "chat"                  # the one id of a single-id channel: Telegram chat, web session, CLI


ROUTABLE = (HandleKind.PHONE, HandleKind.BSUID, HandleKind.PARENT_BSUID, HandleKind.CHAT)  # preferred first
# ISO 3166 alpha-2 country code, a period, optionally ENT. (parent BSUIDs), up to 128 alphanumerics.
BSUID_PATTERN = re.compile(r"[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}")
PHONE_DIGITS = re.compile(r"[0-9]{6,15}")
MAX_HANDLE_CHARS = 160


def is_bsuid(value: str) -> bool:
    return BSUID_PATTERN.fullmatch(value) is not None


def is_parent_bsuid(value: str) -> bool:
    return is_bsuid(value) and value[2:7] == ".ENT."


@dataclass(frozen=True)
class Handles:
    """Every identifier a channel gave for one sender (raw: never stored or logged as such)."""

    bsuid: str = ""
    phone: str = ""
    parent_bsuid: str = ""
    username: str = ""
    chat: str = ""

    @classmethod
    def of(cls, channel: str, address: str) -> "Handles":
        """The handles behind a single address: on WhatsApp digits are a phone number and
        ``CC.xxxx`` a BSUID; anything else (and every other channel's id) is an opaque chat id."""
        address = address.strip()
        if channel == "whatsapp":
            if is_parent_bsuid(address):
                return cls(parent_bsuid=address)
            if is_bsuid(address):
                return cls(bsuid=address)
            if address.isascii() and address.isdigit():
                return cls(phone=address)
        return cls(chat=address) if address else cls()

    def items(self) -> Iterator[tuple[HandleKind, str]]:
        """(kind, value) of each identifier present, strongest first."""
        for kind in HandleKind:
            value = getattr(self, kind.value)
            if value:
                yield kind, value

    @property
    def reply_address(self) -> str:
        """Where a reply goes: the phone number when known (Meta recommends it; webhooks then keep
        showing the number), else the BSUID (the Cloud API's ``recipient`` field), else the chat id."""
        return next((getattr(self, k.value) for k in ROUTABLE if getattr(self, k.value)), "")

    def __bool__(self) -> bool:
        return any(True for _ in self.items())

    def __repr__(self) -> str:  # never the raw values, so a log line or traceback cannot leak them
        return f"Handles({', '.join(k.value for k, _ in self.items()) or 'none'})"


@dataclass(frozen=True)
class Person:
    """One person on one channel as the services see them: the stable pseudonym every table keys on
    and the raw address to reply to (in memory only; stored sealed)."""

    channel: str
    key: str
    address: str = ""

    def __repr__(self) -> str:
        return f"Person({self.channel}, {self.key[:8]}…)"


class HandleError(BenarkahError):
    """An identifier typed by a person (``benarkah forget``) is not one we can look up."""


def parse_handle(channel: str, typed: str) -> tuple[HandleKind, str]:
    """What an operator typed to name a person, as the channel would deliver it.

    WhatsApp sends phone numbers as digits with the country code and no ``+`` (``6281234567890``),
    so ``+62 812-3456-7890``, ``0812 3456 7890`` (an Indonesian trunk 0) and ``0062…`` are the same
    number; ``ID.1502…`` is a BSUID (``ID.ENT.…`` a parent BSUID) and ``@name`` a username. Other
    channels' ids are taken as they are."""
    value = typed.strip()
    if not value or len(value) > MAX_HANDLE_CHARS:
        raise HandleError("give the person's phone number, WhatsApp user id, username or chat id")
    if channel != "whatsapp":
        return HandleKind.CHAT, value
    if is_parent_bsuid(value):
        return HandleKind.PARENT_BSUID, value
    if is_bsuid(value):
        return HandleKind.BSUID, value
    if value.startswith("@"):
        return HandleKind.USERNAME, normalize_username(value)
    return HandleKind.PHONE, normalize_phone(value)


def normalize_phone(typed: str, country_code: str = "62") -> str:
    """Digits as WhatsApp delivers them: no ``+``, spaces, dashes, dots or brackets; ``00`` (an
    international prefix) dropped and a leading trunk ``0`` replaced by the country code."""
    digits = re.sub(r"[\s\-.()/]", "", typed.strip())
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = country_code + digits[1:]
    if not PHONE_DIGITS.fullmatch(digits):
        raise HandleError("not a phone number, WhatsApp user id (CC.1234…) or @username: "
                          "a phone number is 6 to 15 digits, optionally with +, spaces or dashes")
    return digits


def normalize_username(value: str) -> str:
    """Usernames compare without the ``@`` and without case."""
    name = value.strip().lstrip("@").lower()
    if not name:
        raise HandleError("a username needs at least one character after @")
    return name
