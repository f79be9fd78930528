"""Near-duplicate detection: one fact-check under several URLs is stored once, the others remembered.

Two signals. URL identity: AMP and mobile mirrors, tracking parameters and trailing slashes fold to one
canonical URL, from which the article id is derived (so a mirror maps onto the same row). Content
identity: a 64-bit SimHash of the body's word 3-shingles; pages within a few bits of each other are the
same article republished (a different outlet's URL, a copy with a new share footer).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

from ..domain.articles import Article

_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|amp|outputtype|_ga|ref|source|mc_\w+)$", re.IGNORECASE)
_MIRROR_HOST = re.compile(r"^(www|m|amp|mobile)\.")
_AMP_PATH = re.compile(r"(/amp/?$|^/amp(?=/)|\.amp(?=\.html?$)|/amp(?=/\d))")
_WORD = re.compile(r"\w+")
SIMHASH_BITS = 64
MAX_DISTANCE = 3  # bits; measured on the fixtures: republished copies differ by 0-2, different articles by 20+
MIN_WORDS = 40  # below this a body is too short to call two pages the same article


def canonical_url(url: str) -> str:
    """Fold mirrors of one page to one key: scheme, www/m/amp hosts, /amp paths, tracking params."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    while _MIRROR_HOST.match(host):
        host = _MIRROR_HOST.sub("", host, count=1)
    path = _AMP_PATH.sub("", parts.path) or "/"
    path = path.rstrip("/") or "/"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not _TRACKING.match(k)))
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    return urlunsplit(("https", host + port, path, query, ""))


def article_id_for_url(url: str) -> str:
    return "web-" + hashlib.sha1(canonical_url(url).encode("utf-8")).hexdigest()[:16]


def simhash(text: str) -> int | None:
    """64-bit SimHash of word 3-shingles; ``None`` for a body too short to compare."""
    words = _WORD.findall(text.casefold())
    if len(words) < MIN_WORDS:
        return None
    digests = np.frombuffer(b"".join(
        hashlib.blake2b(" ".join(words[i:i + 3]).encode(), digest_size=8).digest() for i in range(len(words) - 2)
    ), dtype=np.uint8).reshape(-1, 8)
    bits = np.unpackbits(digests, axis=1)  # (shingles, 64), most significant bit first
    votes = bits.sum(axis=0) * 2 > len(bits)
    return int.from_bytes(np.packbits(votes).tobytes(), "big")


@dataclass
class DuplicateIndex:
    """Article ids by canonical URL and by SimHash (banded, so a lookup is four dict probes)."""

    by_url: dict[str, str] = field(default_factory=dict)
    known_ids: set[str] = field(default_factory=set)
    bands: dict[tuple[int, int], list[tuple[int, str]]] = field(default_factory=dict)

    def add(self, article_id: str, urls: Iterable[str], text: str, fingerprint: int | None = None) -> None:
        self.known_ids.add(article_id)
        for url in urls:
            if url:
                self.by_url.setdefault(canonical_url(url), article_id)
        fingerprint = simhash(text) if fingerprint is None else fingerprint
        if fingerprint is not None:
            for band in range(4):
                key = (band, fingerprint >> (16 * band) & 0xFFFF)
                self.bands.setdefault(key, []).append((fingerprint, article_id))

    def find(self, own_id: str, urls: Iterable[str], text: str) -> tuple[str | None, int | None]:
        """(id of another article this page duplicates, or None; the page's fingerprint for ``add``).
        A hit on ``own_id`` is the same article coming back (an update), not a duplicate."""
        for url in urls:
            found = self.by_url.get(canonical_url(url)) if url else None
            if found and found != own_id:
                return found, None
        fingerprint = simhash(text)
        if fingerprint is None:
            return None, None
        for band in range(4):
            for other, article_id in self.bands.get((band, fingerprint >> (16 * band) & 0xFFFF), ()):
                if article_id != own_id and (fingerprint ^ other).bit_count() <= MAX_DISTANCE:
                    return article_id, fingerprint
        return None, fingerprint

    @classmethod
    def from_articles(cls, articles: Iterable[Article]) -> "DuplicateIndex":
        index = cls()
        for article in articles:
            index.add(article.id, (article.url, *article.extra_urls), article.text)
        return index
