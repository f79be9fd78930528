"""Links in messages, end to end over real loopback servers and both storage backends: matched
against the archive's own, appearance and cited URLs, then through where a link leads and what the
linked page says it is; what matches nothing becomes a tip with the link."""

from __future__ import annotations

from typing import Iterator

import pytest

from benarkah.app import Services, build
from benarkah.domain.articles import Article
from benarkah.domain.conversation import ReplyKind
from benarkah.domain.verdicts import Verdict
from benarkah.settings import Settings
from tests.conftest import TEST_KEY, load_demo
from tests.links.site import LinkSite
from tests.support.servers import serve_app

ARCHIVE_URL = "https://cekfakta.co.id/2024/05/hoaks-vaksin-chip-5g"
FACT_CHECK = Article(
    id="fc-chip", title="[HOAKS] Vaksin COVID-19 Tidak Mengandung Microchip Pelacak 5G", url=ARCHIVE_URL,
    verdict=Verdict.FALSE, summary="Vaksin tidak berisi microchip; klaim itu sudah dibantah.",
    claim_appearances=("https://www.facebook.com/groups/123/posts/456789",),
    cited_urls=("https://www.kemkes.go.id/id/rilis-kesehatan/vaksin-aman",),
    text="Penjelasan resmi: https://covid19.go.id/artikel/2021/01/05/vaksin-tanpa-chip dan sumber lain.")


@pytest.fixture
def site() -> Iterator[tuple[str, LinkSite]]:
    web = LinkSite(archive_url=ARCHIVE_URL)
    with serve_app(web, lifespan="off") as url:
        yield url, web


def services_for(db: str, allow: str = "127.0.0.1/32") -> Services:
    services = build(Settings(db=db, secret_key=TEST_KEY, semantic=False, link_fetch_allow=allow))
    load_demo(services)
    services.index.upsert([FACT_CHECK])
    return services


@pytest.fixture
def linked(db_url) -> Iterator[Services]:  # once per storage backend
    services = services_for(db_url)
    yield services
    services.close()


@pytest.mark.parametrize("message", [
    f"ini bener? {ARCHIVE_URL}",
    "http://www.cekfakta.co.id/2024/05/hoaks-vaksin-chip-5g/amp?utm_source=whatsapp&fbclid=x",
    "cekfakta.co.id/2024/05/hoaks-vaksin-chip-5g",
    "https://m.facebook.com/groups/123/posts/456789/?mibextid=abc",           # where the claim circulated
    "cek https://kemkes.go.id/id/rilis-kesehatan/vaksin-aman ini",            # a page the fact-check cites
    "https://covid19.go.id/artikel/2021/01/05/vaksin-tanpa-chip",              # a URL in its text
])
def test_links_to_the_fact_check_or_what_it_cites_find_it(linked, message):
    reply = linked.tipline.handle_text("whatsapp", "62811", message).reply
    assert reply.kind is ReplyKind.RESULTS and reply.articles[0].id == "fc-chip"
    assert linked.tips.repo.list_tips() == []


def test_a_linked_pages_title_finds_its_fact_check(linked, site):
    url, web = site
    reply = linked.tipline.handle_text("telegram", "5", f"{url}/artikel/vaksin").reply
    assert reply.kind is ReplyKind.RESULTS
    assert any("chip" in a.title.casefold() for a in reply.articles)
    cached = linked.links.cache.get(f"{url}/artikel/vaksin")
    assert cached is not None and cached.status == "ok" and "Microchip" in cached.title
    again = linked.tipline.handle_text("telegram", "6", f"{url}/artikel/vaksin?utm_source=wa").reply
    assert again.kind is ReplyKind.RESULTS and web.hits["/artikel/vaksin"] == 1  # read once, from the cache after


def test_a_shortener_leading_to_the_archive_matches_without_more(linked, site):
    url, web = site
    reply = linked.tipline.handle_text("whatsapp", "62812", f"{url}/s/fc").reply
    assert reply.kind is ReplyKind.RESULTS and reply.articles[0].id == "fc-chip"  # via the redirect's Location
    assert web.hits["/s/fc"] == 1


def test_a_canonical_link_on_the_page_finds_the_archive(linked, site):
    url, _ = site
    reply = linked.tipline.handle_text("whatsapp", "62813", f"{url}/amp/artikel/vaksin").reply
    assert reply.kind is ReplyKind.RESULTS and reply.articles[0].id == "fc-chip"


def test_what_matches_nothing_becomes_a_tip_with_the_link(linked, site):
    url, _ = site
    for sender, link in (("62814", f"{url}/resep"), ("62815", f"{url}/dokumen.pdf"), ("62816", f"{url}/private/x")):
        handled = linked.tipline.handle_text("whatsapp", sender, link)
        assert handled.reply.kind is ReplyKind.NOT_FOUND and handled.tip_id is not None
    assert {t.text for t in linked.tips.repo.list_tips()} == {f"{url}/resep", f"{url}/dokumen.pdf", f"{url}/private/x"}
    assert linked.links.cache.get(f"{url}/private/x").status == "robots"
    assert linked.links.cache.get(f"{url}/dokumen.pdf").status == "not_html"


def test_private_addresses_are_not_fetched_unless_configured(tmp_path, site):
    url, web = site
    guarded = services_for(str(tmp_path / "guarded.db"), allow="")
    try:
        handled = guarded.tipline.handle_text("whatsapp", "62817", f"{url}/artikel/vaksin")
    finally:
        guarded.close()
    assert handled.reply.kind is ReplyKind.NOT_FOUND and handled.tip_id is not None
    assert web.hits["/artikel/vaksin"] == 0 and web.hits["/robots.txt"] == 0


def test_previews_off_still_match_links_and_never_fetch(tmp_path, site):
    url, web = site
    services = build(Settings(db=str(tmp_path / "off.db"), secret_key=TEST_KEY, semantic=False, link_preview=False,
                              link_fetch_allow="127.0.0.1/32"))
    try:
        services.index.upsert([FACT_CHECK])
        assert services.tipline.handle_text("cli", "x", ARCHIVE_URL).reply.kind is ReplyKind.RESULTS
        assert services.tipline.handle_text("cli", "x", f"{url}/artikel/vaksin").reply.kind is ReplyKind.NOT_FOUND
    finally:
        services.close()
    assert sum(web.hits.values()) == 0


def test_a_batch_reads_its_links_at_once_and_a_busy_worker_reads_none(linked, site):
    url, web = site
    texts = [f"{url}/lambat", f"{url}/artikel/vaksin", f"{url}/resep", "tanpa tautan"]
    import time

    started = time.monotonic()
    linked.tipline.prefetch_links(texts)
    assert time.monotonic() - started < linked.settings.link_fetch_timeout_seconds + 2  # not one after another
    assert linked.links.cache.get(f"{url}/artikel/vaksin").status == "ok"
    with linked.tipline.keywords_only():
        assert linked.tipline.prefetch_links([f"{url}/s/vaksin"]) == 0
        reply = linked.tipline.handle_text("whatsapp", "62818", f"{url}/s/vaksin").reply  # cached only: not read
    assert web.hits["/s/vaksin"] == 0 and reply.kind is ReplyKind.NOT_FOUND
