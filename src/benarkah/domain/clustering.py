"""Incremental clustering of tips: the same rumour in many wordings and forwards becomes one cluster.

Tips arrive one at a time and fact-checkers look at the queue at any moment, so clustering is
online: a new tip joins the most similar cluster when the similarity clears a threshold, else it
starts a cluster of its own. Nothing is ever re-clustered behind a fact-checker's back.

Similarity is TF-IDF cosine between the tip's analysed terms (``domain.text.Analyzer``: slang,
stopwords and stemming already handled) and each cluster's *profile*: the sum of its tips'
L2-normalised term-frequency vectors, cut to the strongest ``max_terms`` terms so a cluster of
ten thousand forwards costs the same as one of ten. Inverse document frequency is counted over
clusters rather than tips, so everything this index needs can be rebuilt from the stored profiles
alone (one row per cluster) and a rumour forwarded a thousand times does not make its own words
look common. Only clusters sharing a term with the tip are scored (an inverted index).

No I/O here: the tips service loads profiles from the database and stores what ``add`` returns.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

DEFAULT_THRESHOLD = 0.6  # chosen on the dev benchmark (precision first), see docs/benchmarks/clustering.md
DEFAULT_MAX_TERMS = 64


def tf_vector(terms: Sequence[str]) -> dict[str, float]:
    """Sublinear term frequencies, L2-normalised, so a long forward weighs as much as a short tip."""
    counts = Counter(terms)
    weights = {t: 1.0 + math.log(c) for t, c in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: w / norm for t, w in weights.items()}


@dataclass
class ClusterProfile:
    """What the index knows about one cluster: its summed term weights and how many tips it holds."""

    id: int
    weights: dict[str, float] = field(default_factory=dict)
    size: int = 0


@dataclass(frozen=True)
class Assignment:
    cluster_id: int | None  # None: start a new cluster
    similarity: float


class ClusterIndex:
    """The open clusters, searchable by similarity to a new tip's terms."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, max_terms: int = DEFAULT_MAX_TERMS) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.max_terms = max_terms
        self._profiles: dict[int, ClusterProfile] = {}
        self._postings: dict[str, set[int]] = {}
        self._df: Counter[str] = Counter()
        self._norms: dict[int, float] = {}
        self._norm_generation = 0

    def __len__(self) -> int:
        return len(self._profiles)

    def __contains__(self, cluster_id: int) -> bool:
        return cluster_id in self._profiles

    def profile(self, cluster_id: int) -> ClusterProfile:
        return self._profiles[cluster_id]

    # loading -------------------------------------------------------------------------------------

    def put(self, profile: ClusterProfile) -> None:
        """Insert or replace a cluster's profile (loading from storage, or another process's update)."""
        self.remove(profile.id)
        self._profiles[profile.id] = profile
        self._norms.pop(profile.id, None)
        for term in profile.weights:
            self._postings.setdefault(term, set()).add(profile.id)
            self._df[term] += 1

    def remove(self, cluster_id: int) -> None:
        old = self._profiles.pop(cluster_id, None)
        self._norms.pop(cluster_id, None)
        if old is None:
            return
        for term in old.weights:
            ids = self._postings.get(term)
            if ids is not None:
                ids.discard(cluster_id)
                if not ids:
                    del self._postings[term]
            self._df[term] -= 1
            if self._df[term] <= 0:
                del self._df[term]

    # matching ------------------------------------------------------------------------------------

    def _idf(self, term: str) -> float:
        return math.log((len(self._profiles) + 1) / (self._df.get(term, 0) + 1)) + 1.0

    def _norm(self, cluster_id: int) -> float:
        """IDF-weighted length of a profile, cached. IDF drifts as clusters accumulate, so the cache is
        dropped whenever the cluster count grows by a quarter (cheap, and the drift in between is tiny)."""
        generation = int(math.log(len(self._profiles) + 1, 1.25))
        if generation != self._norm_generation:
            self._norms.clear()
            self._norm_generation = generation
        norm = self._norms.get(cluster_id)
        if norm is None:
            weights = self._profiles[cluster_id].weights
            norm = math.sqrt(sum((w * self._idf(t)) ** 2 for t, w in weights.items())) or 1.0
            self._norms[cluster_id] = norm
        return norm

    def similarities(self, terms: Sequence[str]) -> dict[int, float]:
        """Cosine similarity of a tip to every cluster that shares at least one term with it.

        Dot products accumulate along the postings of the tip's terms, so the cost is the length of
        those postings, not the number of clusters."""
        query = tf_vector(terms)
        if not query:
            return {}
        dots: dict[int, float] = {}
        q_norm_sq = 0.0
        for term, weight in query.items():
            idf = self._idf(term)
            q_norm_sq += (weight * idf) ** 2
            factor = weight * idf * idf
            for cid in self._postings.get(term, ()):
                dots[cid] = dots.get(cid, 0.0) + factor * self._profiles[cid].weights[term]
        q_norm = math.sqrt(q_norm_sq) or 1.0
        return {cid: dot / (q_norm * self._norm(cid)) for cid, dot in dots.items()}

    def assign(self, terms: Sequence[str]) -> Assignment:
        """The cluster a tip with these terms belongs to, or ``None`` (a new rumour)."""
        scores = self.similarities(terms)
        if not scores:
            return Assignment(None, 0.0)
        best = max(scores, key=lambda cid: (scores[cid], -cid))
        if scores[best] >= self.threshold:
            return Assignment(best, scores[best])
        return Assignment(None, scores[best])

    def add(self, cluster_id: int, terms: Sequence[str]) -> ClusterProfile:
        """Fold a tip into a cluster (new or existing) and return the profile to store."""
        old = self._profiles.get(cluster_id)
        merged: Counter[str] = Counter(old.weights if old else {})
        for term, weight in tf_vector(terms).items():
            merged[term] += weight
        top = dict(merged.most_common(self.max_terms))
        profile = ClusterProfile(cluster_id, {t: round(w, 5) for t, w in top.items()},
                                 (old.size if old else 0) + 1)
        self.put(profile)
        return profile


def cluster_all(term_lists: Iterable[Sequence[str]], threshold: float = DEFAULT_THRESHOLD,
                max_terms: int = DEFAULT_MAX_TERMS) -> list[int]:
    """Cluster a stream of tips in arrival order; returns a cluster number per tip (benchmarks, tests)."""
    index = ClusterIndex(threshold, max_terms)
    labels: list[int] = []
    for terms in term_lists:
        choice = index.assign(terms)
        cluster_id = choice.cluster_id if choice.cluster_id is not None else len(index) + 1
        index.add(cluster_id, terms)
        labels.append(cluster_id)
    return labels


def profile_from_mapping(cluster_id: int, weights: Mapping[str, float], size: int) -> ClusterProfile:
    return ClusterProfile(cluster_id, {str(t): float(w) for t, w in weights.items()}, int(size))
