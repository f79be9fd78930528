from datetime import date

import pytest

from benarkah.domain.articles import article_from_record
from benarkah.domain.dates import format_date, parse_date
from benarkah.domain.verdicts import Verdict
from benarkah.errors import InvalidArticle


def test_minimal_record_needs_only_id_and_title():
    article = article_from_record({"id": "a1", "title": "[HOAKS] Vaksin Chip", "unknown": [1, 2]})
    assert article.id == "a1"
    assert article.verdict is Verdict.FALSE and article.verdict_label == "HOAKS"
    assert article.language == "id"


def test_verdict_field_wins_over_label_and_title():
    article = article_from_record({"id": "a", "title": "[HOAKS] x", "verdict": "misleading",
                                   "verdict_label": "MISINFORMASI"})
    assert article.verdict is Verdict.MISLEADING and article.verdict_label == "MISINFORMASI"


@pytest.mark.parametrize("record, message", [
    ({"title": "x"}, "missing required field 'id'"),
    ({"id": "a", "title": "   "}, "missing required field 'title'"),
    ({"id": "a", "title": "x", "published": "kemarin sore"}, "not a date"),
    ({"id": "a", "title": {"nested": 1}}, "must be text"),
    ({"id": "a" * 500, "title": "x"}, "the limit is"),
])
def test_invalid_records_say_why(record, message):
    with pytest.raises(InvalidArticle, match=message):
        article_from_record(record)


def test_non_mapping_record_is_rejected():
    with pytest.raises(InvalidArticle):
        article_from_record(["id", "title"])  # type: ignore[arg-type]


@pytest.mark.parametrize("text, expected", [
    ("2024-02-01", date(2024, 2, 1)), ("2024-02-01T10:00:00Z", date(2024, 2, 1)),
    ("Rabu (8/12/2021)", date(2021, 12, 8)), ("8 Desember 2021", date(2021, 12, 8)),
    ("23 Jun 2021, 12:34 WIB", date(2021, 6, 23)), ("June 5, 2024", date(2024, 6, 5)),
    ("31/02/2024", None), ("besok", None), ("", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_content_hash_changes_with_content():
    a = article_from_record({"id": "a", "title": "x"})
    assert a.content_hash() == article_from_record({"id": "a", "title": "x"}).content_hash()
    assert a.content_hash() != a.with_changes(title="y").content_hash()


def test_format_date_in_both_languages():
    assert format_date(date(2021, 12, 8)) == "8 Desember 2021"
    assert format_date(date(2021, 12, 8), "en") == "8 December 2021"
