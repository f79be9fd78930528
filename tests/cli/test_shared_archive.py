"""The real turnbackhoax archives through the CLI, as a newsroom engineer would load them (issue 13)."""

import json

import pytest

from tests.cli.test_ingest_cli import run_cli
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def archive(tmp_path_factory):  # type: ignore[no-untyped-def]
    """One SQLite database holding both corpora, 2024 ingested with its default verdict (keywords only:
    embedding 4,636 articles would take minutes)."""
    corpus_2024 = shared_path("corpora/turnbackhoax-2024/articles.jsonl")
    corpus_2026 = shared_path("corpora/turnbackhoax-2026/articles.jsonl")
    db = str(tmp_path_factory.mktemp("archive") / "arsip.db")
    without = run_cli(db, "ingest", str(corpus_2024))
    with_default = run_cli(db, "ingest", str(corpus_2024), str(corpus_2026), "--default-verdict", "SALAH")
    return db, without, with_default


def test_an_ingest_without_a_default_warns_how_many_rows_lack_a_verdict(archive):
    _, without, _ = archive
    assert without.returncode == 0, without.stderr
    assert "warning: 3,746 of 3,746 fact-checks state no verdict" in without.stderr
    assert without.stdout.strip() == "3746 added, 0 updated, 0 unchanged, 0 rejected (3746 without a verdict)"


def test_the_default_verdict_fills_only_rows_without_one(archive):
    _, _, with_default = archive
    assert with_default.returncode == 0, with_default.stderr
    assert with_default.stdout.strip() == ("890 added, 3746 updated, 0 unchanged, 0 rejected "
                                           "(3746 given the default verdict SALAH)")
    assert "warning" not in with_default.stderr


def test_vaksin_chip_finds_the_microchip_fact_check(archive):
    db, _, _ = archive
    payload = json.loads(run_cli(db, "search", "vaksin chip", "--json").stdout)
    assert payload["matched"] is True
    assert "tbh-2060" in [r["id"] for r in payload["results"][:3]]


def test_thanks_gets_a_reply_and_records_no_tip(archive):
    db, _, _ = archive
    reply = run_cli(db, "ask", "terima kasih min")
    assert reply.returncode == 0 and reply.stdout.startswith("Sama-sama!")
    tips = run_cli(db, "tips", "list").stdout
    assert "terima kasih" not in tips


def test_the_reply_to_a_2024_forward_names_the_verdict(archive):
    db, _, _ = archive
    forwards = shared_path("bench/turnbackhoax-dev/queries.jsonl").read_text(encoding="utf-8").splitlines()
    forward = next(json.loads(line) for line in forwards if json.loads(line)["qid"] == "tbh-q2380")
    reply = run_cli(db, "ask", forward["query"]).stdout
    assert "❌ *SALAH* — Prosesi Peletakan Tumbal Jokowi" in reply, reply
