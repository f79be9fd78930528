"""An index that grows: an immutable main segment plus a small delta, as Lucene does.

Rebuilding a whole BM25 index and re-reading every vector whenever one fact-check is added took 44 s
at 100k articles in every process. Instead ``LiveIndex`` keeps:

* a **main segment**: a ``LexicalIndex`` and vectors over most of the archive, built once, saved to
  disk (``save_segment``) and memory-mapped by every later process (``load_segment``), so a process
  starts in seconds and shares the pages with the others through the page cache;
* a **delta segment**: the articles added or changed since, indexed on the main's vocabulary and
  statistics (rebuilt in milliseconds when a change arrives);
* **tombstones**: main rows whose article was changed (its new version is in the delta).

``SegmentedLexical``, ``SegmentVectors`` and ``StoredArticles`` give ``SearchEngine`` the same view it
has of one in-memory index, with rows numbered main first, then delta. Vectors of a big main segment
are kept as int8 (a quarter of float32; the recall cost is measured in docs/benchmarks/matching.md).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections import Counter, OrderedDict
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from scipy import sparse

from ..domain.articles import Article
from ..domain.text import Analyzer
from .clusters import Clusters
from .lexical import LexicalIndex, analyse_query, query_weights
from .semantic import Moments, QueryCosines, top_k

SEGMENT_FORMAT = 2  # 2: vectors of a big segment stored cluster by cluster, with the clusters and moments
_SCAN_ROWS = 32_768  # int8 vectors are scored this many rows at a time (a few MB of float32 scratch)


class SegmentedLexical:
    """A main ``LexicalIndex`` and delta segments seen as one (the query methods of ``LexicalIndex``).

    Each delta was built on the vocabulary of the segment before it, so the last one's vocabulary and
    idf cover all. ``alive`` is False for rows superseded by a newer version of their article.
    """

    def __init__(self, segments: Sequence[LexicalIndex], alive: np.ndarray) -> None:
        self.segments = list(segments)
        top = self.segments[-1]
        self.analyzer = self.segments[0].analyzer
        self.vocab, self.idf, self.unknown_idf = top.vocab, top.idf, self.segments[0].unknown_idf
        self.starts = np.cumsum([0] + [len(seg) for seg in self.segments])
        self.alive = alive
        self._dead = np.flatnonzero(~alive)

    def __len__(self) -> int:
        return int(self.starts[-1])

    def analyse_query(self, text: str) -> tuple[Counter[int], int]:
        return analyse_query(self.analyzer, self.vocab, text)

    def query_terms(self, text: str) -> Counter[int]:
        return self.analyse_query(text)[0]

    def score_terms(self, counts: Counter[int]) -> np.ndarray:
        scores = np.concatenate([seg.score_terms(counts) for seg in self.segments])
        scores[self._dead] = 0.0
        return scores

    def _by_segment(self, rows: np.ndarray):  # type: ignore[no-untyped-def]
        """(segment, positions in ``rows``, rows local to the segment) for each segment hit."""
        which = np.searchsorted(self.starts, rows, side="right") - 1
        for k in np.unique(which):
            positions = np.flatnonzero(which == k)
            yield self.segments[int(k)], positions, rows[positions] - self.starts[int(k)]

    def title_coverage(self, counts: Counter[int], rows: np.ndarray) -> np.ndarray:
        out = np.zeros(len(rows), dtype=np.float32)
        for seg, positions, local in self._by_segment(rows):
            out[positions] = seg.title_coverage(counts, local)
        return out

    def query_coverage(self, counts: Counter[int], rows: np.ndarray, unknown: int = 0) -> np.ndarray:
        if not counts or not len(rows):
            return np.zeros(len(rows), dtype=np.float32)
        term_ids, _ = query_weights(counts)
        weights = self.idf[term_ids]
        hits = np.zeros((len(rows), len(term_ids)), dtype=np.float32)
        for seg, positions, local in self._by_segment(rows):
            hits[positions] = seg.title_hits(local, term_ids)
        mass = float(weights.sum()) + unknown * self.unknown_idf
        return (hits @ weights) / max(mass, 1e-6)

    def title_term_ids(self, row: int) -> np.ndarray:
        k = int(np.searchsorted(self.starts, row, side="right") - 1)
        return self.segments[k].title_term_ids(row - int(self.starts[k]))


class SegmentVectors:
    """Article vectors of a main segment (float32, or int8 with a scale per row) and a delta.

    ``vectors @ query`` gives every row's cosine; ``query`` gives what the ranking needs
    (``semantic.QueryCosines``), from a probe of the main segment's clusters when it has them
    (``clusters.py``: its vectors are then stored cluster by cluster, ``clusters.position`` maps a row
    to where its vector is) and the delta's vectors scanned. Rows without a vector (not yet embedded by
    the backfill) or tombstoned get the mean cosine of the others, and ``valid`` tells the engine which
    rows its z-score statistics may use, so missing vectors neither win nor skew.
    """

    def __init__(self, main: np.ndarray, main_scale: np.ndarray | None, delta: np.ndarray,
                 valid: np.ndarray, clusters: Clusters | None = None, moments: Moments | None = None,
                 main_has: np.ndarray | None = None) -> None:
        self.main, self.main_scale, self.delta, self.valid = main, main_scale, delta, valid
        self.clusters = clusters
        self._missing = np.flatnonzero(~valid)
        self.shape = (len(valid), main.shape[1] if main.ndim == 2 else delta.shape[1])
        self._split = len(main)
        self.moments = self._valid_moments(moments, main_has) if clusters is not None else None

    def __len__(self) -> int:
        return self.shape[0]

    def __matmul__(self, query: np.ndarray) -> np.ndarray:
        query = np.asarray(query, dtype=np.float32)
        main = self._scan(query, 0, len(self.main))
        if self.clusters is not None:
            main = main[self.clusters.position]  # stored cluster by cluster: back to row order
        cosines = np.concatenate([main, self.delta @ query]) if len(self.delta) else main
        if len(self._missing):
            cosines[self._missing] = float(cosines[self.valid].mean()) if len(self._missing) < len(cosines) else 0.0
        return cosines

    def query(self, query: np.ndarray, k: int, probes: int) -> QueryCosines:
        """The ranking's view of ``query``'s cosines: scanned, or probed in the closest clusters."""
        query = np.asarray(query, dtype=np.float32)
        if self.clusters is None or self.moments is None:
            return QueryCosines.from_array(self @ query, self.valid, k)
        mean, std = self.moments.mean_std(query)
        rows, scores = [], []
        for lo, hi in self.clusters.probe(query, probes):
            rows.append(self.clusters.order[lo:hi])
            scores.append(self._scan(query, lo, hi))
        if len(self.delta):
            rows.append(np.arange(self._split, self._split + len(self.delta)))
            scores.append(self.delta @ query)
        found = np.concatenate(rows).astype(np.int64) if rows else np.zeros(0, dtype=np.int64)
        cosines = np.concatenate(scores) if scores else np.zeros(0, dtype=np.float32)
        keep = self.valid[found]
        found, cosines = found[keep], cosines[keep]
        best = top_k(cosines, k, positive_only=False)
        top = found[best]

        def lookup(wanted: np.ndarray) -> np.ndarray:
            return self._cosines_of(query, np.asarray(wanted, dtype=np.int64), mean)

        return QueryCosines(top=top, best=int(top[0]) if len(top) else -1, mean=mean, std=std, lookup=lookup,
                            scanned=False)

    def _scan(self, query: np.ndarray, lo: int, hi: int) -> np.ndarray:
        """Cosines of the main vectors stored at positions ``lo:hi`` (int8 converted a block at a time)."""
        if self.main_scale is None:
            return self.main[lo:hi] @ query
        out = np.empty(hi - lo, dtype=np.float32)
        for start in range(lo, hi, _SCAN_ROWS):
            stop = min(start + _SCAN_ROWS, hi)
            out[start - lo:stop - lo] = self.main[start:stop].astype(np.float32) @ query
        return out * self.main_scale[lo:hi]

    def _dense(self, rows: np.ndarray) -> np.ndarray:
        """Vectors of main rows (a few: candidates, tombstones) as float32."""
        at = self.clusters.position[rows] if self.clusters is not None else rows
        part = np.asarray(self.main[at], dtype=np.float32)
        return part * self.main_scale[at, None] if self.main_scale is not None else part

    def _cosines_of(self, query: np.ndarray, rows: np.ndarray, mean: float) -> np.ndarray:
        out = np.full(len(rows), mean, dtype=np.float32)
        in_main = rows < self._split
        if in_main.any():
            out[in_main] = self._dense(rows[in_main]) @ query
        if (~in_main).any():
            out[~in_main] = self.delta[rows[~in_main] - self._split] @ query
        out[~self.valid[rows]] = mean
        return out

    def _valid_moments(self, main: Moments | None, main_has: np.ndarray | None) -> Moments | None:
        """The moments of the valid rows: the main segment's (over its rows with a vector), less its
        tombstoned rows, plus the delta's valid rows."""
        if main is None or main_has is None:
            return None
        dead = np.flatnonzero(main_has & ~self.valid[:self._split])
        moments = main - Moments.of(self._dense(dead)) if len(dead) else main
        fresh = np.flatnonzero(self.valid[self._split:])
        return moments + Moments.of(self.delta[fresh]) if len(fresh) else moments


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per row: ``vectors ~= q * scale[:, None]``."""
    vectors = np.asarray(vectors, dtype=np.float32)
    scale = np.abs(vectors).max(axis=1) / 127.0 if len(vectors) else np.zeros(0, dtype=np.float32)
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    return np.round(vectors / scale[:, None]).astype(np.int8), scale


class StoredArticles:
    """Articles by row, read from the store when a search returns them (a million articles with their
    bodies do not fit in a process): main rows by id through ``fetch``, delta rows held in memory."""

    def __init__(self, ids: Sequence[str], delta: Sequence[Article], fetch: Callable[[str], Article | None],
                 cache: "ArticleCache") -> None:
        self.ids, self.delta, self.fetch, self.cache = ids, list(delta), fetch, cache
        self.split = len(ids)

    def __len__(self) -> int:
        return self.split + len(self.delta)

    def __getitem__(self, row: int) -> Article:
        if row >= self.split:
            return self.delta[row - self.split]
        article_id = self.ids[row]
        article = self.cache.get(article_id)
        if article is None:
            article = self.fetch(article_id)
            if article is None:  # removed from the store after the segment was built
                article = Article(id=article_id, title="")
            self.cache.put(article_id, article)
        return article


class ArticleCache:
    """A small LRU of articles read for results (thread-safe; shared by successive engines)."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, Article] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, article_id: str) -> Article | None:
        with self._lock:
            article = self._items.get(article_id)
            if article is not None:
                self._items.move_to_end(article_id)
            return article

    def put(self, article_id: str, article: Article) -> None:
        with self._lock:
            self._items[article_id] = article
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def drop(self, ids: Sequence[str]) -> None:
        with self._lock:
            for article_id in ids:
                self._items.pop(article_id, None)


# saving and memory-mapping a main segment ---------------------------------------------------------

_ARRAYS = ("matrix_data", "matrix_indices", "matrix_indptr", "title_indices", "title_indptr", "title_data",
           "idf", "vectors", "scale", "has_vector", "centroids", "offsets", "order", "position",
           "moment_total", "moment_outer")


def save_segment(path: Path, lexical: LexicalIndex, vectors: np.ndarray | None, has_vector: np.ndarray,
                 version: int, model: str, scale: np.ndarray | None = None, clusters: Clusters | None = None,
                 moments: Moments | None = None) -> None:
    """Write a main segment to ``path`` atomically (a temporary folder renamed into place). With
    ``clusters``, ``vectors`` and ``scale`` are in the clusters' storage order."""
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    arrays: dict[str, np.ndarray] = {
        "matrix_data": lexical.matrix.data, "matrix_indices": lexical.matrix.indices,
        "matrix_indptr": lexical.matrix.indptr,  # scipy's own index dtype, so loading never converts
        "title_indices": lexical.title_terms.indices,
        "title_indptr": lexical.title_terms.indptr, "title_data": lexical.title_terms.data,
        "idf": lexical.idf, "has_vector": has_vector,
    }
    if vectors is not None:
        arrays["vectors"] = vectors  # int8 when ``scale`` is given (see ``quantize``), else float32
        if scale is not None:
            arrays["scale"] = scale
        if clusters is not None and moments is not None:
            arrays.update(centroids=clusters.centroids, offsets=clusters.offsets, order=clusters.order,
                          position=clusters.position, moment_total=moments.total, moment_outer=moments.outer)
    for name, array in arrays.items():
        np.save(tmp / f"{name}.npy", np.ascontiguousarray(array))
    terms = [""] * len(lexical.vocab)
    for term, term_id in lexical.vocab.items():
        terms[term_id] = term
    (tmp / "vocab.json").write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
    (tmp / "ids.json").write_text(json.dumps(lexical.ids, ensure_ascii=False), encoding="utf-8")
    meta = {"format": SEGMENT_FORMAT, "version": version, "model": model, "rows": len(lexical.ids),
            "shape": list(lexical.matrix.shape), "unknown_idf": lexical.unknown_idf, "avgdl": lexical.avgdl,
            "moment_count": moments.count if moments is not None else 0}
    (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    old = path.with_name(f"{path.name}.old-{os.getpid()}-{threading.get_ident()}")
    if path.exists():
        path.rename(old)
    tmp.rename(path)
    shutil.rmtree(old, ignore_errors=True)


class LoadedSegment:
    """A main segment read back from disk, its arrays memory-mapped."""

    def __init__(self, lexical: LexicalIndex, vectors: np.ndarray | None, scale: np.ndarray | None,
                 has_vector: np.ndarray, version: int, model: str, clusters: Clusters | None = None,
                 moments: Moments | None = None) -> None:
        self.lexical, self.vectors, self.scale = lexical, vectors, scale
        self.has_vector, self.version, self.model = has_vector, version, model
        self.clusters, self.moments = clusters, moments


def read_segment_meta(path: Path) -> dict | None:
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and meta.get("format") == SEGMENT_FORMAT else None


def load_segment(path: Path, analyzer: Analyzer) -> LoadedSegment | None:
    """The saved main segment at ``path``, or None when there is none or it cannot be read."""
    meta = read_segment_meta(path)
    if meta is None:
        return None
    try:
        arrays = {name: np.load(path / f"{name}.npy", mmap_mode="r")
                  for name in _ARRAYS if (path / f"{name}.npy").exists()}
        shape = tuple(meta["shape"])
        matrix = sparse.csc_matrix((arrays["matrix_data"], arrays["matrix_indices"], arrays["matrix_indptr"]),
                                   shape=shape, copy=False)
        title = sparse.csr_matrix((arrays["title_data"], arrays["title_indices"], arrays["title_indptr"]),
                                  shape=shape, copy=False)
        terms = json.loads((path / "vocab.json").read_text(encoding="utf-8"))
        ids = json.loads((path / "ids.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError) as exc:
        import logging

        logging.getLogger(__name__).warning("ignoring unreadable index segment %s: %s", path, exc)
        return None
    vocab = {term: i for i, term in enumerate(terms)}
    lexical = LexicalIndex.from_arrays(analyzer, ids, vocab, np.asarray(arrays["idf"]), matrix, title,
                                       float(meta["unknown_idf"]), float(meta["avgdl"]))
    clusters = moments = None
    if "centroids" in arrays:
        clusters = Clusters(np.asarray(arrays["centroids"]), np.asarray(arrays["offsets"]), arrays["order"],
                            arrays["position"])
        moments = Moments(int(meta["moment_count"]), np.asarray(arrays["moment_total"]),
                          np.asarray(arrays["moment_outer"]))
    return LoadedSegment(lexical, arrays.get("vectors"), arrays.get("scale"),
                         np.asarray(arrays["has_vector"], dtype=bool), int(meta["version"]), str(meta["model"]),
                         clusters, moments)
