import pytest

from benarkah.domain.text import Analyzer, SastrawiStemmer, normalize, plain_analyzer, tokenize


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def test_slang_and_elongation(analyzer):
    assert analyzer.terms("bener gk vaksinnn ada chip??") == analyzer.terms("vaksin chip")
    assert tokenize("bangettt") == ["banget"]
    assert analyzer.terms("udh dpt bansos yg dari pemerintah") == analyzer.terms("sudah dapat bansos pemerintah")


@pytest.mark.parametrize("inflected, base", [
    ("menyebarkan", "sebar"), ("disebarkan", "sebar"), ("penyebaran", "sebar"),
    ("bantuannya", "bantu"), ("berita", "berita"),
])
def test_affixes_are_stemmed(analyzer, inflected, base):
    assert analyzer.terms(inflected) == analyzer.terms(base)


def test_hostile_unicode_is_just_text(analyzer):
    text = "va\u200bksin\u200d ｃｈｉｐ \u202e\x00\x07 “hoaks” ‘x’ 😱🔥 #VaksinChip"
    terms = analyzer.terms(text)
    assert "chip" in terms and "vaksin" in terms
    assert all(t.isascii() and t.isalnum() for t in terms)
    assert "\x00" not in normalize(text) and "“" not in normalize(text)


def test_urls_hashtags_numbers_and_rupiah():
    assert tokenize("cek https://bit.ly/abc123 dan www.contoh.com/x sekarang") == ["cek", "dan", "sekarang"]
    assert tokenize("#BansosCair #blt") == ["bansos", "cair", "blt"]
    assert tokenize("Rp150.000 dan Rp 2,5 juta") == ["rp", "150000", "dan", "rp", "2500000"]
    assert tokenize("5rb") == tokenize("5 ribu") == tokenize("Rp5.000")[1:] == ["5000"]
    assert tokenize("tf 1.5jt") == ["tf", "1500000"]
    assert tokenize("anak2 covid-19") == ["anak", "covid", "19"]


def test_plain_analyzer_keeps_words_as_typed():
    assert plain_analyzer().terms("Bener GK vaksin") == ["bener", "gk", "vaksin"]


def test_very_long_input_is_bounded(analyzer):
    assert len(analyzer.terms("vaksin " * 100_000)) <= 20_000


def test_sastrawi_stemmer_is_available_as_an_alternative():
    stemmer = SastrawiStemmer()
    assert stemmer.stem("menyebarkan") == "sebar"
