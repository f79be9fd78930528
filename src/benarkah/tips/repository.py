"""All SQL of tips, clusters, notifications and statistics, in one place so backends can port it.

Portable SQL only: ``?`` placeholders, plain types, ``CASE`` instead of boolean sums, ISO-8601 UTC
timestamps compared as text. Methods that must be atomic with the caller's other writes take the
open transaction (``tx``); read methods use the store's connection.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Sequence

from ..domain.clustering import ClusterProfile, profile_from_mapping
from ..storage.base import Connection, Store
from ..storage.records import iso, utcnow

EXAMPLE_CHARS = 280
MAX_TIP_CHARS = 10_000


class ClusterStatus(enum.StrEnum):
    NEW = "new"
    CHECKING = "checking"
    DISMISSED = "dismissed"
    PUBLISHED = "published"  # reached only by linking a fact-check


SETTABLE_STATUSES = (ClusterStatus.NEW, ClusterStatus.CHECKING, ClusterStatus.DISMISSED)


class NotificationStatus(enum.StrEnum):
    """Where one person's follow-up stands (``tip_notifications.status``)."""

    PENDING = "pending"                  # claimed; not yet handed to the notifier
    QUEUED = "queued"                    # in the messaging outbox
    QUEUED_TEMPLATE = "queued_template"  # in the outbox as the approved template (outside the window)
    NEEDS_TEMPLATE = "needs_template"    # outside the window and no template configured
    DUPLICATE = "duplicate"              # the notifier had it already (a retry after a crash)
    UNREACHABLE = "unreachable"          # asked on the web, CLI or API: cannot be messaged later
    FAILED = "failed"                    # the notifier refused it (see the log)


@dataclass(frozen=True)
class Tip:
    """A message that matched nothing: work for the fact-checkers."""

    id: int
    created_at: datetime
    channel: str
    sender_hash: str
    text: str
    cluster_id: int | None = None


@dataclass(frozen=True)
class ClusterSummary:
    id: int
    example: str
    status: ClusterStatus
    article_id: str | None
    tip_count: int
    first_seen: str
    last_seen: str
    last_24h: int
    previous_7d: int
    channels: tuple[str, ...]

    @property
    def trend(self) -> float:
        """Last 24 h against the daily average of the 7 days before; >1 means it is spreading.

        The +1 on both sides keeps a brand-new cluster with one tip from outranking a steady one."""
        return (self.last_24h + 1) / (self.previous_7d / 7 + 1)


@dataclass(frozen=True)
class TipRow:
    id: int
    created_at: str
    channel: str
    sender_hash: str
    text: str
    reply_address: str | None


@dataclass(frozen=True)
class NotificationRow:
    tip_id: int
    channel: str
    sender_hash: str
    status: NotificationStatus
    updated_at: str


class TipRepository:
    """The only module that reads or writes ``tips``, ``tip_clusters`` and ``tip_notifications``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # tips ----------------------------------------------------------------------------------------

    def add_tip(self, channel: str, sender_hash: str, text: str, quota_hash: str = "",
                budget: tuple[int, str] | None = None) -> int | None:
        """Store a tip; with ``budget`` (at most N tips of ``quota_hash`` since a moment) None once it is
        spent. Counting and inserting exclude each other, so parallel floods cannot overdraw it."""
        with self.store.transaction(lock="store" if budget else "rows") as tx:
            if budget is not None:
                limit, since = budget
                used = tx.execute("SELECT COUNT(*) FROM tips WHERE quota_hash = ? AND created_at >= ?",
                                  (quota_hash, since)).fetchone()[0]
                if used >= limit:
                    return None
            row = tx.execute(
                "INSERT INTO tips (created_at, channel, sender_hash, quota_hash, text) VALUES (?,?,?,?,?) RETURNING id",
                (utcnow(), channel, sender_hash, quota_hash, text[:MAX_TIP_CHARS])).fetchone()
        return int(row[0])

    def list_tips(self, limit: int = 100) -> list[Tip]:
        rows = self.store.connection().execute(
            "SELECT id, created_at, channel, sender_hash, text, cluster_id FROM tips ORDER BY id DESC LIMIT ?",
            (limit,)).fetchall()
        return [Tip(id=r[0], created_at=datetime.fromisoformat(r[1]), channel=r[2], sender_hash=r[3],
                    text=r[4], cluster_id=r[5]) for r in rows]

    # clustering ----------------------------------------------------------------------------------

    def changed_profiles(self, tx: Connection, after_tip_id: int, seen_since: str) -> list[tuple[ClusterProfile, int]]:
        """Open clusters touched by tips newer than ``after_tip_id`` (other processes' work included)."""
        rows = tx.execute(
            "SELECT id, profile, tip_count, last_tip_id FROM tip_clusters "
            "WHERE last_tip_id > ? AND last_seen >= ? ORDER BY id", (after_tip_id, seen_since)).fetchall()
        return [(profile_from_mapping(r[0], json.loads(r[1] or "{}"), r[2]), int(r[3])) for r in rows]

    def unclustered_tips(self, limit: int) -> list[tuple[int, str, str]]:
        rows = self.store.connection().execute(
            "SELECT id, text, channel FROM tips WHERE cluster_id IS NULL ORDER BY id LIMIT ?", (limit,)).fetchall()
        return [(int(r[0]), r[1], r[2]) for r in rows]

    def clusters_of_tips(self, tx: Connection, tip_ids: Sequence[int], seen_since: str) -> dict[int, int]:
        """Tip id -> cluster id, for tips whose cluster was active since ``seen_since``."""
        if not tip_ids:
            return {}
        ids = list(dict.fromkeys(int(t) for t in tip_ids))[:200]
        marks = ",".join("?" * len(ids))
        rows = tx.execute(f"SELECT t.id, t.cluster_id FROM tips t JOIN tip_clusters c ON c.id = t.cluster_id "
                          f"WHERE t.id IN ({marks}) AND c.last_seen >= ?", (*ids, seen_since)).fetchall()
        return {int(r[0]): int(r[1]) for r in rows}

    def tip_created(self, tx: Connection, tip_id: int) -> str | None:
        row = tx.execute("SELECT created_at FROM tips WHERE id = ?", (tip_id,)).fetchone()
        return row[0] if row else None

    def new_cluster(self, tx: Connection, created_at: str, text: str) -> int:
        now = utcnow()
        cursor = tx.execute(
            "INSERT INTO tip_clusters (created_at, first_seen, last_seen, tip_count, example, updated_at) "
            "VALUES (?, ?, ?, 0, ?, ?)", (now, created_at, created_at, text[:EXAMPLE_CHARS], now))
        return int(cursor.lastrowid)

    def attach_tip(self, tx: Connection, tip_id: int, created_at: str, cluster_id: int, profile: ClusterProfile,
                   reply_address: str | None) -> bool:
        """Fold the tip into the cluster row; False when that row does not exist (a stale index)."""
        updated = tx.execute(
            "UPDATE tip_clusters SET tip_count = tip_count + 1, profile = ?, "
            "last_tip_id = CASE WHEN last_tip_id > ? THEN last_tip_id ELSE ? END, "
            "last_seen = CASE WHEN last_seen > ? THEN last_seen ELSE ? END, "
            "first_seen = CASE WHEN first_seen < ? THEN first_seen ELSE ? END WHERE id = ?",
            (json.dumps(profile.weights, ensure_ascii=False), tip_id, tip_id, created_at, created_at,
             created_at, created_at, cluster_id)).rowcount
        if updated != 1:
            return False
        tx.execute("UPDATE tips SET cluster_id = ?, reply_address = COALESCE(?, reply_address) WHERE id = ?",
                   (cluster_id, reply_address, tip_id))
        return True

    # erasure ---------------------------------------------------------------------------------------

    def clusters_of_senders(self, tx: Connection, sender_hashes: Sequence[str]) -> set[int]:
        """Clusters holding a tip of any of these people (to rebuild once their tips are erased)."""
        if not sender_hashes:
            return set()
        marks = ",".join("?" * len(sender_hashes))
        rows = tx.execute(f"SELECT DISTINCT cluster_id FROM tips WHERE sender_hash IN ({marks}) "
                          "AND cluster_id IS NOT NULL", tuple(sender_hashes)).fetchall()
        return {int(r[0]) for r in rows}

    def cluster_texts(self, tx: Connection, cluster_id: int) -> list[tuple[int, str, str]]:
        """(id, created_at, text) of every tip left in a cluster, oldest first."""
        rows = tx.execute("SELECT id, created_at, text FROM tips WHERE cluster_id = ? ORDER BY id",
                          (cluster_id,)).fetchall()
        return [(int(r[0]), r[1], r[2]) for r in rows]

    def rewrite_cluster(self, tx: Connection, cluster_id: int, tips: Sequence[tuple[int, str, str]],
                        profile: ClusterProfile) -> None:
        """A cluster as if only ``tips`` had ever joined it: example, profile, counts and dates."""
        created = [t[1] for t in tips]
        tx.execute("UPDATE tip_clusters SET example = ?, profile = ?, tip_count = ?, first_seen = ?, last_seen = ?, "
                   "last_tip_id = ?, updated_at = ? WHERE id = ?",
                   (tips[0][2][:EXAMPLE_CHARS], json.dumps(profile.weights, ensure_ascii=False), len(tips),
                    min(created), max(created), max(t[0] for t in tips), utcnow(), cluster_id))

    def delete_cluster(self, tx: Connection, cluster_id: int) -> None:
        tx.execute("DELETE FROM tip_notifications WHERE cluster_id = ?", (cluster_id,))
        tx.execute("DELETE FROM tip_clusters WHERE id = ?", (cluster_id,))

    def clusters_epoch(self, tx: Connection) -> str:
        row = tx.execute("SELECT value FROM meta WHERE key = 'clusters_epoch'").fetchone()
        return row[0] if row else "0"

    def bump_clusters_epoch(self, tx: Connection) -> None:
        tx.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'clusters_epoch'")

    # the queue -----------------------------------------------------------------------------------

    def clusters(self, statuses: Sequence[ClusterStatus], now: datetime, limit: int = 200,
                 cluster_id: int | None = None) -> list[ClusterSummary]:
        """Clusters in these statuses (or the one cluster asked for), with their trend counts, most
        recently active first."""
        if not statuses:
            return []
        marks = ",".join("?" for _ in statuses)
        only, only_params = ("AND c.id = ? ", (cluster_id,)) if cluster_id is not None else ("", ())
        day, week = iso(now - timedelta(days=1)), iso(now - timedelta(days=8))
        rows = self.store.connection().execute(
            "SELECT c.id, c.example, c.status, c.article_id, c.tip_count, c.first_seen, c.last_seen, "
            "SUM(CASE WHEN t.created_at >= ? THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN t.created_at >= ? AND t.created_at < ? THEN 1 ELSE 0 END) "
            f"FROM tip_clusters c LEFT JOIN tips t ON t.cluster_id = c.id AND t.created_at >= ? "
            f"WHERE c.status IN ({marks}) {only}GROUP BY c.id, c.example, c.status, c.article_id, c.tip_count, "
            "c.first_seen, c.last_seen ORDER BY c.last_seen DESC LIMIT ?",
            (day, week, day, week, *map(str, statuses), *only_params, limit)).fetchall()
        channels = self._channels([int(r[0]) for r in rows])
        return [ClusterSummary(id=int(r[0]), example=r[1], status=ClusterStatus(r[2]), article_id=r[3],
                               tip_count=int(r[4]),
                               first_seen=r[5], last_seen=r[6], last_24h=int(r[7] or 0),
                               previous_7d=int(r[8] or 0), channels=channels.get(int(r[0]), ()))
                for r in rows]

    def cluster(self, cluster_id: int, now: datetime) -> ClusterSummary | None:
        found = self.clusters(tuple(ClusterStatus), now, limit=1, cluster_id=cluster_id)
        return found[0] if found else None

    def _channels(self, ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
        ids = list(ids)
        if not ids:
            return {}
        marks = ",".join("?" for _ in ids)
        rows = self.store.connection().execute(
            f"SELECT DISTINCT cluster_id, channel FROM tips WHERE cluster_id IN ({marks}) ORDER BY channel",
            ids).fetchall()
        found: dict[int, list[str]] = {}
        for cid, channel in rows:
            found.setdefault(int(cid), []).append(channel)
        return {k: tuple(v) for k, v in found.items()}

    def tip(self, tip_id: int) -> tuple[TipRow, int | None] | None:
        """One tip and its cluster id."""
        row = self.store.connection().execute(
            "SELECT id, created_at, channel, sender_hash, text, reply_address, cluster_id FROM tips WHERE id = ?",
            (tip_id,)).fetchone()
        return (TipRow(int(row[0]), row[1], row[2], row[3], row[4], row[5]), row[6]) if row else None

    def cluster_tips(self, cluster_id: int, limit: int = 50) -> list[TipRow]:
        rows = self.store.connection().execute(
            "SELECT id, created_at, channel, sender_hash, text, reply_address FROM tips WHERE cluster_id = ? "
            "ORDER BY id DESC LIMIT ?", (cluster_id, limit)).fetchall()
        return [TipRow(int(r[0]), r[1], r[2], r[3], r[4], r[5]) for r in rows]

    def set_status(self, cluster_id: int, status: ClusterStatus, by: str) -> bool:
        with self.store.transaction(lock="rows") as tx:
            return tx.execute("UPDATE tip_clusters SET status = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                              (str(status), utcnow(), by, cluster_id)).rowcount == 1

    def article_id_for_url(self, url: str) -> str | None:
        """The archive id of a fact-check pasted as its URL (with or without the trailing slash)."""
        if not url.startswith(("http://", "https://")):
            return None
        other = url[:-1] if url.endswith("/") else url + "/"
        row = self.store.connection().execute(
            "SELECT id FROM articles WHERE url = ? OR url = ? ORDER BY id LIMIT 1", (url, other)).fetchone()
        return row[0] if row else None

    # notifications -------------------------------------------------------------------------------

    def link_and_claim(self, cluster_id: int, article_id: str, by: str) -> bool:
        """Mark the cluster published and claim one notification per person, atomically.

        The UNIQUE (article_id, sender_hash) constraint is what makes "told exactly once" hold: a
        second link, a double click or another process can only find the claims already taken."""
        now = utcnow()
        with self.store.transaction() as tx:
            if tx.execute("UPDATE tip_clusters SET status = ?, article_id = ?, updated_at = ?, updated_by = ? "
                          "WHERE id = ?", (str(ClusterStatus.PUBLISHED), article_id, now, by, cluster_id)).rowcount != 1:
                return False
            self._claim(tx, cluster_id, article_id, now)
            return True

    def claim_for_tip(self, tx: Connection, cluster_id: int, tip_id: int) -> str | None:
        """A tip that joins an already published cluster is owed the fact-check at once."""
        row = tx.execute("SELECT status, article_id FROM tip_clusters WHERE id = ?", (cluster_id,)).fetchone()
        if row is None or row[0] != ClusterStatus.PUBLISHED or not row[1]:
            return None
        self._claim(tx, cluster_id, row[1], utcnow(), tip_id=tip_id)
        return str(row[1])

    def _claim(self, tx: Connection, cluster_id: int, article_id: str, now: str, tip_id: int | None = None) -> None:
        extra, params = ("AND t.id = ?", (tip_id,)) if tip_id is not None else ("", ())
        # the latest tip of each person in the cluster carries their freshest reply address
        tx.execute(
            "INSERT INTO tip_notifications (article_id, cluster_id, tip_id, channel, sender_hash, status, "
            "created_at, updated_at) "
            "SELECT ?, ?, MAX(t.id), t.channel, t.sender_hash, 'pending', ?, ? FROM tips t "
            f"WHERE t.cluster_id = ? {extra} GROUP BY t.channel, t.sender_hash "
            "ON CONFLICT (article_id, sender_hash) DO NOTHING",
            (article_id, cluster_id, now, now, cluster_id, *params))

    def pending_notifications(self, article_id: str, after_id: int, limit: int) -> list[tuple[int, TipRow]]:
        rows = self.store.connection().execute(
            "SELECT n.id, t.id, t.created_at, t.channel, t.sender_hash, t.text, t.reply_address "
            "FROM tip_notifications n JOIN tips t ON t.id = n.tip_id "
            "WHERE n.article_id = ? AND n.status = 'pending' AND n.id > ? ORDER BY n.id LIMIT ?",
            (article_id, after_id, limit)).fetchall()
        return [(int(r[0]), TipRow(int(r[1]), r[2], r[3], r[4], r[5], r[6])) for r in rows]

    def pending_articles(self) -> list[str]:
        rows = self.store.connection().execute(
            "SELECT DISTINCT article_id FROM tip_notifications WHERE status = 'pending'").fetchall()
        return [r[0] for r in rows]

    def finish_notification(self, notification_id: int, status: NotificationStatus) -> None:
        with self.store.transaction(lock="rows") as tx:
            tx.execute("UPDATE tip_notifications SET status = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
                       (str(status), utcnow(), notification_id))

    def notifications(self, cluster_id: int) -> list[NotificationRow]:
        rows = self.store.connection().execute(
            "SELECT tip_id, channel, sender_hash, status, updated_at FROM tip_notifications WHERE cluster_id = ? "
            "ORDER BY id", (cluster_id,)).fetchall()
        return [NotificationRow(int(r[0]), r[1], r[2], NotificationStatus(r[3]), r[4]) for r in rows]
