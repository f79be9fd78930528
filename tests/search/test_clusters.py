"""Vectors searched by clusters: the probe finds what a scan finds, the moments give a scan's mean
and spread, tombstones and deltas are accounted for, and a clustered segment survives saving."""

from __future__ import annotations

import numpy as np
import pytest

from benarkah.app import build
from benarkah.search import live
from benarkah.search.clusters import build_clusters, cluster_count
from benarkah.search.segments import SegmentVectors, quantize
from benarkah.search.semantic import Moments, QueryCosines
from benarkah.settings import Settings
from tests.conftest import TEST_KEY
from tests.search.test_engine import FINDS, hybrid_db  # noqa: F401 - the module-scoped fixture

DIM = 32


def unit(matrix: np.ndarray) -> np.ndarray:
    return (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def topical() -> np.ndarray:
    """2,000 vectors around 40 topics, as articles about the same rumours are."""
    rng = np.random.default_rng(5)
    topics = unit(rng.normal(size=(40, DIM)))
    return unit(topics[rng.integers(0, 40, 2_000)] + rng.normal(0, 0.08, (2_000, DIM)))


def clustered(vectors: np.ndarray, valid: np.ndarray, delta: np.ndarray | None = None,
              alive: np.ndarray | None = None, int8: bool = False) -> SegmentVectors:
    scale = None
    stored = vectors
    if int8:
        stored, scale = quantize(vectors)
    clusters = build_clusters(stored, scale, valid)
    main = np.ascontiguousarray(stored[clusters.order])
    main_scale = scale[clusters.order] if scale is not None else None
    embedded = int(clusters.offsets[-1])
    moments = Moments.of(main[:embedded], main_scale[:embedded] if main_scale is not None else None)
    delta = np.zeros((0, DIM), dtype=np.float32) if delta is None else delta
    rows_valid = np.concatenate([valid, np.ones(len(delta), dtype=bool)])
    if alive is not None:
        rows_valid &= alive
    return SegmentVectors(main, main_scale, delta, rows_valid, clusters, moments, valid)


def test_every_row_with_a_vector_is_in_exactly_one_cluster_and_the_rest_come_last(topical):
    valid = np.ones(len(topical), dtype=bool)
    valid[::10] = False
    clusters = build_clusters(topical, None, valid)
    assert len(clusters) == cluster_count(int(valid.sum()))
    members = np.concatenate([clusters.order[clusters.offsets[c]:clusters.offsets[c + 1]]
                              for c in range(len(clusters))])
    assert sorted(members.tolist()) == np.flatnonzero(valid).tolist()
    assert set(clusters.order[clusters.offsets[-1]:].tolist()) == set(np.flatnonzero(~valid).tolist())
    assert (clusters.order[clusters.position] == np.arange(len(topical))).all()


def test_moments_give_the_mean_and_spread_a_scan_gives(topical):
    query = topical[3]
    cosines = topical @ query
    mean, std = Moments.of(topical).mean_std(query)
    assert mean == pytest.approx(float(cosines.mean()), abs=1e-5)
    assert std == pytest.approx(float(cosines.std()), abs=1e-5)


@pytest.mark.parametrize("int8", [False, True])
def test_probing_every_cluster_is_exactly_the_scan(topical, int8):
    valid = np.ones(len(topical), dtype=bool)
    valid[5] = False  # not embedded yet
    rng = np.random.default_rng(9)
    delta = unit(rng.normal(size=(7, DIM)))
    alive = np.ones(len(topical) + 7, dtype=bool)
    alive[[11, 12, 2_003]] = False  # tombstoned main rows and a superseded delta row
    vectors = clustered(topical, valid, delta, alive, int8)
    for query in (topical[40], delta[1], unit(rng.normal(size=(1, DIM)))[0]):
        scan = QueryCosines.from_array(vectors @ query, vectors.valid, 40)
        probe = vectors.query(query, 40, probes=len(vectors.clusters))
        assert not probe.scanned
        assert probe.mean == pytest.approx(scan.mean, abs=1e-4) and probe.std == pytest.approx(scan.std, abs=1e-4)
        assert probe.top.tolist() == scan.top.tolist() and probe.best == scan.best
        rows = np.array([0, 5, 11, 700, 1_999, 2_000, 2_003])
        assert np.allclose(probe.of(rows), scan.of(rows), atol=1e-5)  # no vector, tombstone: the mean
        assert not set(probe.top.tolist()) & {5, 11, 12, 2_003}


def test_a_few_probes_find_most_of_the_nearest_articles(topical):
    vectors = clustered(topical, np.ones(len(topical), dtype=bool))
    found = []
    for query in topical[:200]:
        exact = set(np.argsort(-(topical @ query))[:10].tolist())
        probed = set(vectors.query(query, 10, probes=len(vectors.clusters) // 8).top.tolist())
        found.append(len(exact & probed) / 10)
    assert np.mean(found) >= 0.9  # an eighth of the clusters read


@pytest.mark.slow
def test_a_clustered_segment_is_saved_mapped_and_answers_as_the_scan_does(hybrid_db, tmp_path, monkeypatch):  # noqa: F811
    """The demo archive with a tiny clustering threshold: every cluster is probed (probes ≥ clusters),
    so answers must equal the scanned index's, before and after the segment is saved and mapped."""
    import shutil

    db = str(tmp_path / "c.db")
    shutil.copy(hybrid_db, db)
    settings = Settings(db=db, secret_key=TEST_KEY, semantic=True)
    scanned = build(settings)
    answers = {q: [h.article.id for h in scanned.index.search(q, limit=5).hits] for q, _ in FINDS}
    scanned.close()
    shutil.rmtree(tmp_path / "c.db.index", ignore_errors=True)
    monkeypatch.setattr(live, "CLUSTER_ABOVE", 10)
    monkeypatch.setattr(live, "SAVE_ABOVE", 1)
    for attempt in ("built", "loaded"):
        services = build(settings)
        try:
            engine = services.index.engine()
            assert engine.vectors.clusters is not None
            assert services.index.stats["loaded_segment"] == (attempt == "loaded")
            assert {q: [h.article.id for h in services.index.search(q, limit=5).hits] for q, _ in FINDS} == answers
            paraphrase = services.index.search("jaringan seluler generasi kelima membunuh unggas")
            assert paraphrase.embedded and "demo-079" in [h.article.id for h in paraphrase.hits]
        finally:
            services.close()
