"""The storage interface, run on both backends (SQLite and PostgreSQL)."""

import threading

import numpy as np
import pytest

from benarkah.domain.articles import article_from_record
from benarkah.storage import open_store
from benarkah.storage.base import Interaction, UpsertOutcome
from benarkah.tips.repository import TipRepository


@pytest.fixture
def store(db_url):
    s = open_store(db_url)
    yield s
    s.close()


def art(i, **kw):
    return article_from_record({"id": f"a{i}", "title": f"Judul {i}", **kw})


def test_upsert_reports_added_updated_unchanged_and_bumps_version_only_on_change(store):
    v0 = store.articles_version()
    assert store.upsert_articles([art(1), art(2)]) == [UpsertOutcome.ADDED] * 2
    v1 = store.articles_version()
    assert v1 == v0 + 1
    assert store.upsert_articles([art(1), art(2, text="baru")]) == [UpsertOutcome.UNCHANGED, UpsertOutcome.UPDATED]
    assert store.upsert_articles([art(1)]) == [UpsertOutcome.UNCHANGED]
    assert store.articles_version() == v1 + 1
    assert store.get_article("a2").text == "baru"
    assert store.count_articles() == 2


def test_latest_orders_by_published_date_with_undated_last(store):
    store.upsert_articles([art(1, published="2024-01-01"), art(2), art(3, published="2025-05-05")])
    assert [a.id for a in store.latest_articles(3)] == ["a3", "a1", "a2"]


def test_migrations_are_recorded_and_idempotent(db_url):
    first = open_store(db_url)
    version = first.schema_version()
    first.close()
    second = open_store(db_url)
    assert second.schema_version() == version >= 1
    second.close()


def test_vectors_round_trip(store):
    store.upsert_articles([art(1)])
    store.save_vectors("m", [("a1", "h", np.arange(4, dtype=np.float32))])
    got = store.load_vectors("m")
    assert got["a1"][0] == "h" and got["a1"][1].tolist() == [0, 1, 2, 3]


def test_tips_sessions_interactions_and_erasure(store):
    tips = TipRepository(store)
    tips.add_tip("whatsapp", "h1", "kabar aneh")
    tips.add_tip("whatsapp", "h2", "kabar lain")
    store.put_session("whatsapp", "h1", {"language": "en"})
    store.log_interaction(Interaction("whatsapp", "h1", "kabar aneh", "not_found", matched=False))
    assert [t.text for t in tips.list_tips()] == ["kabar lain", "kabar aneh"]
    assert store.get_session("whatsapp", "h1") == {"language": "en"}
    assert store.erase_sender("h1") == 3
    assert [t.sender_hash for t in tips.list_tips()] == ["h2"]
    assert store.get_session("whatsapp", "h1") is None


def test_a_failed_batch_leaves_the_store_untouched(store):
    store.upsert_articles([art(1)])
    with pytest.raises(store.Error):
        with store.transaction() as tx:
            tx.execute("DELETE FROM articles")
            tx.execute("INSERT INTO no_such_table VALUES (1)")
    assert store.count_articles() == 1


def test_nested_transactions_are_savepoints(store):
    """An inner unit of work that raises leaves none of its rows; the outer one goes on and commits."""
    tips = TipRepository(store)
    with store.transaction() as tx:
        tips.add_tip("web", "h", "outer, before")
        with pytest.raises(RuntimeError):
            with store.transaction(lock="rows"):
                tips.add_tip("web", "h", "inner")
                with store.transaction():  # deeper still, committed into the inner one ...
                    tips.add_tip("web", "h", "innermost")
                raise RuntimeError("... which then fails: both are undone")
        with store.transaction():
            tips.add_tip("web", "h", "a later inner one")
        assert tx.execute("SELECT COUNT(*) FROM tips").fetchone()[0] == 2
        tips.add_tip("web", "h", "outer, after")
    assert [t.text for t in tips.list_tips()] == ["outer, after", "a later inner one", "outer, before"]


def test_an_outer_failure_undoes_the_inner_units_too(store):
    tips = TipRepository(store)
    with pytest.raises(RuntimeError):
        with store.transaction():
            with store.transaction(lock="rows"):
                tips.add_tip("web", "h", "inner, released")
            raise RuntimeError("the outer unit fails")
    assert tips.list_tips() == []
    with store.transaction():  # and the store is usable afterwards
        tips.add_tip("web", "h", "next")
    assert [t.text for t in tips.list_tips()] == ["next"]


def test_concurrent_writers_from_threads(store):
    tips = TipRepository(store)

    def write(n):
        for i in range(20):
            tips.add_tip("web", f"t{n}", f"pesan {i}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(tips.list_tips(limit=1000)) == 80


def test_sessions_and_interactions_in_batches(store):
    """The messaging worker reads and writes a batch's conversation states and statistics at once:
    absent people are left out, the last state given for a person wins, and batches larger than one
    multi-row statement are split (250 > the 100 rows per statement)."""
    store.put_session("whatsapp", "old", {"language": "id"})
    states = [("whatsapp", f"p{n}", {"n": n}) for n in range(250)] + [("whatsapp", "p0", {"n": "last"})]
    store.put_sessions(states)
    people = [("whatsapp", f"p{n}") for n in range(250)] + [("whatsapp", "old"), ("telegram", "p1"), ("whatsapp", "nobody")]
    got = store.get_sessions(people)
    assert len(got) == 251 and got[("whatsapp", "p0")] == {"n": "last"} and got[("whatsapp", "p249")] == {"n": 249}
    assert got[("whatsapp", "old")] == {"language": "id"} and ("telegram", "p1") not in got
    store.log_interactions([Interaction("whatsapp", f"p{n}", "kabar", "not_found", matched=False) for n in range(250)])
    assert store.connection().execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 250
    store.log_interactions([])
