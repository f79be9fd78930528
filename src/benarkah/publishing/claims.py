"""``claims:search`` as Google's Fact Check Tools API defines it, over benarkah's archive and matching.

The parameters, their meaning and the response shape follow Google's reference for
``GET https://factchecktools.googleapis.com/v1alpha1/claims:search`` (cited in docs/reach.md), so a
client written for Google's API works here by changing its base URL. Differences are deliberate and
documented: results are ranked by benarkah's matching and only those with evidence for the query
are listed (at most ``RANKED`` per query); each article is one claim with one review.

Everything here is independent of HTTP: ``parse_claim_query`` turns query parameters into a
``ClaimQuery`` (or raises ``InvalidParameter`` with the message the client sees),
``search_claims`` answers it, ``claims_payload`` renders Google's JSON shape.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Callable, Iterable

from ..domain.articles import Article
from ..domain.verdicts import LABELS_ID
from ..errors import InvalidParameter
from ..search.engine import SearchResult
from .catalog import ArticleCatalog, Prefilter
from .claimreview import review_url
from .links import PublicLinks, review_site, site_of
from .pagetokens import PageTokens

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
MAX_OFFSET = 10_000
MAX_QUERY_CHARS = 2_000
MAX_AGE_DAYS = 36_500
RANKED = 100  # the most results benarkah's search ranks for one query

SearchFn = Callable[[str, int], SearchResult]

# Google's system parameters (API key, response format, field masks): accepted; only ``key`` is read.
SYSTEM_PARAMETERS = frozenset({"key", "alt", "fields", "prettyPrint", "quotaUser", "$.xgafv", "callback",
                               "access_token", "oauth_token", "upload_protocol", "uploadType"})


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str  # OpenAPI schema type
    description: str


PARAMETERS: tuple[Parameter, ...] = (
    Parameter("query", "string", "Textual query string: a keyword, a sentence or a whole forwarded message. "
              f"Required unless reviewPublisherSiteFilter is specified. At most {MAX_QUERY_CHARS} characters."),
    Parameter("languageCode", "string", "BCP-47 language code, such as \"id\" or \"en-US\": only reviews in "
              "this language (the region is not considered)."),
    Parameter("maxAgeDays", "integer", "The maximum age of the returned results, in days; the age is that of "
              f"the claim date or the review date, whichever is newer. 1-{MAX_AGE_DAYS}; 0 or absent: any age."),
    Parameter("pageSize", "integer", f"Results per page, 1-{MAX_PAGE_SIZE}; default {DEFAULT_PAGE_SIZE}."),
    Parameter("pageToken", "string", "The nextPageToken of a previous response, to get the next page; "
              "all other parameters must have the same values as in that request."),
    Parameter("offset", "integer", f"Start position in the results (0-{MAX_OFFSET}), used only without pageToken."),
    Parameter("reviewPublisherSiteFilter", "string", "Only reviews published on this site, e.g. tempo.co "
              "(subdomains included)."),
    Parameter("key", "string", "API key (required when the deployment requires keys; see benarkah apikey)."),
)
_KNOWN = frozenset(p.name for p in PARAMETERS) | SYSTEM_PARAMETERS
_INTEGER = re.compile(r"^\+?\d{1,9}$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")


@dataclass(frozen=True)
class ClaimQuery:
    query: str = ""
    language: str = ""  # the primary subtag, lower case ("id" for "id-ID")
    max_age_days: int = 0
    page_size: int = DEFAULT_PAGE_SIZE
    site: str = ""
    offset: int = 0

    def scope(self) -> str:
        """Everything but the position: what a page token is bound to."""
        return json.dumps([self.query, self.language, self.max_age_days, self.page_size, self.site],
                          ensure_ascii=False)

    def accepts(self, article: Article, links: PublicLinks, today: date) -> bool:
        if self.language and (article.language or "id").lower().split("-")[0] != self.language:
            return False
        if self.site and not _on_site(review_site(article, links), self.site):
            return False
        if self.max_age_days:
            newest = max((d for d in (article.published, article.claim_date) if d), default=None)
            if newest is None or newest < today - timedelta(days=self.max_age_days):
                return False
        return True


@dataclass(frozen=True)
class ClaimsPage:
    articles: list[Article]
    next_offset: int | None  # None: no more results


def parse_claim_query(pairs: Iterable[tuple[str, str]], tokens: PageTokens) -> ClaimQuery:
    """Query parameters (name, value pairs as sent) to a ``ClaimQuery``; every problem is an
    ``InvalidParameter`` naming the parameter and what would be accepted."""
    values: dict[str, str] = {}
    for name, value in pairs:
        if name not in _KNOWN:
            raise InvalidParameter(name, f"Unknown parameter {name!r}; known: "
                                   + ", ".join(p.name for p in PARAMETERS) + ".")
        if name in values:
            raise InvalidParameter(name, f"Parameter {name!r} was given more than once.")
        values[name] = value
    query = " ".join(values.get("query", "").replace("\x00", " ").split())
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidParameter("query", f"query is {len(query):,} characters; the limit is {MAX_QUERY_CHARS:,}.")
    site = _site(values.get("reviewPublisherSiteFilter", ""))
    if not query and not site:
        raise InvalidParameter("query", "query is required unless reviewPublisherSiteFilter is specified.")
    page_size = _integer(values, "pageSize", 0, MAX_PAGE_SIZE) or DEFAULT_PAGE_SIZE
    parsed = ClaimQuery(query=query, language=_language(values.get("languageCode", "")),
                        max_age_days=_integer(values, "maxAgeDays", 0, MAX_AGE_DAYS), page_size=page_size,
                        site=site, offset=_integer(values, "offset", 0, MAX_OFFSET))
    if token := values.get("pageToken", ""):
        parsed = replace(parsed, offset=tokens.read(token, parsed.scope()))
    return parsed


def search_claims(q: ClaimQuery, search: SearchFn, catalog: ArticleCatalog, links: PublicLinks,
                  today: date) -> ClaimsPage:
    """One page of results: ranked by the search for a query, newest first for a site alone."""
    wanted = q.page_size + 1  # one more than a page tells whether there is a next one
    if q.query:
        found = [a for a in evident(search(q.query, RANKED)) if q.accepts(a, links, today)][q.offset:q.offset + wanted]
    else:
        prefilter = Prefilter(url_contains=q.site, or_without_url=_on_site(links.host, q.site),
                              language=q.language,
                              since=today - timedelta(days=q.max_age_days) if q.max_age_days else None)
        found = []
        for n, article in enumerate(catalog.walk(lambda a: q.accepts(a, links, today), prefilter)):
            if n >= q.offset:
                found.append(article)
            if len(found) == wanted:
                break
    more = len(found) > q.page_size
    return ClaimsPage(found[:q.page_size], q.offset + q.page_size if more else None)


def evident(result: SearchResult) -> list[Article]:
    """The ranked articles with evidence for the query: a query word in them, or a confident match. A
    listing is not a reply, which may offer its best guess; listing the nearest unrelated articles for a
    query that matches nothing would only look like an answer."""
    return [h.article for h in result.hits if h.lexical > 0 or h.coverage > 0 or result.matched]


def claims_payload(page: ClaimsPage, q: ClaimQuery, tokens: PageTokens, links: PublicLinks,
                   site_name: str = "") -> dict[str, Any]:
    """Google's response shape; like Google's (proto3 JSON), empty fields are left out."""
    payload: dict[str, Any] = {}
    if page.articles:
        payload["claims"] = [claim_object(a, links, site_name) for a in page.articles]
    if page.next_offset is not None:
        payload["nextPageToken"] = tokens.issue(q.scope(), page.next_offset)
    return payload


def claim_object(article: Article, links: PublicLinks, site_name: str = "") -> dict[str, Any]:
    publisher = _drop_empty({"name": article.publisher or site_name, "site": review_site(article, links)})
    review = _drop_empty({
        "publisher": publisher,
        "url": review_url(article, links),
        "title": article.title,
        "reviewDate": _timestamp(article.published),
        "textualRating": article.verdict_label or LABELS_ID[article.verdict],
        "languageCode": article.language or "id",
    })
    return _drop_empty({"text": article.claim or article.display_title, "claimant": article.claimant,
                        "claimDate": _timestamp(article.claim_date), "claimReview": [review]})


def _timestamp(day: date | None) -> str:
    """Google's timestamps are RFC 3339 in UTC; the archive knows days."""
    return f"{day.isoformat()}T00:00:00Z" if day else ""


def _drop_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in ("", None, {}, [])}


def _on_site(host: str, site: str) -> bool:
    return bool(host) and (host == site or host.endswith("." + site))


def _integer(values: dict[str, str], name: str, low: int, high: int) -> int:
    raw = values.get(name, "").strip()
    if not raw:
        return 0
    if not _INTEGER.match(raw):
        raise InvalidParameter(name, f"{name} must be a whole number, got {raw[:40]!r}.")
    number = int(raw)
    if not low <= number <= high:
        raise InvalidParameter(name, f"{name} must be {low}-{high}, got {number}.")
    return number


def _language(raw: str) -> str:
    raw = raw.strip()
    if not raw:
        return ""
    if len(raw) > 35 or not _LANGUAGE.match(raw):
        raise InvalidParameter("languageCode", f"languageCode must be a BCP-47 code such as \"id\" or "
                               f"\"en-US\", got {raw[:40]!r}.")
    return raw.split("-")[0].lower()


def _site(raw: str) -> str:
    raw = raw.strip().lower()
    if not raw:
        return ""
    site = site_of(raw if "://" in raw else f"http://{raw}")
    if not _HOST.match(site):
        raise InvalidParameter("reviewPublisherSiteFilter", "reviewPublisherSiteFilter must be a site such as "
                               f"\"tempo.co\", got {raw[:60]!r}.")
    return site
