"""Paged reads of the archive for the public pages, the sitemap, the feed and the API's browsing.

The store's own methods answer "all articles" and "the latest N"; publishing also needs page N of
the archive and a filtered walk, so this module runs those few statements through the store's SQL
seam (portable SQL, the same on SQLite and PostgreSQL) rather than widening the ``Store`` protocol
for one feature.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterator

from ..domain.articles import MAX_ID_LENGTH, Article
from ..storage.base import Store
from ..storage.records import ARTICLE_COLUMNS, row_to_article

# undated last; the articles_latest index serves this order on both backends (SQLite sorts NULL last
# in DESC, PostgreSQL is told to)
LATEST_ORDER = "published DESC NULLS LAST, id"
WALK_BATCH = 500


@dataclass(frozen=True)
class SitemapEntry:
    article_id: str
    updated: date


class ArticleCatalog:
    def __init__(self, store: Store) -> None:
        self.store = store

    def count(self) -> int:
        return int(self.store.count_articles())

    def get(self, article_id: str) -> Article | None:
        """The article, or None; an id no article can have (from a hand-edited URL) is not looked up."""
        if not 0 < len(article_id) <= MAX_ID_LENGTH or "\x00" in article_id or not _encodable(article_id):
            return None
        return self.store.get_article(article_id)

    def page(self, offset: int, limit: int) -> list[Article]:
        """Articles newest first (undated last), ``limit`` from ``offset``."""
        rows = self.store.connection().execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY {LATEST_ORDER} LIMIT ? OFFSET ?",
            (limit, offset)).fetchall()
        return [row_to_article(r) for r in rows]

    def sitemap_entries(self, offset: int, limit: int) -> list[SitemapEntry]:
        """Ids and last-change dates in id order (a stable order: new articles do not reshuffle
        the earlier sitemap files much, so crawlers re-read little)."""
        rows = self.store.connection().execute(
            "SELECT id, updated_at FROM articles ORDER BY id LIMIT ? OFFSET ?", (limit, offset)).fetchall()
        return [SitemapEntry(r[0], date.fromisoformat(r[1][:10])) for r in rows]

    def walk(self, accept: Callable[[Article], bool], prefilter: "Prefilter | None" = None) -> Iterator[Article]:
        """Articles newest first that ``accept`` takes, read in batches; ``prefilter`` narrows the
        rows in SQL first (a superset of what ``accept`` takes, so the result is exact)."""
        where, params = prefilter.sql() if prefilter else ("", [])
        offset = 0
        while True:
            rows = self.store.connection().execute(
                f"SELECT {ARTICLE_COLUMNS} FROM articles {where} ORDER BY {LATEST_ORDER} LIMIT ? OFFSET ?",
                (*params, WALK_BATCH, offset)).fetchall()
            for row in rows:
                article = row_to_article(row)
                if accept(article):
                    yield article
            if len(rows) < WALK_BATCH:
                return
            offset += WALK_BATCH


@dataclass(frozen=True)
class Prefilter:
    """Cheap SQL conditions that every wanted article meets (the exact test runs in Python)."""

    url_contains: str = ""
    or_without_url: bool = False  # articles without an original URL are published here
    language: str = ""
    since: date | None = None

    def sql(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.url_contains:
            site = "LOWER(url) LIKE ?" + (" OR url = ''" if self.or_without_url else "")
            clauses.append(f"({site})")
            params.append(f"%{_like_escape(self.url_contains.lower())}%")
        if self.language:
            clauses.append("LOWER(language) LIKE ?")
            params.append(f"{_like_escape(self.language.lower())}%")
        if self.since is not None:
            clauses.append("(published >= ? OR claim_date >= ?)")
            params += [self.since.isoformat()] * 2
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _like_escape(value: str) -> str:
    """Callers pass validated host names and language tags; drop LIKE's wildcards all the same."""
    return value.replace("%", "").replace("_", "")
