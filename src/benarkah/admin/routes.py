"""The fact-checkers' dashboard under ``/admin``: server-rendered pages, no JavaScript needed.

Every route except the login form depends on ``staff``: anonymous page views are redirected to the
login page, anonymous form posts get 401. Every form carries the session's CSRF token (the login
form a double-submit cookie token, as there is no session yet) and is refused with 403 without it.

Pages speak Indonesian unless ``?lang=en`` asked for English (``admin.i18n``; remembered in a
cookie). Linking a fact-check to a cluster takes two steps: the cluster page offers suggestions as
choices (nothing is pre-filled), and a review page shows the chosen fact-check, the follow-up text and
how many people will be told before the confirmed form sends anything.
"""


import hmac
import secrets
from pathlib import Path
from typing import Annotated  # no `from __future__ import annotations`: FastAPI must see the local aliases
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ..domain.articles import Article
from ..domain.inputs import storable, tamed
from ..domain.render import summarize, verdict_label
from ..errors import AuthError
from ..media.kept import KeptMediaStore
from ..settings import Settings
from ..storage.base import Store
from ..tipline import Tipline
from ..tips.followup import followup_text
from ..tips.repository import SETTABLE_STATUSES, ClusterStatus
from ..subscriptions.service import SubscriptionService
from ..tips.replies import MAX_REPLY_CHARS, ReplyRefused, StaffReplies
from ..tips.service import NOTIFIABLE_CHANNELS, ArticleNotFound, ClusterNotFound, TipService
from ..web.brand import Brand
from .accounts import SESSION_HOURS, Accounts, StaffSession, TooManyAttempts
from .i18n import LANG_COOKIE, Lang, Translator

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
SESSION_COOKIE = "benarkah_admin"
LOGIN_CSRF_COOKIE = "benarkah_login_csrf"
QUEUE_VIEWS = {
    "open": (ClusterStatus.NEW, ClusterStatus.CHECKING), "new": (ClusterStatus.NEW,),
    "checking": (ClusterStatus.CHECKING,), "published": (ClusterStatus.PUBLISHED,),
    "dismissed": (ClusterStatus.DISMISSED,),
    "all": (ClusterStatus.NEW, ClusterStatus.CHECKING, ClusterStatus.PUBLISHED, ClusterStatus.DISMISSED),
}
SECURITY_HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
                    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                               "form-action 'self'; frame-ancestors 'none'"}


MAX_ID = 2 ** 63 - 1  # ids are 64-bit on both backends; a larger number names nothing (and overflows drivers)
TEMPLATES.env.filters["tamed"] = lambda text, chars=None: tamed(str(text), max_chars=chars)


def _known_cluster(cluster_id: int) -> int:
    if not 1 <= cluster_id <= MAX_ID:
        raise HTTPException(404, f"cluster {cluster_id} does not exist")
    return cluster_id


def _safe_next(target: str | None) -> str:
    """Only redirect within the dashboard after login (no open redirect to another site)."""
    if target and target.startswith("/admin") and not target.startswith("//") and "\\" not in target:
        return target
    return "/admin"


MEDIA_HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
                 "Content-Security-Policy": "default-src 'none'; sandbox", "Referrer-Policy": "no-referrer",
                 "Cross-Origin-Resource-Policy": "same-origin"}


def admin_router(tipline: Tipline, desk: TipService, store: Store, settings: Settings,
                 replies: StaffReplies | None = None, subscriptions: SubscriptionService | None = None,
                 media: KeptMediaStore | None = None) -> APIRouter:
    """The dashboard; always mounted (using it needs a staff account). ``tipline`` gives the search
    behind the suggestions, ``desk`` the tips, ``replies`` writing back to tippers, ``subscriptions``
    the digest counts on the statistics page, ``media`` the pictures and voice notes kept with tips
    (served only here, to staff: people's media is never public)."""
    accounts = Accounts(store)
    secure_cookies = settings.public_url.startswith("https://")
    brand = Brand.from_settings(settings)
    router = APIRouter(prefix="/admin", include_in_schema=False)

    def lang_of(request: Request) -> Lang:
        return Lang.choose(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))

    def tr(request: Request) -> Translator:
        return Translator(lang_of(request))

    def page(request: Request, name: str, context: dict, status_code: int = 200) -> Response:
        translator = tr(request)
        response = TEMPLATES.TemplateResponse(request, name, {**translator.context(), "brand": brand, **context},
                                              status_code=status_code)
        response.headers.update(SECURITY_HEADERS)
        if request.query_params.get("lang") in (Lang.ID, Lang.EN):
            response.set_cookie(LANG_COOKIE, translator.lang.value, max_age=365 * 86400, httponly=True,
                                samesite="lax", secure=secure_cookies, path="/admin")
        return response

    def staff(request: Request) -> StaffSession:
        session = accounts.session(request.cookies.get(SESSION_COOKIE))
        if session is not None:
            return session
        if request.method in ("GET", "HEAD"):
            target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe="")
            raise HTTPException(303, "login required", headers={"Location": f"/admin/login?next={target}"})
        raise HTTPException(401, "login required")

    Staff = Annotated[StaffSession, Depends(staff)]
    Csrf = Annotated[str, Form(max_length=128)]

    def require_csrf(session: StaffSession, token: str) -> None:
        if not session.csrf_ok(token):
            raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again "
                                     "(token CSRF salah: muat ulang halaman, lalu coba lagi)")

    # login ---------------------------------------------------------------------------------------

    def login_page(request: Request, next_url: str, error: str = "", status_code: int = 200) -> Response:
        token = secrets.token_urlsafe(32)
        response = page(request, "login.html", {"csrf_token": token, "next": _safe_next(next_url), "error": error},
                        status_code)
        response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, samesite="lax",
                            secure=secure_cookies, path="/admin")
        return response

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: Annotated[str, Query(max_length=500)] = "/admin") -> Response:
        return login_page(request, next)

    @router.post("/login")
    def login(request: Request, csrf_token: Csrf, username: Annotated[str, Form(max_length=64)],
              password: Annotated[str, Form(max_length=1024)],
              next: Annotated[str, Form(max_length=500)] = "/admin") -> Response:
        cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not cookie or not hmac.compare_digest(cookie, csrf_token):
            raise HTTPException(403, "missing or wrong CSRF token: reload the login page and try again")
        client = request.client.host if request.client else "unknown"
        try:
            user = accounts.authenticate(storable(username), password, client)
        except TooManyAttempts:
            return login_page(request, next, tr(request).gettext(
                "Too many failed logins. Wait a few minutes and try again."), status_code=429)
        if user is None:
            return login_page(request, next, tr(request).gettext("Wrong user name or password."), status_code=401)
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(SESSION_COOKIE, accounts.start_session(user), max_age=SESSION_HOURS * 3600,
                            httponly=True, samesite="lax", secure=secure_cookies, path="/")
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/admin")
        return response

    @router.post("/logout")
    def logout(request: Request, session: Staff, csrf_token: Csrf) -> Response:
        require_csrf(session, csrf_token)
        accounts.end_session(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/admin/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # the queue and clusters ----------------------------------------------------------------------

    @router.get("", response_class=HTMLResponse)
    def queue(request: Request, session: Staff,
              view: Annotated[str, Query(pattern="^(" + "|".join(QUEUE_VIEWS) + ")$")] = "open") -> Response:
        clusters = desk.queue(QUEUE_VIEWS[view])
        return page(request, "queue.html", {"staff": session, "clusters": clusters, "view": view,
                                            "views": list(QUEUE_VIEWS)})

    @router.get("/clusters/{cluster_id}", response_class=HTMLResponse)
    def cluster(request: Request, session: Staff, cluster_id: int,
                notice: Annotated[str, Query(pattern="^(queued|queued_template|needs_template|duplicate)?$")] = ""
                ) -> Response:
        return cluster_page(request, session, _known_cluster(cluster_id), notice=notice)

    def cluster_page(request: Request, session: Staff, cluster_id: int, error: str = "",
                     status_code: int = 200, notice: str = "", draft: tuple[int, str] | None = None) -> Response:
        summary = find_cluster(_known_cluster(cluster_id))
        tips = desk.repo.cluster_tips(cluster_id)
        linked = store.get_article(summary.article_id) if summary.article_id else None
        suggestions = [] if linked else [h.article for h in tipline.search(summary.example, limit=5).hits]
        notifications: dict[str, int] = {}
        for row in desk.repo.notifications(cluster_id):
            notifications[row.status] = notifications.get(row.status, 0) + 1
        articles = {i: store.get_article(i) for t in tips for i in t.shown}
        shown = {t.id: [articles[i] for i in t.shown if articles.get(i) is not None] for t in tips}
        written = replies.for_tips([t.id for t in tips]) if replies is not None else {}
        pictures = media.for_tips([t.id for t in tips]) if media is not None else {}
        return page(request, "cluster.html", {
            "staff": session, "cluster": summary, "tips": tips, "shown": shown, "linked": linked,
            "suggestions": suggestions, "notifications": notifications, "error": error,
            "statuses": SETTABLE_STATUSES, "notice": notice,
            "replies": written, "can_reply": replies is not None, "reachable": NOTIFIABLE_CHANNELS,
            "reply_keys": {t.id: secrets.token_urlsafe(16) for t in tips}, "max_reply": MAX_REPLY_CHARS,
            "draft": draft, "media": pictures}, status_code)

    @router.get("/media/{media_id}")
    def media_file(session: Staff, media_id: int) -> Response:  # noqa: ARG001 - the dependency is the check
        """A kept picture, video or voice note, as stored (its type sniffed from the bytes on arrival)."""
        item = media.get(media_id) if media is not None else None
        data = media.data(item) if item is not None and media is not None else None
        if item is None or data is None:
            raise HTTPException(404, f"media {media_id} does not exist (erased, or past its retention)")
        mime = item.mime if item.inline else "application/octet-stream"
        return Response(data, media_type=mime, headers=MEDIA_HEADERS)

    def find_cluster(cluster_id: int):  # type: ignore[no-untyped-def]
        try:
            return desk.cluster(cluster_id)
        except ClusterNotFound:
            raise HTTPException(404, f"cluster {cluster_id} does not exist") from None

    @router.post("/clusters/{cluster_id}/status")
    def set_status(request: Request, session: Staff, cluster_id: int, csrf_token: Csrf,
                   status: Annotated[str, Form(max_length=20)]) -> Response:
        require_csrf(session, csrf_token)
        _known_cluster(cluster_id)
        if status not in SETTABLE_STATUSES:
            raise HTTPException(422, f"status must be one of {', '.join(SETTABLE_STATUSES)}")
        try:
            desk.set_status(cluster_id, ClusterStatus(status), by=session.username)
        except ClusterNotFound:
            raise HTTPException(404, f"cluster {cluster_id} does not exist") from None
        return RedirectResponse(f"/admin/clusters/{cluster_id}", status_code=303)

    def chosen_article(request: Request, picked: str, typed: str) -> Article:
        """The fact-check a fact-checker chose: a suggestion or a typed id/URL, not both, not neither."""
        t = tr(request)
        picked, typed = picked.strip(), typed.strip()
        if not picked and not typed:
            raise ArticleNotFound(t.gettext("Pick a suggested fact-check or type its id or URL."))
        if picked and typed and picked != typed:
            raise ArticleNotFound(t.gettext("Choose one: a suggestion or a typed id or URL, not both."))
        reference = typed or picked
        try:
            return desk.find_article(reference)
        except ArticleNotFound:
            raise ArticleNotFound(t.gettext("No fact-check with the id or URL %(ref)s in the archive; ingest it "
                                            "first.", ref=repr(reference[:200]))) from None

    @router.post("/clusters/{cluster_id}/link/review", response_class=HTMLResponse)
    def review_link(request: Request, session: Staff, cluster_id: int, csrf_token: Csrf,
                    article_id: Annotated[str, Form(max_length=200)] = "",
                    article_ref: Annotated[str, Form(max_length=2000)] = "") -> Response:
        """The confirmation step: what would be linked and who would be told. Sends nothing."""
        require_csrf(session, csrf_token)
        summary = find_cluster(_known_cluster(cluster_id))
        try:
            article = chosen_article(request, storable(article_id), storable(article_ref))
        except ArticleNotFound as exc:
            return cluster_page(request, session, cluster_id, str(exc), status_code=422)
        lang = lang_of(request)
        return page(request, "confirm.html", {
            "staff": session, "cluster": summary, "article": article, "summary": summarize(article),
            "verdict": verdict_label(article.verdict, lang.value), "audience": desk.audience(cluster_id, article.id),
            "preview": followup_text(article, "id")})

    @router.post("/clusters/{cluster_id}/link")
    def link(request: Request, session: Staff, cluster_id: int, csrf_token: Csrf,
             article_id: Annotated[str, Form(max_length=200)],
             confirmed: Annotated[str, Form(max_length=1)] = "") -> Response:
        """Link and notify: only from the review page's confirmed form."""
        require_csrf(session, csrf_token)
        _known_cluster(cluster_id)
        if confirmed != "1":
            return cluster_page(request, session, cluster_id,
                                tr(request).gettext("Confirm the fact-check on the review page first."),
                                status_code=422)
        try:
            desk.link_article(cluster_id, storable(article_id), by=session.username)
        except ArticleNotFound:
            return cluster_page(request, session, cluster_id, tr(request).gettext(
                "No fact-check with the id or URL %(ref)s in the archive; ingest it first.",
                ref=repr(article_id[:200])), status_code=422)
        except ClusterNotFound:
            raise HTTPException(404, f"cluster {cluster_id} does not exist") from None
        return RedirectResponse(f"/admin/clusters/{cluster_id}", status_code=303)

    @router.post("/clusters/{cluster_id}/tips/{tip_id}/reply")
    def reply(request: Request, session: Staff, cluster_id: int, tip_id: int, csrf_token: Csrf,
              text: Annotated[str, Form(max_length=4 * MAX_REPLY_CHARS)],
              request_key: Annotated[str, Form(max_length=64)]) -> Response:
        """Write to the person who sent ``tip_id`` (logged with the staff account; their number is never shown)."""
        require_csrf(session, csrf_token)
        _known_cluster(cluster_id)
        if not 1 <= tip_id <= MAX_ID:
            raise HTTPException(404, f"tip {tip_id} does not exist")
        if replies is None:
            raise HTTPException(404, "replies are not available here")
        try:
            sent = replies.send(tip_id, text, staff_user=session.username, request_key=request_key)
        except ReplyRefused as exc:
            return cluster_page(request, session, cluster_id, str(exc), status_code=422, draft=(tip_id, text))
        return RedirectResponse(f"/admin/clusters/{cluster_id}?notice={sent.outcome}#tip-{tip_id}", status_code=303)

    # statistics ----------------------------------------------------------------------------------

    @router.get("/stats", response_class=HTMLResponse)
    def stats(request: Request, session: Staff, days: Annotated[int, Query(ge=1, le=365)] = 30) -> Response:
        data = desk.stats(days=days)
        peak = max((d.messages for d in data.days_rows), default=1) or 1
        counts = subscriptions.counts(days=days) if subscriptions is not None else None
        return page(request, "stats.html", {"staff": session, "stats": data, "peak": peak, "subscribers": counts})

    return router


__all__ = ["admin_router", "AuthError"]
