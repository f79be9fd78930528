"""Linked pages for the link tests, served for real on loopback (Starlette + uvicorn): a page with
Open Graph tags, a shortener-style redirect, a redirect into a forbidden address, robots.txt rules,
a huge page, a slow page, a PDF and a redirect loop. Every request is recorded, so tests can check
that a forbidden address was never contacted."""

from __future__ import annotations

import asyncio
from collections import Counter

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

PAGE_TITLE = "Viral! Vaksin COVID Ternyata Mengandung Microchip Pelacak 5G"
PAGE_DESCRIPTION = "Beredar video yang menyebut vaksin covid berisi chip untuk melacak warga lewat sinyal 5G."
UNRELATED_TITLE = "Resep Rendang Padang Empuk dan Tahan Lama ala Rumahan"


def page(title: str, description: str, canonical: str = "") -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (f'<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{title} | Situs</title>'
            f'<meta property="og:title" content="{title}"><meta name="description" content="{description}">'
            f"{link}</head><body><p>{'isi halaman ' * 50}</p></body></html>")


class LinkSite:
    def __init__(self, forbidden_base: str = "", archive_url: str = "") -> None:
        self.hits: Counter[str] = Counter()
        self.forbidden_base = forbidden_base  # where /ke-dalam redirects (an address that must not be fetched)
        self.archive_url = archive_url        # where /s/fc redirects (a fact-check's own URL)
        self.app = Starlette(routes=[
            Route("/robots.txt", self.robots), Route("/artikel/vaksin", self.article), Route("/resep", self.recipe),
            Route("/amp/artikel/vaksin", self.amp), Route("/s/{code}", self.short), Route("/ke-dalam", self.inward),
            Route("/rahasia", self.secret), Route("/private/x", self.article), Route("/besar", self.huge),
            Route("/lambat", self.slow), Route("/dokumen.pdf", self.pdf), Route("/putar", self.loop),
        ])

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            self.hits[scope["path"]] += 1
        await self.app(scope, receive, send)

    async def robots(self, request: Request) -> Response:
        return PlainTextResponse("User-agent: *\nDisallow: /private\n")

    async def article(self, request: Request) -> Response:
        return HTMLResponse(page(PAGE_TITLE, PAGE_DESCRIPTION, "/artikel/vaksin"))

    async def recipe(self, request: Request) -> Response:
        return HTMLResponse(page(UNRELATED_TITLE, "Bumbu rendang, santan dan daging sapi."))

    async def amp(self, request: Request) -> Response:
        return HTMLResponse(page(PAGE_TITLE, PAGE_DESCRIPTION, self.archive_url))

    async def short(self, request: Request) -> Response:
        target = {"fc": self.archive_url, "vaksin": "/artikel/vaksin"}.get(request.path_params["code"], "/resep")
        return RedirectResponse(target, status_code=301)

    async def inward(self, request: Request) -> Response:
        return RedirectResponse(f"{self.forbidden_base}/rahasia", status_code=302)

    async def secret(self, request: Request) -> Response:
        return HTMLResponse(page("Internal admin", "should never be read"))

    async def huge(self, request: Request) -> Response:
        async def body():  # type: ignore[no-untyped-def]
            yield b"<html><head><title>" + b"a" * 1000
            for _ in range(64):  # 4 MB, and no </head>: a reader must stop at its own bound
                if await request.is_disconnected():
                    return
                yield b"x" * 65536
        return StreamingResponse(body(), media_type="text/html")

    async def slow(self, request: Request) -> Response:
        await asyncio.sleep(8)
        return HTMLResponse(page(PAGE_TITLE, PAGE_DESCRIPTION))

    async def pdf(self, request: Request) -> Response:
        return Response(b"%PDF-1.4 ...", media_type="application/pdf")

    async def loop(self, request: Request) -> Response:
        return RedirectResponse("/putar", status_code=302)
