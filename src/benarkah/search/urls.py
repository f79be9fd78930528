"""The archive by link: which fact-checks a URL in a person's message is about.

Three kinds of link, strongest first: the fact-check's own address (and its mirrors, ``extra_urls``),
the places the claim circulated (ClaimReview ``itemReviewed.appearance``: the hoax post itself), and
the pages the fact-check cites (links in its body, URLs written in its text). All are folded with
``domain.urls.url_key``, so the AMP, mobile and tracking-parameter spellings of a page find it; home
pages are left out (a link to a whole site says nothing about one rumour). Immutable, built with the
search index from the same articles (``search.live.LiveIndex``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..domain.articles import Article
from ..domain.urls import find_urls, is_specific, url_key

MAX_TEXT_URLS = 50  # URLs read from one article's text


class LinkKind(enum.IntEnum):
    """How a link relates to a fact-check; lower is stronger."""

    OWN = 0        # the fact-check's own page
    APPEARANCE = 1  # where the claim circulated (the fact-check is about that very post)
    CITED = 2      # a page the fact-check cites


@dataclass(frozen=True)
class LinkMatch:
    article: Article
    kind: LinkKind
    key: str


def article_links(article: Article) -> Iterable[tuple[str, LinkKind]]:
    for url in (article.url, *article.extra_urls):
        yield url, LinkKind.OWN
    for url in article.claim_appearances:
        yield url, LinkKind.APPEARANCE
    for url in article.cited_urls:
        yield url, LinkKind.CITED
    for field in (article.claim, article.summary, article.text):
        for url in find_urls(field, limit=MAX_TEXT_URLS):
            yield url, LinkKind.CITED


class UrlIndex:
    def __init__(self, articles: Sequence[Article]) -> None:
        self._by_key: dict[str, list[tuple[LinkKind, int]]] = {}
        self.articles = list(articles)
        for position, article in enumerate(self.articles):
            best: dict[str, LinkKind] = {}
            for url, kind in article_links(article):
                key = url_key(url) if url else ""
                if key and is_specific(key) and kind < best.get(key, LinkKind.CITED + 1):
                    best[key] = kind
            for key, kind in best.items():
                self._by_key.setdefault(key, []).append((kind, position))

    def __len__(self) -> int:
        return len(self._by_key)

    def match(self, urls: Sequence[str], limit: int = 10) -> list[LinkMatch]:
        """Fact-checks for these links: the strongest kind first, then the order the links came in."""
        found: list[tuple[LinkKind, int, int, str]] = []
        for order, url in enumerate(urls):
            key = url_key(url)
            for kind, position in self._by_key.get(key, ()):
                found.append((kind, order, position, key))
        found.sort()
        seen: set[int] = set()
        matches: list[LinkMatch] = []
        for kind, _, position, key in found:
            if position not in seen:
                seen.add(position)
                matches.append(LinkMatch(self.articles[position], kind, key))
        return matches[:limit]
