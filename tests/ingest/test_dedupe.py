from benarkah.domain.articles import article_from_record
from benarkah.ingest.dedupe import DuplicateIndex, article_id_for_url, canonical_url, minhash, similarity
from benarkah.ingest.extract import Extracted
from benarkah.ingest.pages import PageRecords

BODY = (
    "Pesan berantai yang menjanjikan kuota internet gratis 100 GB dari kementerian mengarah ke situs tiruan "
    "yang meminta nomor telepon dan kode OTP. Kementerian menyatakan tidak pernah membagikan kuota melalui "
    "tautan di pesan berantai. Pola seperti ini dipakai untuk mengambil alih akun WhatsApp korban. "
    "Kesimpulan: pesan itu salah dan merupakan upaya penipuan yang sudah berulang kali diperingatkan."
)
OTHER = (
    "Video antrean panjang warga membeli minyak goreng yang beredar dengan narasi terjadi hari ini sebenarnya "
    "direkam pada awal 2022 ketika harga minyak goreng melonjak di banyak daerah. Sejumlah media merekam "
    "antrean serupa pada waktu itu dan pemerintah daerah mengonfirmasi lokasinya. Kesimpulan: video "
    "tersebut menyesatkan karena konteks waktunya keliru dan tidak menggambarkan keadaan hari ini."
)


def test_mirrors_fold_to_one_canonical_url():
    same = {
        canonical_url(u)
        for u in (
            "https://www.contoh.id/cek-fakta/123/judul",
            "http://m.contoh.id/cek-fakta/123/judul/",
            "https://contoh.id/cek-fakta/123/judul/amp",
            "https://amp.contoh.id/cek-fakta/123/judul?utm_source=wa&utm_medium=share",
            "https://contoh.id/cek-fakta/123/judul?amp=1#komentar",
        )
    }
    assert same == {"https://contoh.id/cek-fakta/123/judul"}
    assert canonical_url("https://contoh.id/a?page=2") != canonical_url("https://contoh.id/a")
    assert article_id_for_url("https://m.contoh.id/x/") == article_id_for_url("https://www.contoh.id/x")


def test_minhash_similarity_is_high_for_republished_copies_and_low_otherwise():
    republished = (
        "Diterbitkan ulang dari mitra kami. "
        + BODY.replace("Kesimpulan:", "KESIMPULAN —")
        + (" Bagikan artikel ini ke keluarga dan teman Anda.")
    )
    a, b, c = minhash(BODY), minhash(republished), minhash(OTHER)
    assert similarity(a, b) >= 0.6 > 0.2 > similarity(a, c)
    assert minhash("terlalu pendek untuk dibandingkan") is None


def test_a_shared_explanation_template_is_not_a_duplicate():
    """Fact-checkers reuse explanation paragraphs; two fact-checks about different claims stay two."""
    builder = PageRecords()
    first = builder.record(page("https://a.id/1", BODY, title="[SALAH] Kuota Internet Gratis 100 GB"), "a")
    other = builder.record(
        page(
            "https://a.id/2",
            BODY + " Tautan serupa juga beredar untuk pulsa.",
            title="[SALAH] Pulsa Gratis Rp200 Ribu dari Operator Seluler",
        ),
        "b",
    )
    assert first.fields["id"] != other.fields["id"] and builder.merged == 0


def page(url: str, text: str, title: str = "[SALAH] Kuota Internet Gratis 100 GB", mirrors=()) -> Extracted:
    return Extracted(url=url, title=title, text=text, mirror_urls=tuple(mirrors))


def test_page_records_keep_one_article_and_remember_the_other_urls():
    builder = PageRecords()
    first = builder.record(
        page("https://contoh.id/cek/1", BODY, mirrors=["https://contoh.id/amp/cek/1"]), "a"
    )
    mirror = builder.record(page("https://m.contoh.id/amp/cek/1", BODY), "b")  # an AMP/mobile mirror
    copy = builder.record(page("https://lain.id/salinan", BODY + " Bagikan artikel ini."), "c")  # republished
    different = builder.record(page("https://contoh.id/cek/2", OTHER, title="[MENYESATKAN] Antrean"), "d")
    assert first.fields["id"] == mirror.fields["id"] == copy.fields["id"] != different.fields["id"]
    article = article_from_record(copy.fields)
    assert article.url == "https://contoh.id/cek/1"
    assert set(article.extra_urls) == {
        "https://contoh.id/amp/cek/1",
        "https://m.contoh.id/amp/cek/1",
        "https://lain.id/salinan",
    }
    assert builder.merged == 2


def test_duplicates_of_articles_stored_by_an_earlier_run(services):
    stored = article_from_record(
        {
            "id": "lama-1",
            "title": "Cek Fakta: Kuota Internet Gratis 100 GB",
            "text": BODY,
            "url": "https://a.id/1",
        }
    )
    services.index.upsert([stored])
    builder = PageRecords(list(services.store.iter_articles()), lookup=services.store.get_article)
    record = builder.record(page("https://b.id/republikasi", BODY), "x")
    assert record.fields["id"] == "lama-1" and record.fields["extra_urls"] == ["https://b.id/republikasi"]
    same_article = builder.record(page("https://a.id/1", BODY + " Pembaruan: tanggapan kementerian."), "y")
    assert (
        same_article.fields["id"] == article_id_for_url("https://a.id/1")
        or same_article.fields["id"] == "lama-1"
    )


def test_pages_without_headline_or_body_are_rejected_with_the_reason():
    builder = PageRecords()
    assert "no headline" in builder.record(page("https://a.id/1", BODY, title=""), "x").error
    assert "no article text" in builder.record(page("https://a.id/2", "Sukses"), "y").error


def test_index_from_articles():
    index = DuplicateIndex.from_articles(
        [
            article_from_record(
                {
                    "id": "k",
                    "title": "t",
                    "text": BODY,
                    "url": "https://a.id/1",
                    "extra_urls": ["https://m.a.id/amp/1"],
                }
            )
        ]
    )
    assert index.find("other", ["https://a.id/amp/1"], "")[0] == "k"
    assert (
        index.find("k", ["https://a.id/1"], BODY)[0] is None
    )  # the same article coming back is no duplicate
