"""What "langganan" and "berhenti" mean, and when digest periods begin (pure functions)."""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from benarkah.domain.articles import article_from_record
from benarkah.domain.conversation import Conversation, ReplyKind
from benarkah.domain.render import render_digest, render_text
from benarkah.domain.subscriptions import (Frequency, SubscriptionChange, latest_boundary, parse_subscription,
                                           period_id)

TOPICS = ["kesehatan", "politik", "bencana alam"]
JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize("text, change", [
    ("langganan", SubscriptionChange(True)),
    ("Langganan!", SubscriptionChange(True)),
    ("/langganan", SubscriptionChange(True)),
    ("langganan mingguan", SubscriptionChange(True, Frequency.WEEKLY)),
    ("mau langganan dong", SubscriptionChange(True)),
    ("saya mau tanya soal langganan", None),  # a question about it is looked up
    ("langganan harian kesehatan", SubscriptionChange(True, Frequency.DAILY, "kesehatan")),
    ("langganan tiap minggu topik politik", SubscriptionChange(True, Frequency.WEEKLY, "politik")),
    ("subscribe weekly", SubscriptionChange(True, Frequency.WEEKLY)),
    ("langganan bencana alam", SubscriptionChange(True, Frequency.DAILY, "bencana alam")),
    ("langganan semua", SubscriptionChange(True)),
    ("langganan listrik naik", None),        # not a topic: a claim to look up
    ("langganan internet gratis dari pemerintah selama setahun", None),
    ("berhenti", SubscriptionChange(False)),
    ("STOP", SubscriptionChange(False)),
    ("berhenti langganan min", SubscriptionChange(False)),
    ("stop hoaks", None),
    ("berhenti merokok bikin gemuk", None),
    ("unsubscribe", SubscriptionChange(False)),
    ("", None),
])
def test_commands(text, change):
    assert parse_subscription(text, lambda: TOPICS) == change


def test_topics_are_asked_only_when_needed():
    def boom():
        raise AssertionError("topics looked up for a plain command")
    assert parse_subscription("langganan mingguan", boom) == SubscriptionChange(True, Frequency.WEEKLY)


def test_daily_and_weekly_boundaries_in_local_time():
    # 2026-12-02 (a Wednesday) 05:00 in Jakarta is 2026-12-01 22:00 UTC: before 07:00, so yesterday's digest
    early = datetime(2026, 12, 1, 22, 0, tzinfo=timezone.utc)
    daily = latest_boundary(Frequency.DAILY, early, 7, 0, JAKARTA)
    assert daily.isoformat() == "2026-12-01T07:00:00+07:00" and period_id(Frequency.DAILY, daily) == "2026-12-01"
    later = datetime(2026, 12, 2, 1, 0, tzinfo=timezone.utc)  # 08:00 in Jakarta
    assert period_id(Frequency.DAILY, latest_boundary(Frequency.DAILY, later, 7, 0, JAKARTA)) == "2026-12-02"
    weekly = latest_boundary(Frequency.WEEKLY, later, 7, 0, JAKARTA)
    assert weekly.isoformat() == "2026-11-30T07:00:00+07:00" and period_id(Frequency.WEEKLY, weekly) == "2026-W49"
    monday_early = datetime(2026, 11, 29, 23, 0, tzinfo=timezone.utc)  # Monday 06:00 in Jakarta
    assert latest_boundary(Frequency.WEEKLY, monday_early, 7, 0, JAKARTA).date() == date(2026, 11, 23)


class Library:
    def lookup(self, text, limit):
        raise AssertionError("a command is not looked up")

    def latest(self, limit):
        return []

    def topics(self):
        return TOPICS


def test_the_conversation_answers_and_asks_the_caller_to_store():
    conversation = Conversation(Library())
    turn = conversation.respond("langganan mingguan kesehatan")
    assert turn.reply.kind is ReplyKind.SUBSCRIBED
    assert turn.reply.subscription == SubscriptionChange(True, Frequency.WEEKLY, "kesehatan")
    assert "ringkasan cek fakta mingguan topik *kesehatan*" in render_text(turn.reply)
    assert "*berhenti*" in render_text(turn.reply)
    stop = conversation.respond("berhenti")
    assert stop.reply.kind is ReplyKind.UNSUBSCRIBED and stop.reply.subscription == SubscriptionChange(False)
    web = conversation.respond("langganan", can_subscribe=False)
    assert web.reply.kind is ReplyKind.SUBSCRIBE_UNAVAILABLE and web.reply.subscription is None
    assert "WhatsApp dan Telegram" in render_text(web.reply)


def test_a_digest_message():
    articles = [article_from_record({"id": "a", "title": "[HOAKS] Vaksin Mengandung Chip", "verdict_label": "HOAKS",
                                     "published": "2026-11-30", "url": "https://contoh.id/a",
                                     "summary": "Tidak ada chip dalam vaksin."}),
                article_from_record({"id": "b", "title": "Banjir Lama Diedarkan Ulang", "verdict": "misleading",
                                     "published": "2026-11-29"})]
    text = render_digest(articles, "id", "daily", "", date(2026, 12, 1), more=3, more_url="https://cf.id/f/",
                         link=lambda a: f"https://cf.id/f/{a.id}")
    assert text.startswith("🗞️ *Ringkasan cek fakta harian* — 1 Desember 2026")
    assert "1. ❌ *SALAH* — Vaksin Mengandung Chip" in text and "🔗 https://contoh.id/a" in text
    assert "🔗 https://cf.id/f/b" in text  # no original URL: its public page
    assert "…dan 3 cek fakta lain: https://cf.id/f/" in text and text.endswith("Ketik *berhenti* untuk berhenti berlangganan.")
    english = render_digest(articles[:1], "en", "weekly", "health", date(2026, 12, 1))
    assert english.startswith("🗞️ *Weekly fact-check digest* on *health* — 1 December 2026")
