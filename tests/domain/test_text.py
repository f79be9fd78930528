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
    assert set(analyzer.terms("vaksin chip")) <= set(terms)
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


@pytest.mark.parametrize("disguised, plain", [
    ("v\u0430ksin chip", "vaksin chip"),                      # Cyrillic а
    ("J\u03bfk\u03bfwi ijazah", "Jokowi ijazah"),            # Greek omicrons
    ("\u0412\u0410NS\u041eS PKH", "bansos pkh"),            # Cyrillic capitals
    ("\U0001d42f\U0001d41a\U0001d424\U0001d42c\U0001d422\U0001d427", "vaksin"),  # mathematical bold
    ("\u039f\u0408\u039a pinjol", "ojk pinjol"),           # Greek/Cyrillic capitals, Ι reads i not l
])
def test_look_alike_letters_read_as_latin(analyzer, disguised, plain):
    assert analyzer.terms(disguised) == analyzer.terms(plain)


def test_real_non_latin_words_stay_apart_from_latin_ones(analyzer):
    assert analyzer.terms("\u0645\u0631\u062d\u0628\u0627 vaksin") == analyzer.terms("vaksin")


@pytest.mark.parametrize("text, tokens", [
    ("loker J&T express", ["loker", "jt", "express"]),
    ("Lowongan Kerja J T Express", ["lowongan", "kerja", "jt", "express"]),
    ("kapal A.S. diserang", ["kapal", "as", "diserang"]),
    ("B.P.J.S naik", ["bpjs", "naik"]),
    ("timnas U-23 dan u23", ["timnas", "u23", "dan", "u23"]),
    ("huruf Y dihapus", ["huruf", "y", "dihapus"]),
    ("McDonald's", ["mcdonald"]),
])
def test_initials_are_joined_and_single_letters_kept(text, tokens):
    assert tokenize(text) == tokens


def test_as_means_amerika_serikat(analyzer):
    assert analyzer.terms("tentara AS") == analyzer.terms("tentara A.S.") == analyzer.terms("tentara Amerika Serikat")


@pytest.mark.parametrize("one, other", [
    ("bansos ramadhan", "bansos ramadan"), ("Soekarnoputri", "Sukarnoputri"), ("umroh mekkah", "umroh mekah"),
    ("djarum", "jarum"), ("china", "cina"),
])
def test_spelling_variants_share_a_key(analyzer, one, other):
    assert analyzer.terms(one) == analyzer.terms(other)


def test_the_stemmer_still_sees_the_real_word(analyzer):
    assert analyzer.terms("menggunakan") == analyzer.terms("gunakan") == analyzer.terms("penggunaan")


def test_compound_heads_are_indexed(analyzer):
    assert analyzer.terms("chip")[0] in analyzer.index_terms("microchip")
    assert analyzer.terms("virus")[0] in analyzer.index_terms("antivirus")


def test_query_terms_rescue_unknown_words_only_into_known_ones(analyzer):
    vocab = set(analyzer.index_terms("Presiden Jokowi Ketua PKI; pemasangan microchip lewat vaksinasi; tiktok; "
                                     "gempa gunung kidul; bagi dana iduladha"))
    known = vocab.__contains__
    assert analyzer.query_terms("J0K0WI pk1", known) == (analyzer.terms("jokowi pki"), [])
    found, unknown = analyzer.query_terms("vaksin mikrocip", known)
    assert analyzer.terms("chip")[0] in found and unknown == []
    assert analyzer.query_terms("tik tok", known) == (analyzer.terms("tiktok"), [])
    assert analyzer.query_terms("gunungkidul", known) == (analyzer.terms("gunung kidul"), [])
    found, _ = analyzer.query_terms("dana idul adha", known)
    assert analyzer.terms("iduladha")[0] in found
    # nothing is invented: a word no reading of which the archive knows stays unknown
    assert analyzer.query_terms("gajah terbang", known) == ([], analyzer.terms("gajah terbang"))
