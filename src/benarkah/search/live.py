"""The search index of one process, kept in step with the archive in the store.

``SearchEngine`` is immutable; ``LiveIndex`` owns the current one and rebuilds it when the store's
article version moves (checked at most once a second, so an article ingested by any process is
answerable everywhere within about a second). It also owns what the index needs from the embedder:
embedding articles whose vector is missing or stale, and embedding a batch of queries in one call.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator, Sequence

import numpy as np

from ..domain.articles import Article
from ..domain.text import Analyzer
from ..errors import BenarkahError
from ..storage.base import Store, UpsertOutcome
from .embeddings import Embedder, passage_text
from .engine import SearchEngine, SearchResult

log = logging.getLogger(__name__)

EMBED_BATCH = 32
VERSION_CHECK_SECONDS = 1.0
VERSION_CHECK_WAIT_SECONDS = 0.3  # with the database away, searches go on from the index in memory

ProgressCallback = Callable[[int, int], None]


def passage_hash(article: Article) -> str:
    """The hash of the text an article's vector was computed from, so an edit re-embeds it."""
    text = passage_text(article.title, article.claim)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


class LiveIndex:
    """The current ``SearchEngine`` over ``store``'s articles, rebuilt when they change.

    ``embedder`` is a callable so the model loads only when the first index is built (commands that
    never search, such as ``benarkah user add``, never pay for it); it returns None for keywords only.
    """

    def __init__(self, store: Store, analyzer: Analyzer, embedder: Callable[[], Embedder | None]) -> None:
        self.store = store
        self.analyzer = analyzer
        self._embedder_factory = embedder
        self._engine: SearchEngine | None = None
        self._engine_version = -1
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self._local = threading.local()

    @property
    def embedder(self) -> Embedder | None:
        return self._embedder_factory()

    def engine(self) -> SearchEngine:
        """The current index; rebuilt when the store's article version moves (checked at most 1/s)."""
        now = time.monotonic()
        if self._engine is not None and now - self._checked_at < VERSION_CHECK_SECONDS:
            return self._engine
        with self._lock:
            if self._engine is not None:
                try:
                    with self.store.wait_at_most(VERSION_CHECK_WAIT_SECONDS):
                        version = self.store.articles_version()
                except (BenarkahError, self.store.Error) as exc:  # the database is away: answer from memory
                    self._checked_at = now
                    log.warning("archive version unknown (%s); searching the index built from version %d",
                                exc, self._engine_version)
                    return self._engine
            else:
                version = self.store.articles_version()
            self._checked_at = now
            if self._engine is None or version != self._engine_version:
                self._engine = self._build()
                self._engine_version = version
            return self._engine

    def upsert(self, articles: Sequence[Article]) -> list[UpsertOutcome]:
        """Add or update articles in the store; this process's next search sees them at once."""
        outcomes = self.store.upsert_articles(articles)
        self._checked_at = 0.0
        return outcomes

    @property
    def version(self) -> int | None:
        """The article version the index was built from; None until it is built (readiness)."""
        return self._engine_version if self._engine is not None else None

    def _build(self) -> SearchEngine:
        started = time.perf_counter()
        articles = list(self.store.iter_articles())
        vectors = None
        embedder = self.embedder
        if embedder is not None and articles:
            self.embed_missing()
            stored = self.store.load_vectors(embedder.name)
            vectors = np.vstack([stored[a.id][1] for a in articles]).astype(np.float32)
        engine = SearchEngine(articles, self.analyzer, embedder=embedder, vectors=vectors)
        log.info("search index built: %d articles in %.2fs", len(articles), time.perf_counter() - started)
        return engine

    def embed_missing(self, progress: ProgressCallback | None = None) -> int:
        """Embed articles whose vector is missing or stale; returns how many were embedded."""
        embedder = self.embedder
        if embedder is None:
            return 0
        stored = self.store.load_vectors(embedder.name)
        todo = [a for a in self.store.iter_articles() if stored.get(a.id, ("",))[0] != passage_hash(a)]
        for start in range(0, len(todo), EMBED_BATCH):
            batch = todo[start:start + EMBED_BATCH]
            vectors = embedder.embed_passages([passage_text(a.title, a.claim) for a in batch])
            self.store.save_vectors(embedder.name, [(a.id, passage_hash(a), v) for a, v in zip(batch, vectors)])
            if progress:
                progress(min(start + EMBED_BATCH, len(todo)), len(todo))
        return len(todo)

    # searching -----------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 3, semantic: bool = True) -> SearchResult:
        semantic = semantic and not getattr(self._local, "keywords_only", False)
        return self.engine().search(query, limit=limit, semantic=semantic)

    @contextmanager
    def keywords_only(self) -> Iterator[None]:
        """Within this block (in this thread) searches skip the sentence embedding.

        A messaging worker whose queue is backing up uses it: on 2 cores embedding a long forward
        costs tens of milliseconds, and a keyword answer now beats a hybrid answer in a minute.
        """
        previous = getattr(self._local, "keywords_only", False)
        self._local.keywords_only = True
        try:
            yield
        finally:
            self._local.keywords_only = previous

    def warm_queries(self, texts: Sequence[str]) -> None:
        """Embed a batch of queries in one call so their searches hit the query cache."""
        embedder = self.embedder
        if embedder is not None and texts:
            embedder.embed_queries(list(texts))
