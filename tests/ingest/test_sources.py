"""Local inputs through the same path as the CLI: feed and sitemap files, text dumps, mixed folders."""

import pytest

from benarkah.cli.extract import extract_source
from benarkah.errors import InputFormatError
from benarkah.ingest.pipeline import ingest_records
from benarkah.ingest.sources import SourceOptions, Sources
from tests.ingest.site import Site
from tests.ingest.test_feeds import ATOM, RSS
from tests.support.servers import serve_app

DUMP = """Bagikan

[HOAKS] Kapal Terbalik di Selat Sunda Dilaporkan Pagi Ini

Redaksi Contoh, Jakarta - Foto kapal terbalik yang beredar dengan narasi terjadi di Selat Sunda pagi ini, Senin (4/3/2024), ternyata foto lama dari perairan lain yang diambil pada 2018.

Syahbandar pelabuhan setempat memastikan tidak ada laporan kecelakaan kapal sepanjang pekan ini.

Simak video pilihan berikut ini:

Baca Juga: Cek fakta lain tentang kecelakaan laut
"""


def ingest(services, inputs, **options):
    sources = Sources(services.store, SourceOptions(**options))
    report = ingest_records(services.index, sources.records([str(i) for i in inputs]), on_flush=sources.checkpoint)
    sources.close()
    return report


def test_feed_file_items_become_articles_without_follow(tmp_path, services):
    (tmp_path / "feed.rss").write_bytes(RSS)
    (tmp_path / "atom.xml").write_bytes(ATOM)
    report = ingest(services, [tmp_path])
    assert report.counts["added"] == 2
    assert report.rejections == [("feed.rss#2", "feed item has no link")]
    atom = next(a for a in services.store.iter_articles() if "Bansos" in a.title)
    assert atom.url == "https://contoh.id/cek/2" and str(atom.published) == "2023-03-14"
    assert atom.verdict.value == "false" and atom.publisher == "Atom Contoh"


def test_sitemap_file_needs_follow_and_unknown_xml_is_refused(tmp_path, services):
    (tmp_path / "sitemap.xml").write_text(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://contoh.id/a</loc></url></urlset>"
    )
    report = ingest(services, [tmp_path / "sitemap.xml"])
    assert report.rejections == [("sitemap.xml", "a sitemap only lists pages: add --follow to fetch them")]
    (tmp_path / "lain.xml").write_text("<catatan/>")
    with pytest.raises(InputFormatError, match="don't know how to read .xml files that are neither"):
        ingest(services, [tmp_path / "lain.xml"])


def test_text_dump_folder_and_re_run(tmp_path, services):
    (tmp_path / "dump.txt").write_text(DUMP, encoding="utf-8")
    (tmp_path / "data.jsonl").write_text('{"id": "j1", "title": "Baris JSONL"}\n', encoding="utf-8")
    report = ingest(services, [tmp_path])
    assert report.counts["added"] == 2
    dump = next(a for a in services.store.iter_articles() if a.id != "j1")
    assert dump.title == "[HOAKS] Kapal Terbalik di Selat Sunda Dilaporkan Pagi Ini"
    assert str(dump.published) == "2024-03-04" and dump.verdict.value == "false"
    assert "Simak video" not in dump.text and "Baca Juga" not in dump.text and "Bagikan" not in dump.text
    assert ingest(services, [tmp_path]).counts["unchanged"] == 2


def test_extract_command_follows_a_three_page_article_by_url():
    site = Site()
    with serve_app(site.app) as base:
        page = extract_source(f"{base}/berita/tsunami")
    assert page.pages == 3 and "Kesimpulan: pesan berantai" in page.text
    assert [path for path, _ in site.requests if path == "/berita/tsunami"] == ["/berita/tsunami"] * 3


def test_a_wrong_path_is_reported_before_anything_is_stored(tmp_path, services):
    (tmp_path / "dump.txt").write_text(DUMP, encoding="utf-8")
    (tmp_path / "notes.docx").write_text("x")
    for wrong, message in (
        (tmp_path / "tidak-ada.html", "no such file or folder"),
        (tmp_path / "notes.docx", "don't know how to read .docx"),
    ):
        with pytest.raises(InputFormatError, match=message):
            ingest(services, [tmp_path / "dump.txt", wrong])
        assert services.store.count_articles() == 0
