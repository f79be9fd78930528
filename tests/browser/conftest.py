"""A real headless Chromium (Debian's ``/usr/bin/chromium``) driven by Playwright; no browser download.

Screenshots go to ``test-artifacts/screenshots/`` (kept by CI as artefacts). Tests skip, with the
reason, when Chromium or the playwright package is missing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("BENARKAH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (pip install -e '.[test]')")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            yield browser
        finally:
            browser.close()


def page_in_context(browser, **context_options) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def phone(browser) -> Iterator[object]:
    """A page the size of a cheap Android phone."""
    yield from page_in_context(browser, viewport={"width": 390, "height": 780}, device_scale_factor=1, locale="id-ID")


@pytest.fixture
def desktop(browser) -> Iterator[object]:
    yield from page_in_context(browser, viewport={"width": 1100, "height": 800}, locale="en-US")


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
