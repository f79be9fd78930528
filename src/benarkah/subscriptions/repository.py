"""All SQL of subscriptions and their digests (portable: ``?`` placeholders, ISO-8601 UTC text)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..domain.articles import Article
from ..domain.subscriptions import Frequency, SubscriptionChange
from ..storage.base import Connection, Store
from ..storage.records import ARTICLE_COLUMNS, row_to_article, utcnow

_COLUMNS = "id, channel, sender_hash, address, frequency, topic, language, started_at, last_period, last_digest_at"


@dataclass(frozen=True)
class Subscription:
    id: int
    channel: str
    sender_hash: str
    address: str  # sealed
    frequency: Frequency
    topic: str
    language: str
    started_at: str
    last_period: str
    last_digest_at: str | None


@dataclass(frozen=True)
class SubscriptionCounts:
    """For the statistics page."""

    active: list[tuple[str, str, int]]  # (channel, frequency, people)
    stopped: int
    digests: list[tuple[str, int]]       # (outcome, digests) in the period asked for


class SubscriptionRepository:
    def __init__(self, store: Store) -> None:
        self.store = store

    def subscribe(self, tx: Connection, channel: str, sender_hash: str, sealed: str, change: SubscriptionChange,
                  language: str) -> None:
        """Start (or change) a subscription; a subscriber who returns keeps the periods already sent."""
        now = utcnow()
        tx.execute(
            "INSERT INTO subscriptions (channel, sender_hash, address, frequency, topic, language, active, "
            "started_at, updated_at) VALUES (?,?,?,?,?,?,1,?,?) ON CONFLICT (channel, sender_hash) DO UPDATE SET "
            "address = excluded.address, frequency = excluded.frequency, topic = excluded.topic, "
            "language = excluded.language, active = 1, stopped_at = NULL, updated_at = excluded.updated_at, "
            "started_at = CASE WHEN subscriptions.active = 1 THEN subscriptions.started_at "
            "ELSE excluded.started_at END",
            (channel, sender_hash, sealed, str(change.frequency), change.topic, language, now, now))

    def stop(self, tx: Connection, channel: str, sender_hash: str) -> bool:
        now = utcnow()
        return tx.execute("UPDATE subscriptions SET active = 0, stopped_at = ?, updated_at = ? "
                          "WHERE channel = ? AND sender_hash = ? AND active = 1",
                          (now, now, channel, sender_hash)).rowcount == 1

    def get(self, channel: str, sender_hash: str) -> Subscription | None:
        row = self.store.connection().execute(
            f"SELECT {_COLUMNS} FROM subscriptions WHERE channel = ? AND sender_hash = ? AND active = 1",
            (channel, sender_hash)).fetchone()
        return _subscription(row) if row else None

    def due(self, frequency: Frequency, period: str, started_before: str, after_id: int,
            limit: int) -> list[Subscription]:
        """Active subscribers of ``frequency`` not yet served ``period`` (who subscribed before it began)."""
        rows = self.store.connection().execute(
            f"SELECT {_COLUMNS} FROM subscriptions WHERE active = 1 AND frequency = ? AND last_period <> ? "
            "AND started_at < ? AND id > ? ORDER BY id LIMIT ?",
            (str(frequency), period, started_before, after_id, limit)).fetchall()
        return [_subscription(r) for r in rows]

    def new_articles(self, since: str, until: str, published_after: str, topic: str,
                     limit: int) -> tuple[list[Article], int]:
        """Articles added to the archive in [since, until) (dated after ``published_after``, so an
        archive backfill is not news), newest first; and how many there are in all."""
        where = "created_at >= ? AND created_at < ? AND (published IS NULL OR published >= ?)"
        params: list[Any] = [since, until, published_after]
        if topic:
            where += " AND LOWER(topic) = ?"
            params.append(topic.lower())
        conn = self.store.connection()
        total = int(conn.execute(f"SELECT COUNT(*) FROM articles WHERE {where}", params).fetchone()[0])
        rows = conn.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE {where} "
                            "ORDER BY published DESC NULLS LAST, id LIMIT ?", (*params, limit)).fetchall()
        return [row_to_article(r) for r in rows], total

    def record_digest(self, tx: Connection, subscription: Subscription, period: str, articles: int,
                      outcome: str, sent_at: str | None) -> None:
        """Remember this period as served (with what it got), in the transaction that queued it."""
        tx.execute("INSERT INTO subscription_digests (channel, sender_hash, frequency, period, articles, outcome, "
                   "created_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                   (subscription.channel, subscription.sender_hash, str(subscription.frequency), period, articles,
                    outcome, utcnow()))
        tx.execute("UPDATE subscriptions SET last_period = ?, last_digest_at = COALESCE(?, last_digest_at) "
                   "WHERE id = ?", (period, sent_at, subscription.id))

    def counts(self, since: str) -> SubscriptionCounts:
        conn = self.store.connection()
        active = [(r[0], r[1], int(r[2])) for r in conn.execute(
            "SELECT channel, frequency, COUNT(*) FROM subscriptions WHERE active = 1 "
            "GROUP BY channel, frequency ORDER BY channel, frequency")]
        stopped = int(conn.execute("SELECT COUNT(*) FROM subscriptions WHERE active = 0").fetchone()[0])
        digests = [(r[0], int(r[1])) for r in conn.execute(
            "SELECT outcome, COUNT(*) FROM subscription_digests WHERE created_at >= ? GROUP BY outcome "
            "ORDER BY outcome", (since,))]
        return SubscriptionCounts(active, stopped, digests)

    def topics(self) -> list[str]:
        """The archive's topics, lower case (what a subscription may be narrowed to)."""
        return [r[0] for r in self.store.connection().execute(
            "SELECT DISTINCT LOWER(topic) FROM articles WHERE topic <> ''")]


def _subscription(row: Any) -> Subscription:
    return Subscription(int(row[0]), row[1], row[2], row[3], Frequency(row[4]), row[5], row[6], row[7], row[8], row[9])
