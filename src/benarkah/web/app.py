"""The FastAPI application: the JSON API and health check, plus every other surface mounted
explicitly below (channel webhooks, ops endpoints, the dashboard, the public chat, the public
fact-check pages and the claims:search API).

``create_app`` takes built ``Services`` (``benarkah.app.build``) so tests and deployments choose the
store and model; each router gets only the services it uses.
"""

from __future__ import annotations

import json
import logging
from contextlib import asynccontextmanager
from typing import Annotated, AsyncIterator

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, BeforeValidator, Field, ValidationError
from starlette.datastructures import FormData, UploadFile
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ..admin.routes import admin_router
from ..app import Services
from ..channels.telegram.webhook import telegram_router
from ..channels.whatsapp.webhook import whatsapp_router
from ..domain.inputs import storable
from ..domain.render import render_text
from ..errors import BenarkahError
from ..settings import Settings
from ..storage.base import Store
from ..tipline import Tipline
from ..publishing.pagetokens import PURPOSE as PAGE_TOKENS, PageTokens
from .chat import chat_router
from .claims_api import claims_api_router
from .factchecks import factchecks_router
from .limits import BodySizeLimit, RateLimit
from .ops import PROBE_SECONDS, MetricsMiddleware, ops_router
from .uploads import answer_upload, read_upload

log = logging.getLogger(__name__)
MAX_QUERY_CHARS = 10_000


def _storable(value: object) -> object:
    return storable(value) if isinstance(value, str) else value


# No NUL, lone surrogates as U+FFFD (domain.inputs), before pydantic's own check refuses the surrogates.
StorableText = Annotated[str, BeforeValidator(_storable)]


class AskRequest(BaseModel):
    text: StorableText = Field(..., max_length=MAX_QUERY_CHARS, description="The message, as a person would send it")
    session: StorableText | None = Field(None, max_length=128, description="An opaque id to keep conversation state")


class AskResponse(BaseModel):
    reply: str
    kind: str
    matched: bool | None = None
    read_text: str | None = Field(None, description="For a picture: the text read from it (phone chrome removed)")


ASK_BODY = {"required": True, "content": {
    "application/json": {"schema": AskRequest.model_json_schema()},
    "multipart/form-data": {"schema": {"type": "object", "required": ["image"], "properties": {
        "image": {"type": "string", "format": "binary", "description": "A picture or video (a screenshot)"},
        "text": {"type": "string", "maxLength": MAX_QUERY_CHARS, "description": "A caption, checked with it"},
        "session": {"type": "string", "maxLength": 128, "description": "An opaque id to keep conversation state"},
    }}},
}}


def _form_text(form: FormData, name: str, max_length: int) -> str:
    value = form.get(name) or ""
    if not isinstance(value, str) or len(value) > max_length:
        raise RequestValidationError([{"type": "string_type", "loc": ("body", name), "input": None,
                                       "msg": f"{name} must be text of at most {max_length} characters"}])
    return value


def api_router(tipline: Tipline, store: Store, settings: Settings) -> APIRouter:
    router = APIRouter()
    ask_limit = RateLimit(per_minute=settings.api_ask_per_minute)

    @router.get("/healthz")
    def healthz() -> dict:
        """Liveness: this process answers (200), and whether the database does, within half a second."""
        try:
            with store.wait_at_most(PROBE_SECONDS):
                return {"status": "ok", "database": "ok", "articles": store.count_articles()}
        except (BenarkahError, store.Error) as exc:
            log.warning("healthz: database unreachable: %s", exc)
            return {"status": "ok", "database": "unreachable", "articles": None}

    @router.get("/api/search")
    def api_search(
        q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="The query text")],
        limit: Annotated[int, Query(ge=1, le=100)] = 3,
    ) -> JSONResponse:
        """The archive's best matches for ``q`` (the JSON is rendered directly: FastAPI's generic
        encoder walking the payload cost a tenth of a fast search)."""
        return JSONResponse(tipline.search(storable(q), limit=limit).payload())

    @router.post("/api/ask", response_model=AskResponse, openapi_extra={"requestBody": ASK_BODY})
    async def api_ask(request: Request) -> AskResponse:
        """Answer a message as the bot would: JSON ``{"text", "session"}``, or a picture as
        ``multipart/form-data`` (``image``, optional ``text`` as its caption, ``session``)."""
        client = request.client.host if request.client else "anonymous"
        if not ask_limit.allow(client):
            raise HTTPException(429, f"more than {settings.api_ask_per_minute} questions a minute from this "
                                     "address; wait a minute", headers={"Retry-After": "60"})
        if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
            form = await request.form(max_files=1, max_fields=4)
            upload = read_upload(form.get("image") if isinstance(form.get("image"), UploadFile) else None,
                                 settings.media_max_upload_bytes)
            if upload is None:
                raise RequestValidationError([{"type": "missing", "loc": ("body", "image"), "input": None,
                                               "msg": "a multipart request needs a file in the image field"}])
            text = storable(_form_text(form, "text", MAX_QUERY_CHARS))
            session = storable(_form_text(form, "session", 128))
            handled = await run_in_threadpool(answer_upload, tipline, "api", session or client, upload, text,
                                              settings.media_wait_seconds, client)
        else:
            try:  # the standard library's parser, as FastAPI's: a lone surrogate escape is text, made storable
                body = AskRequest.model_validate(json.loads(await request.body()))
            except ValidationError as exc:
                raise RequestValidationError(exc.errors(include_url=False, include_context=False,
                                                        include_input=False)) from None
            except ValueError:
                raise RequestValidationError([{"type": "json_invalid", "loc": ("body",), "input": None,
                                               "msg": "the body is not valid JSON"}]) from None
            handled = await run_in_threadpool(tipline.handle_text, "api", body.session or client, body.text,
                                              client)
        reply = handled.reply
        return AskResponse(reply=render_text(reply), kind=reply.kind.value, matched=reply.matched,
                           read_text=reply.read_text if reply.media is not None else None)

    return router


async def validation_error(_: Request, exc: RequestValidationError) -> Response:
    """FastAPI's 422, without echoing the input: a body with a lone surrogate (``\\ud800``) used to make
    the error answer itself fail to encode, a 500; and a 256 KB body need not come back."""
    detail = [{"type": e.get("type"), "loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in exc.errors()]
    return Response(json.dumps({"detail": detail}, ensure_ascii=True, default=str), status_code=422,
                    media_type="application/json")


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
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    routers = [
        api_router(services.tipline, services.store, settings),
        whatsapp_router(settings, services.queue),   # None unless configured
        telegram_router(settings, services.queue),
        ops_router(services.store, services.index, services.metrics, settings),
        admin_router(services.tipline, services.tips, services.store, settings, services.replies,
                     services.subscriptions, services.media),
        chat_router(services.tipline, services.store, settings),
        factchecks_router(services.store, services.tipline.search, settings),
        claims_api_router(services.tipline.search, services.store, settings,
                          PageTokens(lambda: services.identity.subkey(PAGE_TOKENS))),
    ]
    for router in routers:
        if router is not None:
            app.include_router(router)
    app.add_middleware(MetricsMiddleware, metrics=services.metrics.http)
    uploads = {"/chat": settings.media_max_upload_bytes, "/api/ask": settings.media_max_upload_bytes}
    guarded = BodySizeLimit(app, settings.max_request_bytes, settings.request_read_timeout_seconds, uploads)
    if settings.trusted_proxies.strip():
        # The client address (rate limits, tips budget, logins) comes from X-Forwarded-For only when the
        # peer is a configured proxy; servers run with uvicorn's own proxy handling off (it trusts loopback).
        return ProxyHeadersMiddleware(guarded, trusted_hosts=settings.trusted_proxies)  # type: ignore[return-value]
    return guarded  # type: ignore[return-value]
