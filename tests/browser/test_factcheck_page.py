"""Public fact-check pages in a real Chromium: a phone (390×844) and a laptop, no request leaves the
site, the ClaimReview parses, third-party text runs nothing, the search works without JavaScript.
Screenshots: test-artifacts/screenshots/factcheck-{phone,laptop,list-phone}.png (docs/reach.md)."""

from __future__ import annotations

import json
from typing import Iterator

import pytest

from benarkah.domain.articles import article_from_record
from tests.browser.conftest import page_in_context, screenshot
from tests.conftest import DEMO_CORPUS
from tests.publishing.articles import sample_articles
from tests.publishing.servers import published


@pytest.fixture
def site(tmp_path):
    demo = [article_from_record(json.loads(line)) for line in DEMO_CORPUS.read_text("utf-8").splitlines() if line]
    hostile = [a for a in sample_articles() if a.id == "xss-1"]
    with published(str(tmp_path / "site.db"), articles=[*demo, *hostile]) as p:
        yield p


@pytest.fixture
def phone844(browser) -> Iterator[object]:
    yield from page_in_context(browser, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                               locale="id-ID", is_mobile=True, has_touch=True)


@pytest.fixture
def laptop(browser) -> Iterator[object]:
    yield from page_in_context(browser, viewport={"width": 1280, "height": 800}, locale="id-ID")


def watch(page, origin: str) -> dict[str, list]:
    """Everything the page asks for, and anything it runs that it should not."""
    seen: dict[str, list] = {"requests": [], "dialogs": [], "errors": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    return seen


def test_a_fact_check_on_a_phone_and_a_laptop(site, phone844, laptop):
    for page, name in ((phone844, "factcheck-phone"), (laptop, "factcheck-laptop")):
        seen = watch(page, site.url)
        response = page.goto(f"{site.url}/f/demo-002")
        assert response.status == 200
        assert page.locator(".verdict").inner_text() == "SALAH"
        assert page.locator("h1").inner_text() == "Vaksin Covid-19 Mengandung Chip Pelacak 5G"
        assert page.get_by_role("link", name="Baca cek fakta lengkap di Redaksi Cek Fakta Contoh →").is_visible()
        data = page.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
        assert data["@type"] == "ClaimReview" and data["reviewRating"]["alternateName"] == "HOAKS"
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{name}: the page scrolls sideways ({width})"
        assert all(u.startswith(site.url) for u in seen["requests"]), seen["requests"]
        assert len(seen["requests"]) == 1  # the document itself: no CSS, font, image or script to fetch
        assert not seen["dialogs"] and not seen["errors"]
        screenshot(page, name)


def test_hostile_text_stays_text(site, phone844):
    seen = watch(phone844, site.url)
    phone844.goto(f"{site.url}/f/xss-1")
    assert "</script><script>alert('x')</script>" in phone844.locator("h1").inner_text()
    assert phone844.locator("img").count() == 0 and phone844.locator("main a[href^='javascript']").count() == 0
    assert not seen["dialogs"] and not seen["errors"]


def test_searching_the_archive_without_javascript(site, browser):
    for page in page_in_context(browser, viewport={"width": 390, "height": 844}, java_script_enabled=False,
                                locale="id-ID"):
        page.goto(f"{site.url}/f/")
        page.fill("input[name=q]", "vaksin ada chip 5g")
        page.click("form.search button")
        page.wait_for_url("**/f/?q=*")
        first = page.locator("ol.list li a.title").first
        assert first.inner_text() == "Vaksin Covid-19 Mengandung Chip Pelacak 5G"
        screenshot(page, "factcheck-list-phone")
        first.click()
        page.wait_for_url("**/f/demo-002")
        assert page.locator(".verdict").inner_text() == "SALAH"
