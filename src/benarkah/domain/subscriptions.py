"""Subscriptions to a digest of new fact-checks: what a person's "langganan" / "berhenti" means, and
when each digest period begins. No I/O: the caller stores the change and sends the digest.

A subscription command is short ("langganan", "langganan mingguan", "langganan harian kesehatan",
"berhenti", "stop langganan"); a topic word must be one of the archive's topics, so a question that
merely starts with the word ("langganan listrik naik?") is looked up as a claim, not taken as a command.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Callable, Collection

from .text import normalize

MAX_COMMAND_WORDS = 5
MAX_TOPIC_CHARS = 60


class Frequency(enum.StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


PERIOD_LENGTH: dict[Frequency, timedelta] = {Frequency.DAILY: timedelta(days=1), Frequency.WEEKLY: timedelta(days=7)}


@dataclass(frozen=True)
class SubscriptionChange:
    """What the person asked for: to be subscribed (how often, to which topic) or to stop."""

    active: bool
    frequency: Frequency = Frequency.DAILY
    topic: str = ""  # "" = every topic


_SUBSCRIBE = frozenset({"langganan", "berlangganan", "subscribe", "/langganan", "/subscribe", "digest"})
_STOP = frozenset({"berhenti", "stop", "unsubscribe", "/berhenti", "/stop", "/unsubscribe", "batal", "henti",
                   "hentikan", "berhentilangganan"})
_ABOUT = frozenset({"langganan", "berlangganan", "subscribe", "subscription", "digest", "ringkasan"})
_FILLER = frozenset({"min", "admin", "kak", "dong", "ya", "sih", "pak", "bu", "mas", "mbak", "tolong", "mau",
                     "saya", "aku", "please", "pls", "the", "ke", "untuk", "topik", "topic", "tentang", "soal"})
_FREQUENCY = {"harian": Frequency.DAILY, "daily": Frequency.DAILY, "hari": Frequency.DAILY,
              "mingguan": Frequency.WEEKLY, "weekly": Frequency.WEEKLY, "minggu": Frequency.WEEKLY,
              "seminggu": Frequency.WEEKLY, "pekanan": Frequency.WEEKLY, "week": Frequency.WEEKLY}
_SKIP_WITH_FREQUENCY = frozenset({"tiap", "setiap", "sekali", "per", "every", "once", "a"})
_ALL_TOPICS = frozenset({"semua", "all", "apa", "saja", "everything"})
_WORDS = re.compile(r"/?[^\W_]+", re.UNICODE)


def parse_subscription(text: str, topics: Callable[[], Collection[str]]) -> SubscriptionChange | None:
    """The subscription command ``text`` is, or None. ``topics`` (the archive's topics, lower case) is
    asked only when a word could be a topic."""
    words = _WORDS.findall(normalize(text).casefold())
    while words and words[0] in _FILLER:  # "mau langganan dong", "tolong berhenti"
        words = words[1:]
    if not words or len(words) > MAX_COMMAND_WORDS:
        return None
    head, rest = words[0], [w for w in words[1:] if w not in _FILLER]
    if head in _STOP:
        return SubscriptionChange(active=False) if all(w in _ABOUT for w in rest) else None
    if head not in _SUBSCRIBE:
        return None
    frequency = Frequency.DAILY
    topic_words: list[str] = []
    for word in rest:
        if word in _FREQUENCY:
            frequency = _FREQUENCY[word]
        elif word not in _SKIP_WITH_FREQUENCY and word not in _ALL_TOPICS:
            topic_words.append(word)
    topic = " ".join(topic_words)[:MAX_TOPIC_CHARS]
    if topic and topic not in {t.casefold() for t in topics()}:
        return None  # "langganan listrik naik": a claim to check, not a command
    return SubscriptionChange(active=True, frequency=frequency, topic=topic)


def latest_boundary(frequency: Frequency, now: datetime, hour: int, weekday: int, zone: tzinfo) -> datetime:
    """The most recent moment a digest of ``frequency`` became due: today (or yesterday) at ``hour``
    local time, or the last ``weekday`` (0 = Monday) at ``hour``."""
    local = now.astimezone(zone)
    boundary = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if frequency is Frequency.WEEKLY:
        boundary -= timedelta(days=(boundary.weekday() - weekday) % 7)
    if boundary > local:
        boundary -= PERIOD_LENGTH[frequency]
    return boundary


def period_id(frequency: Frequency, boundary: datetime) -> str:
    """The name of the period a boundary starts: "2026-12-01" (daily) or "2026-W49" (weekly)."""
    day = boundary.date()
    if frequency is Frequency.DAILY:
        return day.isoformat()
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
