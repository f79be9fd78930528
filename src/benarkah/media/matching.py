"""Which fact-check shows this picture: by PDQ distance (the same photo, re-compressed or resized) or
by the text read from it (the same screenshot, stamped and framed by the fact-check page).

``PictureIndex`` is immutable, built from the stored article pictures; ``LivePictureIndex`` rebuilds it
when the store's ``images_version`` moves, checked at most once a second (as the search index is).
"""

from __future__ import annotations

import enum
import threading
import time
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from .archive import ArticleImage, ArticleImages
from .hashindex import HashIndex
from .pdq import HASH_BYTES
from .reader import ReadMedia
from .textprint import FingerprintIndex, fingerprint

VERSION_CHECK_SECONDS = 1.0


class MatchVia(enum.StrEnum):
    HASH = "pdq"
    TEXT = "text"


@dataclass(frozen=True)
class PictureMatch:
    article_id: str
    image_id: int
    via: MatchVia
    distance: int | None = None  # PDQ bits that differ, of 256
    share: float | None = None  # share of the read text's 3-grams the article picture also has

    @property
    def strength(self) -> float:
        """0..1, for ordering matches found different ways."""
        return 1.0 - self.distance / 256 if self.distance is not None else float(self.share or 0.0)

    def payload(self) -> dict[str, object]:
        out: dict[str, object] = {"id": self.article_id, "via": self.via.value}
        if self.distance is not None:
            out["distance"] = self.distance
        if self.share is not None:
            out["share"] = round(self.share, 4)
        return out


@dataclass(frozen=True)
class MatchThresholds:
    max_distance: int  # PDQ: at most this many bits of 256 differ
    min_text_share: float  # text: at least this share of 3-grams in common


class PictureIndex:
    def __init__(self, images: Iterable[ArticleImage]) -> None:
        images = list(images)
        hashed = [i for i in images if i.pdq is not None]
        self._hashed = [(i.article_id, i.id) for i in hashed]
        rows = np.frombuffer(b"".join(i.pdq.bits for i in hashed), dtype=np.uint8).reshape(-1, HASH_BYTES) \
            if hashed else np.zeros((0, HASH_BYTES), np.uint8)
        self.hashes = HashIndex(rows)
        printed = [i for i in images if len(i.text_print)]
        self._printed = [(i.article_id, i.id) for i in printed]
        self.texts = FingerprintIndex([i.text_print for i in printed])

    def __len__(self) -> int:
        return len(self._hashed) + len(self._printed)

    def match(self, read: ReadMedia, thresholds: MatchThresholds, limit: int = 10) -> list[PictureMatch]:
        """Article pictures this one matches, strongest first, one entry per article."""
        found: list[PictureMatch] = []
        for h in read.hashes:
            for n in self.hashes.search(h.bits, thresholds.max_distance):
                article_id, image_id = self._hashed[n.position]
                found.append(PictureMatch(article_id, image_id, MatchVia.HASH, distance=n.distance))
        query = fingerprint(read.read_text)
        for t in self.texts.search(query, thresholds.min_text_share, limit=limit):
            article_id, image_id = self._printed[t.position]
            found.append(PictureMatch(article_id, image_id, MatchVia.TEXT, share=t.share))
        best: dict[str, PictureMatch] = {}
        for m in sorted(found, key=lambda m: -m.strength):
            best.setdefault(m.article_id, m)
        return list(best.values())[:limit]


class LivePictureIndex:
    """The current ``PictureIndex`` of a store, rebuilt when its article pictures change."""

    def __init__(self, images: ArticleImages) -> None:
        self.images = images
        self._index: PictureIndex | None = None
        self._version = -1
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def current(self) -> PictureIndex:
        now = time.monotonic()
        if self._index is not None and now - self._checked_at < VERSION_CHECK_SECONDS:
            return self._index
        with self._lock:
            version = self.images.version()
            self._checked_at = now
            if self._index is None or version != self._version:
                self._index = PictureIndex(self.images.all())
                self._version = version
            return self._index
