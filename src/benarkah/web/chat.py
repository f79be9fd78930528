"""The public web chat: ask as on WhatsApp, from any browser, with a shareable link to each answer.

Same core as every channel (``tipline.handle_text("web", session, text)``; a picture or video
uploaded with the form goes to ``tipline.handle_media`` with the text as its caption). Works without
JavaScript: the form posts, the server answers with a redirect to the answer's own page
(``/c/<token>``), which is also the link people share. A few lines of JS turn it into an in-page
chat when available, scrolled so the newest answer's first line is in view (on a phone the answer is
often taller than the screen). The page is one small HTML document (no fonts, images or frameworks)
so it loads fast on a cheap phone on a slow connection.

Fact-checks are linked by their titles (the reply text's bare "🔗 URL" lines fold into the
headline). Under results the person who asked sees "Apakah ini menjawab pertanyaan Anda?" with Ya /
Tidak (a small form: it works without JavaScript, and a stranger opening the shared link does not
see it); one answer takes one rating. The newsroom's name and colour come from the settings.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Sequence

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from ..domain.articles import Article
from ..domain.feedback import Answer, OpenQuestion
from ..domain.inputs import storable
from ..domain.render import render_text, texts, widget_texts
from ..publishing.links import PublicLinks
from ..settings import Settings
from ..storage.base import Store
from ..storage.records import iso, utcnow
from ..tipline import Tipline
from .brand import Brand
from .limits import RateLimit
from .uploads import answer_upload, read_upload

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
CHAT_COOKIE = "benarkah_chat"
MAX_CHAT_CHARS = 10_000
CHAT_PER_MINUTE = 30  # a person types far slower; a script hammering the search does not
ANSWER_DAYS = 180  # shared answers older than this are deleted (they hold a person's question)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
PICTURE_LABEL = {"image": "gambar", "video": "video", "audio": "audio", "document": "berkas"}
_URL = re.compile(r"(?<!href=\")https?://[^\s<>\"']+")
_BOLD = re.compile(r"\*([^*\n]+)\*")
_ITALIC = re.compile(r"(?<![\w/])_([^_\n]+)_(?!\w)")


FEEDBACK_VALUES = {"ya": Answer.HELPFUL, "tidak": Answer.NOT_HELPFUL}


@dataclass(frozen=True)
class SharedAnswer:
    token: str
    created_at: str
    question: str
    reply: str
    kind: str
    language: str
    sender_hash: str = ""
    article_ids: tuple[str, ...] = field(default=())
    feedback: str = ""  # "ya" / "tidak" once the asker rated it

    @property
    def asks_feedback(self) -> bool:
        return self.kind == "results" and bool(self.article_ids) and not self.feedback


def reply_html(text: str, articles: Sequence[Article] = ()) -> Markup:
    """WhatsApp-style reply text as safe HTML: escaped first, then *bold*, _italic_ and links. Each
    article's "🔗 URL" line is folded into its headline: the title becomes the link."""
    html = str(escape(text))
    for article in articles:
        html = _title_link(html, article)
    html = _URL.sub(lambda m: f'<a href="{m.group(0)}" rel="noopener nofollow">{m.group(0)}</a>', html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    html = _ITALIC.sub(r"<em>\1</em>", html)
    return Markup(html)


def _title_link(html: str, article: Article) -> str:
    """Replace "🔗 URL" by a link on the title above it (or, if the title is not there, by a link
    whose text is the title). Works on escaped text; ``_URL`` skips a URL that is already an href."""
    if not article.url:
        return html
    url, title = str(escape(article.url)), str(escape(article.display_title))
    line = f"\n🔗 {url}"
    at = html.find(line)
    if at < 0:
        return html
    anchor = f'<a href="{url}" rel="noopener">'
    headline = html.rfind(title, 0, at)
    if headline >= 0 and "\n\n" not in html[headline:at]:
        html = html[:at] + html[at + len(line):]
        return f"{html[:headline]}{anchor}{title}</a>{html[headline + len(title):]}"
    return f"{html[:at]}\n🔗 {anchor}{title}</a>{html[at + len(line):]}"


class AnswerStore:
    """Shared answers (the only SQL of the web chat)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def save(self, sender_hash: str, question: str, reply: str, kind: str, language: str,
             article_ids: Sequence[str] = ()) -> str:
        token = secrets.token_urlsafe(12)
        with self.store.transaction(lock="rows") as tx:
            tx.execute("INSERT INTO web_answers (token, created_at, sender_hash, question, reply, kind, language, "
                       "article_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (token, utcnow(), sender_hash, question[:4000], reply, kind, language,
                        json.dumps(list(article_ids)[:10])))
            tx.execute("DELETE FROM web_answers WHERE created_at < ?",
                       (iso(datetime.now(timezone.utc) - timedelta(days=ANSWER_DAYS)),))
        return token

    def get(self, token: str) -> SharedAnswer | None:
        row = self.store.connection().execute(
            "SELECT token, created_at, question, reply, kind, language, sender_hash, article_ids, feedback "
            "FROM web_answers WHERE token = ?", (token,)).fetchone()
        if not row:
            return None
        try:
            ids = tuple(str(i) for i in json.loads(row[7] or "[]"))
        except (ValueError, TypeError):
            ids = ()
        return SharedAnswer(*row[:7], article_ids=ids, feedback=row[8] or "")

    def rate(self, token: str, value: str) -> bool:
        """Keep the asker's one rating of an answer; False when it was rated already."""
        with self.store.transaction(lock="rows") as tx:
            return tx.execute("UPDATE web_answers SET feedback = ? WHERE token = ? AND feedback = ''",
                              (value, token)).rowcount == 1


def chat_router(tipline: Tipline, store: Store, settings: Settings) -> APIRouter:
    answers = AnswerStore(store)
    limit = RateLimit(per_minute=CHAT_PER_MINUTE)
    secure = settings.public_url.startswith("https://")
    brand = Brand.from_settings(settings)
    router = APIRouter(include_in_schema=False)

    links = PublicLinks(settings.public_url)

    def share_url(request: Request, token: str) -> str:
        """Absolute under BENARKAH_PUBLIC_URL, else relative (the page makes it absolute in the browser,
        from the address the person typed): never from the Host header, which anyone can forge."""
        return links.path(f"/c/{token}")

    def session_of(request: Request) -> str:
        session = request.cookies.get(CHAT_COOKIE, "")
        return session if TOKEN.match(session) else ""

    def asked_by(session: str, answer: SharedAnswer) -> bool:
        return bool(session) and tipline.identity.hash("web", session) == answer.sender_hash

    def rendered(answer: SharedAnswer) -> Markup:
        articles = [a for a in (store.get_article(i) for i in answer.article_ids) if a is not None]
        return reply_html(answer.reply, articles)

    def answer_context(request: Request, answer: SharedAnswer, session: str | None = None) -> dict:
        mine = asked_by(session_of(request) if session is None else session, answer)
        thanks = texts(answer.language)[FEEDBACK_VALUES[answer.feedback].value] \
            if mine and answer.feedback in FEEDBACK_VALUES else ""
        return {"answer": answer, "reply_html": rendered(answer), "share_url": share_url(request, answer.token),
                "ask_feedback": answer.asks_feedback and mine, "thanks": thanks,
                "labels": widget_texts(answer.language)}

    def page(request: Request, answer: SharedAnswer | None = None, status_code: int = 200) -> Response:
        context = {"count": store.count_articles(), "brand": brand,
                   **(answer_context(request, answer) if answer else {"answer": None})}
        response = TEMPLATES.TemplateResponse(request, "chat.html", context, status_code=status_code)
        response.headers["Content-Security-Policy"] = ("default-src 'self'; style-src 'unsafe-inline'; "
                                                       "script-src 'unsafe-inline'; form-action 'self'; "
                                                       "img-src 'self' blob:")  # the picture being sent
        return response

    def fragment(request: Request, answer: SharedAnswer, session: str | None = None) -> str:
        """One answer's HTML for the in-page chat (the same markup the page itself uses)."""
        return TEMPLATES.get_template("_answer.html").render(answer_context(request, answer, session))

    def wants_json(request: Request) -> bool:
        return "application/json" in request.headers.get("accept", "")

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
        session = session_of(request) or secrets.token_urlsafe(16)
        if upload is not None:
            handled = answer_upload(tipline, "web", session, upload, text, settings.media_wait_seconds, client)
            question = f"[{PICTURE_LABEL.get(upload.media, upload.media.value)}] {text.strip()}".strip()
        else:
            handled = tipline.handle_text("web", session, text, client=client)
            question = text.strip()
        text_reply = render_text(handled.reply)
        token = answers.save(handled.sender_hash, question, text_reply, handled.reply.kind.value,
                             handled.reply.language, [a.id for a in handled.reply.articles])
        if wants_json(request):
            answer = answers.get(token)
            assert answer is not None
            response: Response = JSONResponse({
                "reply": text_reply, "reply_html": str(rendered(answer)), "kind": handled.reply.kind.value,
                "url": share_url(request, token), "read_text": handled.reply.read_text,
                "html": fragment(request, answer, session)})
        else:
            response = RedirectResponse(f"/c/{token}", status_code=303)
        response.set_cookie(CHAT_COOKIE, session, max_age=30 * 86400, httponly=True, samesite="lax", secure=secure)
        return response

    @router.get("/c/{token}", response_class=HTMLResponse)
    def shared(request: Request, token: str) -> Response:
        return page(request, find(token))

    @router.post("/c/{token}/feedback")
    def feedback(request: Request, token: str, value: Annotated[str, Form(max_length=10)]) -> Response:
        """Ya / Tidak under an answer, from the person who asked (their chat cookie; SameSite keeps
        other sites from posting it). "Tidak" makes the question a tip with the results shown."""
        answer = find(token)
        if value not in FEEDBACK_VALUES:
            raise HTTPException(422, "value must be 'ya' or 'tidak'")
        if not asked_by(session_of(request), answer) or not answer.asks_feedback:
            raise HTTPException(409, "only the person who asked can rate this answer, once")
        if answers.rate(token, value):
            tipline.rate("web", session_of(request), FEEDBACK_VALUES[value],
                         OpenQuestion(answer.question, answer.article_ids))
        if wants_json(request):
            return JSONResponse({"html": fragment(request, find(token))})
        return RedirectResponse(f"/c/{token}", status_code=303)

    def find(token: str) -> SharedAnswer:
        answer = answers.get(token) if TOKEN.match(token) else None
        if answer is None:
            raise HTTPException(404, "this answer does not exist (links expire after 180 days)")
        return answer

    return router
