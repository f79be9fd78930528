"""Extraction on pages written in the style of real Indonesian fact-check sites, and on a real dump."""

from datetime import date
from pathlib import Path

import pytest

from benarkah.domain.verdicts import Verdict
from benarkah.errors import ConfigError
from benarkah.ingest.extract import extract_page
from benarkah.ingest.html import decode_page
from benarkah.ingest.profiles import ProfileChooser, load_profiles
from tests.conftest import shared_path

FIXTURES = Path(__file__).parent / "fixtures"
BOILERPLATE = (
    "Sukses",
    "2 dari 3 halaman",
    "3 dari 3 halaman",
    "WhatsApp ke nomor",
    "Infografis",
    "Simak video",
    "Baca Juga",
    "Advertisement",
    "Bagikan",
    "Copyright",
    "Berita Terpopuler",
)


def extract_fixture(name: str, **kwargs):
    html = decode_page((FIXTURES / name).read_bytes())
    return extract_page(html, ProfileChooser(**kwargs))


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def test_real_liputan6_dump_keeps_every_paragraph_and_drops_the_boilerplate():
    raw = shared_path("seeds/000_11bcd6a5151a72ac.txt").read_text(encoding="utf-8")
    page = extract_page(raw, ProfileChooser())
    assert page.title == "Joe Biden Desak Rusia Segera Turunkan Tensi Ketegangan dengan Ukraina"
    assert page.published == date(2021, 12, 8)
    assert page.profile == "liputan6" and page.publisher == "Liputan6.com"
    # every paragraph of the report, in order: the raw dump's non-empty lines minus the boilerplate ones
    boiler = {"Sukses", "2 dari 3 halaman", "3 dari 3 halaman"}
    expected = [
        " ".join(line.split())
        for line in raw.splitlines()
        if line.strip()
        and line.strip() not in boiler
        and "WhatsApp ke nomor" not in line
        and not line.startswith("Infografis")
    ][1:]  # [0] is the headline
    assert paragraphs(page.text) == expected
    assert len(expected) == 14
    for marker in ("Sukses", "dari 3 halaman", "WhatsApp ke nomor", "Infografis", "0811 9787 670"):
        assert marker not in page.text
    assert page.text.endswith("kata sekretaris pers Gedung Putih Jen Psaki.")


def test_liputan6_style_page_with_in_page_breaks_and_footers():
    page = extract_fixture("liputan6_cekfakta.html")
    assert page.profile == "liputan6"
    assert page.title == "Cek Fakta: Tidak Benar Video Banjir Bandang di Garut Terjadi Pekan Ini"
    assert page.published == date(2021, 12, 8)
    assert page.verdict is Verdict.FALSE and page.verdict_label == "Tidak Benar"
    assert page.url.startswith("https://www.liputan6.com/cek-fakta/read/4790001/")
    assert page.mirror_urls == (
        "https://m.liputan6.com/amp/4790001/"
        "cek-fakta-tidak-benar-video-banjir-bandang-di-garut-terjadi-pekan-ini",
    )
    assert page.pages == 3 and page.total_pages == 3
    body = page.text
    assert "Sebuah video yang memperlihatkan arus deras" in body
    assert "rekaman peristiwa pada September 2016" in body  # page 3 kept
    assert "diunggah pada 21 September 2016" in body  # page 2 kept
    for marker in BOILERPLATE:
        assert marker not in body, marker


def test_turnbackhoax_style_with_microdata_claimreview():
    page = extract_fixture("turnbackhoax.html")
    assert page.profile == "turnbackhoax"
    assert page.title.startswith("[SALAH] Pesan Berantai Pendaftaran Bansos")
    assert page.verdict is Verdict.FALSE and page.verdict_label == "Salah"
    assert page.claim == "Pendaftaran bansos Rp1,2 juta dibuka lewat tautan bit.ly yang dibagikan di WhatsApp"
    assert page.publisher == "Mafindo"
    assert page.published == date(2023, 3, 14)
    assert "Kementerian Sosial menegaskan" in page.text
    for gone in (
        "=====",
        "Kategori:",
        "Referensi",
        "kemensos.go.id",
        "Ditulis oleh",
        "Bagikan ini",
        "Tinggalkan Balasan",
        "Artikel Terbaru",
    ):
        assert gone not in page.text, gone


def test_tempo_style_with_json_ld_claimreview_in_a_graph():
    page = extract_fixture("tempo_claimreview.html")
    assert page.profile == "tempo"
    assert page.verdict is Verdict.FALSE and page.verdict_label == "Keliru"
    assert page.claim.startswith("Minum air rebusan daun sirsak")
    assert page.published == date(2022, 6, 23) and page.updated == date(2022, 6, 24)
    assert page.publisher == "Tempo"
    assert (
        page.claimreview is not None
        and page.claimreview.claim_author == "Akun Facebook Herbal Sehat Nusantara"
    )
    assert page.claimreview.appearances == ("https://www.facebook.com/contoh/posts/123",)
    assert "uji klinis" in page.text
    for gone in (
        "Tim Cek Fakta Tempo",
        "Rujukan",
        "Wawancara dengan dokter",
        "Hasil Cek Fakta",
        "Diperbarui",
        "Kirimkan informasi",
        "Artikel Lainnya",
        "Iklan",
    ):
        assert gone not in page.text, gone


def test_forced_profile_and_unknown_profile():
    page = extract_fixture("tempo_claimreview.html", forced="generic")
    assert page.profile == "generic"
    assert page.verdict_label == "Keliru"  # ClaimReview does not depend on the profile
    with pytest.raises(ConfigError, match="unknown profile 'nope'.*liputan6"):
        ProfileChooser(forced="nope")


def test_adding_a_site_is_adding_a_file(tmp_path):
    (tmp_path / "contoh.toml").write_text(
        """
name = "contoh"
publisher = "Contoh Media"
hosts = ["contoh.id"]
markers = ["Redaksi Contoh"]
[boilerplate]
drop_lines = ['dukung jurnalisme contoh.*']
[verdict]
patterns = ['(?i)^status\\s*:\\s*(?P<label>.+)$']
""",
        encoding="utf-8",
    )
    chooser = ProfileChooser(load_profiles(tmp_path))
    text = (
        "Vaksin Tidak Mengubah DNA Manusia\n\nStatus: Salah\n\nRedaksi Contoh, Jakarta - Klaim bahwa vaksin "
        "mRNA mengubah DNA manusia tidak benar karena mRNA tidak masuk ke inti sel.\n\nDukung jurnalisme "
        "Contoh dengan berlangganan.\n\nSimak video pilihan berikut ini:"
    )
    page = extract_page(text, chooser)
    assert page.profile == "contoh" and page.publisher == "Contoh Media"
    assert page.verdict is Verdict.FALSE and page.verdict_label == "Salah"
    assert "Dukung jurnalisme" not in page.text and "Simak video" not in page.text  # own + generic patterns
    assert chooser.choose("https://www.contoh.id/a/1").name == "contoh"


def test_a_broken_profile_is_a_clear_error(tmp_path):
    (tmp_path / "rusak.toml").write_text("name = 'rusak'\n[boilerplate]\ndrop_lines = ['(tidak ditutup']\n")
    with pytest.raises(ConfigError, match=r"rusak.toml \(rusak\): bad regular expression"):
        load_profiles(tmp_path)


@pytest.mark.parametrize(
    "data, expected",
    [
        ("Hadiah “Rp1.000” – jangan klik".encode("cp1252"), "Hadiah “Rp1.000” – jangan klik"),
        ("Berita café".encode("utf-8"), "Berita café"),
        (b"\xef\xbb\xbfdengan BOM", "dengan BOM"),
        (
            '<meta charset="iso-8859-1"><p>caf\xe9</p>'.encode("latin-1"),
            '<meta charset="iso-8859-1"><p>café</p>',
        ),
    ],
)
def test_decoding_survives_wrong_or_missing_charsets(data, expected):
    assert decode_page(data, declared="utf-8") == expected


def test_broken_html_and_empty_pages_never_raise():
    page = extract_page("<html><body><div><p>Judul yang terpotong<p>teks <b>tanpa penutup", ProfileChooser())
    assert isinstance(page.text, str)
    empty = extract_page("", ProfileChooser())
    assert empty.title == "" and empty.text == ""
