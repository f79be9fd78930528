"""Pictures and voice notes on Telegram, end to end over loopback: an update names a file id, the
media lane asks the fake Bot API for its ``file_path`` (``getFile``, token in the path) and downloads
it, reads and searches it, and one HTML reply goes back."""

from __future__ import annotations

import html
import re
import time

import httpx
import pytest

from benarkah.messaging import mediaworker
from tests.channels.conftest import channel_settings
from tests.media.make import VOICE_NOTE
from tests.support.payloads import TG_SECRET, tg_message
from tests.support.screenshots import load_screenshot_articles, screenshot

URL = "/webhooks/telegram"
HEADERS = {"x-telegram-bot-api-secret-token": TG_SECRET}
WAIT = 90  # the first picture starts a reader process (imports, the OCR model) on a loaded machine


@pytest.fixture
def live_settings(tmp_path, graph, bot):
    return channel_settings(str(tmp_path / "live.db"), graph.api_base, bot.api_base,
                            media_download_timeout_seconds=2.0)


def post(live, update):
    response = httpx.post(live.url + URL, json=update, headers=HEADERS)
    assert response.status_code == 200, response.text
    return response


def reply_to(bot, chat_id: int, timeout: float = WAIT) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = [d.body for d in bot.deliveries if d.body.get("chat_id") == chat_id]
        if sent:
            return sent[0]["text"]
        time.sleep(0.05)
    raise AssertionError(f"no reply to {chat_id}: rejected {bot.rejected}")


def photo(file_id: str, data: bytes) -> list[dict]:
    """Telegram sends every size it made; the largest is last (the thumbnail's id is not one we serve)."""
    return [{"file_id": "AgACthumbnail", "file_unique_id": "t", "width": 90, "height": 160, "file_size": 900},
            {"file_id": file_id, "file_unique_id": "u", "width": 720, "height": 1280, "file_size": len(data)}]


def test_a_screenshot_is_read_and_answered_with_its_fact_check(live, bot, ocr):
    shot = screenshot("fb")
    load_screenshot_articles(live.services)
    file_id = bot.add_file(shot.data)
    post(live, tg_message(7001, None, photo=photo(file_id, shot.data)))
    text = reply_to(bot, 7001)
    assert "Teks yang kami baca" in text
    assert shot.title in _plain(text)
    assert bot.media_requests == [("getFile", True), ("file", True)]  # the largest size, with the token
    assert live.services.media.count() == 0, "a picture that found its fact-check is not kept"


def test_a_screenshot_sent_as_a_file_is_read_too(live, bot, ocr):
    shot = screenshot("x")
    load_screenshot_articles(live.services)
    file_id = bot.add_file(shot.data, folder="documents", suffix="jpg")
    post(live, tg_message(7002, None, document={"file_id": file_id, "file_unique_id": "d", "file_name": "ss.jpg",
                                                "mime_type": "image/jpeg", "file_size": len(shot.data)}))
    assert shot.title in _plain(reply_to(bot, 7002))


def test_a_voice_note_gets_the_polite_reply_and_is_kept_with_its_tip(live, bot):
    file_id = bot.add_file(VOICE_NOTE, folder="voice", suffix="oga")
    post(live, tg_message(7003, None, voice={"file_id": file_id, "file_unique_id": "v", "duration": 4,
                                             "mime_type": "audio/ogg", "file_size": len(VOICE_NOTE)}))
    text = reply_to(bot, 7003)
    assert "belum bisa mendengarkan" in text and "kami simpan" in text
    [tip] = live.services.tips.repo.list_tips()
    [kept] = live.services.media.for_tips([tip.id])[tip.id]
    assert kept.mime == "audio/ogg" and live.services.media.data(kept) == VOICE_NOTE


def test_a_download_that_times_out_is_answered_and_the_next_message_is_not_held_up(live, bot, monkeypatch):
    monkeypatch.setattr(mediaworker, "FETCH_RETRY_SECONDS", 0.1)
    data = b"\xff\xd8\xff" + bytes(2000)
    file_id = bot.add_file(data)
    bot.media_delay = 5.0  # every file download stalls longer than the lane's timeout (2 s, see live_settings)
    try:
        post(live, tg_message(7004, None, photo=photo(file_id, data)))
        post(live, tg_message(7005, "tips"))
        assert "hoaks" in reply_to(bot, 7005, timeout=20).lower()  # the text lane answered meanwhile
        assert "gagal kami unduh" in reply_to(bot, 7004, timeout=120)
    finally:
        bot.media_delay = 0.0
    downloads = [m for m in bot.media_requests if m[0] == "file"]
    assert len(downloads) == mediaworker.MEDIA_FETCH_ATTEMPTS
    assert len([d for d in bot.deliveries if d.body.get("chat_id") == 7004]) == 1


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))
