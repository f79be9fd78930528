"""People's media kept with their tips (``media_items``, migration 0090): the one module that reads or
writes that table, and the bytes behind the storage seam (``vault``).

A picture is kept only when its message becomes a tip (a matched picture is answered and forgotten),
for ``BENARKAH_MEDIA_RETENTION_DAYS``; the desk shows it with the text read from it, and a new
picture tip joins the cluster of an earlier tip showing the same picture (``RecentPictures``: PDQ
distance or text fingerprint, the thresholds of the article-picture matching). Erasure and retention
delete the row and its bytes; a file a crash left without a row is found by ``sweep``.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..domain.pictures import MediaProblem, MediaType
from ..storage.base import Connection, Store
from .matching import MatchThresholds
from .pdq import HASH_BYTES, PdqHash, hamming_many
from .textprint import FingerprintIndex, fingerprint
from .vault import BlobStore, new_key

log = logging.getLogger(__name__)
DAY = 86_400.0
MAX_READ_TEXT = 10_000
SIMILAR_WINDOW_DAYS = 30  # as long as a tip cluster stays open to new tips
ORPHAN_GRACE_SECONDS = 3_600.0  # a file younger than this may belong to a transaction still open
SWEEP_BATCH = 500


@dataclass(frozen=True)
class KeptMedia:
    """What is kept of one file: its bytes (sniffed type), hashes and the text read from it."""

    media: MediaType
    data: bytes = field(repr=False)
    mime: str
    sha256: str
    width: int = 0
    height: int = 0
    hashes: tuple[PdqHash, ...] = ()
    read_text: str = ""
    problem: MediaProblem | None = None

    def __repr__(self) -> str:  # never the bytes or the text in a log line
        return f"KeptMedia({self.media}, {self.mime}, {len(self.data):,} bytes)"


@dataclass(frozen=True)
class MediaItem:
    id: int
    created_at: float
    channel: str
    tip_id: int | None
    media: MediaType
    mime: str
    size_bytes: int
    width: int
    height: int
    read_text: str
    problem: str
    storage: str
    blob_key: str

    @property
    def inline(self) -> bool:
        """Shown in the page (a picture, a video, audio); anything else would only be downloaded."""
        return self.mime.split("/")[0] in ("image", "video", "audio")


_COLUMNS = ("id, created_at, channel, tip_id, media, mime, size_bytes, width, height, read_text, problem, "
            "storage, blob_key")


def _item(row: Any) -> MediaItem:
    return MediaItem(id=int(row[0]), created_at=float(row[1]), channel=row[2],
                     tip_id=int(row[3]) if row[3] is not None else None, media=MediaType(row[4]), mime=row[5],
                     size_bytes=int(row[6]), width=int(row[7]), height=int(row[8]), read_text=row[9],
                     problem=row[10], storage=row[11], blob_key=row[12])


@dataclass(frozen=True)
class SweepReport:
    expired: int = 0
    orphans: int = 0


class KeptMediaStore:
    """``media_items`` and the bytes each row names."""

    def __init__(self, store: Store, writer: BlobStore, readers: dict[str, BlobStore],
                 retention_days: float = 30.0, thresholds: MatchThresholds | None = None) -> None:
        self.store = store
        self.writer = writer
        self.readers = readers
        self.retention_days = retention_days
        self.recent = RecentPictures(store, thresholds or MatchThresholds(31, 0.7))

    # writing -------------------------------------------------------------------------------------

    def keep(self, kept: KeptMedia, channel: str, sender_hash: str, tip_id: int | None) -> int:
        """Store the bytes and the row (database bytes in the same transaction; a file just before it)."""
        key = new_key()
        hashes = b"".join(h.bits for h in kept.hashes if h.usable)
        prints = fingerprint(kept.read_text)
        with self.store.transaction(lock="rows") as tx:
            self.writer.put(tx, key, kept.data, sender_hash)
            cursor = tx.execute(
                "INSERT INTO media_items (created_at, channel, sender_hash, tip_id, media, mime, size_bytes, sha256, "
                "width, height, pdq, text_print, read_text, problem, storage, blob_key) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (time.time(), channel, sender_hash, tip_id, str(kept.media), kept.mime, len(kept.data), kept.sha256,
                 kept.width, kept.height, hashes or None, prints.astype("<u4").tobytes() if len(prints) else None,
                 kept.read_text[:MAX_READ_TEXT], str(kept.problem or ""), self.writer.name, key))
            return int(cursor.lastrowid)

    # reading -------------------------------------------------------------------------------------

    def get(self, media_id: int) -> MediaItem | None:
        row = self.store.connection().execute(f"SELECT {_COLUMNS} FROM media_items WHERE id = ?",
                                              (media_id,)).fetchone()
        return _item(row) if row else None

    def data(self, item: MediaItem) -> bytes | None:
        reader = self.readers.get(item.storage)
        return reader.get(item.blob_key) if reader is not None else None

    def for_tips(self, tip_ids: Sequence[int]) -> dict[int, list[MediaItem]]:
        if not tip_ids:
            return {}
        marks = ",".join("?" * len(tip_ids))
        rows = self.store.connection().execute(
            f"SELECT {_COLUMNS} FROM media_items WHERE tip_id IN ({marks}) ORDER BY id", tuple(tip_ids)).fetchall()
        found: dict[int, list[MediaItem]] = {}
        for row in rows:
            item = _item(row)
            found.setdefault(item.tip_id or 0, []).append(item)
        return found

    def count(self) -> int:
        return int(self.store.connection().execute("SELECT COUNT(*) FROM media_items").fetchone()[0])

    def similar_tips(self, kept: KeptMedia) -> list[int]:
        return self.recent.similar(kept)

    # erasure and retention -----------------------------------------------------------------------

    def blobs_of(self, tx: Connection, sender_hashes: Sequence[str]) -> list[tuple[str, str]]:
        """(storage, key) of every file these people's rows name: read before the rows are erased."""
        if not sender_hashes:
            return []
        marks = ",".join("?" * len(sender_hashes))
        rows = tx.execute(f"SELECT storage, blob_key FROM media_items WHERE sender_hash IN ({marks})",
                          tuple(sender_hashes)).fetchall()
        return [(r[0], r[1]) for r in rows]

    def delete_blobs(self, blobs: Sequence[tuple[str, str]], tx: Connection | None = None) -> int:
        deleted = 0
        for name, reader in self.readers.items():
            keys = [key for storage, key in blobs if storage == name]
            if keys:
                deleted += reader.delete(keys, tx)
        return deleted

    def sweep(self, now: float | None = None) -> SweepReport:
        """Delete media past its retention, and bytes no row names (a crash between writing a file and
        committing its row). Safe to run from every worker at once."""
        now = time.time() if now is None else now
        expired = self._expire(now - self.retention_days * DAY)
        orphans = self._orphans(now - ORPHAN_GRACE_SECONDS)
        if expired or orphans:
            log.info("media sweep: %d past retention deleted, %d unreferenced files removed", expired, orphans)
        return SweepReport(expired, orphans)

    def _expire(self, cutoff: float) -> int:
        with self.store.transaction(lock="rows") as tx:
            rows = tx.execute("SELECT id, storage, blob_key FROM media_items WHERE created_at < ? ORDER BY id "
                              "LIMIT ?", (cutoff, SWEEP_BATCH)).fetchall()
            if not rows:
                return 0
            marks = ",".join("?" * len(rows))
            tx.execute(f"DELETE FROM media_items WHERE id IN ({marks})", tuple(int(r[0]) for r in rows))
            blobs = [(r[1], r[2]) for r in rows]
            self.delete_blobs([b for b in blobs if b[0] == "database"], tx)
        self.delete_blobs([b for b in blobs if b[0] != "database"])
        return len(rows)

    def _orphans(self, older_than: float) -> int:
        removed = 0
        for name, reader in self.readers.items():
            stale = reader.stale_keys(older_than)
            if not stale:
                continue
            known = self._known_keys(stale)
            removed += reader.delete([k for k in stale if k not in known])
        return removed

    def _known_keys(self, keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.store.connection().execute(
                f"SELECT blob_key FROM media_items WHERE blob_key IN ({marks})", tuple(chunk)))
        return found


class RecentPictures:
    """The hashes and text fingerprints of the last 30 days' picture tips, in memory, to find the tips
    a new picture repeats. Refreshed from the rows added since the last look (any process's), so a
    lookup costs one small query plus a vectorised distance over at most a month of picture tips."""

    def __init__(self, store: Store, thresholds: MatchThresholds) -> None:
        self.store = store
        self.thresholds = thresholds
        self._lock = threading.Lock()
        self._last_id = 0
        self._tips: list[int] = []          # per entry: the tip id
        self._times: list[float] = []
        self._hash_rows = np.zeros((0, HASH_BYTES), np.uint8)
        self._hash_owner = np.zeros(0, np.int64)  # entry index of each hash row
        self._prints: list[np.ndarray] = []
        self._text_index: FingerprintIndex | None = None

    def similar(self, kept: KeptMedia, now: float | None = None) -> list[int]:
        """Tip ids of earlier pictures matching this one (PDQ or text), the nearest first."""
        with self._lock:
            self._refresh(time.time() if now is None else now)
            scored: dict[int, float] = {}
            for h in kept.hashes:
                if not h.usable or not len(self._hash_rows):
                    continue
                distances = hamming_many(self._hash_rows, h.bits)
                for row in np.flatnonzero(distances <= self.thresholds.max_distance):
                    entry = int(self._hash_owner[row])
                    scored[entry] = max(scored.get(entry, 0.0), 1.0 - distances[row] / 256)
            query = fingerprint(kept.read_text)
            if len(query) and self._text_index is not None:
                for match in self._text_index.search(query, self.thresholds.min_text_share, limit=20):
                    scored[match.position] = max(scored.get(match.position, 0.0), match.share)
            order = sorted(scored, key=lambda e: (-scored[e], -e))
            return [self._tips[e] for e in order]

    def _refresh(self, now: float) -> None:
        rows = self.store.connection().execute(
            "SELECT id, tip_id, created_at, pdq, text_print FROM media_items WHERE id > ? AND tip_id IS NOT NULL "
            "AND created_at >= ? ORDER BY id", (self._last_id, now - SIMILAR_WINDOW_DAYS * DAY)).fetchall()
        cutoff = now - SIMILAR_WINDOW_DAYS * DAY
        stale = bool(self._times) and self._times[0] < cutoff
        if not rows and not stale:
            return
        hash_rows = [self._hash_rows]
        owners = [self._hash_owner]
        for row in rows:
            self._last_id = max(self._last_id, int(row[0]))
            entry = len(self._tips)
            self._tips.append(int(row[1]))
            self._times.append(float(row[2]))
            if row[3] is not None:
                hashes = np.frombuffer(bytes(row[3]), np.uint8).reshape(-1, HASH_BYTES)
                hash_rows.append(hashes)
                owners.append(np.full(len(hashes), entry, np.int64))
            self._prints.append(np.frombuffer(bytes(row[4]), "<u4").astype(np.uint32) if row[4] is not None
                                else np.zeros(0, np.uint32))
        self._hash_rows = np.concatenate(hash_rows)
        self._hash_owner = np.concatenate(owners)
        if stale:
            self._drop_before(cutoff)
        self._text_index = FingerprintIndex(self._prints) if self._prints else None

    def _drop_before(self, cutoff: float) -> None:
        keep = [i for i, t in enumerate(self._times) if t >= cutoff]
        renumber = {old: new for new, old in enumerate(keep)}
        mask = np.array([int(o) in renumber for o in self._hash_owner], dtype=bool)
        self._hash_rows = self._hash_rows[mask]
        self._hash_owner = np.array([renumber[int(o)] for o in self._hash_owner[mask]], np.int64)
        self._tips = [self._tips[i] for i in keep]
        self._times = [self._times[i] for i in keep]
        self._prints = [self._prints[i] for i in keep]
