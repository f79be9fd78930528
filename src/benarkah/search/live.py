"""The search index of one process, kept in step with the archive in the store.

``SearchEngine`` is immutable; ``LiveIndex`` owns the current one. It no longer rebuilds it when the
archive changes (44 s at 100k articles in every process): it checks the store's article version at
most once a second and applies only the rows changed since (``Store.articles_changed_since``) as a
small delta segment over an immutable main segment (``segments.py``), so an article ingested by any
process is answerable everywhere within about a second. When the deltas grow past a share of the
main segment, a background thread builds a new main segment and swaps it in; searches never wait.

The main segment can be saved beside the database (``segment_dir``) and memory-mapped by the next
process, so a process over a million articles starts in seconds instead of re-reading them all.

Articles without a current vector are searched by their words only (their cosine counts as
average) until ``backfill`` embeds them in a background thread, one process at a time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from ..domain.articles import Article
from ..domain.text import Analyzer
from ..errors import BenarkahError
from ..storage.base import Store, UpsertOutcome
from .clusters import Clusters, build_clusters
from .embeddings import Embedder, passage_text
from .engine import SearchEngine, SearchResult
from .lexical import LexicalIndex
from .semantic import Moments
from .segments import (ArticleCache, SegmentedLexical, SegmentVectors, StoredArticles, load_segment, quantize,
                       read_segment_meta, save_segment)

log = logging.getLogger(__name__)

EMBED_BATCH = 32
VERSION_CHECK_SECONDS = 1.0
VERSION_CHECK_WAIT_SECONDS = 0.3  # with the database away, searches go on from the index in memory
COMPACT_ABOVE = 200_000  # main segments larger than this keep int8 vectors and read articles on demand
MERGE_SHARE = 0.05  # deltas above this share of the main segment (and MERGE_MIN rows) start a merge
MERGE_MIN = 2_000
COMPACT_DELTAS = 8  # more delta segments than this are folded into one
BACKFILL_LEASE_SECONDS = 120.0
SAVE_ABOVE = 20_000  # main segments at least this large are saved for the next process to map
CLUSTER_ABOVE = 50_000  # main segments larger than this search their vectors by clusters (clusters.py)

ProgressCallback = Callable[[int, int], None]


def passage_hash(article: Article) -> str:
    """The hash of the text an article's vector was computed from, so an edit re-embeds it."""
    text = passage_text(article.title, article.claim)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


@dataclass
class _Main:
    """The immutable main segment: BM25, vectors (float32, or int8 + scale), which rows have one."""

    lexical: LexicalIndex
    version: int
    vectors: np.ndarray | None = None
    scale: np.ndarray | None = None
    has_vector: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    articles: list[Article] | None = None  # kept in memory for small archives
    clusters: Clusters | None = None  # with clusters, ``vectors`` and ``scale`` are in their storage order
    moments: Moments | None = None  # of the rows with a vector
    _rows: dict[str, int] | None = None

    def row_of(self, article_id: str) -> int | None:
        if self._rows is None:
            self._rows = {a: i for i, a in enumerate(self.lexical.ids)}
        return self._rows.get(article_id)


@dataclass
class _Delta:
    """Articles changed since the main segment, in delta segments (the newest version of each wins)."""

    segments: list[LexicalIndex] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    vectors: list[np.ndarray | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.articles)


class LiveIndex:
    """The current ``SearchEngine`` over ``store``'s articles, following its changes.

    ``embedder`` is a callable so the model loads only when the first index is built (commands that
    never search, such as ``benarkah user add``, never pay for it); it returns None for keywords only.
    """

    def __init__(self, store: Store, analyzer: Analyzer, embedder: Callable[[], Embedder | None],
                 segment_dir: Path | None = None, backfill: bool = False,
                 compact_above: int = COMPACT_ABOVE, cluster_above: int | None = None) -> None:
        self.store = store
        self.analyzer = analyzer
        self._embedder_factory = embedder
        self.segment_dir = segment_dir
        self.backfill_enabled = backfill
        self.compact_above = compact_above
        self.cluster_above = CLUSTER_ABOVE if cluster_above is None else cluster_above
        self._engine: SearchEngine | None = None
        self._engine_version = -1
        self._main: _Main | None = None
        self._delta = _Delta()
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self._local = threading.local()
        self._cache = ArticleCache()
        self._merging: threading.Thread | None = None
        self._backfilling: threading.Thread | None = None
        self.stats = {"applied": 0, "merges": 0, "loaded_segment": 0, "backfilled": 0}

    @property
    def embedder(self) -> Embedder | None:
        return self._embedder_factory()

    def engine(self) -> SearchEngine:
        """The current index; the store's changes are applied when its version moves (checked at most 1/s)."""
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
            if self._main is None:
                self._open(version)
            elif version != self._engine_version:
                self._apply(version)
            assert self._engine is not None
            return self._engine

    def upsert(self, articles: Sequence[Article]) -> list[UpsertOutcome]:
        """Add or update articles in the store; this process's next search sees them at once."""
        outcomes = self.store.upsert_articles(articles)
        self._checked_at = 0.0
        return outcomes

    @property
    def version(self) -> int | None:
        """The article version the index is up to date with; None until it is built (readiness)."""
        return self._engine_version if self._engine is not None else None

    # the main segment ----------------------------------------------------------------------------

    def _model(self) -> str:
        embedder = self.embedder
        return embedder.name if embedder is not None else ""

    def _open(self, version: int) -> None:
        main = self._load_saved(version)
        if main is None:
            main = self._build_main(version)
            self._save(main)
        self._main, self._delta, self._engine_version = main, _Delta(), main.version
        if version != main.version:
            self._apply(version)
        else:
            self._publish()
            self._maybe_backfill()

    def _load_saved(self, version: int) -> _Main | None:
        if self.segment_dir is None:
            return None
        meta = read_segment_meta(self.segment_dir)
        model = self._model()
        if meta is None or int(meta["version"]) > version or (model and meta["model"] != model):
            return None  # none, from another database state, or from another model
        started = time.perf_counter()
        segment = load_segment(self.segment_dir, self.analyzer)
        if segment is None:
            return None
        self.stats["loaded_segment"] += 1
        log.info("search index loaded: %d articles in %.2fs", len(segment.lexical), time.perf_counter() - started)
        vectors = segment.vectors if model else None
        if not model:
            return _Main(segment.lexical, segment.version, None, None, np.zeros(len(segment.lexical), dtype=bool))
        return _Main(segment.lexical, segment.version, segment.vectors, segment.scale, segment.has_vector,
                     clusters=segment.clusters, moments=segment.moments)

    def _build_main(self, version: int) -> _Main:
        """Read the whole archive into a new main segment (at start without a saved one, and merges)."""
        started = time.perf_counter()
        embedder = self.embedder
        hashes: list[str] = []
        keep: list[Article] = []
        small = self.store.count_articles() <= self.compact_above

        def articles() -> Iterator[Article]:
            for article in self.store.iter_articles():
                if embedder is not None:
                    hashes.append(passage_hash(article))
                if small:
                    keep.append(article)
                yield article

        lexical = LexicalIndex(articles(), self.analyzer)
        n = len(lexical)
        vectors, scale, has = None, None, np.zeros(n, dtype=bool)
        if embedder is not None and n:
            vectors = np.zeros((n, embedder.dim), dtype=np.float32)
            stored = self.store.load_vectors(embedder.name)
            for row, (article_id, digest) in enumerate(zip(lexical.ids, hashes)):
                found = stored.get(article_id)
                if found is not None and found[0] == digest:
                    vectors[row], has[row] = found[1], True
            del stored
            if n > self.compact_above:
                vectors, scale = quantize(vectors)
        main = _Main(lexical, version, vectors, scale, has, keep if small else None)
        if vectors is not None and n > self.cluster_above and has.any():
            main = _clustered(main)
        log.info("search index built: %d articles in %.2fs", n, time.perf_counter() - started)
        return main

    def _save(self, main: _Main) -> None:
        if self.segment_dir is None or len(main.lexical) < SAVE_ABOVE:
            return  # small archives are re-read in well under a second
        try:
            save_segment(self.segment_dir, main.lexical, main.vectors, main.has_vector, main.version,
                         self._model(), scale=main.scale, clusters=main.clusters, moments=main.moments)
        except OSError as exc:  # a read-only or full disk costs start-up time, never a search
            log.warning("could not save the search index to %s: %s", self.segment_dir, exc)

    # changes ---------------------------------------------------------------------------------------

    def _apply(self, version: int) -> None:
        """Add the articles changed since the index's version as a delta segment."""
        changed = self.store.articles_changed_since(self._engine_version, version)
        if changed:
            self._add_delta(changed)
            self.stats["applied"] += len(changed)
        self._engine_version = version
        self._publish()
        self._maybe_merge()
        self._maybe_backfill()

    def _add_delta(self, changed: Sequence[Article]) -> None:
        assert self._main is not None
        embedder = self.embedder
        stored = self.store.load_vectors_for(embedder.name, [a.id for a in changed]) if embedder else {}
        vectors = []
        for article in changed:
            found = stored.get(article.id)
            vectors.append(found[1] if found is not None and found[0] == passage_hash(article) else None)
        base = self._delta.segments[-1] if self._delta.segments else self._main.lexical
        size = len(self._main.lexical) + len(self._delta) + len(changed)
        self._delta.segments.append(LexicalIndex(changed, self.analyzer, base=base, archive_size=size))
        self._delta.articles.extend(changed)
        self._delta.vectors.extend(vectors)
        self._cache.drop([a.id for a in changed])
        if len(self._delta.segments) > COMPACT_DELTAS:
            self._fold_deltas()

    def _fold_deltas(self) -> None:
        """Many small deltas become one (the newest version of each article), so a search scores a
        handful of matrices, not hundreds."""
        assert self._main is not None
        latest: dict[str, int] = {}
        for position, article in enumerate(self._delta.articles):
            latest[article.id] = position
        order = sorted(latest.values())
        articles = [self._delta.articles[i] for i in order]
        vectors = [self._delta.vectors[i] for i in order]
        size = len(self._main.lexical) + len(articles)
        self._delta = _Delta([LexicalIndex(articles, self.analyzer, base=self._main.lexical, archive_size=size)],
                             articles, vectors)

    def _publish(self) -> None:
        """Make the current main + deltas the engine searches use."""
        main, delta = self._main, self._delta
        assert main is not None
        embedder = self.embedder
        if not len(delta):
            lexical: object = main.lexical
            articles: object = main.articles if main.articles is not None else \
                StoredArticles(main.lexical.ids, [], self.store.get_article, self._cache)
            alive = np.ones(len(main.lexical), dtype=bool)
        else:
            alive = np.ones(len(main.lexical) + len(delta), dtype=bool)
            newest: dict[str, int] = {}
            for position, article in enumerate(delta.articles):
                row = main.row_of(article.id)
                if row is not None:
                    alive[row] = False
                if article.id in newest:
                    alive[len(main.lexical) + newest[article.id]] = False
                newest[article.id] = position
            lexical = SegmentedLexical([main.lexical, *delta.segments], alive)
            articles = StoredArticles(main.lexical.ids, delta.articles,
                                      self._fetch_main(main), self._cache)
        vectors = self._vectors(main, delta, alive) if embedder is not None else None
        self._engine = SearchEngine.from_parts(articles, lexical, embedder, vectors)  # type: ignore[arg-type]

    def _fetch_main(self, main: _Main) -> Callable[[str], Article | None]:
        if main.articles is None:
            return self.store.get_article
        by_id = main.articles
        return lambda article_id: by_id[main.row_of(article_id)]  # type: ignore[index]

    @staticmethod
    def _vectors(main: _Main, delta: _Delta, alive: np.ndarray) -> object | None:
        delta_has = np.array([v is not None for v in delta.vectors], dtype=bool)
        if main.vectors is None or not (main.has_vector.any() or delta_has.any()):
            return None  # nothing embedded yet: keywords only
        if not len(delta) and main.scale is None and main.clusters is None and main.has_vector.all():
            return main.vectors  # the plain case: exactly the in-memory engine's arithmetic
        dim = main.vectors.shape[1]
        delta_vectors = np.zeros((len(delta), dim), dtype=np.float32)
        for i, v in enumerate(delta.vectors):
            if v is not None:
                delta_vectors[i] = v
        valid = np.concatenate([main.has_vector, delta_has]) & alive
        return SegmentVectors(main.vectors, main.scale, delta_vectors, valid, main.clusters, main.moments,
                              main.has_vector)

    def _maybe_merge(self) -> None:
        main = self._main
        if main is None or len(self._delta) < max(MERGE_MIN, MERGE_SHARE * len(main.lexical)):
            return
        if self._merging is not None and self._merging.is_alive():
            return
        self._merging = threading.Thread(target=self._merge, name="benarkah-index-merge", daemon=True)
        self._merging.start()

    def _merge(self) -> None:
        """Build a new main segment from the store in the background, then swap it in."""
        try:
            version = self.store.articles_version()
            main = self._build_main(version)
            self._save(main)
            with self._lock:
                current = self._engine_version
                self._main, self._delta, self._engine_version = main, _Delta(), main.version
                self.stats["merges"] += 1
                if current != main.version:
                    self._apply(max(current, main.version))
                else:
                    self._publish()
        except Exception:  # noqa: BLE001 - a failed merge leaves the current index serving
            log.exception("merging the search index failed; the current one keeps serving")

    def merge_now(self) -> None:
        """Fold every change into a new main segment now (benchmarks and tests)."""
        self.engine()
        self._merge()

    # embedding articles ------------------------------------------------------------------------------

    def start_backfill(self) -> None:
        """From now on, embed articles without a current vector in a background thread (serving
        processes; one at a time across processes, by a lease in the store). Searches meanwhile use
        the words of those articles only."""
        self.backfill_enabled = True
        self._maybe_backfill()

    def _missing_ids(self) -> list[str]:
        main, delta = self._main, self._delta
        if main is None or self.embedder is None:
            return []
        newest = {a.id: v for a, v in zip(delta.articles, delta.vectors)}
        missing = [a for a, v in newest.items() if v is None]
        if main.vectors is not None:
            missing += [main.lexical.ids[r] for r in np.flatnonzero(~main.has_vector)
                        if main.lexical.ids[r] not in newest]
        return missing

    def _maybe_backfill(self) -> None:
        if not self.backfill_enabled or self.embedder is None or self._main is None:
            return
        if self._backfilling is not None and self._backfilling.is_alive():
            return
        missing = self._missing_ids()
        if missing:
            self._backfilling = threading.Thread(target=self._backfill, args=(missing,), daemon=True,
                                                 name="benarkah-embed-backfill")
            self._backfilling.start()

    def _backfill(self, missing: list[str]) -> None:
        owner = f"{os.getpid()}-{id(self)}"
        embedder = self.embedder
        try:
            for start in range(0, len(missing), EMBED_BATCH):
                if embedder is None or not self.store.take_lease("embed-backfill", owner, BACKFILL_LEASE_SECONDS):
                    return  # another process is on it; its vectors reach this index as changes
                batch = [a for a in (self.store.get_article(i) for i in missing[start:start + EMBED_BATCH]) if a]
                self._embed(embedder, batch, None)
                self.stats["backfilled"] += len(batch)
        except Exception:  # noqa: BLE001 - searches go on by keywords; the next change retries
            log.exception("embedding missing article vectors failed")

    def embed_missing(self, progress: ProgressCallback | None = None) -> int:
        """Embed articles whose vector is missing or stale; returns how many were embedded."""
        embedder = self.embedder
        if embedder is None:
            return 0
        stored = self.store.load_vectors(embedder.name)
        todo = [a for a in self.store.iter_articles() if stored.get(a.id, ("",))[0] != passage_hash(a)]
        del stored
        self._embed(embedder, todo, progress)
        return len(todo)

    def embed_changed(self, since: int, progress: ProgressCallback | None = None) -> int:
        """Embed the articles changed after version ``since`` whose vector is missing or stale (an
        ingest into a large archive reads only what it wrote, not the whole archive)."""
        embedder = self.embedder
        if embedder is None:
            return 0
        changed = self.store.articles_changed_since(since, self.store.articles_version())
        stored = self.store.load_vectors_for(embedder.name, [a.id for a in changed])
        todo = [a for a in changed if stored.get(a.id, ("",))[0] != passage_hash(a)]
        self._embed(embedder, todo, progress)
        return len(todo)

    def _embed(self, embedder: Embedder, todo: Sequence[Article], progress: ProgressCallback | None) -> None:
        for start in range(0, len(todo), EMBED_BATCH):
            batch = todo[start:start + EMBED_BATCH]
            vectors = embedder.embed_passages([passage_text(a.title, a.claim) for a in batch])
            self.store.save_vectors(embedder.name, [(a.id, passage_hash(a), v) for a, v in zip(batch, vectors)])
            if progress:
                progress(min(start + EMBED_BATCH, len(todo)), len(todo))
        if todo:
            self._checked_at = 0.0  # this process changed the archive: look at once

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

    def warm_queries(self, texts: Sequence[str]) -> int:
        """Embed, in one call, those of a batch of queries whose search will need their embedding
        (adaptive hybrid skips it when the keywords are sure), so their searches hit the query cache.
        Returns how many were embedded."""
        engine = self.engine()
        if engine.embedder is None or not texts or getattr(self._local, "keywords_only", False):
            return 0
        needed = list(dict.fromkeys(t for t in texts if engine.needs_embedding(t)))
        if needed:
            engine.embedder.embed_queries(needed)
        return len(needed)

    def search_many(self, texts: Sequence[str], limit: int = 3, progress: ProgressCallback | None = None,
                    batch: int = EMBED_BATCH) -> list[SearchResult]:
        """Search many queries (``benarkah eval``, backfills): the embeddings each batch needs are
        computed in one call, which the embedder spreads over all cores, instead of one at a time."""
        results: list[SearchResult] = []
        for start in range(0, len(texts), batch):
            chunk = texts[start:start + batch]
            self.warm_queries(chunk)
            results.extend(self.search(t, limit=limit) for t in chunk)
            if progress:
                progress(len(results), len(texts))
        return results


def _clustered(main: _Main) -> _Main:
    """The main segment with its vectors grouped by cluster (stored in that order) and their moments."""
    assert main.vectors is not None
    started = time.perf_counter()
    clusters = build_clusters(main.vectors, main.scale, main.has_vector)
    vectors = np.ascontiguousarray(main.vectors[clusters.order])
    scale = main.scale[clusters.order] if main.scale is not None else None
    embedded = int(clusters.offsets[-1])  # rows with a vector are stored first
    moments = Moments.of(vectors[:embedded], scale[:embedded] if scale is not None else None)
    log.info("search index clustered: %d clusters in %.2fs", len(clusters), time.perf_counter() - started)
    return dataclasses.replace(main, vectors=vectors, scale=scale, clusters=clusters, moments=moments)
