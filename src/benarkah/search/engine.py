"""The search engine: lexical and (optionally) semantic scores over one archive, fused and judged.

``SearchEngine`` is immutable and built from a list of articles (plus stored vectors); the
application builds a new one when the archive's version changes. It never touches storage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..domain.articles import Article
from ..domain.text import Analyzer
from .embeddings import Embedder
from .lexical import LexicalIndex


@dataclass(frozen=True)
class SearchConfig:
    candidates: int = 50
    min_lexical_score: float = 4.0  # BM25 below this is a weak, accidental overlap


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float
    lexical: float = 0.0
    semantic: float = 0.0


@dataclass(frozen=True)
class SearchResult:
    query: str
    matched: bool
    confidence: float
    hits: list[Hit] = field(default_factory=list)


class SearchEngine:
    def __init__(
        self,
        articles: Sequence[Article],
        analyzer: Analyzer,
        embedder: Embedder | None = None,
        vectors: np.ndarray | None = None,
        config: SearchConfig = SearchConfig(),
    ) -> None:
        self.articles = list(articles)
        self.config = config
        self.lexical = LexicalIndex(self.articles, analyzer)
        self.embedder = embedder
        self.vectors = vectors

    def __len__(self) -> int:
        return len(self.articles)

    def search(self, query: str, limit: int = 3) -> SearchResult:
        limit = max(1, min(limit, 100))
        scores = self.lexical.score(query)
        if not len(scores) or float(scores.max(initial=0.0)) <= 0.0:
            return SearchResult(query=query, matched=False, confidence=0.0)
        top = _top_k(scores, limit)
        hits = [Hit(self.articles[i], float(scores[i]), lexical=float(scores[i])) for i in top]
        best = hits[0].score
        confidence = float(best / (best + self.config.min_lexical_score))
        matched = best >= self.config.min_lexical_score
        return SearchResult(query=query, matched=matched, confidence=confidence, hits=hits)


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    k = min(k, len(scores))
    part = np.argpartition(-scores, k - 1)[:k]
    ordered = part[np.argsort(-scores[part], kind="stable")]
    return ordered[scores[ordered] > 0]
