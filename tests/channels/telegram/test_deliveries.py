"""Telegram delivery outcomes against outbox rows, on both storage backends. The Bot API reports no
later statuses: a 200 means Telegram took the message (``sent``, with its message id); a refusal comes
back at once with an ``error_code`` (403: the person blocked the bot), kept on the row."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.channels.conftest import channel_settings
from tests.support.payloads import TG_SECRET, tg_message

HEADERS = {"x-telegram-bot-api-secret-token": TG_SECRET}


@pytest.fixture
def live_settings(db_url, graph, bot):
    return channel_settings(db_url, graph.api_base, bot.api_base)


def rows(live) -> list[tuple]:
    return [tuple(r) for r in live.services.store.connection().execute(
        "SELECT status, delivery, delivery_code FROM messaging_outbox ORDER BY id").fetchall()]


def settle(live, expected: list[tuple], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while rows(live) != expected:
        assert time.monotonic() < deadline, rows(live)
        time.sleep(0.05)


def test_a_sent_message_is_a_receipt_and_a_blocked_bot_is_a_dead_letter_with_the_code(live, bot):
    httpx.post(live.url + "/webhooks/telegram", json=tg_message(6001, "tips"), headers=HEADERS)
    bot.wait_for(1)
    settle(live, [("sent", "sent", "")])
    assert live.store.delivery_counts() == {"telegram": {"sent": 1}}
    bot.fail_next(1, 403)
    httpx.post(live.url + "/webhooks/telegram", json=tg_message(6002, "tips"), headers=HEADERS)
    settle(live, [("sent", "sent", ""), ("dead", "failed", "403")])
    [dead] = live.store.dead_letters()
    assert dead.code == "403" and bot.attempts == 2  # refused for good: not retried
