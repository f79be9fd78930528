"""The HTTP API over a real uvicorn server on loopback."""

import httpx
import pytest

from benarkah.web.app import create_app
from tests.support.servers import serve_app

ARTICLES = [
    {"id": "v1", "title": "[HOAKS] Vaksin Covid-19 Mengandung Chip Pelacak", "published": "2024-02-01",
     "summary": "Vaksin tidak berisi chip pelacak.", "url": "https://example.org/v1"},
    {"id": "b1", "title": "Cek Fakta: Tidak Benar BLT Rp600 Ribu Dibagikan Lewat Tautan WhatsApp",
     "published": "2024-03-01", "verdict_label": "SALAH", "url": "https://example.org/b1"},
]


@pytest.fixture
def base_url(services):
    from benarkah.domain.articles import article_from_record

    services.index.upsert([article_from_record(r) for r in ARTICLES])
    with serve_app(create_app(services)) as url:
        yield url


def test_health_and_openapi(base_url):
    assert httpx.get(f"{base_url}/healthz").json() == {"status": "ok", "articles": 2, "database": "ok"}
    spec = httpx.get(f"{base_url}/openapi.json").json()
    assert "/api/search" in spec["paths"] and "/api/ask" in spec["paths"]
    assert httpx.get(f"{base_url}/docs").status_code == 200


def test_search_returns_the_cli_json_shape(base_url):
    payload = httpx.get(f"{base_url}/api/search", params={"q": "vaksin ada chipnya?", "limit": 2}).json()
    assert payload["matched"] is True
    assert payload["results"][0]["id"] == "v1"
    assert set(payload["results"][0]) == {"id", "title", "url", "verdict", "published", "score"}


def test_ask_replies_and_records_unmatched_messages_as_tips(base_url, services):
    reply = httpx.post(f"{base_url}/api/ask", json={"text": "blt 600 ribu lewat link wa"}).json()
    assert reply["kind"] == "results" and "https://example.org/b1" in reply["reply"]
    miss = httpx.post(f"{base_url}/api/ask", json={"text": "gajah terbang di monas"}).json()
    assert miss["kind"] == "not_found" and miss["matched"] is False
    tips = services.tips.repo.list_tips()
    assert [t.text for t in tips] == ["gajah terbang di monas"]
    assert tips[0].channel == "api" and "127.0.0.1" not in tips[0].sender_hash


def test_conversation_state_follows_the_session_id(base_url):
    first = httpx.post(f"{base_url}/api/ask", json={"text": "english", "session": "abc"}).json()
    assert "English" in first["reply"]
    assert "Fact-checks" in httpx.post(f"{base_url}/api/ask", json={"text": "vaksin chip", "session": "abc"}).json()["reply"]


@pytest.mark.parametrize("body, status", [
    (b"{not json", 422), (b'{"text": 5}', 422), (b"[]", 422), (b'{"txt": "x"}', 422),
])
def test_malformed_requests_are_4xx(base_url, body, status):
    response = httpx.post(f"{base_url}/api/ask", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status


def test_oversized_bodies_are_refused_before_reading(base_url):
    response = httpx.post(f"{base_url}/api/ask", content=b"x" * (1024 * 1024),
                          headers={"content-type": "application/json"})
    assert response.status_code == 413
    long_query = httpx.get(f"{base_url}/api/search", params={"q": "x" * 20_000})
    assert long_query.status_code == 422


@pytest.mark.parametrize("q", ['"vaksin" OR chip*', "NEAR(a b)", "--", "'; DROP TABLE articles; --", "🔥" * 50])
def test_hostile_queries_over_http(base_url, q):
    response = httpx.get(f"{base_url}/api/search", params={"q": q})
    assert response.status_code == 200 and response.json()["query"] == q


def test_home_page_has_the_ask_form(base_url):
    page = httpx.get(f"{base_url}/")
    assert page.status_code == 200 and "<form" in page.text and "cek fakta" in page.text.lower()
