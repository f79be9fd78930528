"""GET /api/v1/claims:search over a real loopback server: Google's shape, paging, filters, errors,
API keys and rate limits, the OpenAPI description, and a client written for Google's API."""

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from benarkah.domain.articles import article_from_record
from benarkah.publishing.apikeys import ApiKeys
from tests.conftest import DEMO_CORPUS
from tests.publishing.servers import published

ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1/claims:search"
REVIEW_FIELDS = {"publisher", "url", "title", "reviewDate", "textualRating", "languageCode"}


def demo_articles():
    return [article_from_record(json.loads(line)) for line in DEMO_CORPUS.read_text("utf-8").splitlines() if line]


@pytest.fixture
def demo(db_url):
    with published(db_url, articles=demo_articles()) as site:
        yield site


def get(site, **params):
    return httpx.get(f"{site.url}{API}", params=params)


def test_the_documented_shape(demo):
    response = get(demo, query="vaksin covid mengandung chip", pageSize=3)
    assert response.status_code == 200 and response.headers["access-control-allow-origin"] == "*"
    body = response.json()
    assert set(body) == {"claims", "nextPageToken"} and len(body["claims"]) == 3
    first = body["claims"][0]
    assert set(first) <= {"text", "claimant", "claimDate", "claimReview"} and first["text"]
    review = first["claimReview"][0]
    assert set(review) == REVIEW_FIELDS and set(review["publisher"]) == {"name", "site"}
    assert review["title"] == "[HOAKS] Vaksin Covid-19 Mengandung Chip Pelacak 5G"
    assert review["textualRating"] == "HOAKS" and review["reviewDate"] == "2024-01-15T00:00:00Z"
    assert review["publisher"] == {"name": "Redaksi Cek Fakta Contoh", "site": "example.org"}
    assert get(demo, query="zebra xylofon").json() == {}  # nothing shares a word with it


def test_paging_with_tokens_walks_every_result_once(demo):
    everything = get(demo, query="video viral", pageSize=100).json()
    assert "nextPageToken" not in everything
    want = [c["claimReview"][0]["url"] for c in everything["claims"]]
    assert len(want) > 10 and len(set(want)) == len(want)
    got, params = [], {"query": "video viral", "pageSize": 3}
    while True:
        page = get(demo, **params).json()
        got += [c["claimReview"][0]["url"] for c in page["claims"]]
        if "nextPageToken" not in page:
            break
        params["pageToken"] = page["nextPageToken"]
    assert got == want
    assert [c["claimReview"][0]["url"] for c in
            get(demo, query="video viral", pageSize=2, offset=2).json()["claims"]] == want[2:4]


def test_filters(demo):
    site_only = get(demo, reviewPublisherSiteFilter="example.org", pageSize=5).json()["claims"]
    dates = [c["claimReview"][0]["reviewDate"] for c in site_only]
    assert len(dates) == 5 and dates == sorted(dates, reverse=True)  # newest first without a query
    assert get(demo, query="vaksin", reviewPublisherSiteFilter="tempo.co").json() == {}
    assert get(demo, query="vaksin", languageCode="en").json() == {}
    assert len(get(demo, query="vaksin", languageCode="id-ID").json()["claims"]) == 4
    assert get(demo, query="vaksin", maxAgeDays=36500).json()["claims"]


@pytest.mark.parametrize("params, fragment", [
    ({}, "query is required"),
    ({"query": "vaksin", "pageSize": "1000"}, "pageSize must be 0-100"),
    ({"query": "vaksin", "pageToken": "bm90LWEtdG9rZW4"}, "Invalid pageToken"),
    ({"query": "vaksin", "maxAgeDays": "seminggu"}, "maxAgeDays must be a whole number"),
    ({"q": "vaksin"}, "Unknown parameter 'q'"),
])
def test_bad_requests_are_400_in_googles_error_shape(demo, params, fragment):
    response = get(demo, **params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT" and fragment in error["message"]


def test_a_token_from_another_query_is_refused(demo):
    token = get(demo, query="vaksin", pageSize=2).json()["nextPageToken"]
    response = get(demo, query="bansos", pageSize=2, pageToken=token)
    assert response.status_code == 400 and "other parameters" in response.json()["error"]["message"]
    repeated = httpx.get(f"{demo.url}{API}?query=a&query=b")
    assert repeated.status_code == 400 and "more than once" in repeated.json()["error"]["message"]


def test_optional_keys_and_rate_limits(db_url):
    with published(db_url, api_anonymous_per_minute=3) as site:
        _, key = ApiKeys(site.services.store).add("peneliti", per_minute=2)
        assert [get(site, query="vaksin").status_code for _ in range(4)] == [200, 200, 200, 429]
        limited = get(site, query="vaksin")
        assert limited.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        # a key has its own budget, by parameter or by Google's header
        assert get(site, query="vaksin", key=key).status_code == 200
        by_header = httpx.get(f"{site.url}{API}", params={"query": "vaksin"}, headers={"x-goog-api-key": key})
        assert by_header.status_code == 200
        assert get(site, query="vaksin", key=key).status_code == 429
        bad = get(site, query="vaksin", key="bk_not-a-key")
        assert bad.status_code == 400
        assert bad.json()["error"]["message"] == "API key not valid. Please pass a valid API key."


def test_required_keys(db_url):
    with published(db_url, api_keys_required=True) as site:
        keys = ApiKeys(site.services.store)
        _, key = keys.add("mitra", per_minute=100)
        missing = get(site, query="vaksin")
        assert missing.status_code == 403 and missing.json()["error"]["status"] == "PERMISSION_DENIED"
        assert get(site, query="vaksin", key=key).status_code == 200
        keys.revoke("mitra")  # at once: no cache to wait out
        assert get(site, query="vaksin", key=key).status_code == 400


def test_openapi_documents_the_parameters_and_the_response(demo):
    spec = httpx.get(f"{demo.url}/openapi.json").json()
    operation = spec["paths"][API]["get"]
    assert {p["name"] for p in operation["parameters"]} == {
        "query", "languageCode", "maxAgeDays", "pageSize", "pageToken", "offset", "reviewPublisherSiteFilter", "key"}
    types = {p["name"]: p["schema"]["type"] for p in operation["parameters"]}
    assert types["pageSize"] == types["maxAgeDays"] == types["offset"] == "integer" and types["query"] == "string"
    assert set(operation["responses"]) >= {"200", "400", "403", "429"}
    schemas = spec["components"]["schemas"]
    assert set(schemas["Claim"]["properties"]) == {"text", "claimant", "claimDate", "claimReview"}
    assert set(schemas["ClaimReview"]["properties"]) == REVIEW_FIELDS
    assert httpx.get(f"{demo.url}/docs").status_code == 200


def run_client(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "examples" / "factcheck_client.py"), *args],
                          capture_output=True, text=True, timeout=60, env={**os.environ})


def test_a_client_written_for_googles_api_works_against_it(demo):
    base = f"{demo.url}/api/v1"
    result = run_client("video viral", "--base-url", base, "--page-size", "2", "--max-results", "5", "--json")
    assert result.returncode == 0, result.stderr
    claims = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(claims) == 5  # three pages of two, cut at five
    assert claims == get(demo, query="video viral", pageSize=5).json()["claims"]
    text = run_client("vaksin chip 5g", "--base-url", base, "--max-results", "1")
    assert text.returncode == 0 and "[HOAKS] Vaksin Covid-19 Mengandung Chip Pelacak 5G" in text.stdout
    assert "Redaksi Cek Fakta Contoh (example.org), 2024-01-15, id" in text.stdout
    error = run_client("--base-url", base)
    assert error.returncode == 1 and "error 400: query is required" in error.stderr
