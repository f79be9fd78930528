"""Operations endpoints: ``/readyz`` for load balancers and ``/metrics`` for Prometheus (the numbers
themselves are in ``benarkah.metrics``), and the middleware that times every request."""

from __future__ import annotations

import hmac
import logging
import os
import time
from typing import Any, Callable

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from ..errors import BenarkahError
from ..metrics import HttpMetrics, Metrics
from ..search.live import LiveIndex
from ..settings import Settings
from ..storage.base import Store

log = logging.getLogger(__name__)
UNMATCHED_ROUTE = "unmatched"
PROBE_SECONDS = 0.5  # a probe answers within a second even when the database does not


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


def ops_router(store: Store, index: LiveIndex, metrics: Metrics, settings: Settings) -> APIRouter:
    router = APIRouter(tags=["operations"])
    token = settings.metrics_token

    @router.get("/readyz")
    def readyz() -> JSONResponse:
        """Ready when the database answers, this process's search index is built and, with a channel
        configured, a live and moving messaging worker (and sender) runs somewhere in the deployment."""
        problems: list[str] = []
        version = None
        try:
            with store.wait_at_most(PROBE_SECONDS):
                version = store.articles_version()
        except (BenarkahError, OSError, store.Error) as exc:
            problems.append(f"database error: {type(exc).__name__}")
            log.warning("readiness: database error: %s", exc)
        if index.version is None:
            problems.append("search index not built yet")
        messaging = None
        if metrics.health is not None and version is not None:  # the workers this deployment needs, anywhere
            try:
                with store.wait_at_most(PROBE_SECONDS):
                    messaging = metrics.health()
                problems.extend(messaging.problems)
            except (BenarkahError, OSError, store.Error) as exc:
                problems.append(f"database error: {type(exc).__name__}")
        body = {"status": "not ready" if problems else "ready", "problems": problems,
                "articles_version": version, "index_version": index.version, "pid": os.getpid()}
        if messaging is not None:
            body["queue"] = messaging.summary()
        return JSONResponse(body, status_code=503 if problems else 200)

    @router.get("/metrics", include_in_schema=False)
    def scrape(request: Request) -> Response:
        if token:
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), token.encode()):
                return Response("metrics need 'Authorization: Bearer <BENARKAH_METRICS_TOKEN>'\n", status_code=401,
                                media_type="text/plain")
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router
