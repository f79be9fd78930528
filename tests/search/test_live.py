"""The growing index: changes arrive as delta segments, saved main segments are memory-mapped,
missing vectors are backfilled, and answers match an index built from scratch."""

from __future__ import annotations

import dataclasses
import mmap
import time

import numpy as np
import pytest

from benarkah.domain.articles import Article
from benarkah.search import live
from benarkah.search.segments import quantize
from benarkah.settings import Settings
from benarkah.app import Services, build
from tests.conftest import TEST_KEY, load_demo
from tests.search.test_engine import FINDS, UNKNOWN

NEW = Article(id="new-1", title="Hoaks kapal selam zeppelin mendarat di danau toba",
              claim="kapal selam zeppelin mendarat di danau toba")


def mapped(array: np.ndarray) -> bool:
    """Whether an array's memory is a file mapping (not a copy read into the process)."""
    while array is not None:
        if isinstance(array, (np.memmap, mmap.mmap)):
            return True
        array = getattr(array, "base", None)
    return False


def ranked(services: Services, query: str) -> list[str]:
    return [h.article.id for h in services.index.search(query, limit=5).hits]


def test_the_change_feed_names_rows_changed_after_a_version(any_services):
    store = any_services.store
    load_demo(any_services)
    v1 = store.articles_version()
    assert store.articles_changed_since(v1, v1) == []
    any_services.index.upsert([NEW])
    v2 = store.articles_version()
    assert v2 == v1 + 1
    assert [a.id for a in store.articles_changed_since(v1, v2)] == ["new-1"]
    store.save_vectors("m", [("demo-001", "h", np.ones(4, dtype=np.float32))])  # a vector counts as a change
    v3 = store.articles_version()
    assert [a.id for a in store.articles_changed_since(v2, v3)] == ["demo-001"]
    assert set(store.load_vectors_for("m", ["demo-001", "demo-002"])) == {"demo-001"}
    assert len(store.articles_changed_since(0, v3)) == 113


def test_the_lease_is_held_by_one_owner_at_a_time(any_services):
    store = any_services.store
    assert store.take_lease("job", "a", 60) and store.take_lease("job", "a", 60)
    assert not store.take_lease("job", "b", 60)
    assert store.take_lease("job", "b", -1) is False and store.take_lease("job", "a", -1)  # a lets go
    assert store.take_lease("job", "b", 60)


def test_new_and_changed_articles_arrive_as_a_delta_without_a_rebuild(demo_services):
    before = {q: ranked(demo_services, q)[0] for q, _ in FINDS}
    demo_services.index.upsert([NEW])
    assert ranked(demo_services, "kapal selam zeppelin danau toba")[0] == "new-1"
    changed = dataclasses.replace(demo_services.store.get_article("demo-079"),
                                  title="Hoaks menara telekomunikasi membuat merpati pingsan",
                                  claim="menara telekomunikasi membuat merpati pingsan", summary="", text="")
    demo_services.index.upsert([changed])
    hits = ranked(demo_services, "menara telekomunikasi merpati pingsan")
    assert hits[0] == "demo-079" and hits.count("demo-079") == 1
    assert "demo-079" not in ranked(demo_services, "sinyal 5g bikin burung mati")[:1]  # the old title is gone
    assert demo_services.index.search("menara merpati pingsan").hits[0].article.title == changed.title
    assert demo_services.index.stats == {"applied": 2, "merges": 0, "loaded_segment": 0, "backfilled": 0}
    for query, expected in FINDS:
        if expected != "demo-079":
            assert ranked(demo_services, query)[0] == before[query] == expected
    for query in UNKNOWN:
        assert not demo_services.index.search(query).matched


def test_another_process_finds_a_new_article_within_about_a_second(settings):
    writer, reader = build(settings), build(settings)
    try:
        load_demo(writer)
        assert reader.index.search("kapal selam zeppelin").hits == [] or \
            reader.index.search("kapal selam zeppelin").hits[0].article.id != "new-1"
        writer.index.upsert([NEW])
        started = time.monotonic()
        while ranked(reader, "kapal selam zeppelin danau toba")[:1] != ["new-1"]:
            assert time.monotonic() - started < 3.0, "not found by the other index"
            time.sleep(0.05)
        assert time.monotonic() - started <= live.VERSION_CHECK_SECONDS + 0.5
    finally:
        writer.close()
        reader.close()


def test_deltas_are_folded_and_merged_into_a_new_main_segment(demo_services, monkeypatch):
    monkeypatch.setattr(live, "MERGE_MIN", 12)
    demo_services.index.engine()
    for n in range(11):  # eleven small writes: folded into one delta segment after eight
        demo_services.index.upsert([dataclasses.replace(NEW, id=f"new-{n}", title=f"{NEW.title} nomor{n}")])
        demo_services.index.engine()
    assert len(demo_services.index._delta.segments) <= live.COMPACT_DELTAS
    assert ranked(demo_services, "zeppelin nomor7")[0] == "new-7"
    demo_services.index.upsert([dataclasses.replace(NEW, id="new-last", title="Hoaks balon udara di monas")])
    demo_services.index.engine()
    thread = demo_services.index._merging
    assert thread is not None
    thread.join(30)
    assert demo_services.index.stats["merges"] == 1 and len(demo_services.index._delta) == 0
    assert ranked(demo_services, "balon udara monas")[0] == "new-last"
    assert ranked(demo_services, "zeppelin nomor3")[0] == "new-3"


def test_a_saved_segment_is_mapped_by_the_next_process_with_the_same_answers(settings, monkeypatch, tmp_path):
    monkeypatch.setattr(live, "SAVE_ABOVE", 1)
    first = build(settings)
    load_demo(first)
    answers = {q: ranked(first, q) for q, _ in FINDS}
    first.close()
    assert (tmp_path / "benarkah.db.index" / "meta.json").exists()
    second = build(settings)
    try:
        assert {q: ranked(second, q) for q, _ in FINDS} == answers
        assert second.index.stats["loaded_segment"] == 1
        assert mapped(second.index.engine().lexical.matrix.data) and mapped(second.index.engine().lexical.matrix.indices)
        second.index.upsert([NEW])  # and it grows from there
        assert ranked(second, "kapal selam zeppelin danau toba")[0] == "new-1"
    finally:
        second.close()
    (tmp_path / "benarkah.db.index" / "meta.json").write_text("{broken", encoding="utf-8")
    third = build(settings)  # an unreadable segment is rebuilt from the store, not trusted
    try:
        assert {q: ranked(third, q) for q, _ in FINDS} == answers
        assert third.index.stats["loaded_segment"] == 0
    finally:
        third.close()


def test_int8_vectors_keep_cosines_within_a_hundredth():
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(500, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    q, scale = quantize(vectors)
    query = vectors[7]
    exact = vectors @ query
    approx = (q.astype(np.float32) @ query) * scale
    assert q.dtype == np.int8 and np.abs(exact - approx).max() < 0.01


@pytest.mark.slow
def test_missing_vectors_are_backfilled_while_searches_use_the_words(tmp_path):
    settings = Settings(db=str(tmp_path / "b.db"), secret_key=TEST_KEY, semantic=True)
    tl = build(settings)
    try:
        load_demo(tl)
        assert tl.index.engine().mode == "lexical"  # nothing embedded yet: keywords, never a wait
        assert tl.index.search("gempa megathrust 17 agustus").hits[0].article.id == "demo-034"
        tl.index.start_backfill()
        tl.index._backfilling.join(300)
        assert tl.index.stats["backfilled"] == 112
        tl.index.upsert([])  # look at the store's version now
        engine = tl.index.engine()
        assert engine.mode == "hybrid"
        assert "demo-079" in ranked(tl, "jaringan seluler generasi kelima membunuh unggas")
    finally:
        tl.close()
