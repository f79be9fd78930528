"""The fact-check article, and how a loose input record becomes one."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any, Mapping

from ..errors import InvalidArticle
from .dates import parse_date
from .verdicts import Verdict, normalize_verdict, strip_verdict_prefix, verdict_from_title

MAX_ID_LENGTH = 200
MAX_TITLE_LENGTH = 1_000
MAX_TEXT_LENGTH = 200_000


@dataclass(frozen=True, slots=True)
class Article:
    """One published fact-check. ``verdict_label`` is the label exactly as published.

    ``claimant``, ``claim_date`` and ``claim_appearances`` describe the claim itself (who said it,
    when, where it circulated), as ClaimReview's ``itemReviewed`` does, where the source says so.
    """

    id: str
    title: str
    url: str = ""
    text: str = ""
    summary: str = ""
    claim: str = ""
    verdict: Verdict = Verdict.OTHER
    verdict_label: str = ""
    published: date | None = None
    publisher: str = ""
    topic: str = ""
    language: str = "id"
    extra_urls: tuple[str, ...] = field(default=())
    claimant: str = ""
    claim_date: date | None = None
    claim_appearances: tuple[str, ...] = field(default=())

    @property
    def display_title(self) -> str:
        return strip_verdict_prefix(self.title) or self.title

    def content_hash(self) -> str:
        """A stable fingerprint of the content, so re-ingesting an unchanged row is a no-op."""
        record = self.to_record()
        for name in _CLAIM_FIELDS:  # absent claim metadata leaves the fingerprint as it was before it existed
            if not record[name]:
                del record[name]
        payload = json.dumps(record, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        record["verdict"] = self.verdict.value
        record["published"] = self.published.isoformat() if self.published else None
        record["extra_urls"] = list(self.extra_urls)
        record["claim_date"] = self.claim_date.isoformat() if self.claim_date else None
        record["claim_appearances"] = list(self.claim_appearances)
        return record

    def with_changes(self, **changes: Any) -> "Article":
        return replace(self, **changes)


_TEXT_FIELDS = ("url", "text", "summary", "claim", "verdict_label", "publisher", "topic", "language", "claimant")
_CLAIM_FIELDS = ("claimant", "claim_date", "claim_appearances")


def _clean_str(value: Any, name: str, limit: int) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise InvalidArticle(f"field {name!r} must be text, got {type(value).__name__}")
    text = str(value).replace("\x00", "").strip()
    if len(text) > limit:
        raise InvalidArticle(f"field {name!r} is {len(text):,} characters; the limit is {limit:,}")
    return text


def article_from_record(record: Mapping[str, Any]) -> Article:
    """Build an ``Article`` from an input row (JSONL object, CSV row, extractor output).

    Requires ``id`` and ``title``; unknown fields are ignored. The verdict is taken from ``verdict``
    (canonical or a label), else ``verdict_label``, else a title prefix such as "[HOAKS]".
    """
    if not isinstance(record, Mapping):
        raise InvalidArticle(f"expected an object with fields, got {type(record).__name__}")
    article_id = _clean_str(record.get("id"), "id", MAX_ID_LENGTH)
    if not article_id:
        raise InvalidArticle("missing required field 'id'")
    title = " ".join(_clean_str(record.get("title"), "title", MAX_TITLE_LENGTH).split())
    if not title:
        raise InvalidArticle("missing required field 'title'")
    values = {name: _clean_str(record.get(name), name, MAX_TEXT_LENGTH) for name in _TEXT_FIELDS}
    published = _date_field(record, "published")
    verdict, label = _resolve_verdict(
        _clean_str(record.get("verdict"), "verdict", 100), values["verdict_label"], title
    )
    values["verdict_label"] = label
    values["language"] = values["language"] or "id"
    extra_urls = _url_list(record.get("extra_urls"), "extra_urls", values["url"])
    appearances = _url_list(record.get("claim_appearances"), "claim_appearances")
    return Article(id=article_id, title=title, verdict=verdict, published=published, extra_urls=extra_urls,
                   claim_date=_date_field(record, "claim_date"), claim_appearances=appearances, **values)


def _date_field(record: Mapping[str, Any], name: str) -> date | None:
    raw = record.get(name)
    if raw in (None, ""):
        return None
    found = parse_date(str(raw))
    if found is None:
        raise InvalidArticle(f"field {name!r} is not a date: {str(raw)[:40]!r}")
    return found


def _url_list(value: Any, name: str, own_url: str = "") -> tuple[str, ...]:
    """Addresses (mirrors and republications; where a claim circulated): a list, or one string
    separated by whitespace or "|" as a CSV cell holds it."""
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        value = value.replace("|", " ").split()
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise InvalidArticle(f"field {name!r} must be a list of URLs")
    cleaned = [v.replace("\x00", "").strip() for v in value]
    cleaned = [v for v in cleaned if v and v != own_url]
    if sum(map(len, cleaned)) > MAX_TEXT_LENGTH:
        raise InvalidArticle(f"field {name!r} is too long")
    return tuple(dict.fromkeys(cleaned))


def _resolve_verdict(verdict_field: str, label: str, title: str) -> tuple[Verdict, str]:
    if verdict_field:
        verdict = normalize_verdict(verdict_field)
        if verdict is not Verdict.OTHER or not label:
            return verdict, label or verdict_field
    if label:
        return normalize_verdict(label), label
    from_title = verdict_from_title(title)
    if from_title:
        return from_title
    return Verdict.OTHER, ""
