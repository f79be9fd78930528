"""schema.org ClaimReview for one article, as search engines and fact-check tools read it.

The mapping is the one benarkah's own ingest reads back (``ingest/claimreview.py`` and
``ingest/extract.py``), so a page exported here and ingested elsewhere is the same fact-check:

* ``claimReviewed``: the claim (the display title when the archive has no claim text, since
  search engines require one);
* ``reviewRating.alternateName``: the verdict exactly as the publisher labelled it, and
  ``reviewRating.name`` the canonical verdict in English, which an ingest falls back to when the
  publisher's label is one it does not know ("Konteks Hilang");
* ``itemReviewed``: a ``Claim`` with its author, date and appearances where the archive knows them;
* ``author``: the publishing organisation; ``datePublished``, ``url``, ``headline``, ``inLanguage``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from ..domain.articles import Article
from ..domain.verdicts import LABELS_EN, LABELS_ID
from .links import PublicLinks, safe_url


def claim_review(article: Article, links: PublicLinks, site_name: str = "") -> dict[str, Any]:
    """The JSON-LD object for ``article``; ``site_name`` is the author of articles without a publisher."""
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": article.verdict_label or LABELS_ID[article.verdict],
                              "name": LABELS_EN[article.verdict].capitalize()}
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": review_url(article, links),
        "headline": article.title,
        "claimReviewed": article.claim or article.display_title,
        "reviewRating": rating,
        "itemReviewed": _claim(article),
        "inLanguage": article.language or "id",
    }
    publisher = article.publisher or site_name
    if publisher:
        author: dict[str, Any] = {"@type": "Organization", "name": publisher}
        if origin := _origin(article, links):
            author["url"] = origin
        data["author"] = author
    if article.published:
        data["datePublished"] = article.published.isoformat()
    return data


def review_url(article: Article, links: PublicLinks) -> str:
    """Where the fact-check lives: its original article, else its page here."""
    return safe_url(article.url) or links.factcheck(article.id)


def _origin(article: Article, links: PublicLinks) -> str:
    """The publisher's home: the original article's scheme and host, else this site."""
    if url := safe_url(article.url):
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"
    return links.base


def _claim(article: Article) -> dict[str, Any]:
    claim: dict[str, Any] = {"@type": "Claim"}
    if article.claimant:
        claim["author"] = {"@type": "Person", "name": article.claimant}
    if article.claim_date:
        claim["datePublished"] = article.claim_date.isoformat()
    appearances = [u for u in (safe_url(a) for a in article.claim_appearances) if u]
    if appearances:
        claim["appearance"] = [{"@type": "CreativeWork", "url": u} for u in appearances]
    return claim


def jsonld_script_body(data: dict[str, Any]) -> str:
    """JSON safe inside ``<script type="application/ld+json">``: ``<``, ``>`` and ``&`` escaped as
    JSON unicode escapes, so third-party text containing ``</script>`` cannot close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
