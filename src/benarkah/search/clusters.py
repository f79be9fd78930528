"""An inverted file over article vectors: the closest articles without scoring all of them.

A big main segment's vectors are grouped by spherical k-means into about 2·√n clusters and stored
cluster by cluster, so the members of one cluster are one contiguous slice. A query scores the
centroids (a few thousand dot products), then only the members of the ``probes`` closest clusters.
This is the IVF index of Jégou et al. as faiss implements it; it is written here over the segment's
own memory-mapped arrays (faiss keeps its index in process memory, a second copy of every vector per
process). The Recall@3 cost of the probe count is measured in docs/benchmarks/search-scale.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

TRAIN_PER_CLUSTER = 40  # k-means is trained on a sample of this many rows per cluster
TRAIN_ROUNDS = 8
_BLOCK = 32_768


@dataclass(frozen=True)
class Clusters:
    """``order[p]`` is the row stored at position ``p``; cluster ``c`` holds positions
    ``offsets[c]:offsets[c + 1]``; rows without a vector sit after the last cluster."""

    centroids: np.ndarray  # (clusters, dim) float32, unit length
    offsets: np.ndarray  # (clusters + 1,) int64
    order: np.ndarray  # position -> row, int32
    position: np.ndarray  # row -> position, int32

    def __len__(self) -> int:
        return len(self.centroids)

    def probe(self, query: np.ndarray, probes: int) -> list[tuple[int, int]]:
        """The position ranges of the ``probes`` clusters closest to ``query``, closest first."""
        probes = min(probes, len(self.centroids))
        scores = self.centroids @ query
        closest = np.argpartition(-scores, probes - 1)[:probes]
        closest = closest[np.argsort(-scores[closest])]
        return [(int(self.offsets[c]), int(self.offsets[c + 1])) for c in closest]


def cluster_count(rows: int) -> int:
    return max(1, int(2 * np.sqrt(rows)))


def build_clusters(vectors: np.ndarray, scale: np.ndarray | None, valid: np.ndarray,
                   clusters: int | None = None, seed: int = 13) -> Clusters:
    """Spherical k-means on a sample of the valid rows, then every valid row to its closest centroid.

    ``vectors`` may be int8 with a per-row ``scale`` (``segments.quantize``); the result does not
    reorder them: ``reorder`` does, for saving.
    """
    rows = np.flatnonzero(valid)
    k = min(clusters or cluster_count(len(rows)), max(1, len(rows)))
    rng = np.random.default_rng(seed)
    sample = rows if len(rows) <= k * TRAIN_PER_CLUSTER else \
        np.sort(rng.choice(rows, k * TRAIN_PER_CLUSTER, replace=False))
    train = _unit(_dense(vectors, scale, sample))
    centroids = train[rng.choice(len(train), k, replace=False)] if len(train) else np.zeros((0, vectors.shape[1]))
    for _ in range(TRAIN_ROUNDS):
        assign = _closest(train, centroids)
        members = sparse.csr_matrix((np.ones(len(train), dtype=np.float32), (assign, np.arange(len(train)))),
                                    shape=(k, len(train)))
        sums = np.asarray(members @ train)
        empty = np.flatnonzero(~sums.any(axis=1))
        if len(empty):  # a cluster nobody joined starts again from a random row
            sums[empty] = train[rng.choice(len(train), len(empty), replace=False)]
        centroids = _unit(sums)
    assign = np.empty(len(rows), dtype=np.int64)
    for start in range(0, len(rows), _BLOCK):
        assign[start:start + _BLOCK] = _closest(_dense(vectors, scale, rows[start:start + _BLOCK]), centroids)
    by_cluster = np.argsort(assign, kind="stable")
    order = np.concatenate([rows[by_cluster], np.flatnonzero(~valid)]).astype(np.int32)
    offsets = np.zeros(k + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(np.bincount(assign, minlength=k))
    position = np.empty(len(valid), dtype=np.int32)
    position[order] = np.arange(len(order), dtype=np.int32)
    return Clusters(centroids.astype(np.float32), offsets, order, position)


def _closest(matrix: np.ndarray, centroids: np.ndarray, block: int = 8_192) -> np.ndarray:
    """The closest centroid of each row (a block of rows at a time: rows x clusters scores stay small)."""
    out = np.empty(len(matrix), dtype=np.int64)
    for start in range(0, len(matrix), block):
        out[start:start + block] = np.argmax(matrix[start:start + block] @ centroids.T, axis=1)
    return out


def _dense(vectors: np.ndarray, scale: np.ndarray | None, rows: np.ndarray) -> np.ndarray:
    part = np.asarray(vectors[rows], dtype=np.float32)
    return part * scale[rows, None] if scale is not None else part


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms > 0, norms, 1.0)).astype(np.float32)
