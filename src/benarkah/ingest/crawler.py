"""A polite, bounded fetcher: robots.txt, per-host spacing, timeouts, size and redirect limits,
conditional GET from the crawl state.

Sequential on purpose: newsroom archives are crawled once and then refreshed, so politeness and
resumability matter more than concurrency. Every failure becomes a ``FetchError`` with the reason.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpx

from .. import __version__
from ..errors import FetchError
from .crawlstate import CrawlState

log = logging.getLogger(__name__)

USER_AGENT = (
    f"benarkah-ingest/{__version__} (+https://github.com/benarkah/benarkah; fact-check archive import)"
)


@dataclass(frozen=True)
class CrawlLimits:
    max_bytes: int = 5 * 1024 * 1024
    timeout_s: float = 20.0  # per request, and the whole download of one page
    max_redirects: int = 5
    max_pages: int = 10_000  # fetches per run (robots.txt not counted)
    delay_s: float = 1.0  # between two requests to one host; robots.txt Crawl-delay raises it
    respect_robots: bool = True
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int
    content: bytes
    content_type: str = ""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    location: str | None = None

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _charset(content_type: str) -> str | None:
    message = Message()
    message["content-type"] = content_type
    return message.get_param("charset")  # type: ignore[return-value]


class Crawler:
    def __init__(self, limits: CrawlLimits | None = None, state: CrawlState | None = None) -> None:
        self.limits = limits or CrawlLimits()
        self.state = state
        self.client = httpx.Client(
            follow_redirects=False,
            timeout=httpx.Timeout(self.limits.timeout_s, connect=min(10.0, self.limits.timeout_s)),
            headers={"User-Agent": self.limits.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        self.fetches = 0
        self._robots: dict[str, RobotFileParser | None] = {}
        self._next_allowed: dict[str, float] = {}
        self._delay: dict[str, float] = {}

    @property
    def exhausted(self) -> bool:
        """The run's page budget is spent; what is left stays pending for the next run."""
        return self.fetches >= self.limits.max_pages

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Crawler":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # politeness ----------------------------------------------------------------------------------

    def _origin(self, url: str) -> str:
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc, "", "", ""))

    def _wait_turn(self, origin: str) -> None:
        now = time.monotonic()
        ready = self._next_allowed.get(origin, now)
        if ready > now:
            time.sleep(ready - now)
        self._next_allowed[origin] = time.monotonic() + self._delay.get(origin, self.limits.delay_s)

    def allowed(self, url: str) -> bool:
        if not self.limits.respect_robots:
            return True
        origin = self._origin(url)
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        robots = self._robots[origin]
        return True if robots is None else robots.can_fetch(self.limits.user_agent, url)

    def _load_robots(self, origin: str) -> RobotFileParser | None:
        """robots.txt: missing (4xx) means everything is allowed; unreachable (5xx, network) means
        nothing is, until a later run can read it (what the big crawlers do too)."""
        parser = RobotFileParser(origin + "/robots.txt")
        try:
            url = origin + "/robots.txt"
            for _ in range(self.limits.max_redirects + 1):  # e.g. http -> https
                self._wait_turn(self._origin(url))
                response = self._get(url, {})
                if response.status not in (301, 302, 303, 307, 308) or not response.location:
                    break
                url = urljoin(url, response.location)
            else:
                raise FetchError(f"{origin}/robots.txt: too many redirects")
        except FetchError as exc:
            log.warning("robots.txt of %s unreadable (%s): not crawling it this run", origin, exc)
            parser.parse(["User-agent: *", "Disallow: /"])
            return parser
        if 400 <= response.status < 500:
            return None
        if response.status >= 500:
            parser.parse(["User-agent: *", "Disallow: /"])
            return parser
        parser.parse(response.content.decode("utf-8", errors="replace").splitlines())
        delay = parser.crawl_delay(self.limits.user_agent)
        if delay:
            self._delay[origin] = max(self.limits.delay_s, min(float(delay), 60.0))
        return parser

    # fetching ------------------------------------------------------------------------------------

    def fetch(self, url: str, conditional: bool = True) -> Fetched:
        """GET one URL within every limit; 304 comes back as ``not_modified`` (content empty)."""
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(f"{url}: only http and https URLs can be fetched")
        if self.fetches >= self.limits.max_pages:
            raise FetchError(f"{url}: page limit of {self.limits.max_pages:,} fetches for this run reached")
        if not self.allowed(url):
            raise FetchError(f"{url}: disallowed by robots.txt")
        headers: dict[str, str] = {}
        known = self.state.get(url) if (conditional and self.state is not None) else None
        if known is not None and known.status == "done":
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        self.fetches += 1
        fetched = self._follow_redirects(url, headers)
        if fetched.status >= 400:
            raise FetchError(f"{url}: HTTP {fetched.status}")
        return fetched

    def _follow_redirects(self, url: str, headers: dict[str, str]) -> Fetched:
        """Redirects are followed here, not by httpx, so every hop is checked against its host's
        robots.txt and waits its host's turn (a redirect to another site is a request to that site)."""
        start, seen = url, [url]
        for _ in range(self.limits.max_redirects + 1):
            self._wait_turn(self._origin(url))
            fetched = self._get(url, headers)
            if fetched.status not in (301, 302, 303, 307, 308) or not fetched.location:
                return fetched
            url = urljoin(url, fetched.location)
            if urlsplit(url).scheme not in ("http", "https"):
                raise FetchError(f"{start}: redirected to a non-http URL {url[:100]}")
            if url in seen:
                raise FetchError(f"{start}: redirect loop ({' -> '.join(seen[-3:])} -> {url})")
            if not self.allowed(url):
                raise FetchError(f"{start}: redirected to {url}, which robots.txt disallows")
            seen.append(url)
            headers = {}  # validators belong to the first URL
        raise FetchError(f"{start}: more than {self.limits.max_redirects} redirects")

    def _get(self, url: str, headers: dict[str, str]) -> Fetched:
        return bounded_get(self.client, url, headers, self.limits.max_bytes, self.limits.timeout_s)


def bounded_get(client: httpx.Client, url: str, headers: dict[str, str], max_bytes: int, timeout_s: float,
                enough: bytes | None = None) -> Fetched:
    """One GET (no redirects followed) within a size and a whole-download time limit. ``enough``: stop
    reading once this marker has arrived (a link preview needs only the page's ``</head>``).
    Shared by the crawler and the link previews (``links.fetch``)."""
    deadline = time.monotonic() + timeout_s
    try:
        with client.stream("GET", url, headers=headers) as response:
            length = response.headers.get("content-length")
            if length and length.isdigit() and int(length) > max_bytes and enough is None:
                raise FetchError(f"{url}: {int(length):,} bytes; the limit is {max_bytes:,}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    if enough is None:
                        raise FetchError(f"{url}: larger than the {max_bytes:,}-byte limit")
                    chunks.append(chunk[: max(0, len(chunk) - (size - max_bytes))])
                    break
                if time.monotonic() > deadline:
                    raise FetchError(f"{url}: download took longer than {timeout_s:g} s")
                chunks.append(chunk)
                if enough is not None and enough in b"".join(chunks[-2:]).lower():
                    break
            ctype = response.headers.get("content-type", "")
            return Fetched(
                url=str(response.url),
                status=response.status_code,
                content=b"".join(chunks),
                content_type=ctype,
                charset=_charset(ctype),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                not_modified=response.status_code == 304,
                location=response.headers.get("location"),
            )
    except httpx.TimeoutException:
        raise FetchError(f"{url}: no answer within {timeout_s:g} s") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None
