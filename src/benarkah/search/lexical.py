"""BM25 over analysed article fields, as a sparse matrix so a query costs a few column reads.

Fields are weighted before BM25 saturation (a BM25F simplification): a term in the title says more
about what a fact-check debunks than the same term deep in its body. Scoring a query is
``W[:, query_terms] @ query_weights`` on a precomputed CSC matrix, so hostile input (FTS syntax,
quotes, 10k-character forwards) is only ever a bag of analysed words.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

import numpy as np
from scipy import sparse

from ..domain.articles import Article
from ..domain.text import Analyzer

MAX_QUERY_TERMS = 256


@dataclass(frozen=True)
class FieldWeights:
    title: float = 3.0
    claim: float = 2.0
    summary: float = 1.0
    text: float = 1.0
    text_chars: int = 3_000  # long bodies dilute; the lead paragraphs carry the topic


def article_fields(article: Article, weights: FieldWeights) -> list[tuple[str, float]]:
    return [
        (article.display_title, weights.title),  # "[HOAKS]" says nothing about the topic
        (article.claim, weights.claim),
        (article.summary, weights.summary),
        (article.text[: weights.text_chars], weights.text),
    ]


_BUILD_CHUNK = 20_000  # articles counted per chunk: Python lists stay small, numpy arrays hold the rest


class LexicalIndex:
    """An immutable BM25 index; build a new one when the archive changes.

    With ``base`` it is a *delta segment* over a few new or changed articles: it shares the base's
    vocabulary (extending it with words the base never saw) and its statistics (idf, average length),
    so the base never has to be rebuilt for it; words new in the delta get an idf from their count in
    the whole archive. ``search/segments.py`` combines a base and a delta into one view.
    """

    def __init__(
        self,
        articles: Iterable[Article],
        analyzer: Analyzer,
        weights: FieldWeights = FieldWeights(),
        k1: float = 1.2,
        b: float = 0.75,
        base: "LexicalIndex | None" = None,
        archive_size: int = 0,
    ) -> None:
        self.analyzer = analyzer
        vocab: dict[str, int] = dict(base.vocab) if base is not None else {}
        self.ids, rows, cols, vals, lengths, title_rows, title_cols = _count(articles, analyzer, weights, vocab)
        self.vocab = vocab
        n_terms = len(vocab)
        n_rows = len(self.ids)
        df = np.bincount(cols, minlength=n_terms).astype(np.float32)
        if base is None:
            n_docs = max(n_rows, 1)
            self.idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
            self.unknown_idf = float(np.log1p((n_docs + 0.5) / 0.5))  # a word no article contains
            self.avgdl = float(lengths.mean()) if n_rows else 1.0
        else:
            n_docs = max(archive_size, len(base) + n_rows)  # the whole archive, for words new here
            known = len(base.idf)
            fresh = np.log1p((n_docs - df[known:] + 0.5) / (df[known:] + 0.5)).astype(np.float32)
            self.idf = np.concatenate([base.idf, fresh])
            self.unknown_idf = base.unknown_idf
            self.avgdl = base.avgdl
        norm = k1 * (1 - b + b * lengths / max(self.avgdl, 1e-9))
        bm25 = vals * (k1 + 1) / (vals + norm[rows]) * self.idf[cols]
        self.matrix = sparse.csc_matrix(
            (bm25.astype(np.float32), (rows, cols)), shape=(n_rows, n_terms)
        )
        # Binary doc x term matrix of title (and claim) terms, for "how much of the claim is in the query".
        self.title_terms = sparse.csr_matrix(
            (np.ones(len(title_rows), dtype=np.float32), (title_rows, title_cols)), shape=(n_rows, n_terms))
        self.title_mass = np.asarray(self.title_terms @ self.idf).ravel()

    @classmethod
    def from_arrays(cls, analyzer: Analyzer, ids: list[str], vocab: dict[str, int], idf: np.ndarray,
                    matrix: sparse.csc_matrix, title_terms: sparse.csr_matrix, unknown_idf: float,
                    avgdl: float) -> "LexicalIndex":
        """An index from saved arrays (``segments.py`` memory-maps them), without re-analysing."""
        index = cls.__new__(cls)
        index.analyzer, index.ids, index.vocab, index.idf = analyzer, ids, vocab, idf
        index.matrix, index.title_terms = matrix, title_terms
        index.unknown_idf, index.avgdl = unknown_idf, avgdl
        index.title_mass = np.asarray(title_terms @ idf).ravel()
        return index

    @property
    def n_terms(self) -> int:
        """Columns of this index's matrices (a later delta's vocabulary may be larger)."""
        return int(self.matrix.shape[1])

    def title_term_ids(self, row: int) -> np.ndarray:
        """The term ids of one article's title and claim."""
        return self.title_terms.indices[self.title_terms.indptr[row]:self.title_terms.indptr[row + 1]]

    def __len__(self) -> int:
        return len(self.ids)

    def query_terms(self, text: str) -> Counter[int]:
        """Known term ids of a query with their counts (unknown words cannot score)."""
        return self.analyse_query(text)[0]

    def analyse_query(self, text: str) -> tuple[Counter[int], int]:
        """Known term ids with their counts, and how many distinct words the archive never uses.

        Unknown words cannot score, but they still say what the message is about: "gajah terbang di
        monas malam tahun baru" against an archive without elephants is not a match on "tahun".
        """
        return analyse_query(self.analyzer, self.vocab, text)

    def score(self, text: str) -> np.ndarray:
        """BM25 score of every article for ``text`` (dense, aligned with ``self.ids``)."""
        return self.score_terms(self.query_terms(text))

    def score_terms(self, counts: Counter[int]) -> np.ndarray:
        if not counts or not len(self.ids):
            return np.zeros(len(self.ids), dtype=np.float32)
        term_ids, weights = query_weights(counts)
        inside = term_ids < self.n_terms  # words only a later delta segment knows
        if not inside.all():
            term_ids, weights = term_ids[inside], weights[inside]
            if not len(term_ids):
                return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.matrix[:, term_ids] @ weights).ravel()

    def title_coverage(self, counts: Counter[int], rows: np.ndarray) -> np.ndarray:
        """Share of each candidate's title/claim idf mass that the query contains (0..1).

        A forward quoting a hoax contains nearly all words of the fact-check's title; BM25 alone
        rewards frequent shared words instead and lets long articles win.
        """
        if not counts or not len(rows):
            return np.zeros(len(rows), dtype=np.float32)
        present = np.zeros(self.n_terms, dtype=np.float32)
        term_ids = np.fromiter(counts.keys(), dtype=np.int64)
        present[term_ids[term_ids < self.n_terms]] = 1.0
        present *= self.idf[: self.n_terms]
        owner, terms, values = self._title_entries(rows)
        covered = np.bincount(owner, weights=values * present[terms], minlength=len(rows))
        return (covered / np.maximum(self.title_mass[rows], 1e-6)).astype(np.float32)

    def query_coverage(self, counts: Counter[int], rows: np.ndarray, unknown: int = 0) -> np.ndarray:
        """Share of the query's idf mass found in each candidate's title/claim (0..1). Words the
        archive never uses weigh as much as its rarest word: they are in no title."""
        if not counts or not len(rows):
            return np.zeros(len(rows), dtype=np.float32)
        term_ids = np.fromiter(counts.keys(), dtype=np.int64)
        weights = self.idf[term_ids]
        mass = float(weights.sum()) + unknown * self.unknown_idf
        return (self.title_hits(rows, term_ids) @ weights) / max(mass, 1e-6)

    def title_hits(self, rows: np.ndarray, term_ids: np.ndarray) -> np.ndarray:
        """Dense 0/1 (rows x terms): which of these terms each row's title/claim has."""
        hits = np.zeros((len(rows), len(term_ids)), dtype=np.float32)
        owner, terms, values = self._title_entries(rows)
        column = {int(t): j for j, t in enumerate(term_ids)}
        for i, t, v in zip(owner.tolist(), terms.tolist(), values.tolist()):
            j = column.get(t)
            if j is not None:
                hits[i, j] = v
        return hits

    def _title_entries(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The title/claim matrix entries of ``rows``: (position in ``rows``, term id, value) of each.

        Read straight from the CSR arrays: scipy's row selection builds a new matrix and validates
        its indices on every call, which cost more than the scoring over a few dozen candidates."""
        indptr = self.title_terms.indptr
        rows = np.asarray(rows, dtype=np.int64)
        starts, lengths = indptr[rows], indptr[rows + 1] - indptr[rows]
        total = int(lengths.sum())
        owner = np.repeat(np.arange(len(rows)), lengths)
        at = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths) + np.repeat(starts, lengths)
        return owner, np.asarray(self.title_terms.indices[at]), np.asarray(self.title_terms.data[at], dtype=np.float64)


def analyse_query(analyzer: Analyzer, vocab: dict[str, int], text: str) -> tuple[Counter[int], int]:
    """Known term ids of ``text`` with their counts, and how many distinct words ``vocab`` lacks."""
    known, unknown = analyzer.query_terms(text, vocab.__contains__)
    counts = Counter(vocab[term] for term in known)
    return Counter(dict(counts.most_common(MAX_QUERY_TERMS))), len(set(unknown))


def query_weights(counts: Counter[int]) -> tuple[np.ndarray, np.ndarray]:
    """Term ids and their query weights. Repeated words in a forward add a little, not linearly:
    "VIRAL VIRAL VIRAL" is one idea."""
    term_ids = np.fromiter(counts.keys(), dtype=np.int64)
    weights = np.fromiter((1.0 + np.log(c) for c in counts.values()), dtype=np.float32)
    return term_ids, weights


def _count(articles: Iterable[Article], analyzer: Analyzer, weights: FieldWeights, vocab: dict[str, int]):  # type: ignore[no-untyped-def]
    """Ids, weighted term counts of every article (COO arrays), their lengths, and title/claim term
    pairs; ``vocab`` is extended in place with new words.

    Streams ``articles`` chunk by chunk, so a million articles (with their bodies) are never all in
    memory, nor hundreds of millions of Python ints at once.
    """
    ids: list[str] = []
    parts: list[tuple[np.ndarray, ...]] = []
    lengths: list[float] = []
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    t_rows: list[int] = []
    t_cols: list[int] = []

    def flush() -> None:
        parts.append((np.asarray(rows, dtype=np.int32), np.asarray(cols, dtype=np.int32),
                      np.asarray(vals, dtype=np.float32), np.asarray(t_rows, dtype=np.int32),
                      np.asarray(t_cols, dtype=np.int32)))
        for chunk in (rows, cols, vals, t_rows, t_cols):
            chunk.clear()

    for row, article in enumerate(articles):
        ids.append(article.id)
        tf: Counter[int] = Counter()
        for text, weight in article_fields(article, weights):
            if not text or weight <= 0:
                continue
            for term in analyzer.index_terms(text):
                tf[vocab.setdefault(term, len(vocab))] += weight
        lengths.append(sum(tf.values()))
        rows.extend([row] * len(tf))
        cols.extend(tf.keys())
        vals.extend(tf.values())
        title_ids = {vocab[t] for t in analyzer.index_terms(f"{article.display_title} {article.claim}")
                     if t in vocab}
        t_rows.extend([row] * len(title_ids))
        t_cols.extend(title_ids)
        if (row + 1) % _BUILD_CHUNK == 0:
            flush()
    flush()
    rows_a, cols_a, vals_a, t_rows_a, t_cols_a = (np.concatenate([p[i] for p in parts]) for i in range(5))
    return ids, rows_a, cols_a, vals_a, np.asarray(lengths, dtype=np.float32), t_rows_a, t_cols_a
