"""``benarkah extract`` and ``benarkah ingest`` on pages, folders and URLs, as a user runs them."""

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.test_ingest_cli import run_cli
from tests.conftest import SHARED
from tests.ingest.site import Site
from tests.support.servers import serve_app

FIXTURES = Path(__file__).parents[1] / "ingest" / "fixtures"
SEED = SHARED / "seeds" / "000_11bcd6a5151a72ac.txt"


def run(tmp_path: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_cli(str(tmp_path / "cli.db"), *args)


@pytest.mark.skipif(
    not SEED.exists(),
    reason=f"needs {SEED} (the shared data: set BENARKAH_SHARED or put it beside the project), absent here",
)
def test_extract_the_real_liputan6_dump(tmp_path):
    result = run(tmp_path, "extract", str(SEED), "--json")
    assert result.returncode == 0, result.stderr
    page = json.loads(result.stdout)
    assert page["title"] == "Joe Biden Desak Rusia Segera Turunkan Tensi Ketegangan dengan Ukraina"
    assert page["published"] == "2021-12-08" and page["profile"] == "liputan6"
    for gone in ("Sukses", "2 dari 3 halaman", "3 dari 3 halaman", "silakan WhatsApp", "Infografis"):
        assert gone not in page["text"]
    assert "Tegangan di Ukraina" in page["text"] and "Jen Psaki" in page["text"]
    human = run(tmp_path, "extract", str(SEED))
    assert "title: Joe Biden Desak Rusia" in human.stdout and "published: 2021-12-08" in human.stdout


def test_extract_html_with_profile_and_errors(tmp_path):
    result = run(
        tmp_path, "extract", str(FIXTURES / "tempo_claimreview.html"), "--json", "--profile", "tempo"
    )
    page = json.loads(result.stdout)
    assert (page["verdict"], page["verdict_label"], page["publisher"]) == ("false", "Keliru", "Tempo")
    assert page["claimreview"]["claim_author"] == "Akun Facebook Herbal Sehat Nusantara"
    missing = run(tmp_path, "extract", str(tmp_path / "tidak-ada.html"))
    assert missing.returncode == 1 and "no such file" in missing.stderr
    unknown = run(tmp_path, "extract", str(FIXTURES / "tempo_claimreview.html"), "--profile", "entah")
    assert unknown.returncode == 1 and "unknown profile 'entah'" in unknown.stderr


def test_a_newsroom_profile_from_its_own_folder(tmp_path):
    profiles = tmp_path / "profil"
    profiles.mkdir()
    (profiles / "contoh.toml").write_text(
        'name = "contoh"\npublisher = "Cek Fakta Contoh"\nmarkers = ["Redaksi Contoh,"]\n'
        "[boilerplate]\ndrop_lines = ['dukung jurnalisme kami.*']\n",
        encoding="utf-8",
    )
    dump = tmp_path / "halaman.txt"
    dump.write_text(
        "Vaksin Tidak Mengubah DNA\n\nRedaksi Contoh, Jakarta - Klaim bahwa vaksin mRNA mengubah DNA "
        "manusia tidak benar, Kamis (2/5/2024).\n\nDukung jurnalisme kami dengan berlangganan.\n",
        encoding="utf-8",
    )
    page = json.loads(run(tmp_path, "extract", str(dump), "--json", "--profiles-dir", str(profiles)).stdout)
    assert (page["profile"], page["publisher"], page["published"]) == (
        "contoh",
        "Cek Fakta Contoh",
        "2024-05-02",
    )
    assert "Dukung jurnalisme" not in page["text"]
    stored = run(tmp_path, "ingest", str(dump), "--profiles-dir", str(profiles))
    assert stored.stdout.strip() == "1 added, 0 updated, 0 unchanged, 0 rejected (1 without a verdict)", stored.stderr
    assert "warning: 1 of 1 fact-checks state no verdict" in stored.stderr
    # the site says its pages are all debunks: its profile gives them the verdict they do not state
    with (profiles / "contoh.toml").open("a", encoding="utf-8") as toml:
        toml.write('[verdict]\ndefault = "HOAKS"\n')
    again = run(tmp_path, "ingest", str(dump), "--profiles-dir", str(profiles))
    assert again.stdout.strip() == "0 added, 1 updated, 0 unchanged, 0 rejected (1 given the default verdict HOAKS)"
    assert "❌ *SALAH* — Vaksin Tidak Mengubah DNA" in run(tmp_path, "ask", "vaksin mengubah dna").stdout
    broken = run(tmp_path, "ingest", str(dump), "--profiles-dir", str(tmp_path / "tidak-ada"))
    assert broken.returncode == 1 and "profile folder" in broken.stderr


def test_ingest_a_folder_of_pages_twice(tmp_path):
    archive = tmp_path / "arsip"
    (archive / "2021").mkdir(parents=True)
    for name in ("liputan6_cekfakta.html", "turnbackhoax.html", "tempo_claimreview.html"):
        shutil.copy(FIXTURES / name, archive / "2021" / name)
    # an AMP copy of the Liputan6 page saved under another name: stored once, URL remembered
    amp = (
        (FIXTURES / "liputan6_cekfakta.html")
        .read_text(encoding="utf-8")
        .replace(
            '<link rel="canonical" href="https://www.liputan6.com/cek-fakta/read/4790001/',
            '<link rel="canonical" href="https://m.liputan6.com/amp/4790001/',
        )
    )
    (archive / "2021" / "liputan6_amp.htm").write_text(amp, encoding="utf-8")
    (archive / "rusak.html").write_bytes(b"<html><body><div>\xff\xfe</div>")
    (archive / ".tersembunyi.html").write_text("<html></html>")
    (archive / "catatan.md").write_text("diabaikan")
    first = run(tmp_path, "ingest", str(archive))
    assert first.returncode == 3, first.stderr  # rusak.html was rejected
    assert first.stdout.strip() == "3 added, 0 updated, 0 unchanged, 1 rejected (1 duplicates merged)"
    assert "rejected rusak.html: no headline found" in first.stderr
    again = run(tmp_path, "ingest", str(archive))
    assert again.stdout.strip().startswith("0 added, 0 updated, 3 unchanged, 1 rejected")
    found = json.loads(run(tmp_path, "search", "banjir bandang garut video lama", "--json").stdout)
    assert found["results"][0]["url"].startswith("https://www.liputan6.com/cek-fakta/read/4790001/")


def test_ingest_urls_feed_follow_and_missing_paths(tmp_path):
    site = Site()
    with serve_app(site.app) as base:
        result = run(tmp_path, "ingest", f"{base}/feed.xml", "--follow", "--delay", "0", "--timeout", "2")
        assert result.returncode == 3, result.stderr  # two pages rejected, the rest stored
        assert result.stdout.strip() == "3 added, 0 updated, 0 unchanged, 2 rejected"
        assert f"rejected {base}/private/rahasia: disallowed by robots.txt" in result.stderr
        assert "crawl: 4 fetched, 0 not modified" in result.stderr
        page = run(tmp_path, "ingest", f"{base}/fixture/liputan6_cekfakta.html", "--delay", "0")
        assert page.stdout.strip() == "1 added, 0 updated, 0 unchanged, 0 rejected"
    missing = run(tmp_path, "ingest", str(tmp_path / "tidak-ada"))
    assert missing.returncode == 1 and "no such file or folder" in missing.stderr
