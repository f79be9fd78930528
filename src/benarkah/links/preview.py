"""What a linked page says it is: its title and description (Open Graph, Twitter card, ``<title>``,
meta description), its canonical address, and where a shortener sends it.

``LinkPreviewer.read`` answers from the cache or fetches (``links.fetch``, through the SSRF guard);
``prefetch`` fetches a batch's links concurrently within one deadline, so a messaging worker's batch
waits for the slowest link once, not for each in turn, and a link that is slow only delays itself.
Nothing here raises on a bad page: a failure is a ``LinkPage`` whose status says why.
"""

from __future__ import annotations

import codecs
import logging
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Iterator, Sequence
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser

from ..domain.urls import LinkPage, find_urls, url_key
from ..errors import FetchError
from .cache import PreviewCache
from .fetch import FetchedLink, LinkFetcher, NotNow, RobotsDisallowed
from .safety import UnsafeAddress

log = logging.getLogger(__name__)
MAX_TITLE = 300
MAX_DESCRIPTION = 600
PREFETCH_THREADS = 8
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
HTML_TYPES = ("text/html", "application/xhtml+xml")


def _decode(content: bytes, declared: str | None) -> str:
    meta = _META_CHARSET.search(content[:4096])
    for candidate in (declared, meta.group(1).decode("ascii", "ignore") if meta else None, "utf-8"):
        try:
            return content.decode(codecs.lookup(candidate).name) if candidate else ""
        except (LookupError, UnicodeDecodeError):
            continue
    return content.decode("utf-8", errors="replace")


def _clean(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def read_page(url: str, fetched: FetchedLink) -> LinkPage:
    """Title, description and addresses of a fetched page (status "not_html" for a PDF, an image...)."""
    page = fetched.page
    addresses = list(fetched.hops)
    ctype = page.content_type.split(";")[0].strip().lower()
    if ctype and ctype not in HTML_TYPES:
        return LinkPage(url, "not_html", tuple(addresses))
    tree = LexborHTMLParser(_decode(page.content, page.charset))

    def meta(*names: str) -> str:
        for name in names:
            for attribute in ("property", "name"):
                node = tree.css_first(f'meta[{attribute}="{name}"]')
                if node is not None and (node.attributes.get("content") or "").strip():
                    return node.attributes.get("content") or ""
        return ""

    title_node = tree.css_first("title")
    title = meta("og:title", "twitter:title") or (title_node.text() if title_node is not None else "")
    description = meta("og:description", "twitter:description", "description")
    canonical = tree.css_first('link[rel="canonical"]')
    for found in ((canonical.attributes.get("href") or "") if canonical is not None else "", meta("og:url")):
        if found.strip():
            addresses.append(urljoin(addresses[-1], found.strip()))
    return LinkPage(url, "ok", tuple(dict.fromkeys(addresses)), _clean(title, MAX_TITLE),
                    _clean(description, MAX_DESCRIPTION))


def _hops(exc: Exception) -> tuple[str, ...]:
    """Where a link led before its fetch failed: a shortener's target is known from its redirect
    even when the target itself cannot be read (or must not be)."""
    return tuple(getattr(exc, "hops", ()))


class LinkPreviewer:
    def __init__(self, cache: PreviewCache, fetcher: LinkFetcher | None) -> None:
        self.cache = cache
        self.fetcher = fetcher  # None: previews switched off (BENARKAH_LINK_PREVIEW=false); only links match
        self._local = threading.local()
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        if self.fetcher is not None:
            self.fetcher.close()

    @contextmanager
    def cached_only(self) -> Iterator[None]:
        """Within this block (this thread) nothing is fetched: a worker that is catching up uses what
        is cached and answers now."""
        previous = getattr(self._local, "cached_only", False)
        self._local.cached_only = True
        try:
            yield
        finally:
            self._local.cached_only = previous

    def read(self, urls: Sequence[str]) -> list[LinkPage]:
        """A page for each link, from the cache, else fetched now (unless ``cached_only``)."""
        offline = self.fetcher is None or getattr(self._local, "cached_only", False)
        pages = []
        for url in urls:
            page = self.cache.get(url)
            if page is None and not offline:
                page = self._fetch(url, time.monotonic() + self.fetcher.limits.timeout_s)  # type: ignore[union-attr]
            if page is not None:
                pages.append(page)
        return pages

    def prefetch(self, texts: Sequence[str]) -> int:
        """Fetch the uncached links of a batch of messages concurrently, all within one timeout.
        Returns how many pages were fetched (cached for the lookups that follow)."""
        if self.fetcher is None or getattr(self._local, "cached_only", False):
            return 0
        todo: dict[str, str] = {}
        for text in texts:
            for url in find_urls(text):
                todo.setdefault(url_key(url), url)
        todo = {k: u for k, u in todo.items() if self.cache.get(u) is None}
        if not todo:
            return 0
        deadline = time.monotonic() + self.fetcher.limits.timeout_s
        futures = [self._executor().submit(self._fetch, url, deadline) for url in todo.values()]
        done, _ = wait(futures, timeout=self.fetcher.limits.timeout_s + 1.0)
        return sum(1 for f in done if f.exception() is None and f.result() is not None)

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(PREFETCH_THREADS, thread_name_prefix="benarkah-links")
            return self._pool

    def _fetch(self, url: str, deadline: float) -> LinkPage | None:
        assert self.fetcher is not None
        try:
            page = read_page(url, self.fetcher.fetch(url, deadline))
        except UnsafeAddress as exc:
            log.info("link not fetched: %s", exc)
            page = LinkPage(url, "blocked", _hops(exc))
        except RobotsDisallowed as exc:
            page = LinkPage(url, "robots", _hops(exc))
        except NotNow as exc:
            log.info("link preview postponed: %s", exc)
            return None  # not the page's fault: not cached, tried again next time
        except FetchError as exc:
            log.info("link preview failed: %s", exc)
            page = LinkPage(url, "failed", _hops(exc))
        except Exception:  # noqa: BLE001 - a page that breaks the parser must not break the reply
            log.exception("link preview of %s failed", url[:200])
            page = LinkPage(url, "failed")
        try:
            self.cache.put(page)
        except Exception:  # noqa: BLE001 - the cache is an optimisation; the reply goes on
            log.exception("link preview not cached")
        return page
