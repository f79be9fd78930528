"""The archive by link: which fact-checks a URL in a person's message is about.

Three kinds of link, strongest first (``domain.urls.LinkKind``): the fact-check's own address (and its
mirrors), the places the claim circulated (ClaimReview ``itemReviewed.appearance``: the hoax post
itself), and the pages the fact-check cites (links in its body, URLs in its text). All are folded
with ``domain.urls.url_key``, so the AMP, mobile and tracking-parameter spellings of a page find it.
The keys are stored with the articles (``article_urls``, written in the same transaction as the
article, ``storage.records``), so a lookup is one indexed query, whatever the archive's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..domain.articles import Article
from ..domain.urls import LinkKind, is_specific, link_hash, url_key
from ..storage.base import Store


@dataclass(frozen=True)
class LinkMatch:
    article: Article
    kind: LinkKind
    key: str


class ArchiveLinks:
    def __init__(self, store: Store) -> None:
        self.store = store

    def match(self, urls: Sequence[str], limit: int = 10) -> list[LinkMatch]:
        """Fact-checks for these links: the strongest kind first, then the order the links came in."""
        keys = [k for k in dict.fromkeys(url_key(u) for u in urls) if k and is_specific(k)]
        if not keys:
            return []
        order = {link_hash(k): (i, k) for i, k in enumerate(keys)}
        rows = sorted((LinkKind(kind), order[digest][0], article_id, order[digest][1])
                      for article_id, kind, digest in self.store.linked_articles(list(order)))
        matches: list[LinkMatch] = []
        seen: set[str] = set()
        for kind, _, article_id, key in rows:
            if article_id in seen:
                continue
            seen.add(article_id)
            article = self.store.get_article(article_id)
            if article is not None:
                matches.append(LinkMatch(article, kind, key))
            if len(matches) >= limit:
                break
        return matches
