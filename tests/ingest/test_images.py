"""Article pictures at ingest: JSONL rows (paths beside the file, URLs), pages (og:image and the body's
pictures, through the polite crawler), bad pictures reported without losing the batch."""

import json

import pytest

from benarkah.domain.articles import Article
from benarkah.ingest.crawler import CrawlLimits, Crawler
from benarkah.ingest.images import ImageImporter, ImageRef, image_refs
from benarkah.ingest.pipeline import ingest_records, records_from_paths
from benarkah.ingest.sources import SourceOptions, Sources
from benarkah.errors import InvalidArticle
from benarkah.media.archive import ArticleImages
from benarkah.media.limits import MediaLimits
from benarkah.media.reader import MediaReader
from tests.media.make import encode, noise_picture

FAST = CrawlLimits(delay_s=0.0, timeout_s=2.0)


@pytest.fixture
def importer(any_services):
    crawler = Crawler(FAST)
    yield ImageImporter(ArticleImages(any_services.store), MediaReader(ocr=None), lambda: crawler)
    crawler.close()


def test_jsonl_rows_bring_pictures_from_beside_the_file_and_from_urls(tmp_path, any_services, importer, site):
    (tmp_path / "gambar").mkdir()
    (tmp_path / "gambar" / "a.jpg").write_bytes(encode(noise_picture(1), "JPEG"))
    (tmp_path / "gambar" / "bukan.jpg").write_bytes(b"<html>ini bukan gambar</html>")
    rows = [
        {"id": "f1", "title": "[HOAKS] Foto banjir lama", "image": "gambar/a.jpg"},
        {"id": "f2", "title": "[SALAH] Pesan kuota gratis", "images": [f"{site.base}/foto/isi.png", "gambar/bukan.jpg",
                                                                    "gambar/tidak-ada.jpg"]},
        {"id": "f3", "title": "[HOAKS] Gambar rusak", "image": 42},
    ]
    path = tmp_path / "artikel.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    report = ingest_records(any_services.index, records_from_paths([path]), images=importer)
    assert report.counts["added"] == 2 and report.images["added"] == 2
    reasons = dict(report.rejections)
    assert reasons["artikel.jsonl:3"] == "field 'image' must be a path or URL (or a list of them)"
    assert any("bukan.jpg" in where and "not a picture" in why for where, why in report.rejections)
    assert any("tidak-ada.jpg" in where and "no such file" in why for where, why in report.rejections)
    images = ArticleImages(any_services.store)
    assert [i.source for i in images.for_article("f1")] == [str(tmp_path / "gambar" / "a.jpg")]
    assert [i.mime for i in images.for_article("f2")] == ["image/png"]
    again = ingest_records(any_services.index, records_from_paths([path]), images=importer)
    assert again.images["known"] == 2 and not again.images["added"]  # nothing fetched twice


def test_a_page_brings_its_og_image_and_body_pictures(any_services, site):
    sources = Sources(any_services.store, SourceOptions(limits=FAST))
    importer = ImageImporter(ArticleImages(any_services.store), MediaReader(ocr=None), lambda: sources.crawler)
    try:
        report = ingest_records(any_services.index, sources.records([f"{site.base}/cek-fakta-foto"]),
                                on_flush=sources.checkpoint, images=importer)
    finally:
        sources.close()
    assert report.counts["added"] == 1
    article = next(any_services.store.iter_articles())
    stored = sorted(i.source.rsplit("/", 1)[1] for i in ArticleImages(any_services.store).for_article(article.id))
    assert stored == ["isi.png", "sampul.jpg"]  # not the header logo, not the 1-px pixel
    assert site.hits["/foto/logo.png"] == 0 and site.hits["/foto/piksel.gif"] == 0
    assert any("hilang.jpg" in where and "HTTP 404" in why for where, why in report.rejections)


def test_image_refs_validation():
    assert image_refs({"image": " a.jpg ", "images": ["b.jpg", "a.jpg"]}) == ["a.jpg", "b.jpg"]
    assert image_refs({"images": []}) == []
    with pytest.raises(InvalidArticle):
        image_refs({"images": [{"url": "x"}]})


def test_oversized_files_are_refused_before_reading(tmp_path, any_services):
    any_services.store.upsert_articles([Article(id="big", title="Besar")])
    big = tmp_path / "besar.png"
    big.write_bytes(encode(noise_picture(2, (800, 600)), "PNG"))
    importer = ImageImporter(ArticleImages(any_services.store), MediaReader(MediaLimits(max_image_bytes=1000)),
                             lambda: Crawler(FAST))
    report = importer.attach([ImageRef("big", str(big), "cli")])
    assert "the picture limit is 1,000" in report.rejections[0][1] and not report.counts["added"]
