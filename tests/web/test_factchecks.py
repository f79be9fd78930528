"""Public fact-check pages, listing, sitemap, feed and robots.txt over a real loopback server."""

import json
import re

import httpx
import pytest

from benarkah.ingest.feeds import parse_feed, parse_sitemap
from benarkah.publishing.links import factcheck_path
from tests.publishing.articles import sample_articles
from tests.publishing.servers import published
from tests.support.servers import serve_app


@pytest.fixture
def site(db_url):
    with published(db_url) as p:
        yield p


def jsonld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found, "no JSON-LD on the page"
    return json.loads(found.group(1))


def test_a_fact_check_page_shows_everything_and_carries_claimreview(site):
    page = httpx.get(f"{site.url}/f/cf-vaksin-chip")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    for shown in ("Vaksin Covid-19 Mengandung Chip Pelacak 5G", ">SALAH<", "Label dari penerbit",
                  "<strong>HOAKS</strong>", "Vaksin Covid-19 berisi chip 5G untuk melacak warga.",
                  "1 Februari 2024", "Redaksi Cek Fakta Contoh", "Akun Facebook Kabar Sehat", "28 Januari 2024",
                  'href="https://cekfakta.example.id/2024/02/vaksin-chip"',
                  'href="https://facebook.com/kabarsehat/posts/1"',
                  "Vaksin tidak berisi chip apa pun"):
        assert shown in text, shown
    assert "javascript:" not in text  # the unsafe appearance is not linked
    assert '<html lang="id">' in text
    assert '<link rel="canonical" href="https://cekfakta.example.id/2024/02/vaksin-chip">' in text
    data = jsonld(text)
    assert data["reviewRating"]["alternateName"] == "HOAKS"
    assert data["claimReviewed"].startswith("Vaksin Covid-19 berisi")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp  # no script may run on a public page
    assert page.headers["x-content-type-options"] == "nosniff"
    assert len(page.content) < 12_000  # one small document, no other requests (the browser test checks that)
    english = httpx.get(f"{site.url}/f/cf-vaksin-chip", params={"lang": "en"}).text
    assert ">FALSE<" in english and "Publisher&#39;s label" in english and "1 February 2024" in english


def test_a_fact_check_without_an_original_lives_here_with_its_whole_text(site):
    page = httpx.get(f"{site.url}{factcheck_path('lokal/banjir garut ü')}")
    assert page.status_code == 200
    assert "Pencarian gambar terbalik" in page.text and ">MENYESATKAN<" in page.text and "Konteks Hilang" in page.text
    own = f"{site.url}/f/lokal%2Fbanjir%20garut%20%C3%BC"
    assert f'<link rel="canonical" href="{own}">' in page.text and jsonld(page.text)["url"] == own
    assert "Baca cek fakta lengkap" not in page.text


def test_third_party_text_is_inert(site):
    page = httpx.get(f"{site.url}/f/xss-1").text
    head, body = page.split("</head>", 1)
    assert "<script>alert" not in page and "<img src=x" not in page and "<a href='javascript" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(&#39;x&#39;)" in body
    assert jsonld(page)["headline"].startswith("[PENIPUAN] Undian </script>")  # same text, escaped for its element
    assert head.count("<script") == 1 and body.count("<script") == 0


def test_missing_and_odd_ids_are_404_pages(site):
    for path in ("/f/tidak-ada", "/f/%00", "/f/" + "x" * 300, "/f/..%2F..%2Fetc%2Fpasswd", "/f/<script>"):
        response = httpx.get(f"{site.url}{path}")
        assert response.status_code == 404 and "tidak ada" in response.text, path
        assert "<script>" not in response.text
    assert httpx.get(f"{site.url}/f").status_code == 308


def test_listing_search_and_paging(site, monkeypatch):
    from benarkah.web import factchecks

    listing = httpx.get(f"{site.url}/f/")
    assert listing.status_code == 200 and listing.text.count("<li>") == 4
    assert listing.text.index("Undian") < listing.text.index("Foto Banjir Garut") < listing.text.index("Vaksin Covid")
    found = httpx.get(f"{site.url}/f/", params={"q": "vaksin ada chip 5g"}).text
    assert found.count("<li>") == 1 and 'href="/f/cf-vaksin-chip"' in found and "noindex" in found
    assert "Belum ada cek fakta yang cocok" in httpx.get(f"{site.url}/f/", params={"q": "gajah terbang monas"}).text
    assert httpx.get(f"{site.url}/f/", params={"q": "x" * 501}).status_code == 422
    assert httpx.get(f"{site.url}/f/", params={"page": "0"}).status_code == 422
    monkeypatch.setattr(factchecks, "PER_PAGE", 3)  # read per request: pages of 3 over the 4 articles
    first = httpx.get(f"{site.url}/f/").text
    assert first.count("<li>") == 3 and 'href="/f/?page=2"' in first and "Halaman 1 dari 2" in first
    second = httpx.get(f"{site.url}/f/", params={"page": 2}).text
    assert second.count("<li>") == 1 and 'href="/f/"' in second and "Viral map of Jakarta" in second
    assert httpx.get(f"{site.url}/f/", params={"page": 3}).text.count("<li>") == 0


def test_sitemap_and_feed_are_read_by_the_ingest_side(site):
    sitemap = httpx.get(f"{site.url}/sitemap.xml")
    assert sitemap.headers["content-type"].startswith("application/xml")
    pages = parse_sitemap(sitemap.content, f"{site.url}/sitemap.xml").pages
    assert sorted(pages) == sorted(f"{site.url}{factcheck_path(a.id)}" for a in sample_articles())
    assert all(httpx.get(p).status_code == 200 for p in pages)
    feed = httpx.get(f"{site.url}/feed.xml")
    assert feed.headers["content-type"].startswith("application/rss+xml")
    title, items = parse_feed(feed.content, f"{site.url}/feed.xml")
    assert title == "Cek fakta terbaru · Cek Fakta Kota"
    assert [i.url for i in items] == [f"{site.url}{factcheck_path(i)}" for i in
                                      ("xss-1", "lokal/banjir garut ü", "cf-vaksin-chip", "en-1")]
    assert items[0].title.startswith("[PENIPUAN] Undian </script>") and items[2].published == "2024-02-01"
    assert items[2].text.startswith("HOAKS. Vaksin tidak berisi chip")
    robots = httpx.get(f"{site.url}/robots.txt").text
    assert f"Sitemap: {site.url}/sitemap.xml" in robots and "Disallow: /admin" in robots


def test_a_large_archive_gets_a_sitemap_index(site):
    from benarkah.web.factchecks import factchecks_router
    from fastapi import FastAPI

    app = FastAPI()  # the router alone, as a function of what it uses
    app.include_router(factchecks_router(site.services.store, site.services.tipline.search, site.services.settings,
                                         sitemap_urls=3))
    with serve_app(app) as url:
        index = parse_sitemap(httpx.get(f"{url}/sitemap.xml").content)
        public = site.services.settings.public_url
        assert index.children == [f"{public}/sitemap-1.xml", f"{public}/sitemap-2.xml"] and index.pages == []
        parts = [parse_sitemap(httpx.get(f"{url}/sitemap-{n}.xml").content).pages for n in (1, 2)]
        assert [len(p) for p in parts] == [3, 1] and len(set(parts[0] + parts[1])) == 4
        assert httpx.get(f"{url}/sitemap-3.xml").status_code == 404
        assert httpx.get(f"{url}/sitemap-0.xml").status_code == 404


def test_links_come_from_the_public_url_never_the_host_header(db_url):
    forged = {"host": "evil.example"}
    with published(db_url) as site:
        page = httpx.get(f"{site.url}/f/lokal%2Fbanjir%20garut%20%C3%BC", headers=forged).text
        for body in (page, httpx.get(f"{site.url}/sitemap.xml", headers=forged).text,
                     httpx.get(f"{site.url}/feed.xml", headers=forged).text,
                     httpx.get(f"{site.url}/robots.txt", headers=forged).text):
            assert "evil.example" not in body
        assert f"{site.url}/f/lokal" in page
    with published(db_url, public=False) as site:  # no public URL: every link relative, none invented
        page = httpx.get(f"{site.url}/f/lokal%2Fbanjir%20garut%20%C3%BC", headers=forged).text
        sitemap = httpx.get(f"{site.url}/sitemap.xml", headers=forged).text
        feed = httpx.get(f"{site.url}/feed.xml", headers=forged).text
        robots = httpx.get(f"{site.url}/robots.txt", headers=forged).text
        assert "evil.example" not in page + sitemap + feed + robots and "127.0.0.1" not in page + sitemap + feed
        assert 'rel="canonical"' not in page and jsonld(page)["url"] == "/f/lokal%2Fbanjir%20garut%20%C3%BC"
        assert "<loc>/f/cf-vaksin-chip</loc>" in sitemap and "Sitemap:" not in robots
        assert [i.url for i in parse_feed(feed.encode(), f"{site.url}/feed.xml")[1]][0] == f"{site.url}/f/xss-1"


def test_control_characters_in_articles_do_not_break_pages_or_xml(services):
    from benarkah.domain.articles import article_from_record
    from benarkah.web.app import create_app

    services.index.upsert([article_from_record({"id": "ctl", "title": "Judul\x01 dengan\x0b kontrol\x1f",
                                         "claim": "Klaim\x08 aneh", "summary": "Ringkasan\ufffe.",
                                         "published": "2024-01-01"})])
    with serve_app(create_app(services)) as url:
        assert httpx.get(f"{url}/f/ctl").status_code == 200
        assert parse_feed(httpx.get(f"{url}/feed.xml").content)[1][0].title == "Judul dengan kontrol"
        assert parse_sitemap(httpx.get(f"{url}/sitemap.xml").content).pages == ["/f/ctl"]
