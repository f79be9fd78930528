"""Case 11: what the edges believed and how they failed.

Forwarded-for headers were believed from anyone on loopback (rotating ``X-Forwarded-For`` reset the
limits); the ``Host`` header ended up in share links; with PostgreSQL down, /readyz, /healthz and
/api/search each hung 30 s; a cluster id beyond 64 bits was a 500; a tip of stacked combining marks drew
over the whole dashboard. (The file modes are in test_secret_key.py.)
"""

from __future__ import annotations

import re
import time
import unicodedata
from urllib.parse import urlsplit

import httpx
import pytest

from benarkah.admin.accounts import Accounts
from benarkah.app import build
from benarkah.settings import Settings
from benarkah.web.app import create_app
from tests.conftest import TEST_KEY, load_demo
from tests.support.servers import serve_app
from tests.support.tcp import forwarding

pytestmark = pytest.mark.case(11)
PASSWORD = "kopi-tubruk-2026"


def chat_posts(url: str, count: int, forwarded: bool) -> list[int]:
    statuses = []
    with httpx.Client(base_url=url) as client:
        for n in range(count):
            headers = {"x-forwarded-for": f"198.51.100.{n % 250}"} if forwarded else {}
            statuses.append(client.post("/chat", data={"text": "vaksin chip"}, headers=headers).status_code)
    return statuses


def test_forwarded_for_from_an_unconfigured_peer_is_ignored(demo_services):
    with serve_app(create_app(demo_services)) as url:
        statuses = chat_posts(url, 35, forwarded=True)
    assert statuses.count(429) == 5, statuses  # one client (us), whatever the header says


def test_forwarded_for_from_a_configured_proxy_is_believed(tmp_path):
    services = build(Settings(db=str(tmp_path / "p.db"), secret_key=TEST_KEY, semantic=False,
                              trusted_proxies="127.0.0.1"))
    load_demo(services)
    try:
        with serve_app(create_app(services)) as url:
            assert 429 not in chat_posts(url, 35, forwarded=True)  # 35 people behind our proxy
    finally:
        services.close()


def test_share_links_never_come_from_the_host_header(demo_services):
    with serve_app(create_app(demo_services)) as url, httpx.Client(base_url=url) as client:
        answer = client.post("/chat", data={"text": "vaksin chip"},
                             headers={"accept": "application/json", "host": "evil.example"})
        assert answer.status_code == 200
        link = answer.json()["url"]
        assert "evil.example" not in link and urlsplit(link).path.startswith("/c/")
        page = client.get(urlsplit(link).path, headers={"host": "evil.example"})
        assert page.status_code == 200 and "evil.example" not in page.text


def test_share_links_use_the_configured_public_url(tmp_path):
    services = build(Settings(db=str(tmp_path / "u.db"), secret_key=TEST_KEY, semantic=False,
                              public_url="https://cekfakta.example.id/"))
    load_demo(services)
    try:
        with serve_app(create_app(services)) as url, httpx.Client(base_url=url) as client:
            link = client.post("/chat", data={"text": "vaksin chip"}, headers={"accept": "application/json"}).json()["url"]
        assert link.startswith("https://cekfakta.example.id/c/")
    finally:
        services.close()


def test_postgresql_down_probes_answer_within_a_second(pg_cluster, pg_url):
    host, port = re.match(r"postgresql://[^@]+@([^:/]+):(\d+)/", pg_url).groups()
    with forwarding(host, int(port)) as way:
        url = pg_url.replace(f"{host}:{port}", f"127.0.0.1:{way.port}")
        services = build(Settings(db=url, secret_key=TEST_KEY, semantic=False))
        load_demo(services)
        try:
            with serve_app(create_app(services)) as base, httpx.Client(base_url=base, timeout=10) as client:
                assert client.get("/readyz").status_code == 200
                way.cut()  # PostgreSQL is gone: pooled connections broken, new ones refused
                for attempt in range(3):  # the first call may meet a broken pooled connection, later ones the pool
                    for path in ("/readyz", "/healthz", "/api/search?q=vaksin+chip"):
                        started = time.monotonic()
                        response = client.get(path)
                        took = time.monotonic() - started
                        assert took < 1.5, f"{path} took {took:.1f} s (attempt {attempt})"
                        if path == "/readyz":
                            assert response.status_code == 503 and "database" in response.json()["problems"][0]
                        elif path == "/healthz":
                            assert response.status_code == 200 and response.json()["database"] == "unreachable"
                        else:
                            assert response.status_code == 200 and response.json()["results"]
        finally:
            services.close()


def logged_in(client: httpx.Client) -> None:
    form = client.get("/admin/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    assert client.post("/admin/login", data={"username": "editor", "password": PASSWORD, "csrf_token": token}
                       ).status_code == 303


def test_a_huge_cluster_id_is_404(any_services):
    Accounts(any_services.store).add_user("editor", PASSWORD)
    with serve_app(create_app(any_services)) as url, httpx.Client(base_url=url) as client:
        logged_in(client)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin").text).group(1)
        for cluster_id in ("9" * 30, str(2 ** 63), "0", "-1"):
            assert client.get(f"/admin/clusters/{cluster_id}").status_code == 404
            for action, field in (("status", {"status": "dismissed"}), ("link", {"article_id": "x"})):
                assert client.post(f"/admin/clusters/{cluster_id}/{action}",
                                   data={"csrf_token": csrf, **field}).status_code == 404


def longest_mark_run(html: str) -> int:
    longest = run = 0
    for ch in html:
        run = run + 1 if unicodedata.combining(ch) else 0
        longest = max(longest, run)
    return longest


def test_combining_character_floods_are_bounded_in_the_dashboard(any_services):
    load_demo(any_services)
    Accounts(any_services.store).add_user("editor", PASSWORD)
    zalgo = "gajah" + "\u0301\u0316\u0333" * 700 + " terbang di atas monas" + "\u0489" * 500
    handled = any_services.tipline.handle_text("whatsapp", "6281100000401", zalgo)
    assert handled.tip_id is not None
    cluster_id = any_services.store.connection().execute("SELECT cluster_id FROM tips").fetchone()[0]
    with serve_app(create_app(any_services)) as url, httpx.Client(base_url=url) as client:
        logged_in(client)
        for path in ("/admin", f"/admin/clusters/{cluster_id}", "/admin/stats"):
            page = client.get(path)
            assert page.status_code == 200 and "gajah" in page.text
            assert longest_mark_run(page.text) <= 3, path
