"""The archive as XML for machines: an RSS 2.0 feed of the latest fact-checks and sitemaps (a
``urlset``, or an index of them past 50,000 URLs, the protocol's limit per file).

Built with the standard library's ElementTree, so every value is escaped; characters XML 1.0 cannot
carry are dropped first. Links are absolute with ``BENARKAH_PUBLIC_URL``; without it they are
relative to the site root, which feed readers and benarkah's own ingest resolve against the address
they fetched, but search engines do not accept (docs/reach.md).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Iterable, Sequence

from ..domain.articles import Article
from ..domain.render import summarize
from ..domain.verdicts import LABELS_ID
from .catalog import SitemapEntry
from .links import PublicLinks, xml_text

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ATOM_NS = "http://www.w3.org/2005/Atom"


def rss_feed(articles: Sequence[Article], links: PublicLinks, title: str, description: str,
             language: str = "id") -> bytes:
    ET.register_namespace("atom", ATOM_NS)
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", title)
    _text(channel, "link", links.path("/f/"))
    _text(channel, "description", description)
    _text(channel, "language", language)
    if links.absolute:
        ET.SubElement(channel, f"{{{ATOM_NS}}}link", {"href": links.path("/feed.xml"), "rel": "self",
                                                    "type": "application/rss+xml"})
    for article in articles:
        item = ET.SubElement(channel, "item")
        page = links.factcheck(article.id)
        _text(item, "title", article.title)
        _text(item, "link", page)
        _text(item, "guid", page).set("isPermaLink", "true" if links.absolute else "false")
        verdict = article.verdict_label or LABELS_ID[article.verdict]
        _text(item, "description", f"{verdict}. {summarize(article)}".strip())
        _text(item, "category", verdict)
        if article.published:
            moment = datetime(article.published.year, article.published.month, article.published.day,
                              tzinfo=timezone.utc)
            _text(item, "pubDate", format_datetime(moment))
    return _serialise(rss)


def sitemap_urlset(entries: Iterable[SitemapEntry], links: PublicLinks) -> bytes:
    urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for entry in entries:
        url = ET.SubElement(urlset, "url")
        _text(url, "loc", links.factcheck(entry.article_id))
        _text(url, "lastmod", entry.updated.isoformat())
    return _serialise(urlset)


def sitemap_index(files: int, links: PublicLinks) -> bytes:
    index = ET.Element("sitemapindex", {"xmlns": SITEMAP_NS})
    for number in range(1, files + 1):
        _text(ET.SubElement(index, "sitemap"), "loc", links.path(f"/sitemap-{number}.xml"))
    return _serialise(index)


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = xml_text(value)
    return element


def _serialise(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
