"""The public web chat on a phone-sized Chromium (390×844): the newest answer scrolls into view
above the sticky form, fact-checks are linked by title, and Ya / Tidak are answered in place."""

from __future__ import annotations

from typing import Iterator

import pytest

from benarkah.web.app import create_app
from tests.browser.conftest import page_in_context, screenshot
from tests.support.servers import serve_app

QUESTIONS = ["vaksin chip", "bansos lewat link", "lowongan kerja kai", "undangan nikahan apk"]


@pytest.fixture
def phone844(browser) -> Iterator[object]:
    yield from page_in_context(browser, viewport={"width": 390, "height": 844}, device_scale_factor=1,
                               locale="id-ID", is_mobile=True, has_touch=True)


def ask(page, text: str, turns: int) -> object:
    page.get_by_label("Pesan").fill(text)
    page.get_by_role("button", name="Kirim").click()
    page.wait_for_function(
        "n => { const turns = document.querySelectorAll('.turn'); const bot = turns.length === n && "
        "turns[n - 1].querySelector('.msg.bot'); return bot && !bot.textContent.includes('Mencari'); }", arg=turns)
    return page.locator(".turn").last.locator(".msg.bot")


def test_each_new_answer_starts_in_view_above_the_form(demo_services, phone844):
    page = phone844
    with serve_app(create_app(demo_services)) as url:
        page.goto(f"{url}/chat")
        for n, question in enumerate(QUESTIONS, start=1):
            answer = ask(page, question, n)
            box = answer.bounding_box()
            form = page.locator("form.ask").bounding_box()
            assert box is not None and form is not None
            # the answer's first lines are on screen, not hidden under the sticky form or scrolled past
            assert 0 <= box["y"] and box["y"] + 72 <= form["y"], (question, box, form)
            assert form["y"] + form["height"] <= 844 + 1
        assert page.evaluate("window.scrollY") > 0  # the page did move for the later answers
        screenshot(page, "web-chat-phone-scrolled")

        # fact-checks are links whose text is their title, not a bare URL
        links = answer.locator("a")
        assert links.count() >= 1 and not links.first.inner_text().startswith("http")

        # Ya / Tidak under the answer, answered in place
        turn = page.locator(".turn").last
        turn.get_by_role("button", name="Tidak").click()
        turn = page.locator(".turn").last
        turn.locator(".thanks").wait_for()
        assert "tim pemeriksa fakta" in turn.locator(".thanks").inner_text()
        assert turn.locator("form.feedback").count() == 0
    assert demo_services.tips.repo.list_tips()[0].text == QUESTIONS[-1]  # the newest tip


def test_without_javascript_the_feedback_form_still_works(demo_services, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        with serve_app(create_app(demo_services)) as url:
            page.goto(f"{url}/chat")
            page.get_by_label("Pesan").fill("vaksin chip")
            page.get_by_role("button", name="Kirim").click()
            page.wait_for_url(f"{url}/c/*")
            page.get_by_role("button", name="Ya").click()
            page.wait_for_url(f"{url}/c/*")
            assert "Senang bisa membantu" in page.locator(".thanks").inner_text()
    finally:
        context.close()
    assert demo_services.tips.stats().helpful == 1
