"""claims:search semantics (Google's parameters) over a real archive, without HTTP."""

from dataclasses import dataclass
from datetime import date

import pytest

from benarkah.errors import InvalidParameter
from benarkah.publishing.catalog import ArticleCatalog
from benarkah.publishing.claims import (ClaimQuery, claim_object, claims_payload, parse_claim_query,
                                        search_claims)
from benarkah.publishing.links import PublicLinks
from benarkah.publishing.pagetokens import PageTokens
from tests.publishing.articles import sample_articles

TOKENS = PageTokens(b"s" * 32)
LINKS = PublicLinks("https://cekfakta.kota.id")
TODAY = date(2024, 4, 10)


def parse(**params: str) -> ClaimQuery:
    return parse_claim_query(params.items(), TOKENS)


@pytest.mark.parametrize("params, parameter, message", [
    ({}, "query", "query is required unless reviewPublisherSiteFilter"),
    ({"query": "  "}, "query", "query is required"),
    ({"query": "x" * 2001}, "query", "the limit is 2,000"),
    ({"query": "a", "pageSize": "101"}, "pageSize", "pageSize must be 0-100, got 101"),
    ({"query": "a", "pageSize": "-1"}, "pageSize", "whole number"),
    ({"query": "a", "pageSize": "ten"}, "pageSize", "whole number, got 'ten'"),
    ({"query": "a", "pageSize": "9" * 30}, "pageSize", "whole number"),
    ({"query": "a", "maxAgeDays": "36501"}, "maxAgeDays", "0-36500"),
    ({"query": "a", "offset": "10001"}, "offset", "0-10000"),
    ({"query": "a", "languageCode": "bahasa indonesia"}, "languageCode", "BCP-47"),
    ({"query": "a", "reviewPublisherSiteFilter": "not a site"}, "reviewPublisherSiteFilter", "tempo.co"),
    ({"query": "a", "pageToken": "garbage"}, "pageToken", "not a token this API issued"),
    ({"query": "a", "q": "b"}, "q", "Unknown parameter 'q'"),
])
def test_bad_parameters_say_what_is_accepted(params, parameter, message):
    with pytest.raises(InvalidParameter, match=message) as caught:
        parse(**params)
    assert caught.value.parameter == parameter


def test_parameters_as_google_defines_them():
    q = parse(query="  vaksin\x00  chip ", languageCode="id-ID", maxAgeDays="30", pageSize="0",
              reviewPublisherSiteFilter="https://WWW.Tempo.co/cek", key="ignored-here", prettyPrint="false")
    assert q == ClaimQuery(query="vaksin chip", language="id", max_age_days=30, page_size=10, site="tempo.co")
    assert parse(reviewPublisherSiteFilter="tempo.co").query == ""  # a site alone is enough
    with pytest.raises(InvalidParameter, match="more than once"):
        parse_claim_query([("query", "a"), ("query", "b")], TOKENS)
    token = TOKENS.issue(parse(query="vaksin", pageSize="5").scope(), 5)
    assert parse(query="vaksin", pageSize="5", pageToken=token, offset="99").offset == 5  # the token wins
    with pytest.raises(InvalidParameter, match="other parameters"):
        parse(query="vaksin", pageSize="6", pageToken=token)


@dataclass
class Archive:
    store: object
    search: object


@pytest.fixture
def archive(any_services):
    any_services.index.upsert(sample_articles())
    return Archive(any_services.store, any_services.tipline.search)


def ids(page) -> list[str]:
    return [a.id for a in page.articles]


def test_ranked_by_matching_and_filtered(archive):
    catalog = ArticleCatalog(archive.store)

    def run(**params: str):
        return search_claims(parse(**params), archive.search, catalog, LINKS, TODAY)

    assert ids(run(query="vaksin covid ada chip 5g"))[0] == "cf-vaksin-chip"
    assert ids(run(query="gajah terbang di monas")) == []
    assert ids(run(query="foto banjir garut", languageCode="en")) == []
    assert ids(run(query="jakarta under water nasa map", languageCode="en-GB")) == ["en-1"]
    assert ids(run(query="banjir garut", reviewPublisherSiteFilter="cekfakta.kota.id")) == ["lokal/banjir garut ü"]
    assert ids(run(query="banjir garut", reviewPublisherSiteFilter="example.id")) == []
    assert ids(run(query="vaksin chip", maxAgeDays="70")) == ["cf-vaksin-chip"]  # reviewed 2024-02-01
    assert ids(run(query="vaksin chip", maxAgeDays="60")) == []


def test_a_site_alone_lists_its_reviews_newest_first_in_pages(archive):
    catalog = ArticleCatalog(archive.store)
    first = search_claims(parse(reviewPublisherSiteFilter="example.id", pageSize="1"), archive.search, catalog,
                          LINKS, TODAY)
    assert ids(first) == ["xss-1"] and first.next_offset == 1  # cekfakta.example.id, newest first
    token = TOKENS.issue(parse(reviewPublisherSiteFilter="example.id", pageSize="1").scope(), first.next_offset)
    second = search_claims(parse(reviewPublisherSiteFilter="example.id", pageSize="1", pageToken=token),
                           archive.search, catalog, LINKS, TODAY)
    assert ids(second) == ["cf-vaksin-chip"] and second.next_offset is None
    # articles without an original URL are published on this deployment's own site
    here = search_claims(parse(reviewPublisherSiteFilter="kota.id"), archive.search, catalog, LINKS, TODAY)
    assert ids(here) == ["lokal/banjir garut ü"]
    # "evil-example.id" contains "example.id" but is another site
    assert ids(search_claims(parse(reviewPublisherSiteFilter="le.id"), archive.search, catalog, LINKS, TODAY)) == []


def test_the_response_shape(archive):
    catalog = ArticleCatalog(archive.store)
    q = parse(query="vaksin chip 5g", pageSize="1")
    page = search_claims(q, archive.search, catalog, LINKS, TODAY)
    payload = claims_payload(page, q, TOKENS, LINKS)
    assert set(payload) <= {"claims", "nextPageToken"}
    claim = payload["claims"][0]
    assert claim == {
        "text": "Vaksin Covid-19 berisi chip 5G untuk melacak warga.", "claimant": "Akun Facebook Kabar Sehat",
        "claimDate": "2024-01-28T00:00:00Z",
        "claimReview": [{"publisher": {"name": "Redaksi Cek Fakta Contoh", "site": "cekfakta.example.id"},
                         "url": "https://cekfakta.example.id/2024/02/vaksin-chip",
                         "title": "[HOAKS] Vaksin Covid-19 Mengandung Chip Pelacak 5G",
                         "reviewDate": "2024-02-01T00:00:00Z", "textualRating": "HOAKS", "languageCode": "id"}]}
    local = claim_object(archive.store.get_article("lokal/banjir garut ü"), PublicLinks(""), site_name="Kota")
    assert local["claimReview"][0]["url"] == "/f/lokal%2Fbanjir%20garut%20%C3%BC"  # no public URL: relative
    assert local["claimReview"][0]["publisher"] == {"name": "Tim Cek Fakta Kota"} and "claimant" not in local
    assert claims_payload(search_claims(parse(query="gajah terbang"), archive.search, catalog, LINKS, TODAY),
                          parse(query="gajah terbang"), TOKENS, LINKS) == {}
