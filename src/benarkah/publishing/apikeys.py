"""API keys for the public read API: made and revoked by the newsroom (``benarkah apikey``), each with
its own per-minute limit.

A key is 32 random bytes shown once, when it is made; the database keeps only its SHA-256. A slow
password hash (argon2, as for staff passwords) protects guessable secrets; a 256-bit random key is not
guessable, and a fast digest lets every request be checked with one indexed lookup.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from ..errors import BenarkahError
from ..storage.base import Store
from ..storage.records import utcnow

KEY_PREFIX = "bk_"
MAX_KEY_CHARS = 100
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class ApiKeyError(BenarkahError):
    """An API key cannot be made or revoked (bad name, name in use, no such key)."""


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    prefix: str  # the first characters of the key, to tell keys apart in listings
    per_minute: int
    created_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class ApiKeys:
    """The ``api_keys`` table (the only SQL of API keys)."""

    _COLUMNS = "id, name, prefix, per_minute, created_at, revoked_at"

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, name: str, per_minute: int) -> tuple[ApiKey, str]:
        """A new active key: its record and the key itself (shown to the newsroom once, never stored)."""
        if not _NAME.match(name):
            raise ApiKeyError(f"bad key name {name!r}: 1-64 letters, digits and . _ @ -, "
                              "starting with a letter or digit")
        if not 1 <= per_minute <= 1_000_000:
            raise ApiKeyError(f"per-minute limit must be 1..1000000, got {per_minute}")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        try:
            with self.store.transaction() as tx:
                if tx.execute("SELECT 1 FROM api_keys WHERE name = ? AND revoked_at IS NULL", (name,)).fetchone():
                    raise ApiKeyError(f"an active key named {name!r} exists; revoke it first")
                tx.execute("INSERT INTO api_keys (name, key_hash, prefix, per_minute, created_at) VALUES (?,?,?,?,?)",
                           (name, digest(key), key[:len(KEY_PREFIX) + 6], per_minute, utcnow()))
        except self.store.IntegrityError:
            raise ApiKeyError(f"an active key named {name!r} exists; revoke it first") from None
        found = self._active(name)
        assert found is not None
        return found, key

    def revoke(self, name: str) -> ApiKey:
        with self.store.transaction() as tx:
            changed = tx.execute("UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                                 (utcnow(), name)).rowcount
        if not changed:
            raise ApiKeyError(f"no active key named {name!r} (benarkah apikey list shows them)")
        rows = self.store.connection().execute(
            f"SELECT {self._COLUMNS} FROM api_keys WHERE name = ? ORDER BY id DESC LIMIT 1", (name,)).fetchall()
        return ApiKey(*rows[0])

    def list(self) -> list[ApiKey]:
        rows = self.store.connection().execute(f"SELECT {self._COLUMNS} FROM api_keys ORDER BY name, id").fetchall()
        return [ApiKey(*r) for r in rows]

    def verify(self, key: str) -> ApiKey | None:
        """The active key this is, or None (unknown, revoked, or not a key at all)."""
        if not key.startswith(KEY_PREFIX) or len(key) > MAX_KEY_CHARS:
            return None
        row = self.store.connection().execute(
            f"SELECT {self._COLUMNS} FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
            (digest(key),)).fetchone()
        return ApiKey(*row) if row else None

    def _active(self, name: str) -> ApiKey | None:
        row = self.store.connection().execute(
            f"SELECT {self._COLUMNS} FROM api_keys WHERE name = ? AND revoked_at IS NULL", (name,)).fetchone()
        return ApiKey(*row) if row else None
