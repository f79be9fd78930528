"""Near-duplicate detection: one fact-check under several URLs is stored once, the others remembered.

Two signals. URL identity: AMP and mobile mirrors, tracking parameters and trailing slashes fold to one
canonical URL, from which the article id is derived (so a mirror maps onto the same row). Content
identity: the Jaccard similarity of the bodies' word 3-shingles, estimated by a 64-value MinHash and
found through locality-sensitive hashing (16 bands of 4 values, so a lookup is 16 dict probes); pages
above ``MIN_SIMILARITY`` whose headlines also agree are the same article republished (another
outlet's URL, a new footer). The headline check matters: a fact-checker reuses explanation templates
(the same method paragraphs for similar claims), so distinct fact-checks can share 50-75% of their body text
(measured: 22 such pairs among turnbackhoax-2026's 890 articles), and merging them would lose one.

SimHash was tried first and measured on the 890 real bodies of ../shared/corpora/turnbackhoax-2026: with
the 3-bit threshold its banding can afford, only 12% of copies with a 24-word footer added were found.
MinHash + headline finds all 890 of those, 866/880 when the first sentence is also dropped, and merges
none of the corpus's distinct fact-checks (benchmarks/ingest_pages.py prints this table).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from ..domain.articles import Article
from ..domain.urls import url_key
from ..domain.verdicts import strip_verdict_prefix

_WORD = re.compile(r"\w+")
MIN_WORDS = 40  # below this a body is too short to call two pages the same article
NUM_PERM, BANDS = 64, 16
ROWS = NUM_PERM // BANDS
MIN_SIMILARITY = 0.6  # estimated Jaccard of bodies; a copy with a changed footer scores 0.75+
MIN_TITLE_OVERLAP = 0.5  # Jaccard of headline words (verdict prefix removed)
_RNG = np.random.default_rng(20211208)  # fixed: signatures stored in memory must be comparable across runs
_A = _RNG.integers(1, 2**63, NUM_PERM, dtype=np.uint64) | np.uint64(1)  # odd multipliers
_B = _RNG.integers(0, 2**63, NUM_PERM, dtype=np.uint64)


def canonical_url(url: str) -> str:
    """Fold mirrors of one page to one key (``domain.urls.url_key``: scheme, www/m/amp hosts, /amp
    paths, tracking parameters); article ids derive from it, so a mirror maps onto the same row."""
    return url_key(url) if url else ""


def article_id_for_url(url: str) -> str:
    return "web-" + hashlib.sha1(canonical_url(url).encode("utf-8")).hexdigest()[:16]


def minhash(text: str) -> np.ndarray | None:
    """MinHash signature (64 x uint32) of the body's word 3-shingles; ``None`` for a body too short."""
    words = _WORD.findall(text.casefold())
    if len(words) < MIN_WORDS:
        return None
    shingles = {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}
    x = np.fromiter(
        (int.from_bytes(hashlib.blake2b(s.encode(), digest_size=4).digest(), "little") for s in shingles),
        dtype=np.uint64,
        count=len(shingles),
    )
    # multiply-shift hashing, one function per row: (a*x + b) mod 2^64, top 32 bits
    hashed = (x[:, None] * _A[None, :] + _B[None, :]) >> np.uint64(32)
    return hashed.min(axis=0).astype(np.uint32)


def title_words(title: str) -> frozenset[str]:
    return frozenset(_WORD.findall(strip_verdict_prefix(title or "").casefold()))


def same_headline(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= MIN_TITLE_OVERLAP


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def _bands(signature: np.ndarray) -> list[tuple[int, bytes]]:
    return [(band, signature[band * ROWS : (band + 1) * ROWS].tobytes()) for band in range(BANDS)]


@dataclass
class DuplicateIndex:
    """Article ids by canonical URL, and MinHash signatures in LSH buckets."""

    by_url: dict[str, str] = field(default_factory=dict)
    known_ids: set[str] = field(default_factory=set)
    buckets: dict[tuple[int, bytes], list[str]] = field(default_factory=dict)
    signatures: dict[str, np.ndarray] = field(default_factory=dict)
    titles: dict[str, frozenset[str]] = field(default_factory=dict)

    def add(
        self,
        article_id: str,
        urls: Iterable[str],
        text: str,
        fingerprint: np.ndarray | None = None,
        title: str = "",
    ) -> None:
        self.known_ids.add(article_id)
        if title:
            self.titles[article_id] = title_words(title)
        for url in urls:
            if url:
                self.by_url.setdefault(canonical_url(url), article_id)
        fingerprint = minhash(text) if fingerprint is None else fingerprint
        if fingerprint is not None and article_id not in self.signatures:
            self.signatures[article_id] = fingerprint
            for key in _bands(fingerprint):
                self.buckets.setdefault(key, []).append(article_id)

    def find(
        self, own_id: str, urls: Iterable[str], text: str, title: str = ""
    ) -> tuple[str | None, np.ndarray | None]:
        """(id of another article this page duplicates, or None; the page's fingerprint for ``add``).
        A hit on ``own_id`` is the same article coming back (an update), not a duplicate."""
        for url in urls:
            found = self.by_url.get(canonical_url(url)) if url else None
            if found and found != own_id:
                return found, None
        fingerprint = minhash(text)
        if fingerprint is None:
            return None, None
        best, best_score = None, MIN_SIMILARITY
        words = title_words(title)
        for key in _bands(fingerprint):
            for article_id in self.buckets.get(key, ()):
                if article_id != own_id and same_headline(words, self.titles.get(article_id, frozenset())):
                    score = similarity(fingerprint, self.signatures[article_id])
                    if score >= best_score:
                        best, best_score = article_id, score
        return best, fingerprint

    @classmethod
    def from_articles(cls, articles: Iterable[Article]) -> "DuplicateIndex":
        index = cls()
        for article in articles:
            index.add(article.id, (article.url, *article.extra_urls), article.text, title=article.title)
        return index
