import gzip

import pytest

from benarkah.errors import InputFormatError
from benarkah.ingest.claimreview import claim_reviews
from benarkah.ingest.feeds import kind_of, parse_feed, parse_sitemap

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Cek Fakta Contoh</title>
<item><title>[HOAKS] Vaksin Berisi Chip</title><link>/cek/1</link><pubDate>Wed, 08 Dec 2021 10:00:00 +0700</pubDate>
<description>Ringkasan singkat.</description>
<content:encoded><![CDATA[<p>Paragraf pertama tentang chip.</p><p>Paragraf kedua.</p>]]></content:encoded></item>
<item><title>Tanpa tautan</title></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Contoh</title>
<entry><title>[SALAH] Bansos Lewat Tautan</title><link href="https://contoh.id/cek/2"/>
<updated>2023-03-14T08:00:00Z</updated><summary>Bansos tidak dibagikan lewat tautan.</summary></entry></feed>"""


def test_rss_items_with_relative_links_and_full_content():
    title, items = parse_feed(RSS, "https://contoh.id/feed.xml")
    assert title == "Cek Fakta Contoh"
    assert items[0].url == "https://contoh.id/cek/1" and items[0].published == "2021-12-08"
    assert items[0].text == "Paragraf pertama tentang chip.\n\nParagraf kedua."
    assert items[0].summary == "Ringkasan singkat."
    assert items[1].url == ""


def test_atom_entries():
    _, items = parse_feed(ATOM)
    assert items[0].url == "https://contoh.id/cek/2" and items[0].published == "2023-03-14"
    assert items[0].text == "Bansos tidak dibagikan lewat tautan."


def test_kinds_are_sniffed_not_trusted_from_content_type():
    assert kind_of(RSS, "text/html") == "feed"
    assert kind_of(ATOM) == "feed"
    assert kind_of(b'<?xml version="1.0"?><urlset xmlns="x"/>', "text/plain") == "sitemap"
    assert kind_of(gzip.compress(b"<sitemapindex/>")) == "sitemap"
    assert kind_of(b"<html><body>x</body></html>", "application/xml") == "page"


def test_sitemap_and_index_and_gzip():
    urlset = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc> https://contoh.id/a </loc></url><url><loc>https://contoh.id/b</loc></url></urlset>"
    )
    assert parse_sitemap(gzip.compress(urlset)).pages == ["https://contoh.id/a", "https://contoh.id/b"]
    index = parse_sitemap(
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://contoh.id/s1.xml</loc></sitemap></sitemapindex>"
    )
    assert index.children == ["https://contoh.id/s1.xml"] and index.pages == []


def test_sitemap_entities_are_not_expanded(tmp_path):
    secret = tmp_path / "rahasia.txt"
    secret.write_text("KUNCI-RAHASIA")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.id/&x;</loc></url></urlset>'
    )
    pages = parse_sitemap(xxe.encode()).pages
    assert all("KUNCI-RAHASIA" not in p for p in pages)


def test_garbage_feed_is_a_clear_error():
    with pytest.raises(InputFormatError, match="not a readable RSS/Atom feed"):
        parse_feed(b"\x00\x01 ini bukan XML <<<")


def test_claimreview_none_and_rating_without_name():
    assert claim_reviews("<html><body>biasa</body></html>") == []
    html = (
        '<script type="application/ld+json">{"@context":"https://schema.org","@type":"ClaimReview",'
        '"claimReviewed":"Bumi datar","reviewRating":{"@type":"Rating","ratingValue":"1","bestRating":"5"},'
        '"author":"Cek Contoh","datePublished":"2020-01-02"}</script>'
    )
    [review] = claim_reviews(html)
    assert (review.claim, review.verdict_label, review.publisher, review.published) == (
        "Bumi datar",
        "1/5",
        "Cek Contoh",
        "2020-01-02",
    )
    assert claim_reviews('<script type="application/ld+json">{"@type": "ClaimReview", rusak</script>') == []
