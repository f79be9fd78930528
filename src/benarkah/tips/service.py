"""The tips desk: clusters tips as they arrive and tells tippers once their rumour is fact-checked.

The tipline calls ``record`` for every message that matched nothing; the dashboard calls the rest.
Follow-ups leave through a ``Notifier`` (the messaging outbox, bound by the composition root), the
only tie from tips to messaging.
The clustering index (``domain.clustering``) lives in memory and is refreshed, inside the same
write transaction as the assignment, from clusters other processes touched since; so several
workers can cluster into one database without splitting a rumour because of a stale view.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol, Sequence

from ..domain.articles import Article
from ..domain.clustering import ClusterIndex
from ..domain.conversation import ConversationState
from ..domain.text import Analyzer
from ..errors import BenarkahError
from ..privacy import Identity
from ..storage.base import Connection, Store
from ..storage.records import iso
from .followup import followup_text
from .repository import (SETTABLE_STATUSES, ClusterStatus, ClusterSummary, NotificationStatus, TipRepository,
                         TipRow)

log = logging.getLogger(__name__)

NOTIFIABLE_CHANNELS = frozenset({"whatsapp", "telegram"})  # channels that can message a person later
OPEN_WINDOW = timedelta(days=30)  # a rumour silent for a month starts a new cluster when it returns
NOTIFY_BATCH = 500


class Notifier(Protocol):
    """Hands one follow-up message to a channel's outbox (``messaging.notify.OutboxNotifier``).

    Returns one of "queued", "queued_template", "needs_template" or "duplicate" (the values of
    ``NotificationStatus`` of the same names); must be idempotent on ``key`` so a retry after a crash
    never sends twice."""

    def __call__(self, *, channel: str, sealed_address: str, sender_hash: str, text: str, key: str) -> str: ...


class ClusterNotFound(BenarkahError):
    """The cluster id does not exist (any more)."""


class ArticleNotFound(BenarkahError):
    """The fact-check to link is not in the archive; ingest it first."""


@dataclass(frozen=True)
class LinkOutcome:
    article_id: str
    statuses: dict[NotificationStatus, int]  # how many people per notification status


@dataclass(frozen=True)
class DeskStats:
    """The statistics page: messages per day, how many were questions and how many found a fact-check."""

    days: int
    per_day: list[tuple[str, int, int, int]]  # (day, messages, lookups, matched)
    messages: int
    lookups: int
    matched: int
    match_rate: float | None
    top_queries: list[tuple[str, int, int]]  # (text, times asked, times matched)


class TipService:
    def __init__(self, store: Store, analyzer: Analyzer, identity: Identity,
                 notifier: Notifier | None = None, budget_per_hour: int | None = None) -> None:
        self.store = store
        self.budget_per_hour = budget_per_hour  # tips one sender (or web/API client) may add per hour
        self.analyzer = analyzer
        self.identity = identity
        self.repo = TipRepository(store)
        self.notifier = notifier
        self._index: ClusterIndex | None = None
        self._seen_tip_id = 0
        self._epoch = ""
        self._lock = threading.Lock()

    # recording and clustering --------------------------------------------------------------------

    def record(self, channel: str, sender_hash: str, sender_id: str, text: str, quota: str | None = None, *,
               similar: Sequence[int] = (), text_clusters: bool = True) -> int | None:
        """Store a tip, seal its reply address and put it in a cluster. Returns the tip id, or None when
        the sender's budget for the hour is spent (``quota``: whom to count it against instead, the
        client on the web and the API), so one flooder cannot fill the fact-checkers' queue.

        ``similar`` names earlier tips this one repeats (the same picture, found by its hash): the tip
        joins the open cluster of the most similar of them. ``text_clusters=False`` (a picture with no
        writing, whose text is only a placeholder) keeps its words out of the clustering, so unrelated
        photos do not gather in one cluster for sharing the word "image".

        The tip row is written first and on its own: if clustering fails, the tip is kept
        (unclustered, picked up by ``cluster_pending``) and the person still gets their reply."""
        quota_hash = quota or sender_hash
        budget = None
        if self.budget_per_hour is not None:
            budget = (self.budget_per_hour, iso(datetime.now(timezone.utc) - timedelta(hours=1)))
        tip_id = self.repo.add_tip(channel, sender_hash, text, quota_hash, budget)
        if tip_id is None:
            log.info("tip not recorded: its sender's budget of %d tips an hour is spent", self.budget_per_hour)
            return None
        sealed = self.identity.seal(sender_id) if channel in NOTIFIABLE_CHANNELS else None
        try:  # a savepoint inside the caller's transaction, if any
            self.cluster_tip(tip_id, text, sealed, similar=similar, text_clusters=text_clusters)
        except Exception:  # noqa: BLE001 - the reply to the person must not depend on the dashboard
            log.exception("tip %d stored but not clustered; `cluster_pending` will retry", tip_id)
        return tip_id

    def cluster_tip(self, tip_id: int, text: str, sealed_address: str | None = None, *,
                    similar: Sequence[int] = (), text_clusters: bool = True) -> int:
        """Put a stored tip in a cluster; returns the cluster id.

        Lock order is store transaction first, then this object's lock: the caller may already hold a
        store transaction (a messaging worker stores its whole turn atomically), and taking our lock
        first could deadlock against such a caller. If an enclosing transaction rolls back after we
        ran, the in-memory index holds a cluster the database never kept; ``attach_tip`` notices (no
        row updated) and we rebuild the index from the database and assign again."""
        terms = self.analyzer.terms(text) if text_clusters else []
        with self.store.transaction(lock="store") as tx, self._lock:
            try:
                created = self.repo.tip_created(tx, tip_id)
                if created is None:
                    raise BenarkahError(f"tip {tip_id} does not exist")
                cluster_id = self._assign(tx, tip_id, created, text, terms, sealed_address, similar, text_clusters)
                if cluster_id is None:
                    self._index = None
                    cluster_id = self._assign(tx, tip_id, created, text, terms, sealed_address, similar,
                                              text_clusters)
                if cluster_id is None:
                    raise BenarkahError(f"tip {tip_id}: the cluster it was assigned to vanished twice")
                owed = self.repo.claim_for_tip(tx, cluster_id, tip_id)
            except BaseException:
                self._index = None  # the in-memory index may hold an uncommitted change: reload it
                raise
            if owed:
                self.notify_pending(owed)
        return cluster_id

    def _assign(self, tx: Connection, tip_id: int, created: str, text: str, terms: list[str],
                sealed_address: str | None, similar: Sequence[int] = (), text_clusters: bool = True) -> int | None:
        index = self._refreshed(tx)
        cluster_id = self._cluster_of_similar(tx, index, similar)
        if cluster_id is None and text_clusters:
            cluster_id = index.assign(terms).cluster_id
        cluster_id = cluster_id or self.repo.new_cluster(tx, created, text)
        profile = index.add(cluster_id, terms)
        if not self.repo.attach_tip(tx, tip_id, created, cluster_id, profile, sealed_address):
            return None
        self._seen_tip_id = max(self._seen_tip_id, tip_id)
        return cluster_id

    def _cluster_of_similar(self, tx: Connection, index: ClusterIndex, similar: Sequence[int]) -> int | None:
        """The open cluster of the first of ``similar`` tips still in one (they come most similar first)."""
        if not similar:
            return None
        since = iso(datetime.now(timezone.utc) - OPEN_WINDOW)
        clusters = self.repo.clusters_of_tips(tx, similar, since)
        for tip_id in similar:
            cluster_id = clusters.get(tip_id)
            if cluster_id is not None and cluster_id in index:
                return cluster_id
        return None

    def _refreshed(self, tx: Connection) -> ClusterIndex:
        epoch = self.repo.clusters_epoch(tx)
        if self._index is None or epoch != self._epoch:  # `forget` rebuilt clusters: reload them all
            self._index, self._seen_tip_id, self._epoch = ClusterIndex(), 0, epoch
        since = iso(datetime.now(timezone.utc) - OPEN_WINDOW)
        for profile, last_tip_id in self.repo.changed_profiles(tx, self._seen_tip_id, since):
            self._index.put(profile)
            self._seen_tip_id = max(self._seen_tip_id, last_tip_id)
        return self._index

    def cluster_pending(self, limit: int = 1000) -> int:
        """Cluster tips stored without a cluster (a crash between storing and clustering)."""
        pending = self.repo.unclustered_tips(limit)
        for tip_id, text, _ in pending:
            self.cluster_tip(tip_id, text)
        return len(pending)

    # erasure (``benarkah forget``) -----------------------------------------------------------------

    def clusters_of(self, tx: Connection, sender_hashes: Sequence[str]) -> set[int]:
        return self.repo.clusters_of_senders(tx, sender_hashes)

    def rebuild_clusters(self, tx: Connection, cluster_ids: set[int]) -> tuple[int, int]:
        """After people's tips were erased: each cluster they were in is recomputed from the tips left
        (example, term profile, counts, first and last seen), and a cluster left empty is deleted, so
        nothing they wrote survives in what the dashboard shows. Every process's clustering index is
        reloaded (``clusters_epoch``). Returns (rebuilt, deleted)."""
        rebuilt = deleted = 0
        for cluster_id in sorted(cluster_ids):
            tips = self.repo.cluster_texts(tx, cluster_id)
            if not tips:
                self.repo.delete_cluster(tx, cluster_id)
                deleted += 1
                continue
            index = ClusterIndex()
            profile = None
            for _, _, text in tips:
                profile = index.add(cluster_id, self.analyzer.terms(text))
            assert profile is not None
            self.repo.rewrite_cluster(tx, cluster_id, tips, profile)
            rebuilt += 1
        if cluster_ids:
            self.repo.bump_clusters_epoch(tx)
            with self._lock:
                self._index = None
        return rebuilt, deleted

    # the dashboard -------------------------------------------------------------------------------

    def queue(self, statuses: tuple[str, ...] = (ClusterStatus.NEW, ClusterStatus.CHECKING),
              now: datetime | None = None, limit: int = 200) -> list[ClusterSummary]:
        """Clusters to look at, the fastest-spreading first (then the biggest)."""
        found = self.repo.clusters(statuses, now or datetime.now(timezone.utc), limit=limit)
        return sorted(found, key=lambda c: (-c.trend, -c.tip_count, -c.id))

    def cluster(self, cluster_id: int, now: datetime | None = None) -> ClusterSummary:
        summary = self.repo.cluster(cluster_id, now or datetime.now(timezone.utc))
        if summary is None:
            raise ClusterNotFound(f"cluster {cluster_id} does not exist")
        return summary

    def set_status(self, cluster_id: int, status: ClusterStatus, by: str) -> None:
        if status not in SETTABLE_STATUSES:
            raise ValueError(f"status must be one of {', '.join(SETTABLE_STATUSES)}; link a fact-check to publish")
        if not self.repo.set_status(cluster_id, status, by):
            raise ClusterNotFound(f"cluster {cluster_id} does not exist")

    def link_article(self, cluster_id: int, article_id: str, by: str) -> LinkOutcome:
        """Attach a published fact-check (by id or URL) and tell everyone who sent a tip in the cluster, once."""
        wanted = article_id.strip()
        article = self.store.get_article(wanted) or self.store.get_article(self.repo.article_id_for_url(wanted) or "")
        if article is None:
            raise ArticleNotFound(f"no fact-check with id or URL {wanted!r} in the archive; ingest it first")
        if not self.repo.link_and_claim(cluster_id, article.id, by):
            raise ClusterNotFound(f"cluster {cluster_id} does not exist")
        self.notify_pending(article.id, article)
        counts: dict[NotificationStatus, int] = {}
        for row in self.repo.notifications(cluster_id):
            counts[row.status] = counts.get(row.status, 0) + 1
        return LinkOutcome(article.id, counts)

    def notify_pending(self, article_id: str, article: Article | None = None) -> int:
        """Send every claimed-but-unsent notification for a fact-check. Safe to repeat: each claim is
        finished once, and the notifier is idempotent on the claim's key if a crash came between."""
        article = article or self.store.get_article(article_id)
        if article is None:
            return 0
        done, after = 0, 0
        while batch := self.repo.pending_notifications(article_id, after, NOTIFY_BATCH):
            for notification_id, tip in batch:
                after = notification_id
                status = self._send(article, tip)
                if status is not None:
                    self.repo.finish_notification(notification_id, status)
                    done += 1
        return done

    def retry_pending(self) -> int:
        return sum(self.notify_pending(article_id) for article_id in self.repo.pending_articles())

    def _send(self, article: Article, tip: TipRow) -> NotificationStatus | None:
        if tip.channel not in NOTIFIABLE_CHANNELS or not tip.reply_address:
            return NotificationStatus.UNREACHABLE  # web, CLI and API askers cannot be messaged later
        if self.notifier is None:
            return None  # no messaging configured here: stays pending for ``retry_pending``
        language = ConversationState.from_dict(self.store.get_session(tip.channel, tip.sender_hash)).language
        try:
            outcome = self.notifier(channel=tip.channel, sealed_address=tip.reply_address,
                                    sender_hash=tip.sender_hash, text=followup_text(article, language),
                                    key=f"tip-followup:{article.id}:{tip.sender_hash}")
        except BenarkahError as exc:
            log.warning("follow-up for tip %d not queued: %s", tip.id, exc)
            return NotificationStatus.FAILED
        return NotificationStatus(str(outcome))

    def sweep(self) -> tuple[int, int]:
        """Finish interrupted work: cluster tips stored without a cluster, queue pending follow-ups.
        Returns (tips clustered, follow-ups queued)."""
        return self.cluster_pending(), self.retry_pending()

    # statistics ----------------------------------------------------------------------------------

    def stats(self, days: int = 30, top: int = 20, now: datetime | None = None) -> DeskStats:
        since = (now or datetime.now(timezone.utc)) - timedelta(days=days)
        per_day = self.store.messages_per_day(since)
        lookups = sum(d[2] for d in per_day)
        matched = sum(d[3] for d in per_day)
        return DeskStats(days=days, per_day=per_day, messages=sum(d[1] for d in per_day), lookups=lookups,
                         matched=matched, match_rate=matched / lookups if lookups else None,
                         top_queries=self.store.top_queries(since, top))
