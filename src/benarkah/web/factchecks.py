"""Public fact-check pages: ``/f/<id>``, the listing ``/f/`` with search, ``/sitemap.xml``, ``/feed.xml``
and ``/robots.txt`` (docs/reach.md).

Every page is one small server-rendered HTML document (inline CSS, no scripts, fonts or images) so
it opens fast on a cheap phone, and carries schema.org ClaimReview JSON-LD for search engines and
fact-check tools. Article text is third-party input: templates autoescape it, the JSON-LD is
escaped for its ``<script>`` element, only http(s) links become links, and the Content-Security-Policy
allows no script at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Sequence
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from ..domain.articles import Article
from ..domain.dates import format_date
from ..domain.render import summarize
from ..domain.verdicts import LABELS_EN, LABELS_ID
from ..publishing.catalog import ArticleCatalog
from ..publishing.claimreview import claim_review, jsonld_script_body
from ..publishing.claims import SearchFn, evident
from ..publishing.feeds import rss_feed, sitemap_index, sitemap_urlset
from ..publishing.links import PublicLinks, factcheck_path, safe_url
from ..settings import Settings
from ..storage.base import Store

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
PER_PAGE = 20
MAX_LIST_PAGE = 5_000
MAX_QUERY_CHARS = 500
SEARCHED = 100  # the most results one search ranks
FEED_ITEMS = 50
SITEMAP_URLS = 50_000  # the sitemap protocol's limit per file
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cache-Control": "public, max-age=300",
}
UI: dict[str, dict[str, str]] = {
    "id": {
        "factchecks": "Cek fakta", "all": "Semua cek fakta", "ask": "Tanya pesan lain",
        "label": "Label dari penerbit", "claim": "Klaim", "claimant": "Disampaikan oleh",
        "claim_date": "Tanggal klaim", "appeared": "Beredar di", "summary": "Ringkasan",
        "read_at": "Baca cek fakta lengkap di", "search": "Cari", "placeholder": "mis. vaksin chip",
        "results_for": "Hasil untuk", "none": "Belum ada cek fakta yang cocok.", "prev": "Sebelumnya",
        "next": "Berikutnya", "page_of": "Halaman {} dari {}", "pages": "Halaman",
        "footer": "Ragu dengan pesan yang Anda terima? Tanyakan dulu sebelum membagikan.",
        "not_found": "Cek fakta ini tidak ada (mungkin sudah dihapus).",
        "feed_title": "Cek fakta terbaru", "feed_description": "Cek fakta terbaru dari arsip ini",
    },
    "en": {
        "factchecks": "Fact-checks", "all": "All fact-checks", "ask": "Ask about a message",
        "label": "Publisher's label", "claim": "Claim", "claimant": "Claimed by", "claim_date": "Claim date",
        "appeared": "Appeared at", "summary": "Summary", "read_at": "Read the full fact-check at",
        "search": "Search", "placeholder": "e.g. vaccine chip", "results_for": "Results for",
        "none": "No matching fact-check yet.", "prev": "Previous", "next": "Next", "page_of": "Page {} of {}",
        "pages": "Pages", "footer": "Unsure about a message you received? Ask before you share it.",
        "not_found": "This fact-check does not exist (it may have been removed).",
        "feed_title": "Latest fact-checks", "feed_description": "The latest fact-checks of this archive",
    },
}
Lang = Annotated[str, Query(pattern="^(id|en)$", description="Interface language: id (default) or en")]


@dataclass(frozen=True)
class ListItem:
    title: str
    href: str
    verdict: str
    verdict_class: str
    meta: str


def verdict_name(article: Article, lang: str) -> str:
    return (LABELS_EN if lang == "en" else LABELS_ID)[article.verdict]


def factchecks_router(store: Store, search: SearchFn, settings: Settings,
                      sitemap_urls: int = SITEMAP_URLS) -> APIRouter:
    """The public pages over ``store`` (reads only) and ``search`` (benarkah's matching, for the listing)."""
    catalog = ArticleCatalog(store)
    links = PublicLinks(settings.public_url)
    router = APIRouter(include_in_schema=False)

    def html(request: Request, name: str, context: dict[str, Any], lang: str, status_code: int = 200) -> Response:
        context = {"ui": UI[lang], "ui_lang": lang, "site_name": settings.site_name,
                   "home": "/f/" + ("?lang=en" if lang == "en" else ""), **context}
        response = TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)
        response.headers.update(HEADERS)
        return response

    def item_href(article: Article, lang: str) -> str:
        return factcheck_path(article.id) + ("?lang=en" if lang == "en" else "")

    def list_item(article: Article, lang: str) -> ListItem:
        meta = " · ".join(x for x in (format_date(article.published, lang), article.publisher) if x)
        return ListItem(article.display_title, item_href(article, lang), verdict_name(article, lang),
                        article.verdict.value, meta)

    @router.get("/f", include_in_schema=False)
    def listing_without_slash() -> Response:
        return RedirectResponse("/f/", status_code=308)

    @router.get("/f/", response_class=HTMLResponse)
    def listing(request: Request, q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
                page: Annotated[int, Query(ge=1, le=MAX_LIST_PAGE)] = 1, lang: Lang = "id") -> Response:
        query = " ".join(q.replace("\x00", " ").split())
        if query:
            found = evident(search(query, SEARCHED))
            total, articles = len(found), found[(page - 1) * PER_PAGE:page * PER_PAGE]
        else:
            total, articles = catalog.count(), catalog.page((page - 1) * PER_PAGE, PER_PAGE)
        pages = max(1, math.ceil(total / PER_PAGE))

        def href(n: int) -> str:
            pairs = (("q", query), ("page", n if n > 1 else ""), ("lang", "en" if lang == "en" else ""))
            params = {k: v for k, v in pairs if v}
            return "/f/" + (f"?{urlencode(params)}" if params else "")

        return html(request, "factcheck_list.html", {
            "query": query, "items": [list_item(a, lang) for a in articles], "total": total, "page": page,
            "pages": pages, "max_query": MAX_QUERY_CHARS, "prev_href": href(page - 1) if page > 1 else "",
            "next_href": href(page + 1) if page < pages else ""}, lang)

    @router.get("/f/{article_id:path}", response_class=HTMLResponse)
    def factcheck(request: Request, article_id: str, lang: Lang = "id") -> Response:
        article = catalog.get(article_id)
        if article is None:
            return html(request, "factcheck_list.html", {
                "query": "", "items": [], "total": 0, "page": 1, "pages": 1, "max_query": MAX_QUERY_CHARS,
                "prev_href": "", "next_href": "", "missing": True}, lang, status_code=404)
        return html(request, "factcheck.html", page_context(article, lang), lang)

    def page_context(article: Article, lang: str) -> dict[str, Any]:
        original = safe_url(article.url)
        verdict = verdict_name(article, lang)
        return {
            "article": article, "verdict": verdict,
            "show_label": bool(article.verdict_label) and article.verdict_label.casefold() != verdict.casefold(),
            "publisher": article.publisher or settings.site_name,
            "published": format_date(article.published, lang), "claim_date": format_date(article.claim_date, lang),
            # a fact-check published elsewhere gets a teaser (its summary, else its lead); one that lives
            # only here shows its whole text below the summary
            "summary": article.summary or (summarize(article) if original else ""),
            "body": [] if original else _paragraphs(article.text),
            "appearances": [u for u in (safe_url(a) for a in article.claim_appearances) if u],
            "original": original, "original_host": urlsplit(original).hostname if original else "",
            # the original article is the canonical page of a fact-check that has one
            "canonical": original or (links.factcheck(article.id) if links.absolute else ""),
            "jsonld": Markup(jsonld_script_body(claim_review(article, links, settings.site_name))),
        }

    @router.get("/feed.xml")
    def feed() -> Response:
        ui = UI["id"]
        xml = rss_feed(catalog.page(0, FEED_ITEMS), links, title=" · ".join(
            x for x in (ui["feed_title"], settings.site_name) if x), description=ui["feed_description"])
        return Response(xml, media_type="application/rss+xml; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=300"})

    @router.get("/sitemap.xml")
    def sitemap() -> Response:
        total = catalog.count()
        if total <= sitemap_urls:
            xml = sitemap_urlset(catalog.sitemap_entries(0, sitemap_urls), links)
        else:
            xml = sitemap_index(math.ceil(total / sitemap_urls), links)
        return _xml(xml)

    @router.get("/sitemap-{number}.xml")
    def sitemap_part(number: int) -> Response:
        total = catalog.count()
        if total <= sitemap_urls or not 1 <= number <= math.ceil(total / sitemap_urls):
            raise HTTPException(404, "no such sitemap file; /sitemap.xml lists them")
        return _xml(sitemap_urlset(catalog.sitemap_entries((number - 1) * sitemap_urls, sitemap_urls), links))

    @router.get("/robots.txt", response_class=PlainTextResponse)
    def robots() -> str:
        lines = ["User-agent: *", "Disallow: /admin", "Disallow: /c/", "Disallow: /api/", "Allow: /"]
        if links.absolute:  # the Sitemap directive needs an absolute URL
            lines.append(f"Sitemap: {links.path('/sitemap.xml')}")
        return "\n".join(lines) + "\n"

    return router


def _xml(body: bytes) -> Response:
    return Response(body, media_type="application/xml; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=3600"})


def _paragraphs(text: str, limit: int = 60) -> Sequence[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()][:limit]

