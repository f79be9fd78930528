"""The crawler against a real HTTP server on loopback that misbehaves on purpose; crawl state on SQLite
and PostgreSQL."""

import time

import pytest

from benarkah.errors import FetchError
from benarkah.ingest.crawler import Crawler, CrawlLimits
from benarkah.ingest.crawlstate import CrawlState
from benarkah.ingest.pipeline import ingest_records
from benarkah.ingest.profiles import ProfileChooser
from benarkah.ingest.sources import SourceOptions, Sources, fetch_article

FAST = CrawlLimits(delay_s=0.0, timeout_s=1.0, max_bytes=200_000)
# whole ingests: no page here is slow on purpose, so a loaded machine must not turn a fetch into a failure
INGEST = CrawlLimits(delay_s=0.0, timeout_s=15.0, max_bytes=200_000)


@pytest.fixture
def services(any_services):  # the tests that keep crawl state run once per storage backend
    return any_services


@pytest.fixture
def crawler():
    with Crawler(FAST) as c:
        yield c


def test_robots_disallow_is_obeyed_and_the_agent_is_named(site, crawler):
    with pytest.raises(FetchError, match="disallowed by robots.txt"):
        crawler.fetch(f"{site.base}/private/rahasia")
    assert site.hits["/private/rahasia"] == 0
    fetched = crawler.fetch(f"{site.base}/cek-fakta/1")
    assert fetched.status == 200 and b"Jembatan Ambruk" in fetched.content
    agents = {h.get("user-agent", "") for path, h in site.requests if path == "/cek-fakta/1"}
    assert all(a.startswith("benarkah-ingest/") for a in agents)


@pytest.mark.parametrize(
    "path, message",
    [
        ("/cek-fakta/404", "HTTP 404"),
        ("/error", "HTTP 500"),
        ("/slow", "no answer within 1 s"),
        ("/loop/0", r"redirect loop \(.*/loop/0 -> .*/loop/1 -> .*/loop/0\)"),
        ("/chain/9", "more than 5 redirects"),
        ("/to-private", "redirected to .*/private/rahasia, which robots.txt disallows"),
        ("/huge", "1,200,026 bytes; the limit is 200,000"),
        ("/huge-stream", "larger than the 200,000-byte limit"),
    ],
)
def test_failures_are_typed_with_the_reason(site, crawler, path, message):
    started = time.monotonic()
    with pytest.raises(FetchError, match=message):
        crawler.fetch(site.base + path)
    assert time.monotonic() - started < 2.5  # the slow page is cut at the timeout, not waited out


def test_redirects_within_the_limit_are_followed(site, crawler):
    fetched = crawler.fetch(f"{site.base}/chain/3")
    assert fetched.status == 200 and fetched.url == f"{site.base}/cek-fakta/1"
    assert site.hits["/private/rahasia"] == 0


def test_wrong_charset_is_repaired(site, crawler):
    page = fetch_article(crawler, crawler.fetch(f"{site.base}/latin1"), ProfileChooser())
    assert page.title == "[HOAKS] Hadiah “Rp1.000.000” dari Bank – Jangan Klik"
    assert "“Rp1.000.000”" in page.text and "\ufffd" not in page.text


def test_three_page_article_is_joined_in_order(site, crawler):
    page = fetch_article(crawler, crawler.fetch(f"{site.base}/berita/tsunami"), ProfileChooser())
    assert page.pages == 3
    text = page.text
    assert (
        text.index("pesan berantai menyebut air laut")
        < text.index("Badan Meteorologi")
        < text.index("Kesimpulan: pesan berantai")
    )
    assert "Halaman 2 dari 3" not in text and "Simak video" not in text
    assert page.url == f"{site.base}/berita/tsunami" and page.verdict.value == "false"


def test_per_host_rate_limit_spaces_requests(site):
    with Crawler(CrawlLimits(delay_s=0.3, timeout_s=2)) as polite:
        started = time.monotonic()
        for n in ("1", "2", "3"):
            polite.fetch(f"{site.base}/cek-fakta/{n}")
        assert time.monotonic() - started >= 0.9  # robots.txt + 3 pages, 0.3 s apart


def test_etag_refetch_sends_if_none_match_and_gets_304(site, services):
    state = CrawlState(services.store)
    with Crawler(FAST, state) as c:
        first = c.fetch(f"{site.base}/cek-fakta/2")
        state.done(first.url, first.status, first.etag, first.last_modified, first.content_hash)
        again = c.fetch(f"{site.base}/cek-fakta/2")
    assert again.not_modified and again.content == b""
    sent = [h for path, h in site.requests if path == "/cek-fakta/2"][-1]
    assert sent["if-none-match"] == first.etag


def run_ingest(services, inputs, **options):
    sources = Sources(services.store, SourceOptions(limits=options.pop("limits", INGEST), **options))
    try:
        report = ingest_records(services.index, sources.records(inputs), on_flush=sources.checkpoint)
    finally:
        sources.close()
    report.counts["duplicates"] = sources.pages.merged
    return report, sources


def test_feed_follow_then_rerun_fetches_only_what_changed(site, services):
    feed = f"{site.base}/feed.xml"
    report, sources = run_ingest(services, [feed], follow=True)
    assert report.counts["added"] == 3
    reasons = dict(report.rejections)
    assert reasons[f"{site.base}/private/rahasia"] == "disallowed by robots.txt"
    assert reasons[f"{site.base}/cek-fakta/404"] == "HTTP 404"
    article = services.store.get_article(report_id(services, "Jembatan Ambruk"))
    assert CrawlState(services.store).get(f"{site.base}/cek-fakta/1").article_id == article.id
    assert article.verdict.value == "false" and str(article.published) == "2024-01-11"
    assert "Advertisement" not in article.text and "Bagikan" not in article.text

    site.versions["3"] += 1  # one article changes on the site
    hits_before = dict(site.hits)
    report, sources = run_ingest(services, [feed], follow=True)
    assert (report.counts["added"], report.counts["updated"]) == (0, 1)
    assert sources.stats["not_modified"] == 3  # the feed and the two unchanged articles: 304
    assert site.hits["/cek-fakta/1"] == hits_before["/cek-fakta/1"] + 1  # asked once, conditionally
    assert (
        f"Pembaruan {site.versions['3']}"
        in services.store.get_article(report_id(services, "Minyak Goreng")).text
    )


def report_id(services, words):
    return next(a.id for a in services.store.iter_articles() if words in a.title)


def test_interrupted_crawl_resumes_where_it_stopped(site, services):
    sitemap = f"{site.base}/sitemap.xml"
    limited = CrawlLimits(delay_s=0.0, timeout_s=15.0, max_pages=4)  # index, page list, 2 articles
    report, sources = run_ingest(services, [sitemap], follow=True, limits=limited)
    assert report.counts["added"] == 2 and sources.stats["deferred"] == 3
    assert len(CrawlState(services.store).pending(f"{site.base}/sitemap-pages.xml")) == 3
    report, sources = run_ingest(services, [sitemap], follow=True)
    # the rest: article 3 and the 3-page article added, the AMP mirror of article 1 merged into it
    assert report.counts["added"] == 2 and report.counts["duplicates"] == 1
    assert CrawlState(services.store).pending(f"{site.base}/sitemap-pages.xml") == []
    kept = services.store.get_article(report_id(services, "Jembatan Ambruk"))
    assert kept.url == f"{site.base}/cek-fakta/1" and f"{site.base}/amp/cek-fakta/1" in kept.extra_urls
    assert services.store.count_articles() == 4


def test_sitemap_without_follow_says_what_to_do(site, services):
    report, _ = run_ingest(services, [f"{site.base}/sitemap-pages.xml"])
    assert report.rejections == [
        (f"{site.base}/sitemap-pages.xml", "a sitemap only lists pages: add --follow to fetch them")
    ]


def test_a_page_without_an_article_is_retried_next_run(site, services):
    url = f"{site.base}/kosong"
    report, _ = run_ingest(services, [url])
    assert report.rejections == [(url, "no headline found on the page (check the profile's title selectors)")]
    assert CrawlState(services.store).get(url).status == "failed"
    before = site.hits["/kosong"]
    run_ingest(services, [url])
    sent = [h for path, h in site.requests if path == "/kosong"][-1]
    assert site.hits["/kosong"] == before + 1 and "if-none-match" not in sent  # asked in full again
