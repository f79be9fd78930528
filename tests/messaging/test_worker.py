"""The inbox worker: exactly one reply per message, and keyword-only catch-up under backlog."""

from __future__ import annotations

from benarkah.messaging import Inbound, Kind, message_store
from benarkah.messaging.worker import InboxWorker
from benarkah.settings import Settings
from benarkah.tipline import Tipline
from tests.conftest import TEST_KEY


def test_catch_up_by_backlog_and_by_measured_embedding_cost(tmp_path):
    tl = Tipline(Settings(db=str(tmp_path / "w.db"), secret_key=TEST_KEY, semantic=True,
                          worker_semantic_backlog=64, worker_semantic_budget_seconds=5.0))
    try:
        worker = InboxWorker(tl)
        assert not worker._catching_up(64) and worker._catching_up(65)
        worker.semantic_cost = 1.0  # a busy machine: one second per embedded message
        assert worker._catching_up(6) and not worker._catching_up(4)
    finally:
        tl.close()


def test_without_semantic_search_there_is_nothing_to_catch_up(tipline):
    assert not InboxWorker(tipline)._catching_up(10_000)


def test_a_batch_gets_one_reply_each_with_state_and_tips_committed_together(demo_tipline):
    store = message_store(demo_tipline)
    messages = [Inbound("telegram", str(n), str(100 + n), Kind.TEXT, text)
                for n, text in enumerate(["vaksin chip", "gajah terbang di monas", "tips"])]
    messages.append(Inbound("telegram", "9", "109", Kind.STICKER))
    store.accept(messages)
    worker = InboxWorker(demo_tipline)
    assert worker.run_once() == 4 and worker.run_once() == 0
    assert store.depths() == {"inbox": {"done": 4}, "outbox": {"pending": 4}}
    assert [t.text for t in demo_tipline.store.list_tips()] == ["gajah terbang di monas"]
    state = demo_tipline.store.get_session("telegram", demo_tipline.hash_sender("telegram", "100"))
    assert state and state["last_query"] == "vaksin chip"
    kinds = {tuple(p["kind"] for p in item.parts) for item in store.claim_outbox(10)}
    assert kinds <= {("text",), ("more",)}


def test_an_idle_worker_finishes_interrupted_tips_work(demo_tipline):
    # A crash between storing a tip and clustering it leaves the tip without a cluster.
    demo_tipline.store.add_tip("whatsapp", "h" * 32, "gajah terbang di atas monas malam tahun baru")
    worker = InboxWorker(demo_tipline)
    assert worker.sweep_tips(now=1000.0) == (1, 0)
    assert [c.tip_count for c in demo_tipline.tips.queue()] == [1]
    demo_tipline.store.add_tip("whatsapp", "i" * 32, "gajah terbang di atas monas")
    assert worker.sweep_tips(now=1001.0) == (0, 0)  # not due yet
    assert worker.sweep_tips(now=1000.0 + demo_tipline.settings.tips_sweep_seconds) == (1, 0)
