"""The public web chat: ask as on WhatsApp, from any browser, with a shareable link to each answer.

Same core as every channel (``tipline.handle_text("web", session, text)``; a picture or video
uploaded with the form goes to ``tipline.handle_media`` with the text as its caption). Works without
JavaScript: the form posts, the server answers with a redirect to the answer's own page
(``/c/<token>``), which is also the link people share. A few lines of JS turn it into an in-page
chat when available. The page is one small HTML document (no fonts, images or frameworks) so it
loads fast on a cheap phone on a slow connection.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from ..domain.inputs import storable
from ..domain.render import render_text
from ..publishing.links import PublicLinks
from ..settings import Settings
from ..storage.base import Store
from ..storage.records import iso, utcnow
from ..tipline import Tipline
from .limits import RateLimit
from .uploads import answer_upload, read_upload

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
CHAT_COOKIE = "benarkah_chat"
MAX_CHAT_CHARS = 10_000
CHAT_PER_MINUTE = 30  # a person types far slower; a script hammering the search does not
ANSWER_DAYS = 180  # shared answers older than this are deleted (they hold a person's question)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
PICTURE_LABEL = {"image": "gambar", "video": "video", "audio": "audio", "document": "berkas"}
_URL = re.compile(r"https?://[^\s<>\"']+")
_BOLD = re.compile(r"\*([^*\n]+)\*")
_ITALIC = re.compile(r"(?<![\w/])_([^_\n]+)_(?!\w)")


@dataclass(frozen=True)
class SharedAnswer:
    token: str
    created_at: str
    question: str
    reply: str
    kind: str
    language: str


def reply_html(text: str) -> Markup:
    """WhatsApp-style reply text as safe HTML: escaped first, then *bold*, _italic_ and links."""
    html = str(escape(text))
    html = _URL.sub(lambda m: f'<a href="{m.group(0)}" rel="noopener nofollow">{m.group(0)}</a>', html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    html = _ITALIC.sub(r"<em>\1</em>", html)
    return Markup(html)


class AnswerStore:
    """Shared answers (the only SQL of the web chat)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def save(self, sender_hash: str, question: str, reply: str, kind: str, language: str) -> str:
        token = secrets.token_urlsafe(12)
        with self.store.transaction(lock="rows") as tx:
            tx.execute("INSERT INTO web_answers (token, created_at, sender_hash, question, reply, kind, language) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)", (token, utcnow(), sender_hash, question[:4000], reply, kind,
                                                        language))
            tx.execute("DELETE FROM web_answers WHERE created_at < ?",
                       (iso(datetime.now(timezone.utc) - timedelta(days=ANSWER_DAYS)),))
        return token

    def get(self, token: str) -> SharedAnswer | None:
        row = self.store.connection().execute(
            "SELECT token, created_at, question, reply, kind, language FROM web_answers WHERE token = ?",
            (token,)).fetchone()
        return SharedAnswer(*row) if row else None


def chat_router(tipline: Tipline, store: Store, settings: Settings) -> APIRouter:
    answers = AnswerStore(store)
    limit = RateLimit(per_minute=CHAT_PER_MINUTE)
    secure = settings.public_url.startswith("https://")
    router = APIRouter(include_in_schema=False)

    links = PublicLinks(settings.public_url)

    def share_url(request: Request, token: str) -> str:
        """Absolute under BENARKAH_PUBLIC_URL, else relative (the page makes it absolute in the browser,
        from the address the person typed): never from the Host header, which anyone can forge."""
        return links.path(f"/c/{token}")

    def page(request: Request, answer: SharedAnswer | None = None, status_code: int = 200) -> Response:
        context = {"answer": answer, "reply_html": reply_html(answer.reply) if answer else "",
                   "share_url": share_url(request, answer.token) if answer else "",
                   "count": store.count_articles()}
        response = TEMPLATES.TemplateResponse(request, "chat.html", context, status_code=status_code)
        response.headers["Content-Security-Policy"] = ("default-src 'self'; style-src 'unsafe-inline'; "
                                                       "script-src 'unsafe-inline'; form-action 'self'; "
                                                       "img-src 'self' blob:")  # the picture being sent
        return response

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    @router.get("/chat", response_class=HTMLResponse)
    def chat(request: Request) -> Response:
        return page(request)

    @router.post("/chat")
    def ask(request: Request, text: Annotated[str, Form(max_length=MAX_CHAT_CHARS)] = "",
            image: Annotated[UploadFile | None, File(description="A picture or video to check")] = None) -> Response:
        upload = read_upload(image, settings.media_max_upload_bytes)
        if not text.strip() and upload is None:
            raise HTTPException(422, "tulis pesan atau pilih gambar (write a message or choose a picture)")
        client = request.client.host if request.client else "unknown"
        if not limit.allow(client):
            raise HTTPException(429, "terlalu banyak pesan; tunggu satu menit (too many messages, wait a minute)",
                                headers={"Retry-After": "60"})
        text = storable(text)
        session = request.cookies.get(CHAT_COOKIE, "")
        if not TOKEN.match(session):
            session = secrets.token_urlsafe(16)
        if upload is not None:
            handled = answer_upload(tipline, "web", session, upload, text, settings.media_wait_seconds, client)
            question = f"[{PICTURE_LABEL.get(upload.media, upload.media.value)}] {text.strip()}".strip()
        else:
            handled = tipline.handle_text("web", session, text, client=client)
            question = text.strip()
        rendered = render_text(handled.reply)
        token = answers.save(handled.sender_hash, question, rendered, handled.reply.kind.value,
                             handled.reply.language)
        if "application/json" in request.headers.get("accept", ""):
            response: Response = JSONResponse({"reply": rendered, "reply_html": str(reply_html(rendered)),
                                               "kind": handled.reply.kind.value, "url": share_url(request, token),
                                               "read_text": handled.reply.read_text})
        else:
            response = RedirectResponse(f"/c/{token}", status_code=303)
        response.set_cookie(CHAT_COOKIE, session, max_age=30 * 86400, httponly=True, samesite="lax", secure=secure)
        return response

    @router.get("/c/{token}", response_class=HTMLResponse)
    def shared(request: Request, token: str) -> Response:
        answer = answers.get(token) if TOKEN.match(token) else None
        if answer is None:
            raise HTTPException(404, "this answer does not exist (links expire after 180 days)")
        return page(request, answer)

    return router
