"""Near-duplicate text: is the text read from a picture the text of a picture some fact-check shows?

PDQ compares how pictures look, and a screenshot of a chain message looks like every other
screenshot: white, grey lines of text. When a fact-check page shows the same screenshot with a verdict
stamp and a border, PDQ's distance to the original is larger than its distance to unrelated
screenshots (benchmarks/media.py measures both). The words, though, are the same. So each article
picture's OCR text is kept as a fingerprint: the hashes of its word 3-grams (at most the 128 smallest,
a bottom-k sketch that bounds memory per picture), and a sent picture's read text is compared by the
share of its 3-grams that one stored picture also has. OCR noise changes a few words; a different
message shares almost none.

The index is an inverted list (sorted hash values with their picture) searched with one binary search
per query 3-gram, so it stays fast at a million pictures.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

SHINGLE_WORDS = 3
MAX_SHINGLES = 128
MIN_SHARED = 4  # fewer shared 3-grams than this is no evidence, whatever the share
_WORDS = re.compile(r"[^\W_]+", re.UNICODE)


def fingerprint(text: str) -> np.ndarray:
    """Sorted unique uint32 hashes of the text's word 3-grams (casefolded), at most ``MAX_SHINGLES``."""
    words = [w.casefold() for w in _WORDS.findall(text)]
    if len(words) < SHINGLE_WORDS:
        return np.zeros(0, dtype=np.uint32)
    grams = {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}
    values = np.array([int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "little")
                       for g in grams], dtype=np.uint32)
    values = np.unique(values)
    return values[:MAX_SHINGLES]


@dataclass(frozen=True)
class TextMatch:
    position: int  # index into the fingerprints the index was built from
    share: float  # shared 3-grams / the smaller fingerprint's 3-grams
    shared: int


class FingerprintIndex:
    def __init__(self, fingerprints: Sequence[np.ndarray]) -> None:
        self.sizes = np.array([len(f) for f in fingerprints], dtype=np.int32)
        values = np.concatenate(fingerprints) if fingerprints else np.zeros(0, np.uint32)
        owners = np.repeat(np.arange(len(fingerprints), dtype=np.int32), self.sizes)
        order = np.argsort(values, kind="stable")
        self.values = values[order]
        self.owners = owners[order]

    def __len__(self) -> int:
        return len(self.sizes)

    def search(self, query: np.ndarray, min_share: float, limit: int = 10) -> list[TextMatch]:
        """Stored fingerprints sharing at least ``min_share`` of the smaller side's 3-grams, best first."""
        if not len(query) or not len(self.values):
            return []
        left = np.searchsorted(self.values, query, side="left")
        right = np.searchsorted(self.values, query, side="right")
        pieces = [self.owners[s:e] for s, e in zip(left.tolist(), right.tolist()) if e > s]
        if not pieces:
            return []
        owners, shared = np.unique(np.concatenate(pieces), return_counts=True)
        # the same 3-gram hash twice in one picture is impossible (fingerprints are unique), so counts are shares
        smaller = np.minimum(self.sizes[owners], len(query))
        share = shared / np.maximum(smaller, 1)
        keep = (shared >= MIN_SHARED) & (share >= min_share)
        owners, shared, share = owners[keep], shared[keep], share[keep]
        order = np.lexsort((owners, -share))[:limit]
        return [TextMatch(int(owners[i]), float(share[i]), int(shared[i])) for i in order]
