"""The inbox worker: exactly one reply per message, and keyword-only catch-up under backlog."""

from __future__ import annotations

from benarkah.app import build
from benarkah.messaging import Inbound, Kind
from benarkah.messaging.parts import TextPart
from benarkah.settings import Settings
from tests.conftest import TEST_KEY


def test_catch_up_by_backlog_and_by_measured_embedding_cost(tmp_path):
    tl = build(Settings(db=str(tmp_path / "w.db"), secret_key=TEST_KEY, semantic=True,
                          worker_semantic_backlog=64, worker_semantic_budget_seconds=5.0))
    try:
        worker = tl.runtime("inbox").worker
        assert not worker._catching_up(64) and worker._catching_up(65)
        worker.semantic_cost = 1.0  # a busy machine: one second per embedded message
        assert worker._catching_up(6) and not worker._catching_up(4)
    finally:
        tl.close()


def test_without_semantic_search_there_is_nothing_to_catch_up(services):
    assert not services.runtime("inbox").worker._catching_up(10_000)


def test_a_batch_gets_one_reply_each_with_state_and_tips_committed_together(demo_services):
    store = demo_services.queue
    messages = [Inbound("telegram", str(n), str(100 + n), Kind.TEXT, text)
                for n, text in enumerate(["vaksin chip", "gajah terbang di monas", "tips"])]
    messages.append(Inbound("telegram", "9", "109", Kind.STICKER))
    store.accept(messages)
    worker = demo_services.runtime("inbox").worker
    assert worker.run_once() == 4 and worker.run_once() == 0
    assert store.depths() == {"inbox": {"done": 4}, "outbox": {"pending": 4}}
    assert [t.text for t in demo_services.tips.repo.list_tips()] == ["gajah terbang di monas"]
    state = demo_services.store.get_session("telegram", demo_services.identity.hash("telegram", "100"))
    assert state and state["last_query"] == "vaksin chip"
    widgets = {tuple(p.widget for p in item.parts if isinstance(p, TextPart)) for item in store.claim_outbox(10)}
    assert widgets <= {("text",), ("more",)}


def test_an_idle_worker_finishes_interrupted_tips_work(demo_services):
    # A crash between storing a tip and clustering it leaves the tip without a cluster.
    demo_services.tips.repo.add_tip("whatsapp", "h" * 32, "gajah terbang di atas monas malam tahun baru")
    worker = demo_services.runtime("inbox").worker
    assert worker.sweep_tips(now=1000.0) == (1, 0)
    assert [c.tip_count for c in demo_services.tips.queue()] == [1]
    demo_services.tips.repo.add_tip("whatsapp", "i" * 32, "gajah terbang di atas monas")
    assert worker.sweep_tips(now=1001.0) == (0, 0)  # not due yet
    assert worker.sweep_tips(now=1000.0 + demo_services.settings.tips_sweep_seconds) == (1, 0)


BREAK_CLUSTERING = {
    "sqlite": ["CREATE TRIGGER break_clustering BEFORE UPDATE ON tip_clusters "
               "BEGIN SELECT RAISE(ABORT, 'clustering broke'); END"],
    "postgresql": ["CREATE FUNCTION break_clustering() RETURNS trigger LANGUAGE plpgsql AS "
                   "'BEGIN RAISE EXCEPTION ''clustering broke''; END'",
                   "CREATE TRIGGER break_clustering BEFORE UPDATE ON tip_clusters "
                   "FOR EACH ROW EXECUTE FUNCTION break_clustering()"],
}


def test_a_clustering_failure_in_a_batch_leaves_no_half_written_cluster(any_services):
    """Clustering a tip inserts the cluster row, then updates it. When the update fails, the savepoint
    around clustering undoes the insert too; the tips, replies and the rest of the batch are committed."""
    services = any_services
    for statement in BREAK_CLUSTERING[services.store.backend]:
        services.store.connection().execute(statement)
    services.queue.accept([Inbound("telegram", str(n), str(200 + n), Kind.TEXT, text) for n, text in
                           enumerate(["gajah terbang di atas monas", "air kelapa sembuhkan kanker", "tips"])])
    worker = services.runtime("inbox").worker
    assert worker.run_once() == 3
    assert services.queue.depths() == {"inbox": {"done": 3}, "outbox": {"pending": 3}}
    tips = services.tips.repo.list_tips()
    assert sorted(t.text for t in tips) == ["air kelapa sembuhkan kanker", "gajah terbang di atas monas"]
    assert all(t.cluster_id is None for t in tips)  # kept for the sweep, not lost
    assert services.store.connection().execute("SELECT COUNT(*) FROM tip_clusters").fetchone()[0] == 0
    services.store.connection().execute("DROP TRIGGER break_clustering" +
                                        (" ON tip_clusters" if services.store.backend == "postgresql" else ""))
    assert worker.sweep_tips(now=1e9) == (2, 0)
    assert sorted(c.tip_count for c in services.tips.queue()) == [1, 1]


BREAK_ONE_INTERACTION = {
    "sqlite": ["CREATE TRIGGER break_one BEFORE INSERT ON interactions WHEN NEW.text = 'rusak' "
               "BEGIN SELECT RAISE(ABORT, 'statistics broke'); END"],
    "postgresql": ["CREATE FUNCTION break_one() RETURNS trigger LANGUAGE plpgsql AS "
                   "'BEGIN IF NEW.text = ''rusak'' THEN RAISE EXCEPTION ''statistics broke''; END IF; RETURN NEW; END'",
                   "CREATE TRIGGER break_one BEFORE INSERT ON interactions "
                   "FOR EACH ROW EXECUTE FUNCTION break_one()"],
}


def test_a_message_that_breaks_the_batched_commit_is_parked_and_the_rest_answered(any_services):
    """The batch is stored with a few multi-row statements; when one message makes them fail, nothing
    of the batch is half-stored: it is stored again message by message, the breaking one is parked for
    a retry (no reply, no state), the others get exactly one reply each."""
    services = any_services
    for statement in BREAK_ONE_INTERACTION[services.store.backend]:
        services.store.connection().execute(statement)
    services.queue.accept([Inbound("telegram", str(n), str(300 + n), Kind.TEXT, text) for n, text in
                           enumerate(["vaksin chip", "rusak", "tips"])])
    worker = services.runtime("inbox").worker
    assert worker.run_once() == 3
    rows = dict(services.store.connection().execute(
        "SELECT external_id, status FROM messaging_inbox").fetchall())
    assert rows["0"] == rows["2"] == "done" and rows["1"] == "working"  # back after its retry delay
    assert services.queue.depths()["outbox"] == {"pending": 2}
    assert services.store.connection().execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 2
    broken = services.identity.hash("telegram", "301")
    assert services.store.get_session("telegram", broken) is None
