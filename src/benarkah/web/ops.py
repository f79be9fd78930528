"""Operations endpoints: ``/readyz`` for load balancers and ``/metrics`` for Prometheus.

Two kinds of numbers, on purpose:

* per process, from a cheap ASGI middleware: requests and latency by route template (the label set
  stays bounded: unknown paths count as ``"unmatched"``). With ``benarkah serve --processes N`` they
  are summed over the processes through prometheus-client's multiprocess mode
  (``PROMETHEUS_MULTIPROC_DIR``, set by ``serve``).
* from the database, at scrape time (cached a few seconds): queue depth, articles, match rate. They
  describe the whole deployment, so any process behind the load balancer answers the same.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
import weakref
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterable

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from ..errors import BenarkahError
from ..storage.records import iso

if TYPE_CHECKING:
    from fastapi import FastAPI

    from ..tipline import Tipline

log = logging.getLogger(__name__)

MATCH_WINDOW = timedelta(minutes=15)
DB_GAUGE_TTL_SECONDS = 5.0
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED_ROUTE = "unmatched"


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


class MetricsMiddleware:
    """Pure ASGI (no per-request objects beyond a closure): time, route template, status."""

    def __init__(self, app: Any, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or UNMATCHED_ROUTE
            self.metrics.observe(scope.get("method", ""), template, status, time.perf_counter() - started)


class DatabaseCollector:
    """Gauges read from the store when scraped (cached ``DB_GAUGE_TTL_SECONDS``)."""

    def __init__(self, tipline: "Tipline") -> None:
        self.tipline = tipline
        self._cached: list[GaugeMetricFamily] = []
        self._cached_at = -DB_GAUGE_TTL_SECONDS

    def collect(self) -> Iterable[GaugeMetricFamily]:
        now = time.monotonic()
        if now - self._cached_at >= DB_GAUGE_TTL_SECONDS:
            self._cached = self._read()
            self._cached_at = now
        index = GaugeMetricFamily("benarkah_index_articles_version",
                                  "Article version this process's search index was built from (-1: not yet)")
        index.add_metric([], float(self.tipline.index_version if self.tipline.index_version is not None else -1))
        return [*self._cached, index]

    def _read(self) -> list[GaugeMetricFamily]:
        store = self.tipline.store
        families = []
        articles = GaugeMetricFamily("benarkah_articles", "Fact-check articles in the archive")
        articles.add_metric([], store.count_articles())
        version = GaugeMetricFamily("benarkah_articles_version", "Archive version (moves on every change)")
        version.add_metric([], store.articles_version())
        families += [articles, version]
        families += self._match_rate()
        families += self._queue_depth()
        return families

    def _match_rate(self) -> list[GaugeMetricFamily]:
        since = iso(datetime.now(timezone.utc) - MATCH_WINDOW)
        rows = self.tipline.store.connection().execute(
            "SELECT matched, COUNT(*) FROM interactions WHERE created_at >= ? AND matched IS NOT NULL "
            "GROUP BY matched", (since,)).fetchall()
        counts = {int(r[0]): int(r[1]) for r in rows}
        checks = GaugeMetricFamily("benarkah_checks_recent", "Fact-check questions in the last 15 minutes",
                                   labels=["outcome"])
        checks.add_metric(["matched"], counts.get(1, 0))
        checks.add_metric(["not_found"], counts.get(0, 0))
        rate = GaugeMetricFamily("benarkah_match_rate",
                                 "Share of fact-check questions answered with a fact-check, last 15 minutes")
        total = counts.get(1, 0) + counts.get(0, 0)
        rate.add_metric([], counts.get(1, 0) / total if total else 0.0)
        return [checks, rate]

    def _queue_depth(self) -> list[GaugeMetricFamily]:
        depth = GaugeMetricFamily("benarkah_queue_depth", "Messages in the messaging queues by status",
                                  labels=["queue", "status"])
        for queue, by_status in _messaging_depths(self.tipline).items():
            for status, count in by_status.items():
                depth.add_metric([queue, status], count)
        return [depth]


def _messaging_depths(tipline: "Tipline") -> dict[str, dict[str, int]]:
    """Inbox/outbox depth by status, when the messaging tables exist (they come with a migration)."""
    depths: dict[str, dict[str, int]] = {}
    conn = tipline.store.connection()
    for queue in ("inbox", "outbox"):
        try:
            rows = conn.execute(f"SELECT status, COUNT(*) FROM messaging_{queue} GROUP BY status").fetchall()
        except tipline.store.Error:
            continue  # no messaging tables in this database (yet)
        depths[queue] = {str(r[0]): int(r[1]) for r in rows}
    return depths


_METRICS: "weakref.WeakKeyDictionary[Tipline, HttpMetrics]" = weakref.WeakKeyDictionary()


def http_metrics(tipline: "Tipline") -> HttpMetrics:
    metrics = _METRICS.get(tipline)
    if metrics is None:
        metrics = _METRICS[tipline] = HttpMetrics()
    return metrics


def install_metrics(app: "FastAPI", tipline: "Tipline") -> None:
    """App hook (``extensions.APP_HOOKS``): time every request."""
    app.add_middleware(MetricsMiddleware, metrics=http_metrics(tipline))


def exposition(tipline: "Tipline") -> bytes:
    """The Prometheus text: this process's (or all processes') request metrics, plus database gauges."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_RegistryView(http_metrics(tipline).registry))
    registry.register(_database_collector(tipline))
    return generate_latest(registry)


class _RegistryView:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterable[Any]:
        return self.registry.collect()


_COLLECTORS: "weakref.WeakKeyDictionary[Tipline, DatabaseCollector]" = weakref.WeakKeyDictionary()


def _database_collector(tipline: "Tipline") -> DatabaseCollector:
    collector = _COLLECTORS.get(tipline)
    if collector is None:
        collector = _COLLECTORS[tipline] = DatabaseCollector(tipline)
    return collector


def ops_router(tipline: "Tipline") -> APIRouter:
    router = APIRouter(tags=["operations"])
    token = tipline.settings.metrics_token

    @router.get("/readyz")
    def readyz() -> JSONResponse:
        """Ready when the database answers and this process's search index is built."""
        problems: list[str] = []
        version = None
        try:
            version = tipline.store.articles_version()
        except (BenarkahError, OSError, tipline.store.Error) as exc:
            problems.append(f"database error: {type(exc).__name__}")
            log.warning("readiness: database error: %s", exc)
        if tipline.index_version is None:
            problems.append("search index not built yet")
        body = {"status": "not ready" if problems else "ready", "problems": problems,
                "articles_version": version, "index_version": tipline.index_version, "pid": os.getpid()}
        return JSONResponse(body, status_code=503 if problems else 200)

    @router.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        if token:
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), token.encode()):
                return Response("metrics need 'Authorization: Bearer <BENARKAH_METRICS_TOKEN>'\n", status_code=401,
                                media_type="text/plain")
        return Response(exposition(tipline), media_type=CONTENT_TYPE_LATEST)

    return router
