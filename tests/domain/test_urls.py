import pytest

from benarkah.domain.articles import Article
from benarkah.domain.urls import (LinkKind, article_links, find_urls, is_shortener, is_specific,
                                   strip_urls, url_key)

PAGE = "https://contoh.id/cek-fakta/123/judul"


@pytest.mark.parametrize("spelling", [
    "https://www.contoh.id/cek-fakta/123/judul",
    "http://m.contoh.id/cek-fakta/123/judul/",
    "https://contoh.id/cek-fakta/123/judul/amp",
    "https://amp.contoh.id/cek-fakta/123/judul?utm_source=wa&utm_medium=share",
    "https://contoh.id/cek-fakta/123/judul?amp=1#komentar",
    "https://contoh.id/cek-fakta/123/judul?fbclid=IwAR3xyz&igshid=abc123",
    "HTTPS://WWW.CONTOH.ID/cek-fakta/123/judul",
    "www.contoh.id/cek-fakta/123/judul",
    "contoh.id/cek-fakta/123/judul",
    "https://www-contoh-id.cdn.ampproject.org/c/s/www.contoh.id/cek-fakta/123/judul/amp",
    "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.contoh.id%2Fcek-fakta%2F123%2Fjudul%3Ffbclid%3Dx&h=AT0",
    "https://www.google.com/url?q=https://m.contoh.id/cek-fakta/123/judul&sa=D",
])
def test_every_spelling_of_one_page_has_one_key(spelling):
    assert url_key(spelling) == PAGE


def test_keys_keep_what_names_a_different_page():
    assert url_key("https://contoh.id/a?page=2") != url_key("https://contoh.id/a")
    assert url_key("https://contoh.id/A") != url_key("https://contoh.id/a")  # paths are case-sensitive
    assert url_key("https://youtu.be/dQw4w9WgXcQ?si=share") == url_key(
        "https://m.youtube.com/watch?v=dQw4w9WgXcQ&feature=share") == "https://youtube.com/watch?v=dQw4w9WgXcQ"
    assert url_key("https://mobile.twitter.com/akun/status/1?s=20") == "https://x.com/akun/status/1"
    assert url_key("https://contoh.id:99999/x") == "https://contoh.id/x"  # a broken port is not an error


def test_links_are_found_in_running_text_without_their_punctuation():
    text = ("Cek ini (https://contoh.id/berita/1), juga bit.ly/3abcDEF dan www.situs.co.id/x?id=5. "
            "Email admin@contoh.id bukan link; https://id.wikipedia.org/wiki/Monas_(Jakarta)")
    assert find_urls(text) == ["https://contoh.id/berita/1", "https://bit.ly/3abcDEF", "https://www.situs.co.id/x?id=5",
                               "https://id.wikipedia.org/wiki/Monas_(Jakarta)"]
    assert find_urls("tidak ada tautan di sini. titik.koma") == []
    assert len(find_urls(" ".join(f"https://a{i}.com/x" for i in range(50)))) == 5
    assert strip_urls("lihat https://contoh.id/x ini") == "lihat ini"


def test_shorteners_and_specific_pages_are_recognised():
    assert is_shortener("https://bit.ly/abc") and is_shortener("s.id/xyz") and is_shortener("https://vt.tiktok.com/ZS1/")
    assert not is_shortener("https://contoh.id/bit.ly")
    assert is_specific(url_key("https://contoh.id/a")) and is_specific(url_key("https://contoh.id/?p=3"))
    assert not is_specific(url_key("https://www.contoh.id/"))


@pytest.mark.parametrize("junk", ["http://[dot]/x", "https://[::1", "http://a.b:99999999/x", "https://\x00.id/",
                                  "https://ex\udcffample.com/a", "http://" + "a" * 5000 + ".com", "https://%zz.id/%"])
def test_malformed_links_never_raise(junk):
    for url in find_urls(f"lihat {junk} ini") + [junk]:
        url_key(url)
        is_shortener(url)
    assert strip_urls(junk) is not None


def test_an_articles_links_keep_their_strongest_kind_and_skip_home_pages():
    article = Article(id="fc-1", title="[HOAKS] Contoh", url="https://cekfakta.co.id/2024/contoh",
                      claim_appearances=("https://www.facebook.com/groups/1/posts/2",),
                      cited_urls=("https://kemkes.go.id/rilis/1", "https://kemkes.go.id/"),
                      text="Sumber: https://covid19.go.id/artikel/a dan https://cekfakta.co.id/2024/contoh?utm_source=x")
    links = article_links(article)
    assert links[url_key(article.url)] is LinkKind.OWN  # also written in its text: own is stronger
    assert links[url_key("https://facebook.com/groups/1/posts/2")] is LinkKind.APPEARANCE
    assert links[url_key("https://covid19.go.id/artikel/a")] is LinkKind.CITED
    assert links[url_key("https://kemkes.go.id/rilis/1")] is LinkKind.CITED
    assert url_key("https://kemkes.go.id/") not in links
