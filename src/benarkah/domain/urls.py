"""Links in what people send, and one key per page however the link was written.

People paste the same page in many spellings: ``http://`` or ``https://``, with ``www.``, the AMP or
mobile mirror (``m.``, ``amp.``, ``/amp``, ``?amp=1``, Google's AMP cache), with a share button's
tracking parameters (``utm_*``, ``fbclid``, ``igshid``, ``si``...), wrapped in Facebook's or Google's
redirect, as ``youtu.be/ID`` or ``youtube.com/watch?v=ID``, or without any scheme at all
(``bit.ly/abc``, ``www.contoh.id/x``). ``url_key`` folds all of these to one string, which is what the
archive's article URLs and cited URLs are indexed by (``search.urls``), what ingest derives article ids
from (``ingest.dedupe``), and what the tips desk clusters bare links by (``domain.clustering``).

No I/O: resolving a shortener is the link fetcher's job (``links/``); here it is only recognised.
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import SplitResult, parse_qsl, unquote, urlencode, urlunsplit
from urllib.parse import urlsplit as _urlsplit

from .articles import Article

MAX_URLS_PER_MESSAGE = 5  # a forward with more links than this is a link farm; the first few tell enough
MAX_URL_CHARS = 2_000

_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|igshid|igsh|mibextid|si|feature|amp|outputtype|_ga|_gl|ref|ref_src|"
    r"ref_url|source|mc_\w+|share|sharer|s_cid|cmpid|ocid|__twitter_impression|wt_mc|xtor|spm|is_from_webapp|"
    r"sender_device|_r|_t|tt_from|u_code|rdid|share_app_id|share_link_id|sf\d*|web_id)$", re.IGNORECASE)
_HOST_TRACKING = {"x.com": {"s", "t"}, "instagram.com": {"img_index"}}  # share parameters of one site
_MIRROR_HOST = re.compile(r"^(www\d?|m|amp|mobile|mbasic|touch|lite)\.")
_AMP_PATH = re.compile(r"(/amp/?$|^/amp(?=/)|\.amp(?=\.html?$)|/amp(?=/\d))")
_AMP_CACHE = re.compile(r"^[\w-]+\.cdn\.ampproject\.org$")
_SAME_SITE = {"twitter.com": "x.com", "fb.com": "facebook.com", "fb.watch": "facebook.com/watch"}
# Hosts whose links only redirect to another page: resolved (safely) by the link fetcher.
SHORTENER_HOSTS = frozenset("""
    bit.ly bitly.com s.id t.co tinyurl.com goo.gl ow.ly is.gd v.gd buff.ly rebrand.ly cutt.ly shorturl.at rb.gy
    t.ly lnkd.in fb.me tiny.cc dlvr.it trib.al ift.tt amzn.to bit.do shope.ee vt.tiktok.com vm.tiktok.com
    linktr.ee sfl.gl shorturl.asia gg.gg y2u.be kutt.it
""".split())
# A link in running text: with a scheme, ``www.``, or a bare host on a common top-level domain.
_FIND = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'`]+"
    r"|(?<![\w@./-])(?:[a-z0-9-]+\.)+(?:com|id|co\.id|go\.id|or\.id|ac\.id|net|org|ly|me|info|xyz|site|gl|co|be|"
    r"to|ee|gd|at|gy|in|cc|it|news|tv|io|my\.id|web\.id|link|online|live|top|click)(?:/[^\s<>\"'`]*)?",
    re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\"”’»…*_~"


def urlsplit(url: str) -> SplitResult:
    """``urllib.parse.urlsplit`` that never raises on a person's text ("http://[dot]" is not an error:
    it is a link to nothing); a malformed bracketed host reads as no host."""
    try:
        return _urlsplit(url)
    except ValueError:
        return _urlsplit(url.split("[", 1)[0] if "[" in url else "")


def find_urls(text: str, limit: int = MAX_URLS_PER_MESSAGE) -> list[str]:
    """The links in a message, as written (a scheme added where it was left out), in order, unique."""
    found: list[str] = []
    for match in _FIND.finditer(text or ""):
        raw = match.group(0)
        while raw and raw[-1] in _TRAILING:
            if raw[-1] == ")" and raw.count("(") >= raw.count(")"):
                break  # a wiki-style path that ends in a bracket it opened
            raw = raw[:-1]
        if not raw or len(raw) > MAX_URL_CHARS:
            continue
        url = raw if raw.lower().startswith(("http://", "https://")) else "https://" + raw
        if "." not in (urlsplit(url).hostname or ""):
            continue
        if url not in found:
            found.append(url)
        if len(found) >= limit:
            break
    return found


def url_key(url: str) -> str:
    """One key per page: https, no www/m/amp host or /amp path, no tracking parameters, no fragment,
    no trailing slash; redirect wrappers unwrapped; sorted query; same-site aliases folded."""
    if not url:
        return ""
    url = url.strip()
    if "://" not in url[:12]:
        url = "https://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    query = parse_qsl(parts.query, keep_blank_values=True)
    wrapped = _unwrap(host, parts.path, query)
    if wrapped:
        return url_key(wrapped)
    path = parts.path
    if _AMP_CACHE.match(host) and path.startswith("/c/"):  # Google AMP cache: /c/s/www.site.id/path
        inner = path[3:]
        inner = inner[2:] if inner.startswith("s/") else inner
        return url_key("https://" + inner)
    while _MIRROR_HOST.match(host):
        host = _MIRROR_HOST.sub("", host, count=1)
    host = _SAME_SITE.get(host, host)
    if host == "youtu.be" and path.strip("/"):
        host, path, query = "youtube.com", "/watch", [("v", path.strip("/").split("/")[0]), *query]
    if "/" in host:  # fb.watch -> facebook.com/watch
        host, _, prefix = host.partition("/")
        path = f"/{prefix}{path}"
    path = _AMP_PATH.sub("", path) or "/"
    path = path.rstrip("/") or "/"
    own = _HOST_TRACKING.get(host, set())
    kept = sorted((k, v) for k, v in query if not _TRACKING.match(k) and k not in own)
    port = f":{parts.port}" if _port(parts) not in (None, 80, 443) else ""
    return urlunsplit(("https", host + port, path, urlencode(kept), ""))


def _port(parts) -> int | None:  # type: ignore[no-untyped-def]
    try:
        return parts.port
    except ValueError:  # "host:99999" - not a port; ignore it rather than fail on a person's text
        return None


def _unwrap(host: str, path: str, query: list[tuple[str, str]]) -> str:
    """The target of a redirect wrapper (l.facebook.com/l.php?u=, google.com/url?q=), else ""."""
    params = dict(query)
    if host in ("l.facebook.com", "lm.facebook.com", "l.instagram.com") and path.startswith("/l.php"):
        return unquote(params.get("u", ""))
    if host in ("www.google.com", "google.com", "www.google.co.id", "google.co.id") and path == "/url":
        return unquote(params.get("q") or params.get("url") or "")
    return ""


def is_shortener(url: str) -> bool:
    host = (urlsplit(url if "://" in url[:12] else "https://" + url).hostname or "").lower()
    return host.removeprefix("www.") in SHORTENER_HOSTS


def is_specific(key: str) -> bool:
    """Whether a key names one page (a path or a query), not a whole site's home page: only such
    links are evidence that two messages are about the same thing."""
    parts = urlsplit(key)
    return parts.path not in ("", "/") or bool(parts.query)


def strip_urls(text: str) -> str:
    """The message without its links (what is left to search for when the links match nothing)."""
    return " ".join(_FIND.sub(" ", text or "").split())


@dataclass(frozen=True)
class LinkPage:
    """What a linked page says it is, as the link fetcher read it (``links.preview``)."""

    url: str                      # as the person sent it
    status: str                   # "ok", or why there is nothing to read ("blocked", "robots", "failed", ...)
    addresses: tuple[str, ...] = ()  # every hop (a shortener's target) and the page's canonical/og:url
    title: str = ""
    description: str = ""

    @property
    def text(self) -> str:
        """Words to search the archive with."""
        return " ".join(t for t in (self.title, self.description) if t)


class LinkKind(enum.IntEnum):
    """How a link relates to a fact-check; lower is stronger."""

    OWN = 0         # the fact-check's own page (or a mirror of it)
    APPEARANCE = 1  # where the claim circulated (ClaimReview itemReviewed.appearance: the hoax post)
    CITED = 2       # a page the fact-check cites (a link in its body, a URL in its text)


MAX_TEXT_URLS = 50  # URLs read from one article's text


def article_links(article: Article) -> dict[str, LinkKind]:
    """The keys of the pages an article is about or cites, each with its strongest kind; home pages
    left out (a link to a whole site says nothing about one rumour)."""
    found: dict[str, LinkKind] = {}

    def add(urls: Iterable[str], kind: LinkKind) -> None:
        for url in urls:
            key = url_key(url) if url else ""
            if key and is_specific(key) and kind < found.get(key, LinkKind.CITED + 1):
                found[key] = kind

    add((article.url, *article.extra_urls), LinkKind.OWN)
    add(article.claim_appearances, LinkKind.APPEARANCE)
    add(article.cited_urls, LinkKind.CITED)
    for text in (article.claim, article.summary, article.text):
        add(find_urls(text, limit=MAX_TEXT_URLS), LinkKind.CITED)
    return found


def link_hash(key: str) -> str:
    """What the archive's link table is keyed by: a key can be 2,000 characters, its digest is 32."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:32]
