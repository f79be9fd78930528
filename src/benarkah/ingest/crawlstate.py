"""Crawl state in the database (table ``crawl_pages``, migration 0020). All its SQL lives here.

Portable SQL only (plain types, ``?`` parameters through the store's connection) so the PostgreSQL
backend can reuse it. Statuses: ``pending`` (listed, not fetched yet), ``done``, ``failed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..storage.records import utcnow


@dataclass(frozen=True)
class PageState:
    url: str
    status: str
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    article_id: str | None


class CrawlState:
    """What the crawler remembers between runs, through a store with ``connection()``/``transaction()``."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def get(self, url: str) -> PageState | None:
        row = (
            self.store.connection()
            .execute(
                "SELECT url, status, etag, last_modified, content_hash, article_id "
                "FROM crawl_pages WHERE url = ?",
                (url,),
            )
            .fetchone()
        )
        return PageState(*row) if row else None

    def add_pending(self, urls: list[str], source: str) -> int:
        """Remember URLs a feed or sitemap listed; ones already known keep their state."""
        with self.store.transaction() as tx:
            before = tx.execute("SELECT COUNT(*) FROM crawl_pages").fetchone()[0]
            for url in urls:
                tx.execute(
                    "INSERT INTO crawl_pages (url, source, status, updated_at) VALUES (?, ?, 'pending', ?) "
                    "ON CONFLICT (url) DO NOTHING",
                    (url, source, utcnow()),
                )
            return int(tx.execute("SELECT COUNT(*) FROM crawl_pages").fetchone()[0] - before)

    def pending(self, source: str) -> list[str]:
        """URLs a previous run listed from ``source`` but never finished (an interrupted run)."""
        rows = self.store.connection().execute(
            "SELECT url FROM crawl_pages WHERE source = ? AND status = 'pending' ORDER BY url", (source,)
        )
        return [r[0] for r in rows]

    def listed(self, source: str) -> list[str]:
        """Every URL ``source`` (a feed or sitemap) listed in earlier runs, whatever its status."""
        rows = self.store.connection().execute(
            "SELECT url FROM crawl_pages WHERE source = ? ORDER BY url", (source,)
        )
        return [r[0] for r in rows]

    def done(
        self,
        url: str,
        http_status: int,
        etag: str | None,
        last_modified: str | None,
        content_hash: str | None,
        article_id: str | None = None,
        source: str = "",
    ) -> None:
        with self.store.transaction() as tx:
            tx.execute(
                "INSERT INTO crawl_pages (url, source, status, http_status, etag, last_modified, "
                "content_hash, article_id, error, attempts, fetched_at, updated_at) "
                "VALUES (?, ?, 'done', ?, ?, ?, ?, ?, NULL, 1, ?, ?) "
                "ON CONFLICT (url) DO UPDATE SET status = 'done', http_status = excluded.http_status, "
                "etag = COALESCE(excluded.etag, crawl_pages.etag), "
                "last_modified = COALESCE(excluded.last_modified, crawl_pages.last_modified), "
                "content_hash = COALESCE(excluded.content_hash, crawl_pages.content_hash), "
                "article_id = COALESCE(excluded.article_id, crawl_pages.article_id), error = NULL, "
                "attempts = crawl_pages.attempts + 1, fetched_at = excluded.fetched_at, "
                "updated_at = excluded.updated_at",
                (url, source, http_status, etag, last_modified, content_hash, article_id, utcnow(), utcnow()),
            )

    def failed(self, url: str, error: str, http_status: int | None = None, source: str = "") -> None:
        with self.store.transaction() as tx:
            tx.execute(
                "INSERT INTO crawl_pages (url, source, status, http_status, error, attempts, fetched_at, "
                "updated_at) VALUES (?, ?, 'failed', ?, ?, 1, ?, ?) "
                "ON CONFLICT (url) DO UPDATE SET status = 'failed', http_status = excluded.http_status, "
                "error = excluded.error, attempts = crawl_pages.attempts + 1, "
                "fetched_at = excluded.fetched_at, updated_at = excluded.updated_at",
                (url, source, http_status, error[:500], utcnow(), utcnow()),
            )

    def counts(self) -> dict[str, int]:
        rows = self.store.connection().execute("SELECT status, COUNT(*) FROM crawl_pages GROUP BY status")
        return {r[0]: int(r[1]) for r in rows}
