"""The candidate features read straight from the index arrays give what scipy's row selection gives,
and the analyzer's word cache never changes a term."""

from __future__ import annotations

import numpy as np
import pytest

from benarkah.domain.text import Analyzer
from tests.search.test_engine import FINDS, UNKNOWN, lexical_engine  # noqa: F401 - the module fixture


@pytest.mark.parametrize("query", [q for q, _ in FINDS] + UNKNOWN + ["", "vaksin vaksin vaksin"])
def test_title_features_equal_the_sparse_matrix_products(lexical_engine, query):  # noqa: F811
    index = lexical_engine.lexical
    counts, _ = index.analyse_query(query)
    rows = np.array([0, 3, 17, 17, 50, len(index) - 1])  # a repeated row too
    present = np.zeros(index.n_terms, dtype=np.float32)
    term_ids = np.fromiter(counts.keys(), dtype=np.int64)
    present[term_ids] = 1.0
    expected = np.asarray(index.title_terms[rows] @ (present * index.idf)).ravel() / np.maximum(
        index.title_mass[rows], 1e-6)
    assert np.allclose(index.title_coverage(counts, rows), expected if counts else 0.0, atol=1e-6)
    if counts:
        hits = index.title_terms[rows][:, term_ids].toarray()
        assert (index.title_hits(rows, term_ids) == hits).all()
        unseen = np.append(term_ids, index.n_terms + 5)  # a word only a later delta knows: no hit
        assert (index.title_hits(rows, unseen)[:, -1] == 0).all()


def test_the_word_cache_gives_the_terms_an_uncached_analyzer_gives():
    text = "Vaksin mengandung mikrocip, Soekarno & Djarum: pemerintah membagikan bantuan penggunaan"
    cached = Analyzer()
    first = cached.index_terms(text)
    assert cached.index_terms(text) == first  # from the cache this time
    fresh = Analyzer()
    fresh._terms = _Refusing()  # nothing is remembered: every word is stemmed again
    fresh._parts = _Refusing()
    assert fresh.index_terms(text) == first


class _Refusing(dict):
    """A cache that never keeps anything."""

    def __setitem__(self, key, value) -> None:  # noqa: ANN001
        pass
