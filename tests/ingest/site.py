"""A small fact-check website for the crawler tests, served for real on loopback (Starlette + uvicorn).

It misbehaves on purpose (robots.txt disallow, 404, 500, a slow page, a redirect loop, a huge page,
a wrong charset) and records every request it gets, so tests check what the crawler actually sent.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

FIXTURES = Path(__file__).parent / "fixtures"

ARTICLES = {
    "1": (
        "[HOAKS] Foto Jembatan Ambruk di Kalimantan Diambil dari Kejadian di Luar Negeri",
        "Foto jembatan ambruk yang disebut berada di Kalimantan Timur ternyata diambil dari peristiwa di "
        "negara lain pada 2019. Penelusuran gambar terbalik menemukan foto yang sama di situs berita "
        "internasional, lengkap dengan keterangan lokasi aslinya. Dinas Pekerjaan Umum setempat juga "
        "memastikan tidak ada jembatan yang ambruk di wilayahnya sepanjang bulan ini. Kesimpulan: foto "
        "tersebut adalah hoaks karena tidak berkaitan dengan Kalimantan.",
    ),
    "2": (
        "[SALAH] Pesan Berantai Kuota Internet Gratis 100 GB dari Kementerian",
        "Pesan berantai yang menjanjikan kuota internet gratis 100 GB dari kementerian mengarah ke situs "
        "tiruan yang meminta nomor telepon dan kode OTP. Kementerian menyatakan tidak pernah membagikan "
        "kuota melalui tautan di pesan berantai. Pola seperti ini dipakai untuk mengambil alih akun "
        "WhatsApp korban. Kesimpulan: pesan itu salah dan merupakan upaya penipuan.",
    ),
    "3": (
        "[MENYESATKAN] Video Antrean Minyak Goreng Disebut Terjadi Hari Ini",
        "Video antrean panjang warga membeli minyak goreng yang beredar dengan narasi terjadi hari ini "
        "sebenarnya direkam pada awal 2022 ketika harga minyak goreng melonjak. Sejumlah media merekam "
        "antrean serupa pada waktu itu. Kesimpulan: video tersebut menyesatkan karena konteks waktunya "
        "keliru.",
    ),
}


def article_html(number: str, version: int = 1, base: str = "") -> str:
    title, body = ARTICLES[number]
    sentences = [s.strip() + "." for s in body.split(". ") if s.strip()]
    paragraphs = "".join(f"<p>{s.rstrip('.')}.</p>" for s in sentences)
    update = (
        f"<p>Pembaruan {version}: artikel ini diperbarui dengan tanggapan pihak terkait.</p>"
        if version > 1
        else ""
    )
    return f"""<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{title} | Cek Fakta Contoh</title>
<link rel="canonical" href="{base}/cek-fakta/{number}">
<meta property="article:published_time" content="2024-0{number}-1{number}T09:00:00+07:00"></head>
<body><nav><a href="/">Beranda</a> <a href="/cek-fakta">Cek Fakta</a> <a href="/kontak">Kontak</a></nav>
<div class="ad">Advertisement</div><article><h1>{title}</h1>
<div class="share">Bagikan: Facebook | Twitter | WhatsApp</div>{paragraphs}{update}
<p>Baca juga: Cek Fakta lain tentang bencana</p></article>
<footer>Hak cipta Cek Fakta Contoh</footer></body></html>"""


MULTIPAGE = [
    "Sebuah pesan berantai menyebut air laut di pantai selatan Jawa akan surut mendadak pekan depan dan "
    "warga diminta segera mengungsi ke dataran tinggi. Pesan itu dibagikan di banyak grup keluarga.",
    "Badan Meteorologi, Klimatologi, dan Geofisika menyatakan tidak ada peringatan dini tsunami yang "
    "dikeluarkan untuk pantai selatan Jawa. Gempa bumi tidak dapat diprediksi waktunya secara tepat.",
    "Kesimpulan: pesan berantai tentang surutnya air laut dan perintah mengungsi adalah hoaks. Warga "
    "diminta memantau informasi resmi dari kanal BMKG.",
]


PICTURES = {"sampul.jpg": (11, "JPEG", "image/jpeg"), "isi.png": (12, "PNG", "image/png"),
            "logo.png": (13, "PNG", "image/png"), "piksel.gif": (14, "GIF", "image/gif")}


def multipage_html(page: int) -> str:
    nav = f'<link rel="next" href="/berita/tsunami?page={page + 1}">' if page < 3 else ""
    return f"""<!doctype html><html lang="id"><head><meta charset="utf-8">{nav}
<title>[HOAKS] Air Laut Pantai Selatan Jawa Akan Surut Mendadak Pekan Depan</title>
<link rel="canonical" href="/berita/tsunami"></head><body><nav><a href="/">Beranda</a></nav>
<article><h1>[HOAKS] Air Laut Pantai Selatan Jawa Akan Surut Mendadak Pekan Depan</h1>
<p>Halaman {page} dari 3</p><p>{MULTIPAGE[page - 1]}</p>
<p>Simak video pilihan berikut ini:</p></article><footer>Contoh Media</footer></body></html>"""


class Site:
    """The app plus what it saw: hits per path and the headers of every request."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.versions = {n: 1 for n in ARTICLES}
        self.app = Starlette(
            routes=[
                Route("/robots.txt", self.robots_redirect),
                Route("/robots-asli.txt", self.robots),
                Route("/feed.xml", self.feed),
                Route("/sitemap.xml", self.sitemap),
                Route("/sitemap-pages.xml", self.sitemap_pages),
                Route("/cek-fakta/{number}", self.article),
                Route("/amp/cek-fakta/{number}", self.article),
                Route("/private/{rest:path}", self.article),
                Route("/error", self.error),
                Route("/slow", self.slow),
                Route("/loop/{n}", self.loop),
                Route("/chain/{n}", self.chain),
                Route("/kosong", self.empty),
                Route("/to-private", self.to_private),
                Route("/huge", self.huge),
                Route("/huge-stream", self.huge_stream),
                Route("/latin1", self.latin1),
                Route("/berita/tsunami", self.multipage),
                Route("/fixture/{name}", self.fixture),
                Route("/cek-fakta-foto", self.photo_article),
                Route("/foto/{name}", self.photo),
            ]
        )
        self.app.add_middleware(_Recorder, site=self)

    async def robots_redirect(self, request: Request) -> Response:
        """Like a site that moved to https: robots.txt answers with a redirect first."""
        return RedirectResponse("/robots-asli.txt", status_code=301)

    async def robots(self, request: Request) -> Response:
        return PlainTextResponse("User-agent: *\nDisallow: /private/\n")

    async def feed(self, request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        items = "".join(
            f"<item><title>{ARTICLES[n][0].replace('&', '&amp;')}</title><link>{base}/cek-fakta/{n}</link>"
            f"<pubDate>Wed, 1{n} Jan 2024 09:00:00 +0700</pubDate>"
            f"<description>{ARTICLES[n][1][:120]}</description></item>"
            for n in ARTICLES
        )
        extra = (
            f"<item><title>Rahasia</title><link>{base}/private/rahasia</link></item>"
            f"<item><title>Hilang</title><link>{base}/cek-fakta/404</link></item>"
        )
        body = (
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Cek Fakta Contoh</title>'
            f"<link>{base}/</link>{items}{extra}</channel></rss>"
        )
        return _conditional(request, body.encode(), "application/rss+xml")

    async def sitemap(self, request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{base}/sitemap-pages.xml</loc></sitemap></sitemapindex>"
        )
        return Response(body, media_type="application/xml")

    async def sitemap_pages(self, request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        urls = "".join(f"<url><loc>{base}/cek-fakta/{n}</loc></url>" for n in ARTICLES)
        urls += f"<url><loc>{base}/amp/cek-fakta/1</loc></url><url><loc>{base}/berita/tsunami</loc></url>"
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{urls}</urlset>"
        )
        return Response(body, media_type="application/xml")

    async def article(self, request: Request) -> Response:
        number = request.path_params.get("number", "1")
        if number not in ARTICLES:
            return PlainTextResponse("tidak ditemukan", status_code=404)
        base = str(request.base_url).rstrip("/")
        html = article_html(number, self.versions[number], base)
        return _conditional(request, html.encode(), "text/html; charset=utf-8")

    async def multipage(self, request: Request) -> Response:
        page = int(request.query_params.get("page", "1"))
        return Response(multipage_html(min(max(page, 1), 3)), media_type="text/html")

    async def fixture(self, request: Request) -> Response:
        path = FIXTURES / request.path_params["name"]
        return Response(path.read_bytes(), media_type="text/html; charset=utf-8")

    async def photo_article(self, request: Request) -> Response:
        """An article with pictures: og:image, one in the body, a logo and a tracking pixel to skip."""
        title, body = ARTICLES["1"]
        html = f"""<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:image" content="/foto/sampul.jpg"><link rel="canonical" href="/cek-fakta-foto"></head>
<body><header><img src="/foto/logo.png"></header><article><h1>{title}</h1><p>{body}</p>
<img src="/foto/isi.png" alt="tangkapan layar"><img src="/foto/piksel.gif" width="1" height="1">
<img src="/foto/hilang.jpg"></article></body></html>"""
        return Response(html, media_type="text/html; charset=utf-8")

    async def photo(self, request: Request) -> Response:
        from tests.media.make import encode, noise_picture

        name = request.path_params["name"]
        if name not in PICTURES:
            return PlainTextResponse("tidak ditemukan", status_code=404)
        seed, fmt, mime = PICTURES[name]
        return Response(encode(noise_picture(seed), fmt), media_type=mime)

    async def error(self, request: Request) -> Response:
        return PlainTextResponse("server error", status_code=500)

    async def slow(self, request: Request) -> Response:
        await asyncio.sleep(3)
        return Response("<html><body><h1>lambat</h1></body></html>", media_type="text/html")

    async def loop(self, request: Request) -> Response:
        n = int(request.path_params["n"])
        return RedirectResponse(f"/loop/{(n + 1) % 2}", status_code=302)

    async def chain(self, request: Request) -> Response:
        """/chain/N redirects N more times, then serves article 1."""
        n = int(request.path_params["n"])
        return RedirectResponse(f"/chain/{n - 1}" if n > 1 else "/cek-fakta/1", status_code=301)

    async def empty(self, request: Request) -> Response:
        return Response(
            "<html><body><nav>Beranda</nav></body></html>",
            media_type="text/html",
            headers={"ETag": '"kosong"'},
        )

    async def to_private(self, request: Request) -> Response:
        return RedirectResponse("/private/rahasia", status_code=302)

    async def huge(self, request: Request) -> Response:
        return Response(
            b"<html><body>" + b"<p>isi yang sangat panjang</p>" * 40_000 + b"</body></html>",
            media_type="text/html",
        )

    async def huge_stream(self, request: Request) -> Response:
        """No Content-Length: only counting while reading catches it."""

        async def chunks():  # type: ignore[no-untyped-def]
            for _ in range(400):
                yield b"<p>isi yang sangat panjang</p>" * 1000

        return StreamingResponse(chunks(), media_type="text/html")

    async def latin1(self, request: Request) -> Response:
        """Declared UTF-8, actually Windows-1252: a classic archive defect."""
        text = (
            "<html><head><title>[HOAKS] Hadiah \u201cRp1.000.000\u201d dari Bank \u2013 Jangan Klik</title></head>"
            "<body><article><h1>[HOAKS] Hadiah \u201cRp1.000.000\u201d dari Bank \u2013 Jangan Klik</h1>"
            + "<p>Pesan yang menjanjikan hadiah \u201cRp1.000.000\u201d dari bank adalah penipuan; "
            "bank tidak pernah meminta kode OTP lewat pesan berantai, kata juru bicara bank itu.</p>"
            * 3
            + "</article></body></html>"
        )
        return Response(text.encode("cp1252"), media_type="text/html; charset=utf-8")


def _conditional(request: Request, body: bytes, media_type: str) -> Response:
    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type=media_type, headers={"ETag": etag})


class _Recorder:
    def __init__(self, app, site: Site) -> None:  # type: ignore[no-untyped-def]
        self.app, self.site = app, site

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            self.site.hits[scope["path"]] += 1
            headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
            self.site.requests.append((scope["path"], headers))
        await self.app(scope, receive, send)
