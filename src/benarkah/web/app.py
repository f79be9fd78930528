"""The FastAPI application: the JSON API and health check. Everything else (the public chat, the
webhooks, the dashboard, ops endpoints) is mounted from ``web/extensions.py``.

``create_app`` takes a ready ``Tipline`` so tests and deployments choose the store and model.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Annotated, AsyncIterator

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from ..domain.render import render_text
from ..tipline import Tipline
from .extensions import load_app_hooks, load_router_factories
from .limits import BodySizeLimit

log = logging.getLogger(__name__)
MAX_QUERY_CHARS = 10_000


class AskRequest(BaseModel):
    text: str = Field(..., max_length=MAX_QUERY_CHARS, description="The message, as a person would send it")
    session: str | None = Field(None, max_length=128, description="An opaque id to keep conversation state")


class AskResponse(BaseModel):
    reply: str
    kind: str
    matched: bool | None = None


def api_router(tipline: Tipline) -> APIRouter:
    router = APIRouter()

    @router.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok", "articles": tipline.store.count_articles()}

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


def create_app(tipline: Tipline) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(tipline.engine)  # build the index before the first person waits for it
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="benarkah",
        summary="Fact-check tipline: match messages to published fact-checks.",
        version="0.1.0",
    )
    app.state.tipline = tipline
    app.include_router(api_router(tipline))
    for factory in load_router_factories():
        router = factory(tipline)
        if router is not None:
            app.include_router(router)
    for hook in load_app_hooks():
        hook(app, tipline)

    return BodySizeLimit(app, tipline.settings.max_request_bytes)  # type: ignore[return-value]
