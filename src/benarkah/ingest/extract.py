"""One page (HTML or a plain-text dump) to the fields ingest stores, with a site profile applied.

Order of trust for each field: ClaimReview structured data, then the profile's selectors, then the
profile's text patterns, then generic fallbacks. The same code serves ``benarkah extract`` (to check
and tune a profile) and ingest, so what the command shows is exactly what would be stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urljoin

from ..domain.dates import parse_date, published_and_updated
from ..domain.verdicts import Verdict, normalize_verdict, verdict_from_title
from .claimreview import ClaimReview, claim_reviews
from .html import Document, looks_like_html
from .profiles import Profile, ProfileChooser

SUMMARY_CHARS = 300
_SPACES = re.compile(r"[ \t\u00a0\u200b\u3000]+")


@dataclass
class Extracted:
    """What ingest would store for one page, plus what an engineer needs to tune the profile."""

    url: str = ""
    title: str = ""
    text: str = ""
    summary: str = ""
    claim: str = ""
    verdict: Verdict = Verdict.OTHER
    verdict_label: str = ""
    published: date | None = None
    updated: date | None = None
    publisher: str = ""
    language: str = "id"
    profile: str = "generic"
    pages: int = 1
    total_pages: int | None = None
    next_url: str = ""
    mirror_urls: tuple[str, ...] = field(default=())
    images: tuple[str, ...] = field(default=())  # picture URLs: og:image, then the body's pictures
    claimreview: ClaimReview | None = None

    def record(self, article_id: str) -> dict[str, Any]:
        """The input row for ``article_from_record`` (the verdict label as published, resolved there)."""
        return {
            "id": article_id,
            "url": self.url,
            "title": self.title,
            "text": self.text,
            "summary": self.summary,
            "claim": self.claim,
            "verdict_label": self.verdict_label,
            "verdict": self.verdict.value if self.verdict is not Verdict.OTHER else "",
            "published": self.published.isoformat() if self.published else None,
            "publisher": self.publisher,
            "language": self.language or "id",
            "images": list(self.images),
            **self._claim_fields(),
        }

    def _claim_fields(self) -> dict[str, Any]:
        """What ClaimReview says about the claim itself; an unreadable claim date is dropped, not fatal."""
        review = self.claimreview
        if review is None:
            return {}
        claim_date = parse_date(review.claim_date) if review.claim_date else None
        return {"claimant": review.claim_author, "claim_date": claim_date.isoformat() if claim_date else None,
                "claim_appearances": list(review.appearances)}

    def to_json(self) -> dict[str, Any]:
        payload = {
            "url": self.url,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "updated": self.updated.isoformat() if self.updated else None,
            "verdict": self.verdict.value,
            "verdict_label": self.verdict_label,
            "claim": self.claim,
            "publisher": self.publisher,
            "summary": self.summary,
            "language": self.language,
            "profile": self.profile,
            "pages": self.pages,
            "total_pages": self.total_pages,
            "next_url": self.next_url or None,
            "mirror_urls": list(self.mirror_urls),
            "images": list(self.images),
            "text": self.text,
        }
        if self.claimreview is not None:
            cr = self.claimreview
            payload["claimreview"] = {
                "claim_author": cr.claim_author,
                "claim_date": cr.claim_date,
                "appearances": list(cr.appearances),
            }
        return payload


@dataclass
class CleanText:
    paragraphs: list[str]
    total_pages: int | None = None
    last_page: int = 1  # the highest "N dari M" seen: M > N means later pages live at other URLs


def clean_lines(lines: list[str], profile: Profile) -> CleanText:
    """Drop boilerplate lines, page-break markers and everything from a footer marker on."""
    kept: list[str] = []
    total: int | None = None
    last = 1
    for raw in lines:
        line = _SPACES.sub(" ", raw).strip()
        if not line:
            continue
        if profile.starts_footer(line):
            break
        if marker := profile.page_break(line):
            total = max(total or 0, int(marker.group("total")))
            last = max(last, int(marker.group("page")))
            continue
        if profile.is_boilerplate(line) or (kept and kept[-1] == line):
            continue
        kept.append(line)
    return CleanText(kept, total, last)


def _first_pattern(patterns: tuple[re.Pattern[str], ...], text: str, group: str) -> str:
    for pattern in patterns:
        if m := pattern.search(text):
            value = m.groupdict().get(group) or m.group(0)
            return " ".join(value.split())
    return ""


def _summary(paragraphs: list[str]) -> str:
    for paragraph in paragraphs:
        if len(paragraph) >= 40:
            return (
                paragraph
                if len(paragraph) <= SUMMARY_CHARS
                else paragraph[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"
            )
    return ""


def _clean_title(title: str, profile: Profile) -> str:
    title = " ".join(title.split())
    for pattern in profile.title_strip:
        stripped = pattern.sub("", title).strip()
        if stripped:
            title = stripped
    return title


def _date_from_text(paragraphs: list[str], profile: Profile) -> tuple[date | None, date | None]:
    head = "\n".join(paragraphs[:12])
    if found := _first_pattern(profile.date_patterns, head, "date"):
        return parse_date(found), None
    for paragraph in paragraphs[:6]:
        if len(paragraph) <= 120 and re.search(
            r"\b(WIB|WITA|WIT|diperbarui|diterbitkan|dipublikasikan)\b", paragraph, re.IGNORECASE
        ):
            published, updated = published_and_updated(paragraph)
            if published:
                return published, updated
    return None, None


def _finish(
    page: Extracted,
    paragraphs: list[str],
    profile: Profile,
    verdict_hint: str = "",
    claim_hint: str = "",
    raw_lines: list[str] | None = None,
) -> Extracted:
    """Fill what depends on the body: verdict, claim, summary, date fallbacks."""
    body = "\n".join(paragraphs)
    if not page.verdict_label:
        page.verdict_label = verdict_hint
    if not page.verdict_label and (from_title := verdict_from_title(page.title)):
        page.verdict, page.verdict_label = from_title
    if not page.verdict_label:
        page.verdict_label = _first_pattern(profile.verdict_patterns, body, "label")
    if page.verdict is Verdict.OTHER and page.verdict_label:
        page.verdict = normalize_verdict(page.verdict_label)
    page.claim = page.claim or claim_hint or _first_pattern(profile.claim_patterns, body, "claim")
    page.summary = page.summary or _summary(paragraphs)
    if page.published is None:
        # raw lines: a byline that is only a date is boilerplate in the body, but it dates the page
        page.published, updated = _date_from_text(
            [line.strip() for line in (raw_lines or paragraphs) if line.strip()], profile
        )
        page.updated = page.updated or updated
    page.text = "\n\n".join(paragraphs)
    page.publisher = page.publisher or profile.publisher
    return page


def extract_text_dump(text: str, chooser: ProfileChooser, url: str = "") -> Extracted:
    """A page as a crawler saved its visible text: the first clean line is the headline."""
    profile = chooser.choose(url, text[:5000])
    cleaned = clean_lines(text.splitlines(), profile)
    paragraphs = cleaned.paragraphs
    title = _clean_title(paragraphs[0], profile) if paragraphs else ""
    page = Extracted(
        url=url, title=title, profile=profile.name, total_pages=cleaned.total_pages, pages=cleaned.last_page
    )
    return _finish(page, paragraphs[1:], profile, raw_lines=text.splitlines()[:200])


def extract_html(html: str, chooser: ProfileChooser, url: str = "") -> Extracted:
    """An HTML page: profile selectors and ClaimReview for the metadata, trafilatura for the body."""
    doc = Document(html, url)
    profile = chooser.choose(url, html[:20000])
    reviews = claim_reviews(html, url)
    review = reviews[0] if reviews else None
    links = doc.links()
    page_url = links.canonical or links.og_url or url or (review.url if review else "")
    mirrors = tuple(u for u in dict.fromkeys([url, links.amp, links.og_url]) if u and u != page_url)
    title = doc.first(profile.title_selectors) or (review.title if review else "")
    page = Extracted(
        url=page_url,
        title=_clean_title(title, profile),
        profile=profile.name,
        mirror_urls=mirrors,
        claimreview=review,
        language=doc.language() or "id",
        images=tuple(doc.images()),
    )
    published_raw = doc.first(profile.date_selectors)
    if published_raw:
        page.published, page.updated = published_and_updated(published_raw)
    if review is not None:
        page.claim = review.claim
        page.verdict_label = review.verdict_label
        if normalize_verdict(review.verdict_label) is Verdict.OTHER:
            # a label the normaliser does not know ("Konteks Hilang"): the rating's name may be the plain verdict
            page.verdict = normalize_verdict(review.rating_name)
        page.publisher = review.publisher
        page.published = page.published or parse_date(review.published)
    page.updated = page.updated or parse_date(doc.meta("article:modified_time"))
    page.publisher = page.publisher or profile.publisher or doc.meta("og:site_name")
    page.summary = doc.meta("og:description", "description")
    lines = doc.main_text_lines()
    cleaned = clean_lines(lines, profile)
    paragraphs = cleaned.paragraphs
    if paragraphs and paragraphs[0].casefold() == page.title.casefold():
        paragraphs = paragraphs[1:]
    page.total_pages = cleaned.total_pages
    page.pages = cleaned.last_page
    page.next_url = _next_url(doc, profile, page_url or url)
    return _finish(
        page,
        paragraphs,
        profile,
        verdict_hint=doc.first(profile.verdict_selectors),
        claim_hint=doc.first(profile.claim_selectors),
        raw_lines=lines[:200],
    )


def _next_url(doc: Document, profile: Profile, url: str) -> str:
    """The page's own link to the article's next page (``rel=next`` or the profile's selectors)."""
    if found := doc.first(
        tuple(s if s.attribute else type(s)(s.css, "href") for s in profile.next_selectors)
    ):
        return urljoin(doc.url or url, found)
    return ""


def later_page_urls(page: Extracted, profile: Profile) -> list[str]:
    """Where pages N+1..M live when the page says "N dari M" but links no next page: the profile's
    ``page_url`` pattern (e.g. ``{url}?page={page}``)."""
    if page.next_url or not profile.page_url or not page.total_pages or not page.url:
        return []
    base = page.url.split("?", 1)[0]
    return [profile.page_url.format(url=base, page=n) for n in range(page.pages + 1, page.total_pages + 1)]


def append_page(first: Extracted, later: Extracted) -> Extracted:
    """Join page N of a multi-page article onto what was read so far (body only; metadata from page 1)."""
    first.text = "\n\n".join(t for t in (first.text, later.text) if t)
    first.pages += 1
    first.next_url = later.next_url
    if first.verdict is Verdict.OTHER and later.verdict is not Verdict.OTHER:
        first.verdict, first.verdict_label = later.verdict, later.verdict_label
    first.claim = first.claim or later.claim
    return first


def extract_page(
    content: str, chooser: ProfileChooser, url: str = "", is_html: bool | None = None
) -> Extracted:
    """Either kind of page; HTML is recognised by its markup when the caller does not know."""
    if is_html is None:
        is_html = looks_like_html(content)
    return extract_html(content, chooser, url) if is_html else extract_text_dump(content, chooser, url)
