"""Extracted pages to ingest records: ids from canonical URLs, near-duplicates merged into one.

A duplicate never becomes a second article: its URLs are added to the kept article's ``extra_urls``
(re-emitting the kept record, so the pipeline's upsert stores the longer URL list).
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from ..domain.articles import Article
from .dedupe import DuplicateIndex, article_id_for_url
from .extract import Extracted
from .records import RawRecord

MIN_BODY_CHARS = 80


def fallback_id(origin: str) -> str:
    """For a page without any URL (a local dump): stable per file, so a re-run updates in place."""
    return "page-" + hashlib.sha1(origin.encode("utf-8")).hexdigest()[:16]


class PageRecords:
    """Turns ``Extracted`` pages into ``RawRecord``s, remembering what it kept to merge duplicates."""

    def __init__(
        self,
        existing: Iterable[Article] | Callable[[], Iterable[Article]] = (),
        lookup: Callable[[str], Article | None] | None = None,
    ) -> None:
        self._existing = existing
        self._index: DuplicateIndex | None = None
        self.lookup = lookup  # id -> Article | None, for merging into an article stored by an earlier run
        self.kept: dict[str, dict[str, Any]] = {}
        self.merged = 0

    @property
    def index(self) -> DuplicateIndex:
        """Built on the first page, from the stored articles: a run of JSONL rows never pays for it."""
        if self._index is None:
            articles = self._existing() if callable(self._existing) else self._existing
            self._index = DuplicateIndex.from_articles(articles)
        return self._index

    def record(
        self, page: Extracted, origin: str, identity: str = "", require_body: bool = True
    ) -> RawRecord:
        if not page.title:
            return RawRecord(
                origin, error="no headline found on the page (check the profile's title selectors)"
            )
        if require_body and len(page.text) < MIN_BODY_CHARS and not page.claim:
            return RawRecord(
                origin, error=f"no article text found ({len(page.text)} characters after cleaning)"
            )
        article_id = article_id_for_url(page.url) if page.url else fallback_id(identity or origin)
        urls = [page.url, *page.mirror_urls]
        duplicate_of, fingerprint = self.index.find(article_id, urls, page.text, page.title)
        if duplicate_of is not None:
            return self._merge(duplicate_of, urls, origin)
        fields = page.record(article_id)
        fields["extra_urls"] = [u for u in page.mirror_urls if u != page.url]
        previous = self._previous(article_id)
        if previous is not None:  # the same article again (a mirror URL, or a re-crawl): keep every URL
            known = (previous.get("url"), *previous.get("extra_urls", []))
            if any(u and u not in known for u in urls):  # reached under an address not seen before
                self.merged += 1
            _keep_urls(fields, previous)
        self.index.add(article_id, urls, page.text, fingerprint, page.title)
        self.kept[article_id] = fields
        return RawRecord(origin, fields=fields)

    def _previous(self, article_id: str) -> dict[str, Any] | None:
        fields = self.kept.get(article_id)
        if fields is None and self.lookup is not None and article_id in self.index.known_ids:
            stored = self.lookup(article_id)
            fields = stored.to_record() if stored is not None else None
        return fields

    def _merge(self, kept_id: str, urls: list[str], origin: str) -> RawRecord:
        fields = self._previous(kept_id)
        if fields is None:
            return RawRecord(origin, error=f"duplicate of {kept_id}, which is no longer stored")
        known = [fields.get("url", ""), *fields.get("extra_urls", [])]
        added = [u for u in urls if u and u not in known]
        fields = {**fields, "extra_urls": [*fields.get("extra_urls", []), *added]}
        if urls[0] and is_mirror(fields.get("url", "")) and not is_mirror(urls[0]):
            # the kept copy was reached through its AMP/mobile mirror first: send people to the real page
            fields["extra_urls"] = [u for u in [fields["url"], *fields["extra_urls"]] if u != urls[0]]
            fields["url"] = urls[0]
        self.kept[kept_id] = fields
        self.index.add(kept_id, added, "")
        self.merged += 1
        return RawRecord(origin, fields=fields)


def is_mirror(url: str) -> bool:
    """An AMP or mobile copy: never preferred as the address people are sent to."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return host.startswith(("m.", "amp.", "mobile.")) or "/amp" in parts.path or "amp=" in parts.query


def _keep_urls(fields: dict[str, Any], previous: dict[str, Any]) -> None:
    """Union of both records' URLs; the previous primary URL stays primary over a mirror."""
    everything = [
        fields.get("url", ""),
        *fields.get("extra_urls", []),
        previous.get("url", ""),
        *previous.get("extra_urls", []),
    ]
    everything = [u for u in dict.fromkeys(everything) if u]
    if previous.get("url") and (is_mirror(fields.get("url", "")) or not fields.get("url")):
        fields["url"] = previous["url"]
    fields["extra_urls"] = [u for u in everything if u != fields["url"]]
