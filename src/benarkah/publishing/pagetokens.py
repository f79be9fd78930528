"""Opaque, tamper-proof page tokens for ``claims:search``.

Google's API says a ``pageToken`` is valid only with the same other parameters as the request that
returned it. A token here carries the next offset and a digest of those parameters, authenticated
with an HMAC under a key derived from the deployment's secret key (``Identity.subkey``, so this
module never holds the secret itself): a client can neither forge an offset nor reuse a token with
another query, and every process of a deployment (same secret) accepts the tokens of every other.
Tokens are short (~40 characters) and URL-safe.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
import threading
from typing import Callable

from ..errors import InvalidParameter

PURPOSE = "claims-search-page-tokens-v1"  # what the key is derived for
_VERSION = 1
_SCOPE_BYTES = 8
_MAC_BYTES = 16
_LAYOUT = struct.Struct(f">BI{_SCOPE_BYTES}s")
MAX_TOKEN_CHARS = 200


class PageTokens:
    """``key``: this purpose's key, or a callable giving it on first use (the secret key is loaded
    lazily, so an app that never pages never needs it)."""

    def __init__(self, key: bytes | Callable[[], bytes]) -> None:
        self._key = key if isinstance(key, bytes) else None
        self._load = None if isinstance(key, bytes) else key
        self._lock = threading.Lock()

    def issue(self, scope: str, offset: int) -> str:
        """A token for ``offset`` in the results of the request described by ``scope``."""
        body = _LAYOUT.pack(_VERSION, offset, _scope_digest(scope))
        return _b64(body + self._mac(body))

    def read(self, token: str, scope: str) -> int:
        """The offset in ``token``; ``InvalidParameter`` when it is malformed, forged, or was issued
        for a request with other parameters."""
        if len(token) > MAX_TOKEN_CHARS:
            raise InvalidParameter("pageToken", "Invalid pageToken: too long.")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise InvalidParameter("pageToken", "Invalid pageToken: not a token this API issued.") from None
        body, mac = raw[:_LAYOUT.size], raw[_LAYOUT.size:]
        if len(body) != _LAYOUT.size or not hmac.compare_digest(mac, self._mac(body)):
            raise InvalidParameter("pageToken", "Invalid pageToken: not a token this API issued.")
        version, offset, digest = _LAYOUT.unpack(body)
        if version != _VERSION or not hmac.compare_digest(digest, _scope_digest(scope)):
            raise InvalidParameter(
                "pageToken", "Invalid pageToken: it belongs to a request with other parameters; "
                "send the same query, languageCode, maxAgeDays, pageSize and reviewPublisherSiteFilter.")
        return int(offset)

    def _mac(self, body: bytes) -> bytes:
        if self._key is None:
            with self._lock:
                if self._key is None and self._load is not None:
                    self._key = self._load()
        assert self._key is not None
        return hmac.new(self._key, body, hashlib.sha256).digest()[:_MAC_BYTES]


def _scope_digest(scope: str) -> bytes:
    return hashlib.sha256(scope.encode("utf-8", "surrogatepass")).digest()[:_SCOPE_BYTES]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
