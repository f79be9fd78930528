"""``GET /api/v1/claims:search``: the Fact Check Tools-compatible read API (docs/reach.md).

This module is the HTTP edge only: API keys (``key`` parameter or ``X-Goog-Api-Key`` header, as
Google accepts them), rate limits, Google-style error bodies and the OpenAPI description. What a
request means and what it answers live in ``publishing/claims.py``.
"""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from ..errors import InvalidParameter
from ..publishing.apikeys import ApiKeys
from ..publishing.catalog import ArticleCatalog
from ..publishing.claims import PARAMETERS, SearchFn, claims_payload, parse_claim_query, search_claims
from ..publishing.links import PublicLinks
from ..publishing.pagetokens import PageTokens
from ..settings import Settings
from ..storage.base import Store
from .limits import RateLimit

PATH = "/api/v1/claims:search"
CORS = {"Access-Control-Allow-Origin": "*"}
_STATUS = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 429: "RESOURCE_EXHAUSTED"}


class Publisher(BaseModel):
    name: str | None = Field(None, description="The name of this publisher, e.g. \"Tempo\"")
    site: str | None = Field(None, description="Host-level site name, without the protocol or \"www\" prefix")


class ClaimReview(BaseModel):
    publisher: Publisher | None = None
    url: str | None = Field(None, description="The URL of this claim review")
    title: str | None = Field(None, description="The title of this claim review")
    reviewDate: str | None = Field(None, description="The date the claim was reviewed (RFC 3339, UTC)")
    textualRating: str | None = Field(None, description="Textual rating, as the publisher labels it, e.g. \"HOAKS\"")
    languageCode: str | None = Field(None, description="The language this review was written in, e.g. \"id\"")


class Claim(BaseModel):
    text: str | None = Field(None, description="The claim text")
    claimant: str | None = Field(None, description="A person or organization stating the claim")
    claimDate: str | None = Field(None, description="The date that the claim was made (RFC 3339, UTC)")
    claimReview: list[ClaimReview] | None = Field(None, description="One or more reviews of this claim")


class ClaimSearchResponse(BaseModel):
    claims: list[Claim] | None = Field(None, description="The claims and their reviews, best match first")
    nextPageToken: str | None = Field(None, description="Pass as pageToken for the next page; absent: no more")


class ErrorStatus(BaseModel):
    code: int
    message: str
    status: str


class ErrorResponse(BaseModel):
    error: ErrorStatus


def error_response(code: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """Google's error shape (``{"error": {"code", "message", "status"}}``)."""
    return JSONResponse({"error": {"code": code, "message": message, "status": _STATUS[code]}}, status_code=code,
                        headers={**CORS, **(headers or {})})


def claims_api_router(search: SearchFn, store: Store, settings: Settings, tokens: PageTokens,
                      limiter: RateLimit | None = None) -> APIRouter:
    """The API over ``search`` (benarkah's matching) and ``store`` (API keys, browsing by site);
    ``tokens`` issues and checks page tokens."""
    keys, catalog = ApiKeys(store), ArticleCatalog(store)
    links = PublicLinks(settings.public_url)
    limiter = limiter or RateLimit(per_minute=settings.api_anonymous_per_minute)
    router = APIRouter(tags=["Fact Check Tools-compatible API"])
    parameters = [{"name": p.name, "in": "query", "required": False, "description": p.description,
                   "schema": {"type": p.type}} for p in PARAMETERS]

    def admit(request: Request) -> JSONResponse | None:
        """None when the request may proceed; else the error to answer."""
        key = request.query_params.get("key") or request.headers.get("x-goog-api-key") or ""
        if key:
            found = keys.verify(key)
            if found is None:
                return error_response(400, "API key not valid. Please pass a valid API key.")
            client, per_minute = f"key:{found.id}", found.per_minute
        elif settings.api_keys_required:
            return error_response(403, "The request is missing a valid API key.")
        else:
            client = f"ip:{request.client.host if request.client else 'unknown'}"
            per_minute = settings.api_anonymous_per_minute
        if not limiter.allow(client, per_minute=per_minute):
            wait = limiter.retry_after()
            return error_response(429, f"Quota exceeded: {per_minute} requests per minute"
                                  f"{' for this key' if key else ' without an API key'}; retry in {wait} s.",
                                  headers={"Retry-After": str(wait)})
        return None

    @router.get(PATH, response_model=None, openapi_extra={"parameters": parameters},
                summary="Search fact-checked claims (Google Fact Check Tools claims.search)",
                responses={200: {"model": ClaimSearchResponse}, 400: {"model": ErrorResponse},
                           403: {"model": ErrorResponse}, 429: {"model": ErrorResponse}})
    def claims_search(request: Request) -> Response:
        """Search the archive's fact-checks, ranked by benarkah's matching, in the JSON shape of Google's
        Fact Check Tools API (``claims[]``, ``nextPageToken``). Errors are Google-style
        ``{"error": {"code", "message", "status"}}`` bodies."""
        refused = admit(request)
        if refused is not None:
            return refused
        try:
            query = parse_claim_query(request.query_params.multi_items(), tokens)
        except InvalidParameter as exc:
            return error_response(400, str(exc))
        page = search_claims(query, search, catalog, links, datetime.now(timezone.utc).date())
        return JSONResponse(claims_payload(page, query, tokens, links, settings.site_name), headers=CORS)

    @router.options(PATH, include_in_schema=False)
    def preflight() -> Response:
        return Response(status_code=204, headers={**CORS, "Access-Control-Allow-Methods": "GET",
                                                  "Access-Control-Allow-Headers": "X-Goog-Api-Key",
                                                  "Access-Control-Max-Age": "86400"})

    return router

