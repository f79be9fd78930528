"""schema.org ClaimReview (JSON-LD and microdata) read with extruct, mapped onto article fields.

The better outlets publish their verdict as structured data for search engines; when it is there it
is the most reliable source of the claim, the verdict label and the date, so it wins over heuristics.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Iterator


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClaimReview:
    claim: str = ""
    verdict_label: str = ""
    rating_name: str = ""  # reviewRating.name when the label came from alternateName (often the plain verdict)
    url: str = ""
    title: str = ""
    publisher: str = ""
    published: str = ""
    claim_author: str = ""
    claim_date: str = ""
    appearances: tuple[str, ...] = field(default=())


def _types(item: dict[str, Any]) -> set[str]:
    value = item.get("@type", [])
    values = value if isinstance(value, list) else [value]
    return {str(v).rsplit("/", 1)[-1] for v in values}


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _walk(child)
    elif isinstance(value, list):
        for child in value:
            yield from _walk(child)


def _text(value: Any) -> str:
    """schema.org lets most properties be a string, an object with a name, or a list of either."""
    if isinstance(value, list):
        return next((t for t in (_text(v) for v in value) if t), "")
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("@id") or value.get("url") or "")
    return " ".join(str(value).split()) if value is not None else ""


def _label(rating: Any) -> str:
    if isinstance(rating, list):
        rating = rating[0] if rating else {}
    if not isinstance(rating, dict):
        return _text(rating)
    label = _text(rating.get("alternateName")) or _text(rating.get("name"))
    if label:
        return label
    value, best = _text(rating.get("ratingValue")), _text(rating.get("bestRating"))
    return f"{value}/{best}" if value and best else value


def _rating_name(rating: Any) -> str:
    if isinstance(rating, list):
        rating = rating[0] if rating else {}
    return _text(rating.get("name")) if isinstance(rating, dict) else ""


def _appearances(item: Any) -> tuple[str, ...]:
    if not isinstance(item, dict):
        return ()
    found = item.get("appearance") or item.get("firstAppearance") or []
    found = found if isinstance(found, list) else [found]
    return tuple(u for u in (_text(a.get("url") if isinstance(a, dict) else a) for a in found) if u)


def claim_reviews(html: str, base_url: str = "") -> list[ClaimReview]:
    """Every ClaimReview on the page. Cheap when there is none (no parse unless the word occurs)."""
    if "claimreview" not in html.casefold():
        return []
    import extruct  # heavy (rdflib); only pages that mention ClaimReview pay for it

    try:
        data = extruct.extract(
            html, base_url=base_url or None, syntaxes=["json-ld", "microdata"], uniform=True, errors="ignore"
        )
    except (ValueError, TypeError) as exc:  # extruct surfaces parser failures as these
        log.warning("unreadable structured data on %s: %s", base_url or "page", exc)
        return []
    reviews = []
    for item in _walk(list(data.values())):
        if "ClaimReview" not in _types(item):
            continue
        reviewed = item.get("itemReviewed") if isinstance(item.get("itemReviewed"), dict) else {}
        reviews.append(
            ClaimReview(
                claim=_text(item.get("claimReviewed")) or _text(reviewed.get("name")),
                verdict_label=_label(item.get("reviewRating")),
                rating_name=_rating_name(item.get("reviewRating")),
                url=_text(item.get("url")),
                title=_text(item.get("headline")) or _text(item.get("name")),
                publisher=_text(item.get("author")) or _text(item.get("publisher")),
                published=_text(item.get("datePublished")),
                claim_author=_text(reviewed.get("author")),
                claim_date=_text(reviewed.get("datePublished")),
                appearances=_appearances(reviewed),
            )
        )
    return reviews
