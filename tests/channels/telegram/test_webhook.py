"""The Telegram channel end to end: real HTTP in, real SQLite, real HTTP out (fake Bot API)."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.support.fake_apis import TG_TOKEN
from tests.support.payloads import TG_SECRET, tg_callback, tg_message

URL = "/webhooks/telegram"
HEADERS = {"x-telegram-bot-api-secret-token": TG_SECRET}


def post(live, update, headers=HEADERS):
    return httpx.post(live.url + URL, json=update, headers=headers)


def test_the_secret_token_is_required(live, bot):
    update = tg_message(5001, "vaksin chip")
    assert post(live, update, headers={}).status_code == 401
    assert post(live, update, headers={"x-telegram-bot-api-secret-token": "wrong"}).status_code == 403
    time.sleep(0.2)
    assert sum(live.store.depths()["inbox"].values()) == 0 and bot.attempts == 0


def test_a_text_gets_one_html_reply_quoting_it(live, bot):
    update = tg_message(5002, "vaksin covid ada chip?")
    response = post(live, update)
    assert response.status_code == 200 and response.json() == {"ok": True, "stored": 1}
    [sent] = bot.wait_for(1)
    assert sent.path == f"/bot{TG_TOKEN}/sendMessage"
    body = sent.body
    assert body["chat_id"] == 5002 and body["parse_mode"] == "HTML"
    assert body["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert "<b>SALAH</b>" in body["text"] and "Chip Pelacak" in body["text"]
    assert "*" not in body["text"].split("\n")[2]


def test_the_menu_has_an_inline_keyboard_and_button_presses_are_answered(live, bot):
    post(live, tg_message(5003, "/start@benarkah_bot"))
    [menu] = bot.wait_for(1)
    keyboard = menu.body["reply_markup"]["inline_keyboard"]
    assert [b["callback_data"] for row in keyboard for b in row] == ["cmd:cek", "cmd:terbaru", "cmd:tips",
                                                                      "cmd:bantuan", "cmd:langganan"]
    press = tg_callback(5003, "cmd:terbaru")
    post(live, press)
    bot.wait_for(3)
    answer, latest = bot.deliveries[1], bot.deliveries[2]
    assert answer.path.endswith("/answerCallbackQuery")
    assert answer.body == {"callback_query_id": press["callback_query"]["id"]}
    assert latest.path.endswith("/sendMessage") and "Cek fakta terbaru" in latest.body["text"]


def test_more_results_come_with_a_button(live, bot):
    post(live, tg_message(5004, "vaksin"))
    [first] = bot.wait_for(1)
    assert first.body["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "cmd:lagi"
    post(live, tg_callback(5004, "cmd:lagi"))
    bot.wait_for(3)
    assert "Hasil lainnya" in bot.deliveries[2].body["text"]


@pytest.mark.parametrize("extra, expected", [
    # file ids the fake Bot API does not know (getFile refuses them, as it would an invalid id)
    ({"photo": [{"file_id": "a", "file_unique_id": "b", "width": 90, "height": 90}]}, "gagal kami unduh"),
    ({"voice": {"file_id": "a", "file_unique_id": "b", "duration": 3}}, "gagal kami unduh"),
    ({"sticker": {"file_id": "a", "file_unique_id": "b", "type": "regular", "width": 1, "height": 1,
                  "is_animated": False, "is_video": False}}, "gagal kami unduh"),
    ({"sticker": {"file_id": "a", "file_unique_id": "b", "type": "regular", "width": 1, "height": 1,
                  "is_animated": True, "is_video": False}}, "Stiker bergerak tidak berisi tulisan"),
    ({"location": {"latitude": -6.2, "longitude": 106.8}}, "pesan jenis ini <b>belum bisa kami periksa</b>"),
    ({"poll": {"id": "1", "question": "?", "options": []}}, "pesan jenis ini <b>belum bisa kami periksa</b>"),
])
def test_files_that_cannot_be_had_and_other_messages_get_a_clear_reply(live, bot, extra, expected):
    post(live, tg_message(5005, None, **extra))
    [reply] = bot.wait_for(1)
    assert expected in reply.body["text"]


def test_a_caption_is_checked_even_when_its_picture_cannot_be_downloaded(live, bot):
    post(live, tg_message(5006, None, caption="vaksin covid mengandung chip",
                          photo=[{"file_id": "a", "file_unique_id": "b", "width": 9, "height": 9}]))
    [reply] = bot.wait_for(1)
    assert "gagal kami unduh" in reply.body["text"] and "Chip Pelacak" in reply.body["text"]


def test_duplicate_updates_get_one_reply_and_other_updates_are_acknowledged(live, bot):
    update = tg_message(5007, "tips")
    for _ in range(3):
        assert post(live, update).status_code == 200
    edited = {"update_id": 9, "edited_message": update["message"]}
    assert post(live, edited).json() == {"ok": True, "stored": 0}
    assert post(live, {"no": "update id"}).json() == {"ok": True, "stored": 0}
    bad = httpx.post(live.url + URL, content=b"{oops", headers=HEADERS)
    assert bad.status_code == 400
    bot.wait_for(1)
    time.sleep(0.4)
    assert len(bot.deliveries) == 1


def test_failures_are_retried_and_a_blocked_bot_is_a_dead_letter(live, bot):
    bot.fail_next(1, 429, retry_after=0)
    bot.fail_next(1, 502)
    post(live, tg_message(5008, "tips"))
    bot.wait_for(1, timeout=15)
    assert bot.attempts == 3
    bot.fail_next(1, 403)  # "Forbidden: bot was blocked by the user": retrying cannot help
    post(live, tg_message(5009, "tips"))
    deadline = time.monotonic() + 10
    while live.store.depths()["outbox"].get("dead") != 1:
        assert time.monotonic() < deadline, live.store.depths()
        time.sleep(0.05)
    assert bot.attempts == 4 and len(bot.deliveries) == 1
