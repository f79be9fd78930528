"""Where published things live, and which third-party URLs are safe to link.

Absolute links are built only from the configured ``BENARKAH_PUBLIC_URL``, never from a request's
``Host`` header (which anyone can set: a forged host would otherwise end up in sitemaps, feeds and
cached pages). Without a public URL every link is relative to the site root.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from ..domain.articles import Article

_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class PublicLinks:
    public_url: str = ""

    @property
    def base(self) -> str:
        return self.public_url.strip().rstrip("/")

    @property
    def absolute(self) -> bool:
        return bool(self.base)

    def path(self, path: str) -> str:
        """``/x`` under the public URL, or as given (relative to the site root) without one."""
        return f"{self.base}{path}"

    def factcheck(self, article_id: str) -> str:
        return self.path(factcheck_path(article_id))

    @property
    def host(self) -> str:
        return site_of(self.base) if self.base else ""


def factcheck_path(article_id: str) -> str:
    """``/f/<id>``; ids are free text from the newsroom's files, so every byte that is not
    unreserved is percent-encoded (``/`` too: the route reads the rest of the path as the id)."""
    return "/f/" + quote(article_id, safe="")


def safe_url(url: str) -> str:
    """The URL if it is a plain http(s) address, else "" (a ``javascript:`` or ``data:`` link in
    third-party data must never become a clickable link)."""
    url = (url or "").strip()
    if not url or any(c in url for c in "\r\n\t\x00 <>\"'`"):
        return ""
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.hostname else ""


def site_of(url: str) -> str:
    """The publisher's site as Fact Check Tools names it: the host without ``www.`` ("tempo.co")."""
    try:
        host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:  # an unparseable address (bad IPv6 literal, port) is no site
        return ""
    return host[4:] if host.startswith("www.") else host


def review_site(article: Article, links: PublicLinks) -> str:
    """An article's own site; one without an original URL is published here."""
    return site_of(safe_url(article.url)) or links.host


def xml_text(value: str) -> str:
    """Text with the characters XML 1.0 cannot carry (control characters, lone surrogates) removed."""
    return _XML_ILLEGAL.sub("", value or "")
