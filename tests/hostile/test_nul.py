"""Case 4: NUL characters are taken out at the edge, the same on both backends.

PostgreSQL refuses NUL in text (SQLite stores it), so a WhatsApp delivery with ``\\u0000`` in a message
was refused with 500 on every redelivery, and /api/ask and /chat failed the same way. Every test here
runs on SQLite and on PostgreSQL and expects the same stored text from both.
"""

from __future__ import annotations

import httpx
import pytest

from benarkah.admin.accounts import Accounts
from tests.support.payloads import TG_SECRET, signed, tg_message, wa_delivery, wa_message

pytestmark = pytest.mark.case(4)
NUL_TEXT = "vaksin\x00 covid mengandung chip\x00?"


def stored_texts(live) -> list[str]:
    return [r[0] for r in live.services.store.connection().execute("SELECT text FROM messaging_inbox ORDER BY id")]


def test_a_whatsapp_delivery_with_nul_is_stored_and_answered(live, graph):
    payload = wa_delivery(wa_message("6281100000101", "text", {"body": NUL_TEXT}),
                          wa_message("6281100000102", "text", {"body": "bansos 600 ribu"}))
    body, headers = signed(payload)
    first = httpx.post(f"{live.url}/webhooks/whatsapp", content=body, headers=headers)
    assert first.status_code == 200 and first.json()["stored"] == 2, first.text
    again = httpx.post(f"{live.url}/webhooks/whatsapp", content=body, headers=headers)  # Meta's redelivery
    assert again.status_code == 200 and again.json()["stored"] == 0
    assert stored_texts(live) == ["vaksin covid mengandung chip?", "bansos 600 ribu"]
    sent = graph.wait_for(2)
    assert {s.body["to"] for s in sent} == {"6281100000101", "6281100000102"}


def test_a_telegram_update_with_nul_is_stored_and_answered(live, bot):
    update = tg_message(700101, NUL_TEXT)
    response = httpx.post(f"{live.url}/webhooks/telegram", json=update,
                          headers={"x-telegram-bot-api-secret-token": TG_SECRET})
    assert response.status_code == 200 and response.json()["stored"] == 1
    assert stored_texts(live) == ["vaksin covid mengandung chip?"]
    bot.wait_for(1)


def test_api_ask_and_search_with_nul(live):
    ask = httpx.post(f"{live.url}/api/ask", json={"text": NUL_TEXT, "session": "sesi\x00satu"})
    assert ask.status_code == 200 and ask.json()["kind"] == "results", ask.text
    unmatched = httpx.post(f"{live.url}/api/ask", json={"text": "gajah\x00 terbang di atas monas tadi malam"})
    assert unmatched.status_code == 200, unmatched.text
    tips = [r[0] for r in live.services.store.connection().execute("SELECT text FROM tips")]
    assert tips == ["gajah terbang di atas monas tadi malam"]
    search = httpx.get(f"{live.url}/api/search", params={"q": NUL_TEXT})
    assert search.status_code == 200 and search.json()["results"]


def test_the_web_chat_with_nul(live):
    with httpx.Client(base_url=live.url) as client:
        response = client.post("/chat", data={"text": NUL_TEXT}, headers={"accept": "application/json"})
        assert response.status_code == 200, response.text
        shared = client.get(response.json()["url"].replace(live.url, ""))
        assert shared.status_code == 200 and "mengandung chip?" in shared.text


def test_admin_forms_with_nul(live):
    Accounts(live.services.store).add_user("editor", "kopi-tubruk-2026")
    with httpx.Client(base_url=live.url) as client:
        client.cookies.set("benarkah_login_csrf", "t" * 32)
        response = client.post("/admin/login", data={"username": "edi\x00tor", "password": "x\x00y",
                                                      "csrf_token": "t" * 32})
        assert response.status_code == 401, response.text
