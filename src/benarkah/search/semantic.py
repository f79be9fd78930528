"""A query's cosines as the ranking uses them, with or without scoring every article.

The fused score needs, of the query's cosines: the rows closest to the query (semantic candidates),
the cosine of any candidate (including those the keywords found), and the archive's mean and spread
(the cosine is used as a z-score, "how unusually close"). Over a few thousand articles all of that
comes from scoring every row. Over 100k and more that scan is a memory-bound read of the whole vector
matrix (28 ms at 100k float32 on two cores, most of a search), so a big segment answers from an
inverted-file probe instead (``clusters.py``): candidates from the closest clusters, any row's cosine
by a direct read, and the mean and spread from the vectors' first and second moments, which are exact
without a scan (mean = q·Σv / n, E[c²] = qᵀ(Σvvᵀ)q / n).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class QueryCosines:
    """What the ranking reads of one query's cosines."""

    top: np.ndarray  # rows with the highest cosines, best first
    best: int  # the single closest row ("do keywords and meaning agree on the first result?")
    mean: float  # over the rows that have a vector
    std: float
    lookup: Callable[[np.ndarray], np.ndarray]  # rows -> their cosines (a row without a vector: the mean)
    scanned: bool = True  # False: ``top`` came from a probe of the closest clusters, not every row

    def of(self, rows: np.ndarray) -> np.ndarray:
        return self.lookup(rows)

    @classmethod
    def from_array(cls, cosines: np.ndarray, valid: np.ndarray | None, k: int) -> "QueryCosines":
        """Every row's cosine (``valid``: which rows' cosines the mean and spread may use)."""
        basis = cosines if valid is None or valid.all() else cosines[valid]
        mean, std = float(basis.mean()), max(float(basis.std()), 1e-6)
        z = (cosines - mean) / std
        return cls(top=top_k(z, k, positive_only=False), best=int(np.argmax(cosines)), mean=mean, std=std,
                   lookup=cosines.__getitem__)


@dataclass(frozen=True)
class Moments:
    """First and second moments of a set of vectors: the mean and spread of their cosines to any
    query, without scoring them."""

    count: int
    total: np.ndarray  # Σ v
    outer: np.ndarray  # Σ v vᵀ

    @classmethod
    def of(cls, vectors: np.ndarray, scale: np.ndarray | None = None, block: int = 32_768) -> "Moments":
        """Of ``vectors`` (int8 with a per-row ``scale``, or float), a block at a time (float32 products
        summed in float64: a million rows never need a float copy)."""
        dim = vectors.shape[1]
        total = np.zeros(dim, dtype=np.float64)
        outer = np.zeros((dim, dim), dtype=np.float64)
        for start in range(0, len(vectors), block):
            part = np.asarray(vectors[start:start + block], dtype=np.float32)
            if scale is not None:
                part = part * scale[start:start + block, None]
            total += part.sum(axis=0, dtype=np.float64)
            outer += part.T @ part
        return cls(len(vectors), total, outer)

    def __add__(self, other: "Moments") -> "Moments":
        return Moments(self.count + other.count, self.total + other.total, self.outer + other.outer)

    def __sub__(self, other: "Moments") -> "Moments":
        return Moments(self.count - other.count, self.total - other.total, self.outer - other.outer)

    def mean_std(self, query: np.ndarray) -> tuple[float, float]:
        if self.count <= 0:
            return 0.0, 1e-6
        q = np.asarray(query, dtype=np.float64)
        mean = float(self.total @ q) / self.count
        second = float(q @ self.outer @ q) / self.count
        return mean, max(float(np.sqrt(max(second - mean * mean, 0.0))), 1e-6)


def top_k(scores: np.ndarray, k: int, positive_only: bool = True) -> np.ndarray:
    """Indices of the ``k`` highest scores, best first (ties in index order of the partition)."""
    k = min(k, len(scores))
    if k <= 0:
        return np.arange(0)
    part = np.argpartition(-scores, k - 1)[:k]
    ordered = part[np.argsort(-scores[part], kind="stable")]
    return ordered[scores[ordered] > 0] if positive_only else ordered
