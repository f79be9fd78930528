"""Bytes to text and HTML to parts: charset repair, main-content extraction, metadata lookups.

Main content comes from trafilatura (made for boilerplate removal on news pages); selectolax answers
the cheap targeted questions (a profile's CSS selectors, canonical and AMP links, meta tags) fast.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import trafilatura
from charset_normalizer import from_bytes
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from .profiles import Selector

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_HTML_SNIFF = re.compile(
    r"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|div|article|p)\b", re.IGNORECASE | re.DOTALL
)


def _usable(encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return codecs.lookup(encoding.strip()).name
    except LookupError:
        return None


def decode_page(data: bytes, declared: str | None = None) -> str:
    """Decode a page whose declared charset may be wrong (a common archive defect).

    Valid UTF-8 is trusted first (mis-declared Latin-1 is the usual lie), then the declared or
    ``<meta>`` charset if it decodes cleanly, then charset-normalizer's detection; never raises.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    meta = _META_CHARSET.search(data[:4096])
    for candidate in (declared, meta.group(1).decode("ascii", "ignore") if meta else None):
        encoding = _usable(candidate)
        if encoding and encoding not in ("utf-8", "utf8"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        return data.decode(best.encoding, errors="replace")
    return data.decode("cp1252", errors="replace")


def looks_like_html(text: str) -> bool:
    return bool(_HTML_SNIFF.match(text[:2000]))


_BODY_IMAGES = ('article img', '[itemprop="articleBody"] img', ".entry-content img", ".post-content img",
                ".article-content img", ".detail__body img", ".read__content img", "main img")
_ICONISH = re.compile(r"(logo|icon|avatar|emoji|sprite|badge|pixel|spacer|blank)[^/]*$|\.svg(\?|$)", re.IGNORECASE)


def _image_src(attributes: dict[str, str | None]) -> str:
    for name in ("width", "height"):
        value = (attributes.get(name) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) < 100:
            return ""
    for name in ("src", "data-src", "data-lazy-src", "data-original"):
        value = (attributes.get(name) or "").strip()
        if value and not value.startswith("data:"):
            return value
    return ""


@dataclass(frozen=True)
class Links:
    canonical: str = ""
    amp: str = ""
    og_url: str = ""


class Document:
    """One parsed HTML page: selector lookups for profiles and the main text for the body."""

    def __init__(self, html: str, url: str = "") -> None:
        self.html = html
        self.url = url
        self.tree = HTMLParser(html)

    def first(self, selectors: tuple[Selector, ...]) -> str:
        """The first non-empty value any selector yields (an attribute, else the element's text)."""
        for selector in selectors:
            try:
                nodes = self.tree.css(selector.css)
            except ValueError:  # an unsupported selector in a newsroom's profile: skip it, keep going
                continue
            for node in nodes:
                value = (
                    node.attributes.get(selector.attribute)
                    if selector.attribute
                    else node.text(separator=" ")
                )
                value = " ".join((value or "").split())
                if value:
                    return value
        return ""

    def meta(self, *names: str) -> str:
        for name in names:
            for attribute in ("property", "name", "itemprop"):
                node = self.tree.css_first(f'meta[{attribute}="{name}"]')
                if node is not None and (value := (node.attributes.get("content") or "").strip()):
                    return " ".join(value.split())
        return ""

    def links(self) -> Links:
        def href(css: str) -> str:
            node = self.tree.css_first(css)
            value = (node.attributes.get("href") or "").strip() if node is not None else ""
            return urljoin(self.url, value) if value else ""

        og = self.meta("og:url")
        return Links(
            canonical=href('link[rel="canonical"]'),
            amp=href('link[rel="amphtml"]'),
            og_url=urljoin(self.url, og) if og else "",
        )

    def images(self, limit: int = 8) -> list[str]:
        """The article's pictures: ``og:image`` (the one a fact-check page picks to represent itself)
        first, then pictures inside the article body; icons, logos, avatars, SVGs, data: URIs and
        pictures declared smaller than 100 px are left out."""
        found = [self.meta("og:image:secure_url", "og:image", "og:image:url", "twitter:image")]
        for css in _BODY_IMAGES:
            for node in self.tree.css(css):
                found.append(_image_src(node.attributes))
        urls = []
        for value in found:
            if not value or value.startswith("data:"):
                continue
            url = urljoin(self.url, value.strip())
            if urlsplit(url).scheme in ("http", "https") and not _ICONISH.search(url):
                urls.append(url)
        return list(dict.fromkeys(urls))[:limit]

    def language(self) -> str:
        node = self.tree.css_first("html")
        lang = (node.attributes.get("lang") or "") if node is not None else ""
        return lang.split("-")[0].lower()[:5]

    def main_text_lines(self) -> list[str]:
        """The article body as lines (one per paragraph), boilerplate removed by trafilatura;
        falls back to the page's paragraphs when trafilatura finds no main content."""
        text = trafilatura.extract(
            self.html,
            url=self.url or None,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            output_format="txt",
            favor_recall=True,
            deduplicate=False,
        )
        if text:
            return text.splitlines()
        return [p.text(separator=" ") for p in self.tree.css("h1, h2, h3, p, li")]
