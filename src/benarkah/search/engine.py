"""The search engine: lexical and semantic evidence over one archive, fused, ranked and judged.

``SearchEngine`` is immutable, built from a list of articles plus their stored vectors; the
application builds a new one when the archive's version changes. It never touches storage.

Ranking (each step was kept because it moved Recall@3 in benchmarks/matching.py):
1. candidates: the top BM25 and the top cosine articles (union; over a big archive the top cosine
   ones come from its closest clusters, ``clusters.py``, and the archive's cosine statistics from the
   vectors' moments, ``semantic.py``);
2. a fused score per candidate: BM25 normalised by the query's best BM25, the cosine as a z-score
   against the whole archive (so "how unusually close" rather than e5's compressed raw range), and
   how much of the candidate's title/claim the message contains;
3. a confidence from several pieces of evidence (top score, gap to the runner-up, whether the
   lexical and semantic rankings agree, title coverage) through a logistic model whose weights and
   threshold were fitted on held-out measurements (``calibration.py``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..domain.articles import Article
from ..domain.text import Analyzer
from ..domain.verdicts import Verdict
from .adaptive import SkipRule
from .calibration import CALIBRATIONS, Calibration, KeywordRule, decide, is_strong
from .embeddings import Embedder
from .lexical import LexicalIndex
from .semantic import QueryCosines, top_k as _top_k


CONFIRMING = frozenset({Verdict.TRUE, Verdict.PARTLY_TRUE})  # verdicts shown as the answer only on strong evidence


@dataclass(frozen=True)
class SearchConfig:
    candidates: int = 40
    lexical_weight: float = 1.0
    semantic_weight: float = 0.1  # per z-score unit above the floor
    coverage_weight: float = 1.0
    semantic_floor_z: float = 0.0
    mode: str = "hybrid"  # "hybrid" | "lexical" | "semantic"
    collapse_similarity: float = 0.0  # >0: hide a result whose title terms overlap a higher one's this much
    calibration: Calibration | None = None  # None: the fitted one for the engine's mode
    keyword_rule: KeywordRule | None = None  # None: the chosen one for the engine's mode
    skip: SkipRule | None = SkipRule()  # hybrid: skip the query embedding when keywords are sure (adaptive.py)
    probes: int = 48  # clusters a big segment's vectors are searched in (clusters.py; measured in search-scale.md)


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float
    lexical: float = 0.0
    semantic: float = 0.0
    coverage: float = 0.0


@dataclass(frozen=True)
class SearchResult:
    query: str
    matched: bool
    confidence: float
    hits: list[Hit] = field(default_factory=list)
    evidence: dict[str, float] = field(default_factory=dict)
    strong: bool = False  # matched on evidence strong enough to present a "true" verdict as the answer
    embedded: bool = False  # whether the query's embedding took part (adaptive hybrid may skip it)

    def payload(self) -> dict:
        """The public JSON shape of a search (``benarkah search --json`` and ``GET /api/search``)."""
        return {
            "query": self.query,
            "matched": self.matched,
            "confidence": round(self.confidence, 4),
            "results": [
                {"id": h.article.id, "title": h.article.title, "url": h.article.url,
                 "verdict": h.article.verdict.value,
                 "published": h.article.published.isoformat() if h.article.published else None,
                 "score": round(h.score, 4)}
                for h in self.hits
            ],
        }


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
        self.embedder = embedder if vectors is not None and len(self.articles) else None
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32) if self.embedder else None

    @classmethod
    def from_parts(cls, articles: Sequence[Article], lexical: LexicalIndex, embedder: Embedder | None,
                   vectors: object | None, config: SearchConfig = SearchConfig()) -> "SearchEngine":
        """An engine over prebuilt parts: ``LiveIndex`` passes a segmented view (``segments.py``) whose
        articles are read on demand and whose vectors may be compact or partly missing."""
        engine = cls.__new__(cls)
        engine.articles, engine.config, engine.lexical = articles, config, lexical  # type: ignore[assignment]
        engine.embedder = embedder if vectors is not None and len(articles) else None
        engine.vectors = vectors if engine.embedder else None  # type: ignore[assignment]
        return engine

    def __len__(self) -> int:
        return len(self.articles)

    @property
    def mode(self) -> str:
        return self.config.mode if self.embedder is not None else "lexical"

    @property
    def calibration(self) -> Calibration:
        return self.config.calibration or CALIBRATIONS[self.mode]

    def semantic_scores(self, query: str) -> QueryCosines | None:
        """The query's cosines to the archive, or None without an embedder (keywords only)."""
        if self.embedder is None or self.vectors is None:
            return None
        return self._cosines(self.embedder.embed_queries([query])[0])

    def _cosines(self, vector: np.ndarray) -> QueryCosines:
        """A big segment probes its clusters (``SegmentVectors.query``); anything else is scanned."""
        k = min(self.config.candidates, len(self.articles))
        query = getattr(self.vectors, "query", None)
        if query is not None:
            return query(vector, k, self.config.probes)
        return QueryCosines.from_array(self.vectors @ vector, None, k)  # type: ignore[operator]

    def _given(self, cosines: np.ndarray | QueryCosines | None) -> QueryCosines | None:
        """Cosines a caller computed for every row (batch evaluation), in the ranking's terms."""
        if cosines is None or isinstance(cosines, QueryCosines):
            return cosines
        k = min(self.config.candidates, len(self.articles))
        return QueryCosines.from_array(np.asarray(cosines), getattr(self.vectors, "valid", None), k)

    def search(self, query: str, limit: int = 3, cosines: np.ndarray | QueryCosines | None = None,
               semantic: bool = True) -> SearchResult:
        """Rank the archive for ``query``; ``cosines`` may be passed in when already computed.

        ``semantic=False`` ranks and calibrates keywords only: a busy worker sheds the embedding
        (tens of milliseconds for a long forward) rather than let the queue grow. In hybrid mode the
        keyword ranking comes first, and when it is sure (``SearchConfig.skip``) it is the answer and
        the query is never embedded; passed-in ``cosines`` are then unused, so an answer does not
        depend on whether the caller had them. The keyword scores are computed once for both steps.
        """
        words = self._words(query)
        if semantic and self.mode == "hybrid" and self.config.skip is not None:
            lexical = self._search(query, limit, None, semantic=False, words=words)
            if self._sure(lexical):
                return lexical
        return self._search(query, limit, self._given(cosines), semantic, words=words)

    def needs_embedding(self, query: str) -> bool:
        """Whether ``search(query)`` would embed the query (so batch callers embed only those)."""
        if self.mode != "hybrid":
            return False
        if self.config.skip is None:
            return True
        return not self._sure(self._search(query, 3, None, semantic=False))

    def _sure(self, lexical: SearchResult) -> bool:
        """The keyword answer stands without the embedding (a "true" one needs the hybrid's strong evidence)."""
        assert self.config.skip is not None
        return self.config.skip.confident(lexical.confidence, lexical.evidence, bool(lexical.hits)) \
            and (lexical.strong or lexical.hits[0].article.verdict not in CONFIRMING)

    def _words(self, query: str) -> _Keywords:
        """The query's analysed terms and their BM25 scores over the archive."""
        counts, unknown = self.lexical.analyse_query(query)
        return _Keywords.of(counts, unknown, self.lexical.score_terms(counts) if self.articles else None)

    def _search(self, query: str, limit: int, cosines: QueryCosines | None, semantic: bool,
                words: _Keywords | None = None) -> SearchResult:
        limit = max(1, min(limit, 100))
        if not self.articles:
            return SearchResult(query=query, matched=False, confidence=0.0)
        mode = self.mode if semantic else "lexical"
        words = words if words is not None else self._words(query)
        counts, unknown = words.counts, words.unknown
        bm25 = words if mode != "semantic" and words.scores is not None else None
        if mode == "lexical":
            cosines = None
        elif cosines is None:
            cosines = self.semantic_scores(query)
        if (bm25 is None or not bm25.any) and cosines is None:
            return SearchResult(query=query, matched=False, confidence=0.0)
        ranked, scores, parts = self._rank(mode, counts, bm25, cosines)
        if self.config.collapse_similarity > 0:
            keep = self._collapse(ranked, max(limit, 3) + 1)
            ranked, scores = ranked[keep], scores[keep]
            parts = {k: v[keep] for k, v in parts.items()}
        top = ranked[:max(limit, 2)]
        hits = [Hit(self.articles[i], float(scores[j]), lexical=float(parts["lex"][j]),
                    semantic=float(parts["cos"][j]), coverage=float(parts["cov"][j]))
                for j, i in enumerate(top)][:limit]
        evidence = self._evidence(ranked, scores, parts, bm25, cosines)
        if len(ranked):
            evidence["qcov"] = float(self.lexical.query_coverage(counts, ranked[:1], unknown)[0])
        evidence["terms"] = float(len(counts) + unknown)
        evidence["unknown"] = float(unknown)
        matched, confidence = decide(evidence, mode, self.config.calibration, self.config.keyword_rule)
        matched = matched and bool(hits)
        strong = matched and is_strong(confidence, mode, self.config.calibration)
        return SearchResult(query=query, matched=matched, confidence=confidence, hits=hits, evidence=evidence,
                            strong=strong, embedded=cosines is not None)

    def _rank(self, mode, counts, bm25: _Keywords | None, cosines: QueryCosines | None):  # type: ignore[no-untyped-def]
        cfg = self.config
        n = len(self.articles)
        k = min(cfg.candidates, n)
        pools = []
        if bm25 is not None and bm25.any:
            pools.append(bm25.top(k))
        if cosines is not None:
            pools.append(cosines.top[:k])
        cands = np.unique(np.concatenate(pools)) if pools else np.arange(0)
        alive = getattr(self.lexical, "alive", None)  # a segmented index: rows replaced by a newer version
        if alive is not None:
            cands = cands[alive[cands]]
        lex = np.zeros(len(cands), dtype=np.float32)
        if bm25 is not None and bm25.any:
            lex = bm25.scores[cands] / bm25.best_score
        if cosines is not None:
            cos = cosines.of(cands)
            zc = (cos - cosines.mean) / cosines.std
        else:
            cos = zc = np.zeros(len(cands), dtype=np.float32)
        cov = self.lexical.title_coverage(counts, cands)
        if mode == "semantic":
            score = zc
        elif mode == "lexical" or cosines is None:
            score = cfg.lexical_weight * lex + cfg.coverage_weight * cov
        else:
            score = (cfg.lexical_weight * lex + cfg.coverage_weight * cov
                     + cfg.semantic_weight * np.maximum(zc - cfg.semantic_floor_z, 0.0))
        order = np.argsort(-score, kind="stable")
        ranked = cands[order]
        parts = {"lex": lex[order], "cos": cos[order], "z": zc[order], "cov": cov[order]}
        return ranked, score[order], parts

    def _collapse(self, ranked: np.ndarray, needed: int) -> np.ndarray:
        """Positions to keep so near-identical fact-checks (same rumour, checked twice) show once."""
        keep: list[int] = []
        kept_terms: list[set[int]] = []
        for pos, row in enumerate(ranked):
            terms = set(self.lexical.title_term_ids(int(row)).tolist())
            if any(len(terms & k) / max(len(terms | k), 1) >= self.config.collapse_similarity for k in kept_terms):
                continue
            keep.append(pos)
            kept_terms.append(terms)
            if len(keep) >= needed:
                break
        return np.asarray(keep + list(range(len(ranked)))[ranked.size:], dtype=np.int64)

    def _evidence(self, ranked, scores, parts, bm25, cosines) -> dict[str, float]:  # type: ignore[no-untyped-def]
        top = int(ranked[0]) if len(ranked) else -1
        second = float(scores[1]) if len(scores) > 1 else 0.0
        first = float(scores[0]) if len(scores) else 0.0
        lex_top = bm25.best if bm25 is not None and bm25.any else -2
        sem_top = cosines.best if cosines is not None else -3
        return {
            "score": first,
            "gap": first - second,
            "z": float(parts["z"][0]) if len(ranked) else 0.0,
            "cos": float(parts["cos"][0]) if len(ranked) else 0.0,
            "coverage": float(parts["cov"][0]) if len(ranked) else 0.0,
            "agree": float(top == lex_top) + float(top == sem_top),
            "bm25": bm25.best_score if bm25 is not None else 0.0,
            "zgap": float(parts["z"][0] - parts["z"][1:].max()) if len(ranked) > 1 else 0.0,
        }


@dataclass(frozen=True)
class _Keywords:
    """A query's analysed terms and BM25 scores, with what the ranking reads of them computed once
    (each pass over a 100k-row score array costs tens of microseconds)."""

    counts: Counter[int]
    unknown: int
    scores: np.ndarray | None
    matching: np.ndarray  # rows with a positive score
    best: int  # the row with the highest score (-2: none)
    best_score: float

    @classmethod
    def of(cls, counts: Counter[int], unknown: int, scores: np.ndarray | None) -> "_Keywords":
        matching = np.flatnonzero(scores > 0) if scores is not None else np.zeros(0, dtype=np.int64)
        best = int(matching[np.argmax(scores[matching])]) if len(matching) else -2
        return cls(counts, unknown, scores, matching, best, float(scores[best]) if len(matching) else 0.0)

    @property
    def any(self) -> bool:
        return bool(len(self.matching))

    def top(self, k: int) -> np.ndarray:
        """The ``k`` best-scoring rows (only rows with a score are partitioned)."""
        assert self.scores is not None
        return self.matching[_top_k(self.scores[self.matching], k)]
