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


def test_fact_checks_are_linked_by_their_titles(demo_services):
    with serve_app(create_app(demo_services)) as url, httpx.Client(base_url=url) as client:
        answer = client.get(client.post("/chat", data={"text": "vaksin chip"}).headers["location"]).text
    links = re.findall(r'<a href="([^"]+)" rel="noopener">([^<]+)</a>', answer)
    assert links and all(not text.startswith("http") for _, text in links)
    article = demo_services.store.get_article(demo_services.tipline.search("vaksin chip").hits[0].article.id)
    assert (article.url, article.display_title) in [(href, text) for href, text in links]
    assert f"🔗 {article.url}" not in answer


def test_reply_html_folds_each_link_into_its_headline():
    from benarkah.domain.articles import Article

    article = Article(id="x", title="[HOAKS] Judul <b> & lain", url="https://contoh.id/a?b=1&c=2")
    html = str(reply_html("1. ❌ *SALAH* — Judul <b> & lain\n📅 1 Januari 2024\n🔗 https://contoh.id/a?b=1&c=2\n\n"
                          "Ketik *menu*. https://contoh.id/lain", [article]))
    assert '<a href="https://contoh.id/a?b=1&amp;c=2" rel="noopener">Judul &lt;b&gt; &amp; lain</a>' in html
    assert "🔗" not in html and '<a href="https://contoh.id/lain" rel="noopener nofollow">' in html
    missing = str(reply_html("Teks tanpa judul\n🔗 https://contoh.id/a?b=1&c=2", [article]))
    assert '🔗 <a href="https://contoh.id/a?b=1&amp;c=2" rel="noopener">Judul' in missing


def test_only_the_asker_rates_an_answer_once_and_tidak_becomes_a_tip(demo_services):
    with serve_app(create_app(demo_services)) as url, httpx.Client(base_url=url) as client:
        location = client.post("/chat", data={"text": "vaksin chip"}).headers["location"]
        token = location.rsplit("/", 1)[1]
        page = client.get(location).text
        assert "Apakah ini menjawab pertanyaan Anda?" in page and f'action="/c/{token}/feedback"' in page
        with httpx.Client(base_url=url) as stranger:
            assert "Apakah ini menjawab" not in stranger.get(location).text
            assert stranger.post(f"/c/{token}/feedback", data={"value": "tidak"}).status_code == 409
        assert client.post(f"/c/{token}/feedback", data={"value": "mungkin"}).status_code == 422
        rated = client.post(f"/c/{token}/feedback", data={"value": "tidak"})
        assert rated.status_code == 303
        after = client.get(location).text
        assert "Apakah ini menjawab" not in after and "tim pemeriksa fakta" in after
        assert client.post(f"/c/{token}/feedback", data={"value": "ya"}).status_code == 409  # once
        shown = demo_services.store.connection().execute(
            "SELECT article_ids FROM web_answers WHERE token = ?", (token,)).fetchone()[0]
    [tip] = demo_services.tips.repo.list_tips()
    assert tip.text == "vaksin chip" and tip.channel == "web"
    rows = demo_services.tips.repo.cluster_tips(tip.cluster_id)
    assert list(rows[0].shown) == __import__("json").loads(shown)
    stats = demo_services.tips.stats()
    assert (stats.helpful, stats.not_helpful) == (0, 1)


def test_the_script_gets_the_answer_markup_and_rates_in_place(demo_services):
    with serve_app(create_app(demo_services)) as url, httpx.Client(base_url=url) as client:
        data = client.post("/chat", data={"text": "vaksin chip"}, headers={"accept": "application/json"}).json()
        assert 'class="feedback"' in data["html"] and 'class="turn"' in data["html"]
        token = data["url"].rsplit("/", 1)[1]
        rated = client.post(f"/c/{token}/feedback", data={"value": "ya"}, headers={"accept": "application/json"})
        assert rated.status_code == 200 and "Senang bisa membantu" in rated.json()["html"]
        assert 'class="feedback"' not in rated.json()["html"]
        halo = client.post("/chat", data={"text": "halo"}, headers={"accept": "application/json"}).json()
        assert 'class="feedback"' not in halo["html"]
    assert demo_services.tips.stats().helpful == 1


def test_the_newsrooms_name_and_colour_brand_both_surfaces(tmp_path):
    from benarkah.app import build
    from benarkah.settings import Settings
    from benarkah.web.brand import Brand, contrast
    from tests.conftest import TEST_KEY

    settings = Settings(db=str(tmp_path / "b.db"), secret_key=TEST_KEY, semantic=False, site_name="Cek Fakta Kita",
                        brand_color="#F5C518")
    services = build(settings)
    try:
        with serve_app(create_app(services)) as url:
            chat = httpx.get(f"{url}/chat").text
            login = httpx.get(f"{url}/admin/login").text
    finally:
        services.close()
    assert "Cek Fakta Kita" in chat and "--brand: #f5c518" in chat
    assert "Cek Fakta Kita" in login and "--accent: #f5c518" in login
    brand = Brand.from_settings(settings)
    assert brand.on_color == "#1b1b1b"  # a light colour gets dark text on it
    assert contrast(brand.link_color, "#ffffff") >= 4.5  # and links dark enough to read on white
    with __import__("pytest").raises(ValueError):
        Settings(db="x.db", brand_color="red; background: url(x)")
