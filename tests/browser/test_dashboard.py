"""End to end in a real browser: tips arrive over the real WhatsApp and Telegram webhooks, a
fact-checker logs in, sees the cluster, links a fact-check, and the fake WhatsApp and Telegram APIs
receive the follow-up messages; the public web chat answers a question."""

from __future__ import annotations

import time
from typing import Iterator

import httpx
import pytest

from benarkah.admin.accounts import Accounts
from benarkah.app import Services, build
from benarkah.domain.articles import Article
from benarkah.web.app import create_app
from tests.browser.conftest import screenshot
from tests.channels.conftest import channel_settings
from tests.conftest import load_demo
from tests.support.fake_apis import FakeBotAPI, FakeGraphAPI, run_fake
from tests.support.payloads import TG_SECRET, signed, tg_message, wa_delivery, wa_message
from tests.support.servers import serve_app

PASSWORD = "kopi-tubruk-2026"
RUMOUR = [
    ("whatsapp", "6281300000001", "Beredar kabar gajah terbang terlihat di atas Monas saat malam tahun baru, videonya viral"),
    ("whatsapp", "6281300000002", "bener gk gajah terbang di atas monas malam tahun baru?? videonya viral bgt"),
    ("telegram", "55501", "Beredar video gajah terbang di langit Monas saat malam pergantian tahun"),
]
OTHER = ("whatsapp", "6281300000003", "Air kelapa dicampur garam bisa menyembuhkan kanker paru dalam tiga hari kata dokter Jepang")
FOLLOW_UP = "Sekarang sudah ada hasil cek fakta"


class Live:
    def __init__(self, url: str, services: Services, graph: FakeGraphAPI, bot: FakeBotAPI) -> None:
        self.url, self.services, self.graph, self.bot = url, services, graph, bot

    def send(self, channel: str, sender: str, text: str) -> None:
        if channel == "whatsapp":
            body, headers = signed(wa_delivery(wa_message(sender, "text", {"body": text})))
            response = httpx.post(f"{self.url}/webhooks/whatsapp", content=body, headers=headers)
        else:
            response = httpx.post(f"{self.url}/webhooks/telegram", json=tg_message(int(sender), text),
                                  headers={"x-telegram-bot-api-secret-token": TG_SECRET})
        assert response.status_code == 200, response.text

    def wait_for_tips(self, count: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.services.tips.repo.list_tips()) < count:
            assert time.monotonic() < deadline, f"only {len(self.services.tips.repo.list_tips())} tips arrived"
            time.sleep(0.05)


@pytest.fixture
def live(tmp_path) -> Iterator[Live]:
    with run_fake(FakeGraphAPI()) as graph, run_fake(FakeBotAPI()) as bot:
        settings = channel_settings(str(tmp_path / "live.db"), graph.api_base, bot.api_base)
        services = build(settings)
        load_demo(services)
        Accounts(services.store).add_user("editor", PASSWORD)
        runtime = services.runtime().start()
        try:
            with serve_app(create_app(services)) as url:
                yield Live(url, services, graph, bot)  # type: ignore[arg-type]
        finally:
            runtime.stop()
            services.close()


def login(page, url: str) -> None:
    page.goto(f"{url}/admin")
    assert "/admin/login" in page.url
    page.get_by_label("User name").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}/admin")


def test_fact_checker_links_a_cluster_and_tippers_are_told(live, desktop):
    page = desktop
    page.goto(f"{live.url}/admin/login")
    page.get_by_label("User name").fill("editor")
    page.get_by_label("Password").fill("salah-password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").inner_text() == "Wrong user name or password."
    screenshot(page, "admin-login")

    login(page, live.url)
    for tip in [*RUMOUR, OTHER]:
        live.send(*tip)
    live.wait_for_tips(4)
    page.reload()
    cards = page.locator("article.card")
    assert cards.count() == 2
    assert "3 tips" in cards.first.inner_text() and "telegram, whatsapp" in cards.first.inner_text()
    screenshot(page, "admin-queue")

    # the fact-check is published (worded differently from the tips, so they did not match it)
    live.services.index.upsert([Article(id="fc-gajah", title="[HOAKS] Rekaman satwa melayang di ibu kota hasil suntingan",
                                 url="https://cekfakta.example/satwa-melayang", claim="Satwa melayang di ibu kota",
                                 summary="Rekaman itu hasil suntingan digital, bukan kejadian nyata.")])
    cards.first.get_by_role("link").click()
    page.get_by_role("button", name="Being checked").click()
    assert page.locator("h1 .badge").inner_text() == "checking"
    page.get_by_label("Fact-check id or URL").fill("https://cekfakta.example/satwa-melayang")
    screenshot(page, "admin-cluster")
    page.get_by_role("button", name="Link and notify").click()
    assert page.locator("h1 .badge").inner_text() == "published"
    assert "3 queued" in page.locator("#notified").inner_text()
    screenshot(page, "admin-cluster-linked")

    # the workers deliver the follow-ups to the (fake) WhatsApp and Telegram APIs, once per person
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        wa = [m for n in ("6281300000001", "6281300000002") for m in live.graph.texts_to(n)
              if FOLLOW_UP in str(m.get("text", {}).get("body", ""))]
        tg = [m for m in live.bot.messages_to(55501) if FOLLOW_UP in m.get("text", "")]
        if len(wa) == 2 and len(tg) == 1:
            break
        time.sleep(0.05)
    assert len(wa) == 2 and len(tg) == 1, (live.graph.deliveries, live.bot.deliveries)
    assert "cekfakta.example/satwa-melayang" in wa[0]["text"]["body"]
    assert not [m for m in live.graph.texts_to("6281300000003") if FOLLOW_UP in str(m)]
    page.reload()  # a second look changes nothing: nobody is told twice
    time.sleep(0.3)
    assert len([m for m in live.graph.deliveries if FOLLOW_UP in str(m.body)]) == 2

    page.get_by_role("link", name="Statistics").click()
    assert page.locator("#total-messages").inner_text() == "4"
    screenshot(page, "admin-stats")
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{live.url}/admin")
    assert "/admin/login" in page.url


def test_public_chat_answers_on_a_phone(demo_services, phone, browser):
    with serve_app(create_app(demo_services)) as url:
        phone.goto(f"{url}/chat")
        phone.get_by_label("Pesan").fill("vaksin chip")
        phone.get_by_role("button", name="Kirim").click()
        reply = phone.locator(".msg.bot").last
        reply.locator("strong").first.wait_for()
        assert "Mencari" not in reply.inner_text()
        phone.wait_for_url(f"{url}/c/*")
        screenshot(phone, "web-chat")
        shared = phone.url
        # the shareable link shows the same answer to someone else, without JavaScript
        context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 780})
        try:
            other = context.new_page()
            other.goto(shared)
            assert "vaksin chip" in other.locator(".msg.me").inner_text()
            assert other.locator(".msg.bot").inner_text() == reply.inner_text()
            other.get_by_label("Pesan").fill("gajah terbang di langit Monas saat malam pergantian tahun baru")
            other.get_by_role("button", name="Kirim").click()
            other.wait_for_url(f"{url}/c/*")
            assert other.url != shared and "gajah terbang" in other.locator(".msg.me").inner_text()
            screenshot(other, "web-chat-no-js")
        finally:
            context.close()


def test_public_chat_answers_a_screenshot_on_a_phone(demo_services, phone, tmp_path):
    from benarkah.errors import OcrUnavailable
    from benarkah.media.ocr import load_ocr_engine
    from tests.support.screenshots import load_screenshot_articles, screenshot as shared_screenshot

    try:
        load_ocr_engine("tesseract")
    except OcrUnavailable as exc:
        pytest.skip(f"needs Tesseract's Indonesian data: {exc}")
    shot = shared_screenshot("wa")
    load_screenshot_articles(demo_services)
    picture = tmp_path / "tangkapan-layar.jpg"
    picture.write_bytes(shot.data)
    with serve_app(create_app(demo_services)) as url:
        phone.goto(f"{url}/chat")
        phone.set_input_files("#image", str(picture))
        assert "tangkapan-layar.jpg" in phone.locator("#picked").inner_text()
        phone.get_by_role("button", name="Kirim").click()
        reply = phone.locator(".msg.bot").last
        reply.locator("strong").first.wait_for(timeout=120_000)  # the first picture starts a reader process
        assert "Teks yang kami baca" in reply.inner_text() and shot.title in reply.inner_text()
        assert phone.locator(".msg.me img.sent").count() == 1  # the picture shown as sent
        phone.wait_for_url(f"{url}/c/*")
        screenshot(phone, "web-chat-picture")
