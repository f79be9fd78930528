"""The ClaimReview a published page carries, read back by the extractor ingest uses."""

import json

from benarkah.domain.articles import article_from_record
from benarkah.domain.verdicts import Verdict
from benarkah.ingest.claimreview import claim_reviews
from benarkah.publishing.claimreview import claim_review, jsonld_script_body
from benarkah.publishing.links import PublicLinks, factcheck_path, safe_url, site_of, xml_text
from tests.publishing.articles import sample_articles

LINKS = PublicLinks("https://cekfakta.example.id/")


def page_with(data: dict) -> str:
    return f'<html><head><script type="application/ld+json">{jsonld_script_body(data)}</script></head></html>'


def test_every_field_is_read_back_by_the_ingest_extractor():
    for article in sample_articles():
        review = claim_reviews(page_with(claim_review(article, LINKS)))[0]
        assert review.claim == article.claim
        assert review.verdict_label == article.verdict_label
        assert review.publisher == article.publisher
        assert review.published == article.published.isoformat()
        assert review.title == article.title
        assert review.claim_author == article.claimant
        assert review.claim_date == (article.claim_date.isoformat() if article.claim_date else "")
        assert review.appearances == tuple(u for u in article.claim_appearances if u.startswith("https://"))


def test_the_shape_google_documents():
    vaksin = sample_articles()[0]
    data = claim_review(vaksin, LINKS)
    assert data["@type"] == "ClaimReview" and data["@context"] == "https://schema.org"
    assert data["url"] == vaksin.url  # the fact-check lives at its original address
    assert data["reviewRating"] == {"@type": "Rating", "alternateName": "HOAKS", "name": "False"}
    assert data["author"] == {"@type": "Organization", "name": "Redaksi Cek Fakta Contoh",
                              "url": "https://cekfakta.example.id"}
    assert data["itemReviewed"]["author"] == {"@type": "Person", "name": "Akun Facebook Kabar Sehat"}
    assert data["itemReviewed"]["datePublished"] == "2024-01-28"
    assert data["itemReviewed"]["appearance"] == [{"@type": "CreativeWork",
                                                   "url": "https://facebook.com/kabarsehat/posts/1"}]
    local = claim_review(sample_articles()[1], LINKS)
    assert local["url"] == "https://cekfakta.example.id/f/lokal%2Fbanjir%20garut%20%C3%BC"
    assert local["reviewRating"]["name"] == "Misleading" and local["itemReviewed"] == {"@type": "Claim"}
    assert "author" in local and local["author"]["url"] == "https://cekfakta.example.id"


def test_gaps_are_filled_as_search_engines_require_and_said_so():
    bare = article_from_record({"id": "b", "title": "[SALAH] Gempa Susulan Diprediksi Jam 9 Malam"})
    data = claim_review(bare, PublicLinks(""), site_name="Cek Fakta Kota")
    assert data["claimReviewed"] == "Gempa Susulan Diprediksi Jam 9 Malam"  # no claim text: the display title
    assert data["author"] == {"@type": "Organization", "name": "Cek Fakta Kota"}  # no publisher: this site
    assert data["url"] == "/f/b" and "datePublished" not in data  # no public URL: relative
    unlabelled = article_from_record({"id": "u", "title": "Sesuatu", "verdict": "scam"})
    assert claim_review(unlabelled, LINKS)["reviewRating"]["alternateName"] == "scam"
    assert "author" not in claim_review(unlabelled, LINKS)  # nobody to name: left out, not invented
    assert normalize_check(Verdict.OTHER) == "Fact-check"


def normalize_check(verdict: Verdict) -> str:
    return claim_review(article_from_record({"id": "o", "title": "x", "verdict": verdict.value}), LINKS)[
        "reviewRating"]["name"]


def test_script_body_cannot_close_its_element_and_is_still_the_same_json():
    xss = sample_articles()[2]
    body = jsonld_script_body(claim_review(xss, LINKS))
    assert "</script" not in body.lower() and "<" not in body and "&" not in body
    assert json.loads(body)["headline"] == xss.title
    assert json.loads(jsonld_script_body({"x": "a\u2028b"}))["x"] == "a\u2028b"


def test_links_and_sites():
    assert factcheck_path("a/b c?d#e") == "/f/a%2Fb%20c%3Fd%23e"
    assert PublicLinks("").factcheck("x") == "/f/x" and not PublicLinks("").absolute
    assert PublicLinks("https://h.id/base/").factcheck("x") == "https://h.id/base/f/x"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//evil.example", "http://", "https://a b",
                "https://x.id/\"onmouseover=\"", "ftp://x.id/a", " "):
        assert safe_url(bad) == "", bad
    assert safe_url("https://x.id/a?b=1&c=2") == "https://x.id/a?b=1&c=2"
    assert site_of("https://WWW.Tempo.co/x") == "tempo.co" and site_of("http://[::1") == ""
    assert xml_text("a\x01b\ud800c\x0bd\ufffe") == "abcd"
