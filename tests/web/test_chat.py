"""The public web chat over real HTTP, without JavaScript (form posts and redirects)."""

import re

import httpx

from benarkah.web.app import create_app
from benarkah.web.chat import reply_html
from tests.support.servers import serve_app


def test_form_post_answers_and_gives_a_shareable_link(demo_services):
    with serve_app(create_app(demo_services)) as url, httpx.Client(base_url=url) as client:
        page = client.get("/chat")
        assert page.status_code == 200 and 'action="/chat"' in page.text
        response = client.post("/chat", data={"text": "vaksin chip"})
        assert response.status_code == 303 and re.fullmatch(r"/c/[\w-]+", response.headers["location"])
        session = client.cookies["benarkah_chat"]
        answer = client.get(response.headers["location"])
        assert answer.status_code == 200 and "vaksin chip" in answer.text and "<strong>" in answer.text
        # no public URL configured: the share link is relative, never built from the request's Host
        assert f'value="{response.headers["location"]}"' in answer.text
        # someone else opens the shared link: same answer, no session needed
        with httpx.Client(base_url=url) as stranger:
            assert "vaksin chip" in stranger.get(response.headers["location"]).text
        client.post("/chat", data={"text": "gajah terbang di langit Monas saat malam pergantian tahun baru"})
        assert client.cookies["benarkah_chat"] == session  # one conversation per browser
        tips = demo_services.tips.repo.list_tips()
        assert [t.channel for t in tips] == ["web"] and tips[0].sender_hash == demo_services.identity.hash("web", session)


def test_json_answers_for_the_script_and_bad_input(demo_services):
    with serve_app(create_app(demo_services)) as url, httpx.Client(base_url=url) as client:
        data = client.post("/chat", data={"text": "vaksin chip"}, headers={"accept": "application/json"}).json()
        assert data["kind"] == "results" and data["url"].startswith("/c/")
        assert client.post("/chat", data={}).status_code == 422
        assert client.post("/chat", data={"text": "x" * 10_001}).status_code == 422
        assert client.get("/c/does-not-exist").status_code == 404
        assert client.get("/c/<script>").status_code == 404


def test_reply_html_escapes_before_formatting():
    html = str(reply_html("*Judul* <script>alert(1)</script> _miring_ https://contoh.id/a?b=1&c=2"))
    assert "<strong>Judul</strong>" in html and "<em>miring</em>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="https://contoh.id/a?b=1&amp;c=2"' in html


def test_rate_limit_is_per_client_per_minute_and_bounded():
    from benarkah.web.chat import RateLimit

    limit = RateLimit(per_minute=3, tracked=2)
    assert [limit.allow("a", now=60.0) for _ in range(4)] == [True, True, True, False]
    assert limit.allow("a", now=120.0)  # a new minute
    limit.allow("b", now=120.0)
    limit.allow("c", now=120.0)  # "a" is forgotten: memory stays bounded
    assert len(limit._windows) == 2 and "a" not in limit._windows


def test_erase_covers_shared_answers_and_notifications(demo_services):
    with serve_app(create_app(demo_services)) as url, httpx.Client(base_url=url) as client:
        client.post("/chat", data={"text": "vaksin chip"})
        session = client.cookies["benarkah_chat"]
    assert "web_answers" in demo_services.store.sender_tables()
    assert "tip_notifications" in demo_services.store.sender_tables()
    assert demo_services.forget("web", session).records >= 2  # the answer and the interaction
    assert demo_services.store.connection().execute("SELECT COUNT(*) FROM web_answers").fetchone()[0] == 0
