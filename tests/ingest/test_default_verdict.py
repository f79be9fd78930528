"""Default verdicts for debunk-only sources: the --default-verdict label and a profile's [verdict] default."""

import pytest

from benarkah.domain.articles import article_from_record
from benarkah.domain.verdicts import Verdict
from benarkah.errors import BenarkahError, ConfigError
from benarkah.ingest.pipeline import apply_default_verdict, check_default_verdict, ingest_records
from benarkah.ingest.profiles import builtin_profiles, profile_from_toml
from benarkah.ingest.records import RawRecord


class ListArchive:
    def __init__(self) -> None:
        self.stored: dict = {}

    def upsert(self, articles):  # type: ignore[no-untyped-def]
        from benarkah.storage.base import UpsertOutcome

        self.stored.update({a.id: a for a in articles})
        return [UpsertOutcome.ADDED for _ in articles]


def test_a_default_fills_only_articles_that_state_no_verdict():
    bare = article_from_record({"id": "a", "title": "Presiden Jokowi Ternyata Berijazah Palsu"})
    labelled = article_from_record({"id": "b", "title": "Hadiah mobil", "verdict_label": "KOMEDI"})
    prefixed = article_from_record({"id": "c", "title": "[PENIPUAN] Undian BRI"})
    assert apply_default_verdict(bare, "SALAH").verdict is Verdict.FALSE
    assert apply_default_verdict(bare, "SALAH").verdict_label == "SALAH"
    assert apply_default_verdict(labelled, "SALAH") is labelled  # a published label wins, even one we cannot map
    assert apply_default_verdict(prefixed, "SALAH").verdict is Verdict.SCAM
    assert apply_default_verdict(bare, "") is bare


def test_the_report_counts_defaults_and_rows_left_without_a_verdict():
    rows = [RawRecord("f:1", {"id": "a", "title": "Judul saja"}),
            RawRecord("f:2", {"id": "b", "title": "[HOAKS] Dengan label"}),
            RawRecord("f:3", {"id": "c", "title": "Dari profil"}, default_verdict="PENIPUAN")]
    report = ingest_records(ListArchive(), rows)
    assert report.without_verdict == 1 and report.defaults == {"PENIPUAN": 1}
    assert "1 of 3 fact-checks state no verdict" in report.verdict_warning()
    forced = ingest_records(ListArchive(), rows, default_verdict="salah")
    assert forced.without_verdict == 0 and forced.defaults == {"salah": 2} and forced.verdict_warning() is None


def test_unknown_default_labels_are_refused():
    assert check_default_verdict("  SEBAGIAN   BENAR ") == "SEBAGIAN BENAR"
    with pytest.raises(BenarkahError, match="not a verdict benarkah knows"):
        check_default_verdict("mungkin")


def test_a_profile_states_its_default_verdict():
    generic = builtin_profiles()["generic"]
    profile = profile_from_toml('name = "arsip"\n[verdict]\ndefault = "HOAKS"\n', "arsip.toml", base=generic)
    assert profile.default_verdict == "HOAKS"
    assert generic.default_verdict == ""  # no built-in profile decides this for a newsroom
    with pytest.raises(ConfigError, match="not a verdict benarkah knows"):
        profile_from_toml('name = "arsip"\n[verdict]\ndefault = "ENTAH"\n', "arsip.toml")
    with pytest.raises(ConfigError, match="must be a verdict label"):
        profile_from_toml('name = "arsip"\n[verdict]\ndefault = 3\n', "arsip.toml")
