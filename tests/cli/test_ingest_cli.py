"""The CLI as a user runs it: a real subprocess, a real database (a SQLite file, then PostgreSQL)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY

ROOT = Path(__file__).resolve().parents[2]


def run_cli(db: str, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "BENARKAH_DB": db, "BENARKAH_SEMANTIC": "0", "PYTHONPATH": str(ROOT / "src")}
    if "://" in db:  # a server database needs the key set (a SQLite file gets one generated beside it)
        env["BENARKAH_SECRET_KEY"] = TEST_KEY
    return subprocess.run([sys.executable, "-m", "benarkah", *args], capture_output=True, text=True,
                          env=env, timeout=120, input=input)


@pytest.fixture
def run(db_url):  # type: ignore[no-untyped-def]
    """The CLI against a fresh database, once per storage backend."""
    return lambda *args, **kw: run_cli(db_url, *args, **kw)


GOOD = [
    {"id": "v1", "title": "[HOAKS] Vaksin Covid-19 Mengandung Chip Pelacak", "published": "2024-02-01",
     "summary": "Vaksin tidak berisi chip pelacak.", "url": "https://example.org/v1", "extra": "ignored"},
    {"id": "b1", "title": "Cek Fakta: Tidak Benar BLT Rp600 Ribu Dibagikan Lewat Tautan WhatsApp",
     "published": "2024-03-01", "verdict_label": "SALAH"},
]


def write_jsonl(path: Path, rows: list, extra_lines: list[str] = ()) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in rows] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ingest_reports_each_outcome_and_bad_rows_never_abort(tmp_path, run):
    source = write_jsonl(tmp_path / "a.jsonl", GOOD, ['{"title": "no id"}', "{broken", "[1,2]",
                                                     '{"id": "d1", "title": "x", "published": "kemarin"}'])
    result = run("ingest", str(source))
    assert result.returncode == 3, result.stderr  # finished, but rows were rejected
    assert result.stdout.strip().splitlines()[-1] == "2 added, 0 updated, 0 unchanged, 4 rejected"
    assert "a.jsonl:3: missing required field 'id'" in result.stderr
    assert "a.jsonl:4: invalid JSON" in result.stderr
    assert "a.jsonl:5: expected a JSON object" in result.stderr
    assert "a.jsonl:6: field 'published' is not a date" in result.stderr

    changed = write_jsonl(tmp_path / "b.jsonl", [GOOD[0], {**GOOD[1], "summary": "baru"}])
    again = run("ingest", str(changed))
    assert again.stdout.strip() == "0 added, 1 updated, 1 unchanged, 0 rejected"
    assert again.returncode == 0 and "warning" not in again.stderr


def test_ingest_csv_with_bom_and_semicolons(tmp_path, run):
    csv_path = tmp_path / "x.csv"
    csv_path.write_bytes("\ufeffid;title;verdict_label\nc1;Hadiah mobil dari bank;PENIPUAN\n;tanpa id;\n".encode())
    result = run("ingest", str(csv_path))
    assert result.stdout.strip() == "1 added, 0 updated, 0 unchanged, 1 rejected", result.stderr


def test_unknown_file_type_is_a_clear_error(tmp_path, run):
    other = tmp_path / "x.xml"
    other.write_text("<x/>")
    result = run("ingest", str(other))
    assert result.returncode == 1 and "don't know how to read .xml" in result.stderr


def test_search_json_and_ask(tmp_path, run):
    run("ingest", str(write_jsonl(tmp_path / "a.jsonl", GOOD)))
    result = run("search", "bener gk vaksinnn ada chip pelacak??", "--json")
    payload = json.loads(result.stdout)
    assert payload["matched"] is True and payload["results"][0]["id"] == "v1"
    assert set(payload["results"][0]) >= {"id", "title", "url", "verdict", "published", "score"}
    assert payload["results"][0]["verdict"] == "false"
    ask = run("ask", "vaksin chip pelacak")
    assert "❌ *SALAH* — Vaksin Covid-19 Mengandung Chip Pelacak" in ask.stdout
    assert "https://example.org/v1" in ask.stdout


@pytest.mark.parametrize("query", ['"vaksin" OR chip*', "NEAR(vaksin chip)", "-- ; DROP TABLE articles;",
                                   "🔥🔥🔥", "'", "x" * 10_000])
def test_hostile_queries_are_just_text(tmp_path, query):
    # search runs in memory whatever the backend, so SQLite alone covers it
    db = str(tmp_path / "cli.db")
    run_cli(db, "ingest", str(write_jsonl(tmp_path / "a.jsonl", GOOD)))
    result = run_cli(db, "search", "--json", "--", query)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["query"] == query


def test_eval_prints_metrics_json(tmp_path, run):
    run("ingest", str(write_jsonl(tmp_path / "a.jsonl", GOOD)))
    queries = write_jsonl(tmp_path / "q.jsonl", [
        {"qid": "q1", "article_id": "v1", "kind": "keyword", "query": "vaksin chip"},
        {"qid": "q2", "article_id": "b1", "kind": "casual", "query": "blt 600 ribu lewat link wa bener gk"},
        {"qid": "q3", "article_id": "b1", "kind": "casual", "query": "gajah terbang"},
    ])
    report = json.loads(run("eval", str(queries), "--json").stdout)
    assert report["overall"] == {"n": 3, "recall@1": 0.6667, "recall@3": 0.6667, "recall@10": 0.6667,
                                 "mrr@10": 0.6667}
    assert set(report["per_kind"]) == {"keyword", "casual"}
    table = run("eval", str(queries)).stdout
    assert "R@3" in table and "keyword" in table


TITLES_ONLY = [{"id": "t1", "title": "Presiden Jokowi Ternyata Berijazah Palsu", "published": "2024-08-09",
                "publisher": "turnbackhoax.id"},
               {"id": "t2", "title": "Tautan Pendaftaran Rekrutmen PAM JAYA", "published": "2024-12-31",
                "publisher": "turnbackhoax.id"},
               {"id": "t3", "title": "[HOAKS] Vaksin Mengandung Chip", "publisher": "turnbackhoax.id"}]


def test_rows_without_a_verdict_are_counted_and_warned_about(tmp_path, run):
    source = write_jsonl(tmp_path / "judul.jsonl", TITLES_ONLY)
    result = run("ingest", str(source))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3 added, 0 updated, 0 unchanged, 0 rejected (2 without a verdict)"
    assert "warning: 2 of 3 fact-checks state no verdict" in result.stderr and "--default-verdict" in result.stderr
    reply = run("ask", "jokowi berijazah palsu").stdout
    assert "Cek fakta turnbackhoax.id" in reply and "“Presiden Jokowi Ternyata Berijazah Palsu”" in reply
    assert "ℹ️ *CEK FAKTA* — Presiden Jokowi" not in reply  # never the bare headline


def test_default_verdict_names_the_verdict_in_replies(tmp_path, run):
    source = write_jsonl(tmp_path / "judul.jsonl", TITLES_ONLY)
    result = run("ingest", str(source), "--default-verdict", "SALAH")
    assert result.stdout.strip() == "3 added, 0 updated, 0 unchanged, 0 rejected (2 given the default verdict SALAH)"
    assert "warning" not in result.stderr
    assert "❌ *SALAH* — Presiden Jokowi Ternyata Berijazah Palsu" in run("ask", "jokowi berijazah palsu").stdout
    # a verdict the row states (a "[HOAKS]" title prefix) is kept
    assert json.loads(run("search", "vaksin chip", "--json").stdout)["results"][0]["verdict"] == "false"
    bad = run("ingest", str(source), "--default-verdict", "ENTAHLAH")
    assert bad.returncode == 1 and "not a verdict benarkah knows" in bad.stderr


def test_a_site_profile_can_give_its_rows_a_default_verdict(tmp_path, run):
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "arsipku.toml").write_text('name = "arsipku"\n[verdict]\ndefault = "PENIPUAN"\n', encoding="utf-8")
    source = write_jsonl(tmp_path / "judul.jsonl", TITLES_ONLY[1:2])
    result = run("ingest", str(source), "--profile", "arsipku", "--profiles-dir", str(profiles))
    assert result.stdout.strip().endswith("(1 given the default verdict PENIPUAN)"), result.stderr
    assert json.loads(run("search", "rekrutmen pam jaya", "--json").stdout)["results"][0]["verdict"] == "scam"
    override = run("ingest", str(source), "--profile", "arsipku", "--profiles-dir", str(profiles),
                   "--default-verdict", "HOAKS")
    assert override.stdout.strip().startswith("0 added, 1 updated")


def test_eval_accepts_several_ids_and_warns_about_ids_not_in_the_archive(tmp_path, run):
    run("ingest", str(write_jsonl(tmp_path / "a.jsonl", GOOD)))
    queries = write_jsonl(tmp_path / "q.jsonl", [
        {"qid": "q1", "article_ids": ["tidak-ada", "v1"], "kind": "keyword", "query": "vaksin chip"},
        {"qid": "q2", "article_id": "hilang-1", "kind": "keyword", "query": "vaksin chip"},
    ])
    result = run("eval", str(queries), "--json")
    assert json.loads(result.stdout)["overall"]["recall@1"] == 0.5
    assert "warning: 1 of 2 queries name article ids that are not in the archive, e.g. q2 (hilang-1)" in result.stderr


def test_unreachable_postgresql_is_a_one_line_error(tmp_path):
    result = run_cli("postgresql://benarkah:secret-pw@127.0.0.1:9/nowhere", "search", "vaksin")
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot connect to PostgreSQL at postgresql://benarkah@127.0.0.1:9/nowhere")
    assert "secret-pw" not in result.stderr and "Traceback" not in result.stderr
