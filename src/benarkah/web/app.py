"""The FastAPI application: the JSON API and health check, plus every other surface mounted
explicitly below (channel webhooks, ops endpoints, the dashboard, the public chat, the public
fact-check pages and the claims:search API).

``create_app`` takes built ``Services`` (``benarkah.app.build``) so tests and deployments choose the
store and model; each router gets only the services it uses.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Annotated, AsyncIterator

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from ..admin.routes import admin_router
from ..app import Services
from ..channels.telegram.webhook import telegram_router
from ..channels.whatsapp.webhook import whatsapp_router
from ..domain.render import render_text
from ..storage.base import Store
from ..tipline import Tipline
from ..publishing.pagetokens import PURPOSE as PAGE_TOKENS, PageTokens
from .chat import chat_router
from .claims_api import claims_api_router
from .factchecks import factchecks_router
from .limits import BodySizeLimit
from .ops import MetricsMiddleware, ops_router

log = logging.getLogger(__name__)
MAX_QUERY_CHARS = 10_000


class AskRequest(BaseModel):
    text: str = Field(..., max_length=MAX_QUERY_CHARS, description="The message, as a person would send it")
    session: str | None = Field(None, max_length=128, description="An opaque id to keep conversation state")


class AskResponse(BaseModel):
    reply: str
    kind: str
    matched: bool | None = None


def api_router(tipline: Tipline, store: Store) -> APIRouter:
    router = APIRouter()

    @router.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok", "articles": store.count_articles()}

    @router.get("/api/search")
    def api_search(
        q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="The query text")],
        limit: Annotated[int, Query(ge=1, le=100)] = 3,
    ) -> dict:
        return tipline.search(q, limit=limit).payload()

    @router.post("/api/ask", response_model=AskResponse)
    def api_ask(body: AskRequest, request: Request) -> AskResponse:
        sender = body.session or (request.client.host if request.client else "anonymous")
        handled = tipline.handle_text("api", sender, body.text)
        reply = handled.reply
        return AskResponse(reply=render_text(reply), kind=reply.kind.value, matched=reply.matched)

    return router


def create_app(services: Services) -> FastAPI:
    settings = services.settings

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(services.index.engine)  # build the index before the first person waits for it
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="benarkah",
        summary="Fact-check tipline: match messages to published fact-checks.",
        version="0.1.0",
    )
    app.state.services = services
    routers = [
        api_router(services.tipline, services.store),
        whatsapp_router(settings, services.queue),   # None unless configured
        telegram_router(settings, services.queue),
        ops_router(services.store, services.index, services.metrics, settings),
        admin_router(services.tipline, services.tips, services.store, settings, services.replies,
                     services.subscriptions),
        chat_router(services.tipline, services.store, settings),
        factchecks_router(services.store, services.tipline.search, settings),
        claims_api_router(services.tipline.search, services.store, settings,
                          PageTokens(lambda: services.identity.subkey(PAGE_TOKENS))),
    ]
    for router in routers:
        if router is not None:
            app.include_router(router)
    app.add_middleware(MetricsMiddleware, metrics=services.metrics.http)
    return BodySizeLimit(app, settings.max_request_bytes)  # type: ignore[return-value]
