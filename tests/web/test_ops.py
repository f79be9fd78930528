"""/readyz and /metrics over real HTTP, on both storage backends."""

import os

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from benarkah.app import build
from benarkah.domain.articles import article_from_record
from benarkah.settings import Settings
from benarkah.web.app import create_app
from tests.conftest import TEST_KEY
from tests.support.servers import serve_app

ARTICLES = [
    {"id": "v1", "title": "[HOAKS] Vaksin Covid-19 Mengandung Chip Pelacak", "url": "https://example.org/v1"},
    {"id": "b1", "title": "Cek Fakta: Tidak Benar BLT Rp600 Ribu Dibagikan Lewat Tautan WhatsApp",
     "url": "https://example.org/b1"},
]


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} of a Prometheus text exposition."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


@pytest.fixture
def base_url(any_services):
    any_services.index.upsert([article_from_record(r) for r in ARTICLES])
    with serve_app(create_app(any_services)) as url:
        yield url


def test_ready_once_the_index_is_built(base_url, any_services):
    ready = httpx.get(f"{base_url}/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "problems": [], "articles_version": 1, "index_version": 1,
                            "pid": os.getpid()}


def test_not_ready_before_the_index_is_built(any_settings):
    services = build(any_settings)
    try:
        with serve_app(create_app(services), lifespan="off") as url:  # no startup: no index yet
            response = httpx.get(f"{url}/readyz")
        assert response.status_code == 503
        assert response.json()["problems"] == ["search index not built yet"]
    finally:
        services.close()


def test_not_ready_when_the_database_fails(pg_cluster, pg_url):
    services = build(Settings(db=pg_url, secret_key=TEST_KEY, semantic=False))
    try:
        with serve_app(create_app(services)) as url:
            assert httpx.get(f"{url}/readyz").status_code == 200
            pg_cluster.drop_database(pg_url)  # the database is gone under the running server
            response = httpx.get(f"{url}/readyz")
        assert response.status_code == 503
        assert response.json()["problems"][0].startswith("database error")
    finally:
        services.close()


def test_metrics_count_requests_by_route_and_read_match_rate_from_the_database(base_url):
    for _ in range(3):
        assert httpx.get(f"{base_url}/api/search", params={"q": "vaksin chip"}).status_code == 200
    assert httpx.post(f"{base_url}/api/ask", json={"text": "vaksin ada chip pelacak"}).json()["kind"] == "results"
    assert httpx.post(f"{base_url}/api/ask", json={"text": "gajah terbang di monas"}).json()["kind"] == "not_found"
    assert httpx.get(f"{base_url}/no/such/page/123").status_code == 404
    response = httpx.get(f"{base_url}/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    got = samples(response.text)
    search = (("method", "GET"), ("route", "/api/search"), ("status", "200"))
    assert got[("benarkah_http_requests_total", search)] == 3
    assert got[("benarkah_http_request_duration_seconds_count", (("method", "GET"), ("route", "/api/search")))] == 3
    assert got[("benarkah_http_requests_total", (("method", "GET"), ("route", "unmatched"), ("status", "404")))] == 1
    assert got[("benarkah_articles", ())] == 2
    assert got[("benarkah_match_rate", ())] == 0.5
    assert got[("benarkah_checks_recent", (("outcome", "not_found"),))] == 1
    assert got[("benarkah_index_articles_version", ())] == got[("benarkah_articles_version", ())] == 1


def test_metrics_token_when_configured(db_url):
    services = build(Settings(db=db_url, secret_key=TEST_KEY, semantic=False, metrics_token="scrape-me-please"))
    try:
        with serve_app(create_app(services)) as url:
            assert httpx.get(f"{url}/metrics").status_code == 401
            assert httpx.get(f"{url}/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
            ok = httpx.get(f"{url}/metrics", headers={"Authorization": "Bearer scrape-me-please"})
            assert ok.status_code == 200 and "benarkah_articles" in ok.text
    finally:
        services.close()
