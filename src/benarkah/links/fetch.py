"""Fetching a linked page politely and within bounds, through the SSRF guard (``links.safety``).

Bounds: a whole-fetch deadline (``link_fetch_timeout_seconds``), at most ``link_fetch_max_bytes``
read (and reading stops at ``</head>``: a title and a description are all a preview needs), at most
``link_fetch_max_redirects`` hops, http and https only. Politeness: an honest User-Agent, robots.txt
obeyed per host (cached for an hour), at least ``link_fetch_host_interval_seconds`` between two
requests to one host (a viral link sent by a thousand people is fetched once anyway: previews are
cached by ``links.cache``). The GET itself is the ingest crawler's (``ingest.crawler.bounded_get``).
Thread-safe: the messaging worker fetches a batch's links concurrently.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urljoin, urlunsplit
from urllib.robotparser import RobotFileParser

import httpx

from .. import __version__
from ..domain.urls import is_shortener, urlsplit
from ..errors import FetchError
from ..ingest.crawler import Fetched, bounded_get
from .safety import AddressPolicy, guarded_transport

USER_AGENT = (f"benarkah-linkpreview/{__version__} (+https://github.com/benarkah/benarkah; a fact-check tipline "
              "reading the title of a link someone asked about)")
REDIRECTS = frozenset({301, 302, 303, 307, 308})
ROBOTS_SECONDS = 3600.0
TRACKED_HOSTS = 4096


class RobotsDisallowed(FetchError):
    """The site's robots.txt asks robots like ours not to fetch this page."""


class NotNow(FetchError):
    """Out of time, or the host was asked moments ago: nothing is wrong with the page; try later."""


@dataclass(frozen=True)
class LinkLimits:
    timeout_s: float = 5.0
    max_bytes: int = 512 * 1024
    max_redirects: int = 4
    host_interval_s: float = 1.0
    respect_robots: bool = True
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class FetchedLink:
    hops: tuple[str, ...]  # every URL requested, the first as given, the last the page read
    page: Fetched


class LinkFetcher:
    def __init__(self, policy: AddressPolicy, limits: LinkLimits | None = None) -> None:
        self.limits = limits or LinkLimits()
        self.client = httpx.Client(
            transport=guarded_transport(policy), follow_redirects=False, trust_env=False,
            timeout=httpx.Timeout(self.limits.timeout_s, connect=min(3.0, self.limits.timeout_s)),
            headers={"User-Agent": self.limits.user_agent, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
                     "Accept-Language": "id,en;q=0.8", "Accept-Encoding": "gzip, deflate"})
        self._lock = threading.Lock()
        self._next: OrderedDict[str, float] = OrderedDict()
        self._robots: OrderedDict[str, tuple[float, RobotFileParser | None]] = OrderedDict()

    def close(self) -> None:
        self.client.close()

    def fetch(self, url: str, deadline: float | None = None) -> FetchedLink:
        """GET a link, following redirects hop by hop; every hop passes the address guard, robots.txt
        and the host's turn. Raises ``FetchError`` (``UnsafeAddress``, ``RobotsDisallowed``...)."""
        deadline = deadline or time.monotonic() + self.limits.timeout_s
        hops = [url]
        try:
            return self._follow(hops, deadline)
        except FetchError as exc:
            exc.hops = tuple(hops)  # type: ignore[attr-defined] - where the link led before it failed
            raise

    def _follow(self, hops: list[str], deadline: float) -> FetchedLink:
        url = hops[0]
        for _ in range(self.limits.max_redirects + 1):
            self._allowed(url, deadline)
            self._wait_turn(url, deadline)
            page = bounded_get(self.client, url, {}, self.limits.max_bytes, self._left(deadline, url), enough=b"</head>")
            if page.status not in REDIRECTS or not page.location:
                if page.status >= 400:
                    raise FetchError(f"{url}: HTTP {page.status}")
                return FetchedLink(tuple(hops), page)
            url = urljoin(url, page.location)
            if url in hops:
                raise FetchError(f"{hops[0]}: redirect loop")
            hops.append(url)
        raise FetchError(f"{hops[0]}: more than {self.limits.max_redirects} redirects")

    def _left(self, deadline: float, url: str) -> float:
        left = deadline - time.monotonic()
        if left <= 0.05:
            raise NotNow(f"{url}: out of time")
        return left

    def _origin(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"{url[:100]}: only http and https links are fetched")
        return urlunsplit((parts.scheme, parts.netloc.lower(), "", "", ""))

    def _wait_turn(self, url: str, deadline: float) -> None:
        origin = self._origin(url)
        with self._lock:
            now = time.monotonic()
            ready = max(self._next.pop(origin, now), now)
            if ready > deadline:
                self._next[origin] = ready
                raise NotNow(f"{url}: {origin} was asked for a page moments ago; not asking again so soon")
            self._next[origin] = ready + self.limits.host_interval_s
            while len(self._next) > TRACKED_HOSTS:
                self._next.popitem(last=False)
        if ready > now:
            time.sleep(ready - now)

    def _allowed(self, url: str, deadline: float) -> None:
        """robots.txt, except for link shorteners: a shortener's answer is a Location header, which
        every link unfurler reads, and its robots.txt is about crawling its own pages."""
        if not self.limits.respect_robots or is_shortener(url):
            return
        origin = self._origin(url)
        with self._lock:
            cached = self._robots.get(origin)
        if cached is None or cached[0] < time.monotonic():
            parser = self._load_robots(origin, deadline)
            with self._lock:
                self._robots[origin] = (time.monotonic() + ROBOTS_SECONDS, parser)
                while len(self._robots) > TRACKED_HOSTS:
                    self._robots.popitem(last=False)
            cached = (0.0, parser)
        parser = cached[1]
        if parser is not None and not parser.can_fetch(self.limits.user_agent, url):
            raise RobotsDisallowed(f"{url}: robots.txt disallows it")

    def _load_robots(self, origin: str, deadline: float) -> RobotFileParser | None:
        """robots.txt: missing (4xx) or unreadable means no rules; a page the person sent is one request,
        and the guard, not robots.txt, is what keeps it safe."""
        try:  # asked right before the page, as every crawler does: it does not take the page's turn
            found = bounded_get(self.client, origin + "/robots.txt", {}, 256 * 1024,
                                min(2.0, self._left(deadline, origin)))
        except FetchError:
            return None
        if found.status != 200:
            return None
        parser = RobotFileParser(origin + "/robots.txt")
        parser.parse(found.content.decode("utf-8", errors="replace").splitlines())
        return parser
