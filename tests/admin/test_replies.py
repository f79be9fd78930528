"""A fact-checker writes to a tipper from the dashboard, over real HTTP, to loopback fake WhatsApp and
Telegram APIs: delivered once (a double submit too), logged with the staff account, the number never
shown, refused outside WhatsApp's window without a template. The statistics page counts subscribers."""

from __future__ import annotations

import re
import time
from typing import Iterator

import httpx
import pytest

from benarkah.admin.accounts import Accounts
from benarkah.app import build
from benarkah.messaging.parts import TemplatePart
from benarkah.tips.replies import ReplyRefused
from benarkah.web.app import create_app
from tests.admin.test_auth import PASSWORD, csrf_from, login
from tests.channels.conftest import channel_settings
from tests.conftest import load_demo
from tests.support.fake_apis import FakeBotAPI, FakeGraphAPI, run_fake
from tests.support.payloads import TG_SECRET, signed, tg_message, wa_delivery, wa_message
from tests.support.servers import serve_app

PHONE, CHAT = "6281377700001", 880001
RUMOUR = "Beredar kabar gajah terbang terlihat di atas Monas saat malam tahun baru, videonya viral"


class Desk:
    def __init__(self, url, services, graph, bot) -> None:
        self.url, self.services, self.graph, self.bot = url, services, graph, bot

    def tip_from_whatsapp(self, text: str = RUMOUR) -> None:
        body, headers = signed(wa_delivery(wa_message(PHONE, "text", {"body": text})))
        assert httpx.post(f"{self.url}/webhooks/whatsapp", content=body, headers=headers).status_code == 200

    def tip_from_telegram(self, text: str = RUMOUR) -> None:
        assert httpx.post(f"{self.url}/webhooks/telegram", json=tg_message(CHAT, text),
                          headers={"x-telegram-bot-api-secret-token": TG_SECRET}).status_code == 200

    def wait_tips(self, count: int) -> list:
        deadline = time.monotonic() + 20
        while True:
            rows = self.services.store.connection().execute(
                "SELECT id, cluster_id, channel FROM tips WHERE cluster_id IS NOT NULL ORDER BY id").fetchall()
            if len(rows) >= count:
                return rows
            assert time.monotonic() < deadline, "tips did not arrive"
            time.sleep(0.05)


@pytest.fixture
def desk(tmp_path) -> Iterator[Desk]:
    with run_fake(FakeGraphAPI()) as graph, run_fake(FakeBotAPI()) as bot:
        services = build(channel_settings(str(tmp_path / "desk.db"), graph.api_base, bot.api_base))
        load_demo(services)
        Accounts(services.store).add_user("editor", PASSWORD)
        runtime = services.runtime().start()
        try:
            with serve_app(create_app(services)) as url:
                yield Desk(url, services, graph, bot)
        finally:
            runtime.stop()
            services.close()


def reply_form(page: str, tip_id: int) -> dict[str, str]:
    form = re.search(rf'action="(/admin/clusters/\d+/tips/{tip_id}/reply)".*?name="request_key" value="([^"]+)"',
                     page, re.S)
    assert form, f"no reply form for tip {tip_id}"
    return {"action": form.group(1), "request_key": form.group(2), "csrf_token": csrf_from(page)}


def test_a_reply_reaches_the_tipper_once_and_is_logged(desk):
    desk.tip_from_whatsapp()
    desk.tip_from_telegram()
    [(wa_tip, cluster, _), (tg_tip, _, _)] = desk.wait_tips(2)
    replies_before = (desk.graph.wait_for(1), desk.bot.wait_for(1))  # the "not found yet" answers
    with httpx.Client(base_url=desk.url) as client:
        assert login(client).status_code == 303
        page = client.get(f"/admin/clusters/{cluster}").text
        assert PHONE not in page and str(CHAT) not in page  # the people's numbers are never shown
        form = reply_form(page, wa_tip)
        data = {"csrf_token": form["csrf_token"], "request_key": form["request_key"],
                "text": "Terima kasih! Kami sedang memeriksa video itu; hasilnya kami kabari."}
        first = client.post(form["action"], data=data)
        assert first.status_code == 303 and "notice=queued" in first.headers["location"]
        again = client.post(form["action"], data=data)  # the browser resubmits the same form
        assert again.status_code == 303
        desk.graph.wait_for(2)
        time.sleep(1.0)
        to_person = [m for m in desk.graph.texts_to(PHONE) if "sedang memeriksa" in m.get("text", {}).get("body", "")]
        assert len(to_person) == 1 and to_person[0]["text"]["body"].startswith("💬 Pesan dari tim pemeriksa fakta:")
        tg_form = reply_form(client.get(f"/admin/clusters/{cluster}").text, tg_tip)
        client.post(tg_form["action"], data={**data, "request_key": tg_form["request_key"],
                                             "csrf_token": tg_form["csrf_token"]})
        desk.bot.wait_for(len(replies_before[1]) + 1)
        assert "sedang memeriksa" in desk.bot.messages_to(CHAT)[-1]["text"]
        shown = client.get(f"/admin/clusters/{cluster}").text
        assert shown.count("· editor · queued") == 2 and PHONE not in shown
        forged = client.post(form["action"], data={"csrf_token": "wrong", "request_key": "x" * 16, "text": "halo"})
        assert forged.status_code == 403
    rows = desk.services.store.connection().execute(
        "SELECT staff_user, tip_id, outcome, text FROM staff_replies ORDER BY id").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [("editor", wa_tip, "queued"), ("editor", tg_tip, "queued")]
    assert all(PHONE not in r[3] for r in rows)


def test_outside_the_window_without_a_template_the_reply_is_refused(desk):
    desk.tip_from_whatsapp()
    [(tip, cluster, _)] = desk.wait_tips(1)
    desk.graph.wait_for(1)
    desk.services.store.connection().execute("UPDATE messaging_contacts SET last_inbound_at = ?",
                                             (time.time() - 2 * 86400,))
    with httpx.Client(base_url=desk.url) as client:
        login(client)
        form = reply_form(client.get(f"/admin/clusters/{cluster}").text, tip)
        refused = client.post(form["action"], data={"csrf_token": form["csrf_token"],
                                                    "request_key": form["request_key"], "text": "Halo lagi"})
        assert refused.status_code == 422 and "24 hours" in refused.text and "BENARKAH_WHATSAPP_STAFF_TEMPLATE" in refused.text
        assert "Halo lagi" in refused.text  # the draft is kept in the form
    time.sleep(0.5)
    assert len(desk.graph.deliveries) == 1  # only the earlier automatic reply
    assert desk.services.queue.depths()["outbox"].get("needs_template", 0) == 0  # nothing parked either
    outcome = desk.services.store.connection().execute("SELECT staff_user, outcome FROM staff_replies").fetchall()
    assert [tuple(r) for r in outcome] == [("editor", "refused")]


def test_with_a_template_it_goes_as_the_template_and_web_tips_cannot_be_answered(tmp_path):
    services = build(channel_settings(str(tmp_path / "t.db"), "http://127.0.0.1:9", "http://127.0.0.1:9",
                                      whatsapp_staff_template="balasan_tim"))
    try:
        services.tipline.handle_text("whatsapp", PHONE, RUMOUR)  # no inbox row: never in the window
        services.tipline.handle_text("web", "browser-session", RUMOUR + " di web")
        tips = services.store.connection().execute("SELECT id, channel FROM tips ORDER BY id").fetchall()
        reply = services.replies.send(tips[0][0], "Kami sedang memeriksanya.", "editor", "k" * 16)
        assert reply.outcome == "queued_template"
        [item] = services.queue.claim_outbox(10)
        assert item.purpose == "staff" and item.parts == [
            TemplatePart("balasan_tim", "id", "💬 Pesan dari tim pemeriksa fakta: Kami sedang memeriksanya.")]
        with pytest.raises(ReplyRefused, match="came through web"):
            services.replies.send(tips[1][0], "Halo", "editor", "w" * 16)
        with pytest.raises(ReplyRefused, match="limit is 1,000"):
            services.replies.send(tips[0][0], "x" * 1001, "editor", "z" * 16)
        assert services.forget("whatsapp", PHONE).records >= 2
        assert services.store.connection().execute("SELECT COUNT(*) FROM staff_replies").fetchone()[0] == 0
    finally:
        services.close()


def test_the_statistics_page_counts_subscribers(desk):
    body, headers = signed(wa_delivery(wa_message(PHONE, "text", {"body": "langganan"})))
    httpx.post(f"{desk.url}/webhooks/whatsapp", content=body, headers=headers)
    desk.graph.wait_for(1)
    with httpx.Client(base_url=desk.url) as client:
        login(client)
        stats = client.get("/admin/stats").text
    assert "Digest subscriptions" in stats and "<strong>1</strong> whatsapp daily" in stats
