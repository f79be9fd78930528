"""Article pictures in the store (``article_images``, migration 0050 on both backends).

Written against the store's portable SQL seam (``connection()``/``transaction()``, ``?``
placeholders), so the same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

from ..storage.records import utcnow
from .pdq import PdqHash
from .reader import ReadMedia
from .textprint import fingerprint

MAX_OCR_TEXT = 10_000


@dataclass(frozen=True)
class ArticleImage:
    id: int
    article_id: str
    source: str
    sha256: str
    mime: str
    width: int
    height: int
    pdq: PdqHash | None
    ocr_text: str
    text_print: np.ndarray


def _row(row: Any) -> ArticleImage:
    pdq = PdqHash(bytes(row["pdq"]), int(row["pdq_quality"])) if row["pdq"] is not None else None
    text_print = np.frombuffer(bytes(row["text_print"]), dtype="<u4").astype(np.uint32) \
        if row["text_print"] is not None else np.zeros(0, np.uint32)
    return ArticleImage(id=int(row["id"]), article_id=row["article_id"], source=row["source"],
                        sha256=row["sha256"], mime=row["mime"], width=int(row["width"]),
                        height=int(row["height"]), pdq=pdq, ocr_text=row["ocr_text"], text_print=text_print)


_COLUMNS = "id, article_id, source, sha256, mime, width, height, pdq, pdq_quality, ocr_text, text_print"


class ArticleImages:
    def __init__(self, store: Any) -> None:
        self.store = store

    def add(self, article_id: str, source: str, read: ReadMedia, ocr_engine: str = "") -> bool:
        """Store one article picture; False when this article already has these exact bytes."""
        best = max(read.hashes, key=lambda h: h.quality) if read.hashes else None
        text = read.read_text[:MAX_OCR_TEXT]
        prints = fingerprint(text)
        with self.store.transaction() as tx:
            known = tx.execute("SELECT id FROM article_images WHERE article_id = ? AND sha256 = ?",
                               (article_id, read.sha256)).fetchone()
            if known is not None:
                return False
            tx.execute(
                "INSERT INTO article_images (article_id, source, sha256, mime, width, height, pdq, pdq_quality, "
                "ocr_engine, ocr_text, text_print, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (article_id, source[:2000], read.sha256, read.mime, read.width, read.height,
                 best.bits if best else None, best.quality if best else 0, ocr_engine, text,
                 prints.astype("<u4").tobytes() if len(prints) else None, utcnow()))
            tx.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
                       "WHERE key = 'images_version'")
        return True

    def has(self, article_id: str, source: str) -> bool:
        row = self.store.connection().execute(
            "SELECT 1 FROM article_images WHERE article_id = ? AND source = ?", (article_id, source[:2000])).fetchone()
        return row is not None

    def version(self) -> int:
        row = self.store.connection().execute("SELECT value FROM meta WHERE key = 'images_version'").fetchone()
        return int(row[0]) if row else 0

    def count(self) -> int:
        return int(self.store.connection().execute("SELECT COUNT(*) FROM article_images").fetchone()[0])

    def for_article(self, article_id: str) -> list[ArticleImage]:
        rows = self.store.connection().execute(
            f"SELECT {_COLUMNS} FROM article_images WHERE article_id = ? ORDER BY id", (article_id,))
        return [_row(r) for r in rows]

    def all(self) -> Iterator[ArticleImage]:
        for row in self.store.connection().execute(f"SELECT {_COLUMNS} FROM article_images ORDER BY id"):
            yield _row(row)
