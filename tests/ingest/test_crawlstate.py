"""Crawl state on both storage backends: the same portable SQL (migration 0020 and its twin)."""

from benarkah.domain.articles import article_from_record
from benarkah.ingest.crawlstate import CrawlState
from benarkah.ingest.extract import Extracted
from benarkah.ingest.pages import PageRecords
from tests.ingest.test_dedupe import BODY


def test_crawl_state_round_trip(any_services):
    state = CrawlState(any_services.store)
    feed = "https://contoh.id/feed.xml"
    assert state.add_pending(["https://contoh.id/a", "https://contoh.id/b"], feed) == 2
    assert state.add_pending(["https://contoh.id/a"], feed) == 0  # known URLs keep their state
    state.done("https://contoh.id/a", 200, '"v1"', "Wed, 08 Dec 2021 10:00:00 GMT", "abc", source=feed)
    state.failed("https://contoh.id/b", "HTTP 500", 500, source=feed)
    a = state.get("https://contoh.id/a")
    assert (a.status, a.etag, a.content_hash) == ("done", '"v1"', "abc")
    assert a.last_modified == "Wed, 08 Dec 2021 10:00:00 GMT"
    state.done("https://contoh.id/a", 304, None, None, None, source=feed)  # a 304 keeps the validators
    assert state.get("https://contoh.id/a").etag == '"v1"'
    assert state.pending(feed) == [] and state.listed(feed) == ["https://contoh.id/a", "https://contoh.id/b"]
    assert state.counts() == {"done": 1, "failed": 1}
    assert state.get("https://contoh.id/none") is None


def test_mirror_urls_survive_the_store(any_services):
    """extra_urls written by the page builder come back from either backend."""
    builder = PageRecords()
    builder.record(Extracted(url="https://contoh.id/cek/1", title="[SALAH] Kuota Gratis", text=BODY), "a")
    merged = builder.record(
        Extracted(url="https://lain.id/salinan", title="[SALAH] Kuota Gratis", text=BODY), "b"
    )
    any_services.index.upsert([article_from_record(merged.fields)])
    stored = any_services.store.get_article(merged.fields["id"])
    assert stored.url == "https://contoh.id/cek/1" and stored.extra_urls == ("https://lain.id/salinan",)
