"""Subscribe over the real webhooks, then digests reach loopback fake WhatsApp and Telegram APIs:
exactly one per subscriber and period, as a template with its "Berhenti" button outside WhatsApp's
window, none after "berhenti" (by typing it or tapping the button), none twice when sent again."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Iterator

import httpx
import pytest

from benarkah.app import build
from benarkah.domain.articles import article_from_record
from benarkah.web.app import create_app
from tests.channels.conftest import channel_settings
from tests.conftest import load_demo
from tests.subscriptions.test_service import NEW
from tests.support.fake_apis import FakeBotAPI, FakeGraphAPI, run_fake
from tests.support.payloads import TG_SECRET, signed, tg_callback, tg_message, wa_delivery, wa_message
from tests.support.servers import serve_app

WA_A, WA_B, TG_C, TG_D = "6281300000101", "6281300000102", 700101, 700102
NEXT_WEEK = datetime.now(timezone.utc) + timedelta(days=7)


class Site:
    def __init__(self, url, services, graph, bot) -> None:
        self.url, self.services, self.graph, self.bot = url, services, graph, bot

    def whatsapp(self, sender: str, text: str | None = None, kind: str = "text", content=None) -> None:
        message = wa_message(sender, kind, content if content is not None else {"body": text})
        body, headers = signed(wa_delivery(message))
        assert httpx.post(f"{self.url}/webhooks/whatsapp", content=body, headers=headers).status_code == 200

    def telegram(self, payload: dict) -> None:
        response = httpx.post(f"{self.url}/webhooks/telegram", json=payload,
                              headers={"x-telegram-bot-api-secret-token": TG_SECRET})
        assert response.status_code == 200

    def quiet(self, seconds: float = 1.0) -> tuple[int, int]:
        """Wait until nothing more arrives for ``seconds``; the delivery counts then."""
        counts = (-1, -1)
        while counts != (len(self.graph.deliveries), len(self.bot.deliveries)):
            counts = (len(self.graph.deliveries), len(self.bot.deliveries))
            time.sleep(seconds)
        return counts


@pytest.fixture
def site(db_url) -> Iterator[Site]:
    with run_fake(FakeGraphAPI()) as graph, run_fake(FakeBotAPI()) as bot:
        settings = channel_settings(db_url, graph.api_base, bot.api_base, digest_check_seconds=3600,
                                    whatsapp_digest_template="ringkasan_cek_fakta",
                                    public_url="https://cekfakta.kota.id")
        services = build(settings)
        load_demo(services)
        services.store.connection().execute("UPDATE articles SET created_at = '2020-01-01T00:00:00.000+00:00'")
        runtime = services.runtime().start()
        try:
            with serve_app(create_app(services)) as url:
                yield Site(url, services, graph, bot)
        finally:
            runtime.stop()
            services.close()


def test_subscribe_digest_stop(site):
    site.whatsapp(WA_A, "langganan mingguan")
    site.whatsapp(WA_B, "langganan mingguan")
    site.telegram(tg_message(TG_C, "/langganan"))
    site.telegram(tg_callback(TG_D, "cmd:langganan"))  # the menu's button
    site.graph.wait_for(2)
    site.bot.wait_for(3)  # C's reply; D's button answer and reply
    replies = [b for b in site.bot.messages_to(TG_C)] + [b for b in site.graph.texts_to(WA_A)]
    assert all("berlangganan" in (r.get("text", {}).get("body") if isinstance(r.get("text"), dict) else r["text"])
               for r in replies)
    site.telegram(tg_message(TG_D, "langganan mingguan"))  # D changes to weekly
    site.telegram(tg_message(TG_C, "langganan mingguan"))
    before = site.quiet()
    # A last wrote two days ago by the time the digest goes: outside WhatsApp's 24-hour window
    who_a = site.services.identity.hash("whatsapp", WA_A)
    site.services.store.connection().execute(
        "UPDATE messaging_contacts SET last_inbound_at = ? WHERE sender_hash = ?", (time.time() - 2 * 86400, who_a))
    site.services.index.upsert([article_from_record(r) for r in NEW])

    run = site.services.subscriptions.send_due(now=NEXT_WEEK)
    assert run.outcomes["weekly"] == {"queued": 3, "queued_template": 1}
    after = site.quiet()
    assert after == (before[0] + 2, before[1] + 2)  # one digest each, nothing else
    [template] = [m for m in site.graph.texts_to(WA_A) if m["type"] == "template"]
    assert template["template"]["name"] == "ringkasan_cek_fakta"
    assert template["template"]["components"][1] == {"type": "button", "sub_type": "quick_reply", "index": "0",
                                                     "parameters": [{"type": "payload", "payload": "berhenti"}]}
    assert "Minum Air Garam" in template["template"]["components"][0]["parameters"][0]["text"]
    [inside] = [m for m in site.graph.texts_to(WA_B) if m["type"] == "interactive"]
    assert inside["interactive"]["action"]["buttons"][0]["reply"]["id"] == "cmd:berhenti"
    digest_c = site.bot.messages_to(TG_C)[-1]
    assert "Ringkasan cek fakta mingguan" in digest_c["text"]
    assert digest_c["reply_markup"] == {"inline_keyboard": [[{"text": "Berhenti langganan", "callback_data": "cmd:berhenti"}]]}

    # sent again (another worker, a cron job, a restart): nobody gets a second one
    assert sum(site.services.subscriptions.send_due(now=NEXT_WEEK).outcomes["weekly"].values()) == 0
    assert site.quiet() == after

    # A taps the template's button; C types "berhenti"; D presses the digest's button
    site.whatsapp(WA_A, kind="button", content={"payload": "berhenti", "text": "Berhenti"})
    site.telegram(tg_message(TG_C, "berhenti"))
    site.telegram(tg_callback(TG_D, "cmd:berhenti"))
    stopped = site.quiet()
    assert "dihentikan" in site.bot.messages_to(TG_C)[-1]["text"]
    assert "dihentikan" in site.graph.texts_to(WA_A)[-1]["text"]["body"]
    counts = site.services.subscriptions.counts()
    assert counts.active == [("whatsapp", "weekly", 1)] and counts.stopped == 3
    site.services.index.upsert([article_from_record({**NEW[0], "id": "baru-lagi", "title": "[HOAKS] Lagi"})])
    site.services.store.connection().execute(  # added during the next (simulated) week
        "UPDATE articles SET created_at = ? WHERE id = 'baru-lagi'", ((NEXT_WEEK + timedelta(days=1)).isoformat(),))
    later = site.services.subscriptions.send_due(now=NEXT_WEEK + timedelta(days=7))
    assert later.outcomes["weekly"] == {"queued": 1}  # B only
    assert site.quiet() == (stopped[0] + 1, stopped[1])
