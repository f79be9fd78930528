"""RSS/Atom feeds (feedparser) and XML sitemaps (lxml): lists of article URLs, or articles themselves.

A feed item can become an article directly (title, link, summary or full content); with ``--follow``
the crawler fetches each item's page instead. Sitemaps only list URLs, so they need ``--follow``.
XML is parsed with entity resolution and network access off (no XXE from a hostile sitemap).
"""

from __future__ import annotations

import gzip
import io
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import feedparser
from lxml import etree

from ..domain.dates import parse_date
from ..errors import InputFormatError
from .html import Document

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit, uncompressed
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_FEED_SNIFF = re.compile(rb"<(rss|feed|rdf:RDF)\b", re.IGNORECASE)
_SITEMAP_SNIFF = re.compile(rb"<(urlset|sitemapindex)\b", re.IGNORECASE)


@dataclass(frozen=True)
class FeedItem:
    url: str
    title: str = ""
    text: str = ""
    summary: str = ""
    published: str = ""

    def record(self, article_id: str, publisher: str = "") -> dict[str, Any]:
        return {
            "id": article_id,
            "url": self.url,
            "title": self.title,
            "text": self.text,
            "summary": self.summary,
            "published": self.published or None,
            "publisher": publisher,
        }


@dataclass(frozen=True)
class Sitemap:
    pages: list[str]
    children: list[str]  # a sitemap index lists further sitemaps


def ungzip(data: bytes) -> bytes:
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            out = handle.read(MAX_SITEMAP_BYTES + 1)
    except (OSError, EOFError) as exc:
        raise InputFormatError(f"corrupt gzip data: {exc}") from exc
    if len(out) > MAX_SITEMAP_BYTES:
        raise InputFormatError(f"uncompressed sitemap exceeds {MAX_SITEMAP_BYTES:,} bytes")
    return out


def kind_of(data: bytes, content_type: str = "") -> str:
    """'feed', 'sitemap' or 'page', from the first bytes (servers mislabel XML too often to trust)."""
    head = ungzip(data)[:4096] if data[:2] == b"\x1f\x8b" else data[:4096]
    if _SITEMAP_SNIFF.search(head):
        return "sitemap"
    if _FEED_SNIFF.search(head):
        return "feed"
    ctype = content_type.lower()
    if any(t in ctype for t in ("rss", "atom")):
        return "feed"
    return "page"


def _plain(html_or_text: str) -> str:
    if "<" not in html_or_text:
        return html_or_text.strip()
    lines = [p.text(separator=" ").strip() for p in Document(html_or_text).tree.css("p, li, h2, h3")]
    text = "\n\n".join(line for line in lines if line)
    return text or Document(html_or_text).tree.text(separator=" ").strip()


def parse_feed(data: bytes, base_url: str = "") -> tuple[str, list[FeedItem]]:
    """(the feed's title, its items). Raises ``InputFormatError`` when it is not a readable feed."""
    parsed = feedparser.parse(data, response_headers={"content-location": base_url} if base_url else None)
    if not parsed.entries and parsed.get("bozo"):
        raise InputFormatError(f"not a readable RSS/Atom feed: {parsed.get('bozo_exception')}")
    items = []
    for entry in parsed.entries:
        link = urljoin(base_url, entry.get("link", "")) if entry.get("link") else ""
        content = entry.get("content") or []
        body = _plain(content[0].get("value", "")) if content else ""
        summary = _plain(entry.get("summary", ""))
        published = entry.get("published") or entry.get("updated") or ""
        items.append(
            FeedItem(
                url=link,
                title=" ".join(entry.get("title", "").split()),
                text=body or summary,
                summary=summary if body else "",
                published=_iso(published),
            )
        )
    return parsed.feed.get("title", ""), items


def _iso(value: str) -> str:
    """Feed dates come as RFC 822 ("Wed, 08 Dec 2021 10:00:00 +0700"); the day is what we keep."""
    found = parse_date(value)
    return found.isoformat() if found else ""


def parse_sitemap(data: bytes, base_url: str = "") -> Sitemap:
    data = ungzip(data)
    if len(data) > MAX_SITEMAP_BYTES:
        raise InputFormatError(f"sitemap exceeds {MAX_SITEMAP_BYTES:,} bytes")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise InputFormatError(f"not a readable sitemap: {exc}") from exc
    if root is None:
        raise InputFormatError("not a readable sitemap: empty document")
    locs = [
        urljoin(base_url, (el.text or "").strip())
        for el in root.iter(f"{_SITEMAP_NS}loc", "loc")
        if (el.text or "").strip()
    ]
    tag = etree.QName(root).localname if isinstance(root.tag, str) else ""
    if tag == "sitemapindex":
        return Sitemap(pages=[], children=locs)
    return Sitemap(pages=locs, children=[])
