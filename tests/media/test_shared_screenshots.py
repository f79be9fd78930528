"""OCR and search on a handful of the shared rendered screenshots (skips when ../shared is absent):
the screenshot finds what its text finds, and a re-shared screenshot finds the article showing it."""

import json

import pytest

from benarkah.ingest.crawler import Crawler
from benarkah.ingest.images import ImageImporter, ImageRef
from benarkah.ingest.pipeline import ingest_records, records_from_paths
from benarkah.media.archive import ArticleImages
from benarkah.media.matching import LivePictureIndex, MatchThresholds, MatchVia
from benarkah.media.reader import MediaReader
from benarkah.media.search import PictureSearch
from benarkah.settings import Settings
from tests.conftest import shared_path

PER_STYLE = 2


@pytest.fixture(scope="module")
def sample():
    queries = shared_path("bench/screenshots-dev/queries.jsonl")
    rows = [json.loads(line) for line in queries.read_text(encoding="utf-8").splitlines() if line.strip()]
    picked = []
    for style in ("wa", "fb", "x"):
        picked += [r for r in rows if r["style"] == style][:PER_STYLE]
    return queries.parent, picked


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    from benarkah.app import build
    from tests.conftest import TEST_KEY

    corpora = [shared_path("corpora/turnbackhoax-2024/articles.jsonl"),
               shared_path("corpora/turnbackhoax-2026/articles.jsonl")]
    db = tmp_path_factory.mktemp("shots") / "benarkah.db"
    services = build(Settings(db=str(db), secret_key=TEST_KEY, semantic=False))
    ingest_records(services.index, records_from_paths(corpora))
    yield services
    services.close()


def test_screenshots_find_what_their_text_finds(ocr, sample, archive):
    folder, picked = sample
    reader = MediaReader(ocr=ocr)
    search = PictureSearch(reader, LivePictureIndex(ArticleImages(archive.store)),
                           lambda text, n: archive.tipline.search(text, limit=n), archive.store.get_article,
                           MatchThresholds(31, 0.7))
    typed_hits = shot_hits = 0
    for row in picked:
        found = search.search((folder / row["image"]).read_bytes(), limit=3)
        assert found.read.read_text and not found.matches  # no article pictures stored yet
        typed = [h.article.id for h in archive.tipline.search(row["text"], limit=3).hits]
        shot = [h.article.id for h in found.result.hits]
        typed_hits += row["article_id"] in typed
        shot_hits += row["article_id"] in shot
        assert "Diteruskan" not in found.read.read_text and "Baca selengkapnya" not in found.read.read_text
    assert typed_hits >= len(picked) - 1  # these keyword-only searches find the right article...
    assert shot_hits >= typed_hits - 1  # ...and the screenshots nearly as often


def test_a_re_shared_screenshot_finds_the_article_that_shows_it(ocr, sample, archive):
    folder, picked = sample
    images = ArticleImages(archive.store)
    importer = ImageImporter(images, MediaReader(ocr=ocr), lambda: Crawler())
    refs = [ImageRef(r["article_id"], f"article_images/{r['article_id']}.jpg", "test", str(folder)) for r in picked]
    report = importer.attach(refs)
    assert report.counts["added"] == len(picked) and not report.rejections
    search = PictureSearch(MediaReader(ocr=ocr), LivePictureIndex(images),
                           lambda text, n: archive.tipline.search(text, limit=n), archive.store.get_article,
                           MatchThresholds(31, 0.7))
    for row in picked:
        found = search.search((folder / row["image"]).read_bytes(), limit=3)
        assert found.result.matched and found.result.hits[0].article.id == row["article_id"]
        assert [m.article_id for m in found.matches] == [row["article_id"]]
        assert found.matches[0].via is MatchVia.TEXT
        payload = found.payload()
        assert payload["read_text"] == found.read.read_text and payload["picture_matches"][0]["via"] == "text"
