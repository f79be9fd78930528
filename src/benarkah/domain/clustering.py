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

Two kinds of tips have few or no analysed words and used to open a cluster each: a bare link, and
chat such as "terima kasih min" or "🙏🙏" whose every word is a stopword. ``tip_terms`` gives them
terms: each link becomes a ``link:`` term (its ``domain.urls.url_key``, so the AMP, mobile and
tracking-parameter spellings of one page are one term), and a text without any analysed word is
represented by its own folded words and symbols, so identical and near-identical texts meet in one
cluster by the same cosine rule. A short tip (a bare link, or a link with a few words) that carries
a link to one specific page joins a cluster holding the same link even below the threshold: the same
page is the same rumour, however little text came with it. A long forward is judged by its words
(with the link as one more term): the dev benchmark's forwards cite generic pages (AI-text detectors,
an election commission notice) that would otherwise merge unrelated rumours.

No I/O here: the tips service loads profiles from the database and stores what ``add`` returns.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from .text import normalize
from .urls import find_urls, is_specific, strip_urls, url_key

DEFAULT_THRESHOLD = 0.6  # chosen on the dev benchmark (precision first), see docs/benchmarks/clustering.md
DEFAULT_MAX_TERMS = 64
LINK_PREFIX = "link:"  # analysed terms are word characters only, so no word can look like a link term
MAX_LINK_TERMS = 8
# A tip of at most this many words besides its link is "about the link"; a longer forward is judged by
# its words (a forward may cite a generic page: an AI-detector, an election commission announcement).
LINK_TIP_WORDS = 6
RAW_PREFIX = "raw:"    # a word (or symbol) of a text that has no analysed word at all
_RAW_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_REPEATS = re.compile(r"(.)\1{2,}")


def tip_terms(text: str, analysed: Sequence[str]) -> list[str]:
    """The terms a tip is clustered by: its analysed words plus one ``link:`` term per link; a text
    with neither (chat, emoji) is represented by its folded words or symbols instead."""
    links = [LINK_PREFIX + url_key(u) for u in find_urls(text)]
    if analysed or links:
        return [*analysed, *links]
    return raw_terms(strip_urls(text))


def raw_terms(text: str) -> list[str]:
    """Folded words ("Terima kasih, MIN!!" and "terima kasihhh min" give the same), else the
    distinct symbols of an emoji-only text; elongations collapsed."""
    folded = _REPEATS.sub(r"\1", normalize(text).casefold())
    words = _RAW_WORD.findall(folded)
    if words:
        return [RAW_PREFIX + w for w in words]
    symbols = [c for c in folded if not c.isspace() and unicodedata.category(c)[0] in "SP"]
    return [RAW_PREFIX + c for c in dict.fromkeys(symbols)]


def _specific_link(term: str) -> bool:
    return term.startswith(LINK_PREFIX) and is_specific(term[len(LINK_PREFIX):])


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
        """The cluster a tip with these terms belongs to, or ``None`` (a new rumour). For a short tip, a
        cluster that holds the same link to a specific page wins whatever the similarity."""
        scores = self.similarities(terms)
        if not scores:
            return Assignment(None, 0.0)
        best = max(scores, key=lambda cid: (scores[cid], -cid))
        if scores[best] >= self.threshold:
            return Assignment(best, scores[best])
        words = sum(1 for t in terms if not t.startswith(LINK_PREFIX))
        same_page = {cid for term in set(terms) if _specific_link(term) for cid in self._postings.get(term, ())}
        if same_page and words <= LINK_TIP_WORDS:
            linked = max(same_page, key=lambda cid: (scores.get(cid, 0.0), -cid))
            return Assignment(linked, scores.get(linked, 0.0))
        return Assignment(None, scores[best])

    def add(self, cluster_id: int, terms: Sequence[str]) -> ClusterProfile:
        """Fold a tip into a cluster (new or existing) and return the profile to store."""
        old = self._profiles.get(cluster_id)
        merged: Counter[str] = Counter(old.weights if old else {})
        for term, weight in tf_vector(terms).items():
            merged[term] += weight
        # a cluster's links stay in its profile even among a long forward's many equally weighted words
        links = [t for t, _ in merged.most_common() if t.startswith(LINK_PREFIX)][:MAX_LINK_TERMS]
        top = {t: merged[t] for t in links}
        top.update(merged.most_common(self.max_terms - len(links)))
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
