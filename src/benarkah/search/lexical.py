"""BM25 over analysed article fields, as a sparse matrix so a query costs a few column reads.

Fields are weighted before BM25 saturation (a BM25F simplification): a term in the title says more
about what a fact-check debunks than the same term deep in its body. Scoring a query is
``W[:, query_terms] @ query_weights`` on a precomputed CSC matrix, so hostile input (FTS syntax,
quotes, 10k-character forwards) is only ever a bag of analysed words.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

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


class LexicalIndex:
    """An immutable BM25 index; build a new one when the archive changes."""

    def __init__(
        self,
        articles: Sequence[Article],
        analyzer: Analyzer,
        weights: FieldWeights = FieldWeights(),
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
        self.analyzer = analyzer
        self.ids = [a.id for a in articles]
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        lengths = np.zeros(len(articles), dtype=np.float32)
        for row, article in enumerate(articles):
            tf: Counter[int] = Counter()
            for text, weight in article_fields(article, weights):
                if not text or weight <= 0:
                    continue
                for term in analyzer.index_terms(text):
                    tf[vocab.setdefault(term, len(vocab))] += weight
            lengths[row] = sum(tf.values())
            rows.extend([row] * len(tf))
            cols.extend(tf.keys())
            vals.extend(tf.values())
        self.vocab = vocab
        n_docs = max(len(articles), 1)
        tf_matrix = sparse.csr_matrix(
            (np.asarray(vals, dtype=np.float32), (rows, cols)), shape=(len(articles), len(vocab))
        )
        df = np.bincount(tf_matrix.indices, minlength=len(vocab)).astype(np.float32)
        self.idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        self.unknown_idf = float(np.log1p((n_docs + 0.5) / 0.5))  # a word no article contains
        avgdl = float(lengths.mean()) if len(articles) else 1.0
        norm = k1 * (1 - b + b * lengths / max(avgdl, 1e-9))
        coo = tf_matrix.tocoo()
        tf = coo.data
        bm25 = tf * (k1 + 1) / (tf + norm[coo.row]) * self.idf[coo.col]
        self.matrix = sparse.csc_matrix(
            (bm25.astype(np.float32), (coo.row, coo.col)), shape=tf_matrix.shape
        )
        self.title_terms = self._title_matrix(articles)
        self.title_mass = np.asarray(self.title_terms @ self.idf).ravel()

    def _title_matrix(self, articles: Sequence[Article]) -> sparse.csr_matrix:
        """Binary doc x term matrix of title (and claim) terms, for "how much of the claim is in the query"."""
        rows: list[int] = []
        cols: list[int] = []
        for row, article in enumerate(articles):
            ids = {self.vocab[t] for t in self.analyzer.index_terms(f"{article.display_title} {article.claim}")
                   if t in self.vocab}
            rows.extend([row] * len(ids))
            cols.extend(ids)
        data = np.ones(len(rows), dtype=np.float32)
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(articles), len(self.vocab)))

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
        known, unknown = self.analyzer.query_terms(text, self.vocab.__contains__)
        counts = Counter(self.vocab[term] for term in known)
        return Counter(dict(counts.most_common(MAX_QUERY_TERMS))), len(set(unknown))

    def score(self, text: str) -> np.ndarray:
        """BM25 score of every article for ``text`` (dense, aligned with ``self.ids``)."""
        return self.score_terms(self.query_terms(text))

    def score_terms(self, counts: Counter[int]) -> np.ndarray:
        if not counts or not len(self.ids):
            return np.zeros(len(self.ids), dtype=np.float32)
        term_ids = np.fromiter(counts.keys(), dtype=np.int64)
        # Repeated words in a forward add a little, not linearly: "VIRAL VIRAL VIRAL" is one idea.
        weights = np.fromiter((1.0 + np.log(c) for c in counts.values()), dtype=np.float32)
        return np.asarray(self.matrix[:, term_ids] @ weights).ravel()

    def title_coverage(self, counts: Counter[int], rows: np.ndarray) -> np.ndarray:
        """Share of each candidate's title/claim idf mass that the query contains (0..1).

        A forward quoting a hoax contains nearly all words of the fact-check's title; BM25 alone
        rewards frequent shared words instead and lets long articles win.
        """
        if not counts or not len(rows):
            return np.zeros(len(rows), dtype=np.float32)
        present = np.zeros(len(self.vocab), dtype=np.float32)
        present[np.fromiter(counts.keys(), dtype=np.int64)] = 1.0
        present *= self.idf
        covered = np.asarray(self.title_terms[rows] @ present).ravel()
        return covered / np.maximum(self.title_mass[rows], 1e-6)

    def query_coverage(self, counts: Counter[int], rows: np.ndarray, unknown: int = 0) -> np.ndarray:
        """Share of the query's idf mass found in each candidate's title/claim (0..1). Words the
        archive never uses weigh as much as its rarest word: they are in no title."""
        if not counts or not len(rows):
            return np.zeros(len(rows), dtype=np.float32)
        term_ids = np.fromiter(counts.keys(), dtype=np.int64)
        weights = self.idf[term_ids]
        hits = self.title_terms[rows][:, term_ids].toarray()
        mass = float(weights.sum()) + unknown * self.unknown_idf
        return (hits @ weights) / max(mass, 1e-6)
