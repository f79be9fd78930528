"""What Prometheus scrapes: per-process request metrics, and gauges read from the database.

Two kinds of numbers, on purpose:

* per process, observed by the web app's middleware: requests and latency by route template (the
  label set stays bounded: unknown paths count as ``"unmatched"``). With ``benarkah serve --processes N``
  they are summed over the processes through prometheus-client's multiprocess mode
  (``PROMETHEUS_MULTIPROC_DIR``, set by ``serve``).
* from the database, at scrape time (cached a few seconds): queue depth, articles, match rate. They
  describe the whole deployment, so any process behind the load balancer answers the same.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from .storage.base import Store

MATCH_WINDOW = timedelta(minutes=15)
DB_GAUGE_TTL_SECONDS = 5.0
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

QueueDepths = Callable[[], dict[str, dict[str, int]]]
IndexVersion = Callable[[], int | None]
DeliveryCounts = Callable[[], dict[str, dict[str, int]]]
Health = Callable[[], Any]  # -> messaging.health.MessagingHealth (roles, oldest_waiting)


class HttpMetrics:
    """The per-process request metrics of one app (own registry: tests build many apps per process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("benarkah_http_requests", "HTTP requests answered",
                                ("method", "route", "status"), registry=self.registry)
        self.latency = Histogram("benarkah_http_request_duration_seconds", "Time to answer an HTTP request",
                                 ("method", "route"), buckets=LATENCY_BUCKETS, registry=self.registry)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)


class DatabaseCollector:
    """Gauges read from the store when scraped (cached ``DB_GAUGE_TTL_SECONDS``)."""

    def __init__(self, store: Store, queue_depths: QueueDepths, index_version: IndexVersion,
                 deliveries: DeliveryCounts | None = None, health: Health | None = None) -> None:
        self.store = store
        self.queue_depths = queue_depths
        self.index_version = index_version
        self.deliveries = deliveries
        self.health = health
        self._cached: list[GaugeMetricFamily] = []
        self._cached_at = -DB_GAUGE_TTL_SECONDS

    def collect(self) -> Iterable[GaugeMetricFamily]:
        now = time.monotonic()
        if now - self._cached_at >= DB_GAUGE_TTL_SECONDS:
            self._cached = self._read()
            self._cached_at = now
        index = GaugeMetricFamily("benarkah_index_articles_version",
                                  "Article version this process's search index was built from (-1: not yet)")
        version = self.index_version()
        index.add_metric([], float(version if version is not None else -1))
        return [*self._cached, index]

    def _read(self) -> list[GaugeMetricFamily]:
        articles = GaugeMetricFamily("benarkah_articles", "Fact-check articles in the archive")
        articles.add_metric([], self.store.count_articles())
        version = GaugeMetricFamily("benarkah_articles_version", "Archive version (moves on every change)")
        version.add_metric([], self.store.articles_version())
        return [articles, version, *self._match_rate(), self._queue_depth(), *self._deliveries(),
                *self._workers()]

    def _workers(self) -> list[GaugeMetricFamily]:
        """Workers alive and how long since they beat and moved, per role; the oldest waiting message."""
        if self.health is None:
            return []
        health = self.health()
        alive = GaugeMetricFamily("benarkah_workers_alive", "Messaging worker processes with a fresh heartbeat, "
                                  "anywhere in the deployment", labels=["role"])
        beat = GaugeMetricFamily("benarkah_worker_heartbeat_age_seconds",
                                 "Seconds since the freshest heartbeat of the role (-1: none)", labels=["role"])
        progress = GaugeMetricFamily("benarkah_worker_progress_age_seconds",
                                     "Seconds since a live worker of the role last made progress (-1: none alive)",
                                     labels=["role"])
        for role in health.roles:
            alive.add_metric([role.role], role.alive)
            beat.add_metric([role.role], -1.0 if role.beat_age is None else role.beat_age)
            progress.add_metric([role.role], -1.0 if role.progress_age is None else role.progress_age)
        oldest = GaugeMetricFamily("benarkah_queue_oldest_pending_seconds",
                                   "Seconds the oldest unanswered message (inbox) or unsent reply (outbox) has "
                                   "waited (0: none waiting)", labels=["queue"])
        for queue, age in health.oldest_waiting.items():
            oldest.add_metric([queue], age or 0.0)
        return [alive, beat, progress, oldest]

    def _match_rate(self) -> list[GaugeMetricFamily]:
        matched, not_found = self.store.lookups_since(datetime.now(timezone.utc) - MATCH_WINDOW)
        checks = GaugeMetricFamily("benarkah_checks_recent", "Fact-check questions in the last 15 minutes",
                                   labels=["outcome"])
        checks.add_metric(["matched"], matched)
        checks.add_metric(["not_found"], not_found)
        rate = GaugeMetricFamily("benarkah_match_rate",
                                 "Share of fact-check questions answered with a fact-check, last 15 minutes")
        total = matched + not_found
        rate.add_metric([], matched / total if total else 0.0)
        return [checks, rate]

    def _queue_depth(self) -> GaugeMetricFamily:
        depth = GaugeMetricFamily("benarkah_queue_depth", "Messages in the messaging queues by status",
                                  labels=["queue", "status"])
        for queue, by_status in self.queue_depths().items():
            for status, count in by_status.items():
                depth.add_metric([queue, status], count)
        return depth


    def _deliveries(self) -> list[GaugeMetricFamily]:
        """What the APIs reported about sent messages, by channel and status; failures by error code."""
        if self.deliveries is None:
            return []
        by_status = GaugeMetricFamily("benarkah_deliveries", "Sent messages by what the API last reported",
                                      labels=["channel", "status"])
        failed = GaugeMetricFamily("benarkah_delivery_failures", "Messages the API reported failed, by error code",
                                   labels=["channel", "code"])
        for channel, counts in self.deliveries().items():
            for status, count in counts.items():
                if status.startswith("failed:"):
                    failed.add_metric([channel, status.removeprefix("failed:")], count)
                else:
                    by_status.add_metric([channel, status], count)
        return [by_status, failed]


class Metrics:
    """A process's metrics: its HTTP counters and the database gauges, exposed as one text."""

    def __init__(self, store: Store, queue_depths: QueueDepths, index_version: IndexVersion,
                 deliveries: DeliveryCounts | None = None, health: Health | None = None) -> None:
        self.http = HttpMetrics()
        self.health = health
        self.database = DatabaseCollector(store, queue_depths, index_version, deliveries, health)

    def exposition(self) -> bytes:
        """The Prometheus text: this process's (or all processes') request metrics, plus database gauges."""
        registry = CollectorRegistry(auto_describe=False)
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            MultiProcessCollector(registry)
        else:
            registry.register(_RegistryView(self.http.registry))
        registry.register(self.database)
        return generate_latest(registry)


class _RegistryView:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterable[Any]:
        return self.registry.collect()
