"""The dashboard over real HTTP: anonymous and wrong-password access refused, CSRF required."""

import re
from typing import Iterator

import httpx
import pytest

from benarkah.admin.accounts import Accounts
from benarkah.admin.routes import admin_router
from benarkah.app import Services
from benarkah.errors import AuthError
from benarkah.web.app import create_app
from tests.support.servers import serve_app

PASSWORD = "kopi-tubruk-2026"
ADMIN_PAGES = ["/admin", "/admin?view=all", "/admin/stats", "/admin/clusters/1"]
ADMIN_POSTS = ["/admin/logout", "/admin/clusters/1/status", "/admin/clusters/1/link"]


@pytest.fixture
def base_url(demo_services: Services) -> Iterator[str]:
    Accounts(demo_services.store).add_user("editor", PASSWORD)
    demo_services.tipline.handle_text("whatsapp", "62811", "Beredar video gajah terbang di langit Monas saat malam pergantian tahun")
    demo_services.tipline.handle_text("whatsapp", "62812", "<script>alert('x')</script> kabar burung hantu bisa bicara bahasa Jawa")
    with serve_app(create_app(demo_services)) as url:
        yield url


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client: httpx.Client, password: str = PASSWORD) -> httpx.Response:
    form = client.get("/admin/login")
    return client.post("/admin/login", data={"username": "editor", "password": password,
                                             "csrf_token": csrf_from(form.text), "next": "/admin"})


def test_anonymous_users_are_refused_everywhere(base_url):
    with httpx.Client(base_url=base_url) as client:
        for path in ADMIN_PAGES:
            response = client.get(path)
            assert response.status_code == 303 and response.headers["location"].startswith("/admin/login?next=")
        for path in ADMIN_POSTS:
            assert client.post(path, data={"csrf_token": "x", "status": "dismissed", "article_id": "a"}).status_code == 401
        client.cookies.set("benarkah_admin", "forged-session-token")
        assert client.get("/admin").status_code == 303


def test_wrong_password_is_refused_and_guessing_is_slowed(base_url):
    with httpx.Client(base_url=base_url) as client:
        response = login(client, "salah-password-1")
        assert response.status_code == 401 and "Wrong user name or password" in response.text
        assert "benarkah_admin" not in client.cookies
        for _ in range(4):
            login(client, "salah-password-1")
        locked = login(client)  # even the right password waits out the lockout
        assert locked.status_code == 429 and "too many failed logins" in locked.text


def test_login_needs_its_csrf_token(base_url):
    with httpx.Client(base_url=base_url) as client:
        response = client.post("/admin/login", data={"username": "editor", "password": PASSWORD, "csrf_token": "x"})
        assert response.status_code == 403


def test_logged_in_staff_see_pages_and_posts_need_the_csrf_token(base_url):
    with httpx.Client(base_url=base_url) as client:
        response = login(client)
        assert response.status_code == 303 and response.headers["location"] == "/admin"
        cookie = next(c for c in client.cookies.jar if c.name == "benarkah_admin")
        assert cookie.has_nonstandard_attr("HttpOnly") and cookie.get_nonstandard_attr("SameSite") == "lax"
        queue = client.get("/admin")
        assert queue.status_code == 200 and "gajah terbang" in queue.text
        assert "<script>alert" not in queue.text and "&lt;script&gt;alert" in queue.text  # tips are escaped
        assert queue.headers["x-frame-options"] == "DENY"
        cluster_id = re.search(r'data-cluster="(\d+)">\s*<h2><a href="[^"]+">Beredar', queue.text).group(1)
        page = client.get(f"/admin/clusters/{cluster_id}")
        assert client.post(f"/admin/clusters/{cluster_id}/status", data={"status": "dismissed"}).status_code == 422
        refused = client.post(f"/admin/clusters/{cluster_id}/status", data={"status": "dismissed", "csrf_token": "nope"})
        assert refused.status_code == 403
        done = client.post(f"/admin/clusters/{cluster_id}/status",
                           data={"status": "checking", "csrf_token": csrf_from(page.text)})
        assert done.status_code == 303 and "checking" in client.get(f"/admin/clusters/{cluster_id}").text
        assert client.get("/admin/clusters/999").status_code == 404
        assert "Messages per day" in client.get("/admin/stats").text
        client.post("/admin/logout", data={"csrf_token": csrf_from(page.text)})
        assert client.get("/admin").status_code == 303


def test_login_redirects_only_inside_the_dashboard(base_url):
    with httpx.Client(base_url=base_url) as client:
        form = client.get("/admin/login", params={"next": "https://evil.example/"})
        assert 'name="next" value="/admin"' in form.text
        response = client.post("/admin/login", data={"username": "editor", "password": PASSWORD,
                                                     "csrf_token": csrf_from(form.text), "next": "//evil.example"})
        assert response.headers["location"] == "/admin"


def test_accounts_hash_passwords_and_validate_input(services):
    accounts = Accounts(services.store)
    accounts.add_user("Editor", PASSWORD)
    stored = services.store.connection().execute("SELECT password_hash FROM staff_users").fetchone()[0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    with pytest.raises(AuthError, match="already exists"):
        accounts.add_user("editor", PASSWORD)
    with pytest.raises(AuthError, match="characters"):
        accounts.add_user("other", "short")
    with pytest.raises(AuthError, match="user names"):
        accounts.add_user("no spaces", PASSWORD)
    user = accounts.authenticate("editor", PASSWORD, "127.0.0.1")
    token = accounts.start_session(user)
    assert accounts.session(token).username == "editor"
    accounts.set_password("editor", PASSWORD + "!")  # logs out everywhere
    assert accounts.session(token) is None
    accounts.set_disabled("editor", True)
    assert accounts.authenticate("editor", PASSWORD + "!", "127.0.0.1") is None


def test_every_admin_route_refuses_anonymous_users(demo_services):
    """Found from the dashboard router's own route table, so a route added later is covered too."""
    app = create_app(demo_services)
    routes = [(r.path, sorted(r.methods)) for r in admin_router(demo_services.tipline, demo_services.tips, demo_services.store, demo_services.settings).routes if r.path != "/admin/login"]
    assert len(routes) >= 6
    with serve_app(app) as url, httpx.Client(base_url=url) as client:
        for path, methods in routes:
            concrete = re.sub(r"\{[^}]+\}", "1", path)
            for method in methods:
                response = client.request(method, concrete, data={"csrf_token": "x"} if method == "POST" else None)
                expected = {"GET": 303, "HEAD": 303, "POST": 401}[method]
                assert response.status_code == expected, (method, path, response.status_code)
