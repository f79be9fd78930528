"""``images add``, ``search --image`` and ``eval`` with picture lines, as a user runs them (subprocess,
SQLite file). The OCR parts use three shared screenshots and skip without ../shared or Tesseract."""

import json
import shutil

import pytest

from tests.cli.test_ingest_cli import run_cli, write_jsonl
from tests.conftest import shared_path
from tests.media.make import encode, noise_picture


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "benarkah.db")


def shared_sample(tmp_path, n: int = 3):
    """Three screenshots copied beside a queries file, their articles, their article pictures."""
    folder = shared_path("bench/screenshots-dev/queries.jsonl").parent
    rows = [json.loads(x) for x in (folder / "queries.jsonl").read_text(encoding="utf-8").splitlines()][:n]
    wanted = {r["article_id"] for r in rows}
    corpus = shared_path("corpora/turnbackhoax-2024/articles.jsonl").read_text(encoding="utf-8").splitlines()
    articles = [a for a in map(json.loads, corpus) if a["id"] in wanted]
    (tmp_path / "shots").mkdir()
    for r in rows:
        shutil.copy(folder / r["image"], tmp_path / "shots" / r["image"].rsplit("/", 1)[1])
    return folder, rows, articles


def test_pictures_added_searched_and_evaluated(tmp_path, db):
    pytest.importorskip("tesserocr")
    from benarkah.media.ocr import find_tessdata

    if find_tessdata() is None:
        pytest.skip("needs Tesseract's Indonesian data (apt-get install tesseract-ocr-ind)")
    folder, rows, articles = shared_sample(tmp_path)
    assert run_cli(db, "ingest", str(write_jsonl(tmp_path / "a.jsonl", articles))).returncode == 0
    pictures = [{"id": r["article_id"], "image": str(folder / "article_images" / f"{r['article_id']}.jpg")}
                for r in rows] + [{"id": "tidak-ada", "image": "x.jpg"}]
    added = run_cli(db, "images", "add", str(write_jsonl(tmp_path / "pictures.jsonl", pictures)))
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "3 added, 0 already stored, 1 rejected"
    assert "no article with id 'tidak-ada'" in added.stderr
    again = run_cli(db, "images", "add", str(tmp_path / "pictures.jsonl"))
    assert again.stdout.startswith("0 added, 3 already stored")

    shot = tmp_path / "shots" / rows[0]["image"].rsplit("/", 1)[1]
    found = run_cli(db, "search", "--image", str(shot), "--json")
    assert found.returncode == 0, found.stderr
    payload = json.loads(found.stdout)
    assert payload["results"][0]["id"] == rows[0]["article_id"] and payload["matched"]
    assert payload["read_text"] and payload["picture_matches"][0]["id"] == rows[0]["article_id"]
    assert set(payload) >= {"query", "matched", "confidence", "results", "read_text"}

    lines = [{"qid": r["qid"], "article_id": r["article_id"], "kind": "screenshot",
              "image": "shots/" + r["image"].rsplit("/", 1)[1]} for r in rows]
    lines.append({"qid": "t1", "article_id": rows[0]["article_id"], "kind": "typed", "query": rows[0]["text"]})
    report = run_cli(db, "eval", str(write_jsonl(tmp_path / "queries.jsonl", lines)), "--json")
    assert report.returncode == 0, report.stderr
    per_kind = json.loads(report.stdout)["per_kind"]
    assert per_kind["screenshot"]["n"] == 3 and per_kind["screenshot"]["recall@3"] == 1.0
    assert per_kind["typed"]["n"] == 1


def test_bad_pictures_get_a_clear_error_and_no_ocr_is_polite(tmp_path, db, monkeypatch):
    fake = tmp_path / "foto.jpg"
    fake.write_bytes(b"<html><script>alert(1)</script></html>")
    bad = run_cli(db, "search", "--image", str(fake))
    assert bad.returncode == 1 and "not a picture, video or audio file" in bad.stderr
    photo = tmp_path / "foto.png"
    photo.write_bytes(encode(noise_picture(3), "PNG"))
    monkeypatch.setenv("BENARKAH_OCR_ENGINE", "none")  # as on a machine without Tesseract's data
    quiet = run_cli(db, "search", "--image", str(photo), "--json")
    assert quiet.returncode == 0, quiet.stderr
    payload = json.loads(quiet.stdout)
    assert payload["problem"] == "ocr_unavailable" and payload["results"] == [] and payload["read_text"] == ""
    assert "matched by their hash only" in quiet.stderr
    assert run_cli(db, "search").returncode == 2


def test_ask_with_an_image_prints_the_reply_the_bot_would_send(tmp_path, db):
    pytest.importorskip("tesserocr")
    from benarkah.media.ocr import find_tessdata

    if find_tessdata() is None:
        pytest.skip("needs Tesseract's Indonesian data (apt-get install tesseract-ocr-ind)")
    folder, rows, articles = shared_sample(tmp_path, n=1)
    assert run_cli(db, "ingest", str(write_jsonl(tmp_path / "a.jsonl", articles))).returncode == 0
    shot = tmp_path / "shots" / rows[0]["image"].rsplit("/", 1)[1]
    answered = run_cli(db, "ask", "--image", str(shot))
    assert answered.returncode == 0, answered.stderr
    assert "Teks yang kami baca" in answered.stdout and articles[0]["title"] in answered.stdout
    broken = tmp_path / "rusak.jpg"
    broken.write_bytes(shot.read_bytes()[:700])
    told = run_cli(db, "ask", "--image", str(broken), "cek ini")
    assert told.returncode == 0 and "*tidak bisa kami buka*" in told.stdout
    assert run_cli(db, "ask").returncode == 2
