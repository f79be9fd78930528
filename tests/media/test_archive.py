"""Article pictures in the store and the picture index, on SQLite and PostgreSQL."""

from benarkah.domain.articles import Article
from benarkah.media.archive import ArticleImages
from benarkah.media.kinds import MediaKind
from benarkah.media.matching import LivePictureIndex, MatchThresholds, MatchVia, PictureIndex
from benarkah.media.pdq import PdqHash
from benarkah.media.reader import ReadMedia

TEXT = ("Beredar pesan berantai yang menyebut air laut di pantai selatan akan surut mendadak pekan depan "
        "dan warga diminta mengungsi ke dataran tinggi")


def read_media(sha: str, bits: bytes, text: str = "") -> ReadMedia:
    return ReadMedia(MediaKind.IMAGE, "image/jpeg", sha, read_text=text, hashes=(PdqHash(bits, 100),),
                     width=640, height=480, frames=1)


def test_pictures_are_stored_once_and_matched_by_hash_or_text(any_services):
    store = any_services.store
    store.upsert_articles([Article(id="a1", title="Air laut surut"), Article(id="a2", title="Lain")])
    images = ArticleImages(store)
    version = images.version()
    a = bytes(range(32))
    b = bytes(255 - i for i in range(32))
    assert images.add("a1", "https://contoh.id/a.jpg", read_media("s1", a, TEXT), ocr_engine="tesseract-ind")
    assert not images.add("a1", "https://contoh.id/a-lagi.jpg", read_media("s1", a, TEXT))  # same bytes
    assert images.add("a2", "/arsip/b.jpg", read_media("s2", b))
    assert images.version() > version and images.count() == 2
    assert images.has("a1", "https://contoh.id/a.jpg") and not images.has("a2", "https://contoh.id/a.jpg")
    stored = images.for_article("a1")[0]
    assert stored.pdq.bits == a and stored.ocr_text == TEXT and len(stored.text_print) > 10

    index = LivePictureIndex(images).current()
    thresholds = MatchThresholds(max_distance=31, min_text_share=0.5)
    near = bytearray(a)
    near[0] ^= 0b111  # three bits away
    by_hash = index.match(read_media("q", bytes(near)), thresholds)
    assert [(m.article_id, m.via, m.distance) for m in by_hash] == [("a1", MatchVia.HASH, 3)]
    far = bytes(x ^ 0x0F for x in a)  # 128 bits away from a, and from b
    by_text = index.match(read_media("q", far, TEXT.replace("mendadak", "mendadak!!")), thresholds)
    assert [(m.article_id, m.via) for m in by_text] == [("a1", MatchVia.TEXT)]
    assert index.match(read_media("q", far, "pesan lain sama sekali tentang vaksin dan chip"), thresholds) == []


def test_deleting_an_article_deletes_its_pictures(any_services):
    store = any_services.store
    store.upsert_articles([Article(id="gone", title="Akan dihapus")])
    images = ArticleImages(store)
    images.add("gone", "x.jpg", read_media("s", bytes(32)))
    with store.transaction() as tx:
        tx.execute("DELETE FROM articles WHERE id = ?", ("gone",))
    assert images.count() == 0


def test_an_empty_index_matches_nothing():
    assert PictureIndex([]).match(read_media("q", bytes(32), TEXT), MatchThresholds(31, 0.5)) == []
