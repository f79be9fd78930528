"""Link previews already read (the only SQL of ``link_previews``): one viral link is fetched once.

Keyed by ``domain.urls.url_key``; no person is recorded, only the page. A preview is fresh for a day,
a failure for an hour (a site that was down may be back); rows older than a week are deleted.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from ..domain.urls import LinkPage, url_key
from ..storage.base import Store
from ..storage.records import iso, utcnow

FRESH = timedelta(days=1)
FRESH_FAILURE = timedelta(hours=1)
KEEP = timedelta(days=7)


class PreviewCache:
    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, url: str, now: datetime | None = None) -> LinkPage | None:
        row = self.store.connection().execute(
            "SELECT final_url, title, description, status, fetched_at FROM link_previews WHERE url_key = ?",
            (url_key(url),)).fetchone()
        if row is None:
            return None
        age = (now or datetime.now(timezone.utc)) - datetime.fromisoformat(row[4])
        if age > (FRESH if row[3] == "ok" else FRESH_FAILURE):
            return None
        try:
            addresses = tuple(json.loads(row[0])) if row[0].startswith("[") else (row[0],)
        except ValueError:
            addresses = ()
        return LinkPage(url, row[3], addresses, row[1], row[2])

    def put(self, page: LinkPage) -> None:
        now = utcnow()
        with self.store.transaction(lock="rows") as tx:
            tx.execute(
                "INSERT INTO link_previews (url_key, final_url, title, description, status, fetched_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url_key) DO UPDATE SET final_url = excluded.final_url, "
                "title = excluded.title, description = excluded.description, status = excluded.status, "
                "fetched_at = excluded.fetched_at",
                (url_key(page.url), json.dumps(list(page.addresses), ensure_ascii=False), page.title[:500],
                 page.description[:1000], page.status, now))
            tx.execute("DELETE FROM link_previews WHERE fetched_at < ?",
                       (iso(datetime.now(timezone.utc) - KEEP),))
