"""Everything ``benarkah ingest`` accepts, turned into records: JSONL/CSV files, HTML files, text
dumps, directories of them, feed and sitemap files, and http(s) URLs of pages, feeds and sitemaps.

Pages go through extraction (``extract.py``) and duplicate merging (``pages.py``); URLs through the
polite crawler, whose state makes re-runs conditional and interrupted runs resumable.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import urlsplit

from ..domain.dates import parse_date
from ..errors import BenarkahError, FetchError, InputFormatError
from .crawler import CrawlLimits, Crawler, Fetched
from .crawlstate import CrawlState
from .extract import Extracted, append_page, extract_html, extract_page, later_page_urls
from .feeds import FeedItem, kind_of, parse_feed, parse_sitemap
from .html import decode_page
from .pages import PageRecords
from .profiles import ProfileChooser, load_profiles
from .records import READERS, RawRecord, reader_for

PAGE_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx"}
TEXT_SUFFIXES = {".txt", ".text"}
XML_SUFFIXES = {".xml", ".rss", ".atom", ".gz"}
MAX_ARTICLE_PAGES = 20  # "halaman 1 dari N": follow at most this many
MAX_SITEMAP_DEPTH = 3


def is_url(value: str) -> bool:
    return urlsplit(value).scheme in ("http", "https")


def _known_suffix(path: Path) -> bool:
    suffix = path.suffix.lower()
    return suffix in READERS or suffix in PAGE_SUFFIXES or suffix in TEXT_SUFFIXES or suffix in XML_SUFFIXES


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given; directories walked in name order (hidden entries and unknown types skipped)."""
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                child = Path(root) / name
                if not name.startswith(".") and _known_suffix(child):
                    yield child


@dataclass
class SourceOptions:
    profile: str | None = None
    profiles_dir: str = ""  # a newsroom's own *.toml profiles, besides the built-in ones
    follow: bool = False
    limits: CrawlLimits = field(default_factory=CrawlLimits)


class Sources:
    """Yields records for the ingest pipeline; ``checkpoint()`` after each stored batch."""

    def __init__(self, store: Any, options: SourceOptions | None = None) -> None:
        self.options = options or SourceOptions()
        self.store = store
        extra = Path(self.options.profiles_dir) if self.options.profiles_dir else None
        self.chooser = ProfileChooser(load_profiles(extra), forced=self.options.profile)
        self.pages = PageRecords(store.iter_articles, lookup=store.get_article)
        self.state = CrawlState(store)
        self._crawler: Crawler | None = None
        self._marks: list[tuple[str, Fetched | None, str, str]] = []  # url, response, source, error
        self._article_of: dict[str, str] = {}  # page URL -> the article it became
        self.stats: Counter[str] = Counter()
        self._visited: set[str] = set()

    @property
    def crawler(self) -> Crawler:
        if self._crawler is None:
            self._crawler = Crawler(self.options.limits, self.state)
        return self._crawler

    def close(self) -> None:
        if self._crawler is not None:
            self._crawler.close()

    def checkpoint(self) -> None:
        """Everything yielded so far is stored: now it is safe to remember those URLs as fetched."""
        for url, fetched, source, error in self._marks:
            if error:
                self.state.failed(url, error, source=source)
            elif fetched is not None:
                self.state.done(
                    url,
                    fetched.status,
                    fetched.etag,
                    fetched.last_modified,
                    fetched.content_hash,
                    article_id=self._article_of.pop(url, None),
                    source=source,
                )
        self._marks.clear()

    def crawl_summary(self) -> str:
        s = self.stats
        line = (
            f"crawl: {s['fetched']} fetched, {s['not_modified']} not modified, "
            f"{s['unchanged_content']} unchanged content, {s['failed']} failed"
        )
        if s["deferred"]:
            line += f"; page limit reached, {s['deferred']} left pending for the next run"
        return line

    # entry point ---------------------------------------------------------------------------------

    def records(self, inputs: Iterable[str]) -> Iterator[RawRecord]:
        inputs = list(inputs)
        for value in inputs:  # every input checked before the first record: a typo never half-ingests
            if not is_url(value):
                path = Path(value)
                if not path.exists():
                    raise InputFormatError(f"{value}: no such file or folder (and not an http(s) URL)")
                if path.is_file() and not _known_suffix(path):
                    reader_for(path)  # raises "don't know how to read ..." with the known types
        for value in inputs:
            if is_url(value):
                yield from self._url(value, source="", depth=0)
                continue
            for file in expand_paths([Path(value)]):
                yield from self._file(file)

    # local files ---------------------------------------------------------------------------------

    def _file(self, path: Path) -> Iterator[RawRecord]:
        suffix = path.suffix.lower()
        if suffix in READERS:  # rows carry their own ids: plain upsert, no merging
            default = self.chooser.forced.default_verdict if self.chooser.forced else ""
            for row in reader_for(path)(path):
                yield replace(row, default_verdict=default) if default and row.fields is not None else row
            return
        if suffix not in PAGE_SUFFIXES | TEXT_SUFFIXES | XML_SUFFIXES:
            reader_for(path)  # raises the "don't know how to read" error with the known types
        size = path.stat().st_size
        if size > self.options.limits.max_bytes:
            yield RawRecord(
                path.name, error=f"{size:,} bytes; the page limit is {self.options.limits.max_bytes:,}"
            )
            return
        data = path.read_bytes()
        if suffix in XML_SUFFIXES:
            yield from self._xml_file(path, data)
            return
        text = decode_page(data)
        page = extract_page(text, self.chooser, is_html=suffix in PAGE_SUFFIXES or None)
        yield self._page_record(page, path.name, identity=str(path.resolve()))

    def _xml_file(self, path: Path, data: bytes) -> Iterator[RawRecord]:
        kind = kind_of(data)
        if kind == "feed":
            yield from self._feed(data, base_url="", origin=path.name, source=str(path.resolve()))
        elif kind == "sitemap":
            sitemap = parse_sitemap(data)
            if not self.options.follow:
                yield RawRecord(path.name, error="a sitemap only lists pages: add --follow to fetch them")
                return
            for child in sitemap.children:
                yield from self._url(child, source=str(path.resolve()), depth=1)
            yield from self._follow(sitemap.pages, source=str(path.resolve()))
        else:
            raise InputFormatError(
                f"{path}: don't know how to read {path.suffix} files that are neither an "
                "RSS/Atom feed nor a sitemap"
            )

    # feeds, sitemaps, URLs -----------------------------------------------------------------------

    def _feed(self, data: bytes, base_url: str, origin: str, source: str) -> Iterator[RawRecord]:
        title, items = parse_feed(data, base_url)
        if self.options.follow:
            yield from self._follow([i.url for i in items if i.url], source=source)
            return
        for number, item in enumerate(items, start=1):
            yield self._feed_item(item, f"{origin}#{number}", publisher=title)

    def _feed_item(self, item: FeedItem, origin: str, publisher: str) -> RawRecord:
        if not item.url:
            return RawRecord(origin, error="feed item has no link")
        page = Extracted(
            url=item.url,
            title=item.title,
            text=item.text,
            summary=item.summary,
            publisher=publisher,
            published=parse_date(item.published),
        )
        return self._page_record(page, origin, require_body=False)

    def _follow(self, urls: list[str], source: str) -> Iterator[RawRecord]:
        """Fetch every listed page; URLs an interrupted run left pending come along."""
        self.state.add_pending(urls, source)
        for url in dict.fromkeys([*urls, *self.state.pending(source)]):
            yield from self._url(url, source=source, depth=MAX_SITEMAP_DEPTH)

    def _url(self, url: str, source: str, depth: int) -> Iterator[RawRecord]:
        if url in self._visited:  # listed twice, or a sitemap that lists itself
            return
        if self.crawler.exhausted:
            self.stats["deferred"] += 1
            self.state.add_pending([url], source)
            return
        self._visited.add(url)
        try:
            fetched = self.crawler.fetch(url)
        except FetchError as exc:
            self.stats["failed"] += 1
            self._marks.append((url, None, source, str(exc)))
            yield RawRecord(url, error=str(exc).removeprefix(f"{url}: "))
            return
        known = self.state.get(url)
        unchanged = (
            known is not None and known.status == "done" and known.content_hash == fetched.content_hash
        )
        if fetched.not_modified or unchanged:
            self.stats["not_modified" if fetched.not_modified else "unchanged_content"] += 1
            self.stats["fetched"] += 0 if fetched.not_modified else 1
            self._marks.append((url, fetched, source, ""))
            if self.options.follow and (listed := self.state.listed(url)):
                # an unchanged feed or sitemap: its pages may still have changed (each asked conditionally)
                yield from self._follow(listed, source=url)
            return
        self.stats["fetched"] += 1
        kind = kind_of(fetched.content, fetched.content_type)
        if kind == "page":
            record = self._page(url, fetched)
            # a page that yielded no article is not "done": the next run tries it again in full
            self._marks.append((url, fetched, source, record.error or ""))
            if record.fields is not None:
                self._article_of[url] = str(record.fields["id"])
            yield record
            return
        self._marks.append((url, fetched, source, ""))
        try:
            if kind == "feed":
                yield from self._feed(fetched.content, fetched.url, origin=url, source=url)
                return
            sitemap = parse_sitemap(fetched.content, fetched.url)
        except InputFormatError as exc:
            yield RawRecord(url, error=str(exc))
            return
        if not self.options.follow:
            yield RawRecord(url, error="a sitemap only lists pages: add --follow to fetch them")
            return
        if depth < MAX_SITEMAP_DEPTH:
            self.state.add_pending(sitemap.children, url)
            for child in sitemap.children:
                yield from self._url(child, source=url, depth=depth + 1)
        yield from self._follow(sitemap.pages, source=url)

    def _page(self, url: str, fetched: Fetched) -> RawRecord:
        try:
            page = fetch_article(self.crawler, fetched, self.chooser)
        except BenarkahError as exc:
            return RawRecord(url, error=str(exc))
        if fetched.url not in (page.url, *page.mirror_urls):
            page.mirror_urls = (*page.mirror_urls, fetched.url)
        if url not in (page.url, *page.mirror_urls):
            page.mirror_urls = (*page.mirror_urls, url)
        return self._page_record(page, url)

    def _page_record(self, page: Extracted, origin: str, identity: str = "", require_body: bool = True) -> RawRecord:
        """The record of an extracted page, carrying its profile's verdict for pages that state none."""
        record = self.pages.record(page, origin, identity=identity, require_body=require_body)
        profile = self.chooser.profiles.get(page.profile)
        if profile is not None and profile.default_verdict and record.fields is not None:
            record = replace(record, default_verdict=profile.default_verdict)
        return record


def fetch_article(crawler: Crawler, first: Fetched, chooser: ProfileChooser) -> Extracted:
    """Extract a fetched page and join the article's further pages (rel=next or the profile's
    page-URL pattern), staying on the same host, at most ``MAX_ARTICLE_PAGES``."""
    html = decode_page(first.content, first.charset)
    page = extract_page(html, chooser, url=first.url)
    seen = {first.url, page.url}
    host = urlsplit(first.url).hostname
    planned = later_page_urls(page, chooser.profiles[page.profile])
    while (page.next_url or planned) and page.pages < MAX_ARTICLE_PAGES:
        next_url = page.next_url or planned.pop(0)
        if next_url in seen or urlsplit(next_url).hostname != host:
            break
        seen.add(next_url)
        try:
            more = crawler.fetch(next_url, conditional=False)
        except FetchError as exc:
            raise FetchError(f"page {page.pages + 1} of the article: {exc}") from None
        later = extract_html(decode_page(more.content, more.charset), chooser, url=more.url)
        page = append_page(page, later)
    return page
