"""When the query embedding can still change the answer, and when it cannot (adaptive hybrid).

Retrieval over the archive costs about a millisecond; embedding the query costs 100-400 ms on two
cores and, measured on the dev sets, buys under a point of Recall@3. The semantic part of the fused
score is a bonus of ``semantic_weight`` per z-score unit above the floor, so it can only reorder
candidates whose lexical scores are close, or lift an article the words missed entirely. When the
lexical ranking is already sure (a clear winner that carries most of the message's words, or a short
query that one title contains completely), the embedding is skipped and the keyword ranking and its
own fitted calibration answer. When it is unsure, the query is embedded as before.

The thresholds were chosen on the 2024 dev forwards only (the largest share skipped with at most
0.2 points of Recall@3 lost there; a sweep of confidence 0.5-0.95, gap 0-0.7 and title coverage 0-0.9,
where requiring coverage only lowered the share) and are reported, with the share of queries that
skip the embedding and the Recall@3/abstention cost, per query set in docs/benchmarks/matching.md
("Adaptive hybrid").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SkipRule:
    """Skip the embedding when the lexical result is confident by all of these measures."""

    min_confidence: float = 0.6  # the lexical calibration's confidence in its top result (threshold 0.46)
    min_gap: float = 0.1  # fused lexical score of the first result over the second (range 0..2)
    short_terms: int = 3  # a query of at most this many known words...
    short_query_coverage: float = 0.999  # ...all of them in the top title: exactly what was asked

    def confident(self, confidence: float, evidence: dict[str, float], has_hits: bool) -> bool:
        """True when the keyword ranking's answer (its calibrated ``confidence`` and ``evidence``) is
        one the embedding would not change."""
        if not has_hits:
            return False  # nothing shares a word with the message: only the embedding can help
        terms = int(evidence.get("terms", 0))
        if 0 < terms <= self.short_terms and evidence.get("qcov", 0.0) >= self.short_query_coverage \
                and evidence.get("gap", 0.0) > 0.0:
            return True
        return confidence >= self.min_confidence and evidence.get("gap", 0.0) >= self.min_gap
