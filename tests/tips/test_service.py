from datetime import datetime, timedelta, timezone

import pytest

from benarkah.app import Services, build
from benarkah.domain.articles import Article
from benarkah.tips.service import ArticleNotFound, ClusterNotFound, TipService

RUMOUR = [
    "Beredar kabar gajah terbang terlihat di atas Monas saat malam tahun baru, videonya viral",
    "bener gk gajah terbang di atas monas malam tahun baru?? videonya viral bgt",
    "Beredar video gajah terbang di langit Monas saat malam pergantian tahun",
]
OTHER = "Air kelapa dicampur garam bisa menyembuhkan kanker paru dalam tiga hari kata dokter Jepang"


class OutboxPort:
    """Stands in for the messaging outbox (another package): records what it is handed, idempotent on key."""

    def __init__(self, fail_on: int | None = None) -> None:
        self.calls: list[dict] = []
        self.keys: set[str] = set()
        self.fail_on = fail_on

    def __call__(self, *, channel, sealed_address, sender_hash, text, key):
        if self.fail_on is not None and len(self.calls) + 1 == self.fail_on:
            self.fail_on = None
            raise RuntimeError("outbox crashed")
        if key in self.keys:
            return "duplicate"
        self.keys.add(key)
        self.calls.append(dict(channel=channel, sealed_address=sealed_address, sender_hash=sender_hash,
                               text=text, key=key))
        return "queued"


def article(article_id: str = "fc-gajah") -> Article:
    # worded unlike the tips on purpose: later tips keep missing it, as happens when people
    # describe a rumour differently from the fact-check's headline
    return Article(id=article_id, title="[HOAKS] Rekaman satwa melayang di ibu kota hasil suntingan",
                   url="https://example.org/satwa", claim="Satwa melayang di ibu kota",
                   summary="Rekaman itu hasil suntingan digital.")


@pytest.fixture
def desk(demo_services: Services) -> TipService:
    demo_services.tips.notifier = OutboxPort()
    return demo_services.tips


def send_all(tl: Services, texts, channel="whatsapp", prefix="62812000"):
    return [tl.tipline.handle_text(channel, f"{prefix}{i}", t) for i, t in enumerate(texts)]


def test_unmatched_messages_become_clustered_tips_with_sealed_addresses(demo_services, desk):
    handled = send_all(demo_services, [*RUMOUR, OTHER])
    assert all(h.tip_id for h in handled)
    rows = demo_services.store.connection().execute(
        "SELECT cluster_id, reply_address, sender_hash FROM tips ORDER BY id").fetchall()
    assert rows[0][0] == rows[1][0] == rows[2][0] != rows[3][0]
    assert "62812000" not in " ".join(r[1] for r in rows)
    assert demo_services.identity.unseal(rows[1][1]) == "628120001"
    queue = desk.queue()
    assert [c.tip_count for c in queue] == [3, 1]
    assert queue[0].channels == ("whatsapp",) and queue[0].last_24h == 3


def test_queue_ranks_spreading_rumours_first(demo_services, desk):
    send_all(demo_services, [OTHER] * 4, prefix="62811")
    send_all(demo_services, RUMOUR, prefix="62813")
    old = (datetime.now(timezone.utc) - timedelta(days=3)).isoformat(timespec="milliseconds")
    demo_services.store.connection().execute("UPDATE tips SET created_at = ? WHERE text = ?", (old, OTHER))
    queue = desk.queue()
    assert queue[0].tip_count == 3 and queue[0].trend > queue[1].trend
    assert queue[1].previous_7d == 4 and queue[1].last_24h == 0


def test_linking_tells_each_tipper_exactly_once(demo_services, desk):
    demo_services.index.upsert([article()])
    send_all(demo_services, RUMOUR[:2])
    demo_services.tipline.handle_text("whatsapp", "628120000", RUMOUR[2])  # same person again
    demo_services.tipline.handle_text("web", "browser-session", RUMOUR[0])
    cluster = desk.queue()[0]
    outcome = desk.link_article(cluster.id, "fc-gajah", by="editor")
    assert outcome.statuses == {"queued": 2, "unreachable": 1}
    port = desk.notifier
    assert len(port.calls) == 2 and "satwa melayang" in port.calls[0]["text"].lower()
    assert {demo_services.identity.unseal(c["sealed_address"]) for c in port.calls} == {"628120000", "628120001"}
    desk.link_article(cluster.id, "fc-gajah", by="editor")  # a double click
    assert len(port.calls) == 2
    assert desk.cluster(cluster.id).status == "published"
    # a latecomer whose tip joins the published cluster is told at once
    demo_services.tipline.handle_text("telegram", "777", RUMOUR[1])
    assert len(port.calls) == 3 and port.calls[2]["channel"] == "telegram"


def test_a_crash_mid_notification_is_finished_by_retry(demo_services):
    demo_services.tips.notifier = OutboxPort(fail_on=2)
    desk = demo_services.tips
    demo_services.index.upsert([article()])
    send_all(demo_services, RUMOUR)
    with pytest.raises(RuntimeError):
        desk.link_article(desk.queue()[0].id, "fc-gajah", by="editor")
    assert desk.retry_pending() == 2
    assert len(desk.notifier.calls) == 3 and desk.retry_pending() == 0


def test_without_messaging_notifications_wait(demo_services):
    demo_services.tips.notifier = None
    demo_services.index.upsert([article()])
    send_all(demo_services, RUMOUR[:1])
    desk = demo_services.tips
    outcome = desk.link_article(desk.queue(("new",))[0].id, "fc-gajah", by="editor")
    assert outcome.statuses == {"pending": 1}


def test_link_errors_and_status_changes(demo_services, desk):
    send_all(demo_services, RUMOUR[:1])
    cid = desk.queue()[0].id
    with pytest.raises(ArticleNotFound, match="ingest it first"):
        desk.link_article(cid, "nope", by="editor")
    with pytest.raises(ClusterNotFound):
        desk.set_status(9999, "dismissed", by="editor")
    with pytest.raises(ValueError):
        desk.set_status(cid, "published", by="editor")
    desk.set_status(cid, "dismissed", by="editor")
    assert desk.queue() == [] and desk.queue(("dismissed",))[0].id == cid


def test_a_second_process_sees_the_first_ones_clusters(demo_services, desk, settings):
    send_all(demo_services, RUMOUR[:1])
    other = build(settings)
    try:
        other.tips.notifier = None
        other.tipline.handle_text("whatsapp", "62899", RUMOUR[1])
        send_all(demo_services, [RUMOUR[2]], prefix="62877")
    finally:
        other.close()
    assert [c.tip_count for c in desk.queue()] == [3]


def test_unclustered_tips_are_picked_up(demo_services, desk):
    tip_id = demo_services.tips.repo.add_tip("whatsapp", "h" * 32, RUMOUR[0])
    assert desk.cluster_pending() == 1
    assert desk.repo.cluster_tips(desk.queue()[0].id)[0].id == tip_id
    assert desk.cluster_pending() == 0


def test_stats_count_messages_matches_and_top_queries(demo_services, desk):
    demo_services.tipline.handle_text("whatsapp", "1", "vaksin chip")
    demo_services.tipline.handle_text("whatsapp", "2", "Vaksin chip")
    demo_services.tipline.handle_text("whatsapp", "3", "halo")
    send_all(demo_services, RUMOUR[:1])
    stats = desk.stats()
    assert stats.messages == 4 and stats.lookups == 3
    assert stats.top_queries[0][:2] == ("vaksin chip", 2)
    assert 0 < stats.match_rate < 1


def test_the_desk_and_accounts_work_on_both_backends(any_services):
    """Clustering, trend queue, exactly-once follow-ups and staff logins on SQLite and PostgreSQL."""
    from benarkah.admin.accounts import Accounts

    any_services.tips.notifier = OutboxPort()
    send_all(any_services, [*RUMOUR, OTHER])  # an empty archive: everything is a tip
    desk = any_services.tips
    queue = desk.queue()
    assert [c.tip_count for c in queue] == [3, 1] and queue[0].last_24h == 3
    any_services.index.upsert([article()])
    assert desk.link_article(queue[0].id, "fc-gajah", by="editor").statuses == {"queued": 3}
    desk.link_article(queue[0].id, "fc-gajah", by="editor")
    assert len(desk.notifier.calls) == 3
    assert desk.stats().lookups == 4
    accounts = Accounts(any_services.store)
    accounts.add_user("editor", "kopi-tubruk-2026")
    user = accounts.authenticate("editor", "kopi-tubruk-2026", "127.0.0.1")
    assert accounts.session(accounts.start_session(user)).username == "editor"
    assert accounts.authenticate("editor", "salah-password", "127.0.0.1") is None


def test_a_rolled_back_caller_transaction_leaves_no_ghost_cluster(demo_services, desk):
    """A messaging worker stores its whole turn in one transaction; if that rolls back after the tip
    was clustered, the in-memory index must not keep pointing at the cluster that never was."""
    with pytest.raises(RuntimeError):
        with demo_services.store.transaction():
            demo_services.tipline.handle_text("whatsapp", "62811", RUMOUR[0])
            raise RuntimeError("worker crashed before commit")
    assert demo_services.tips.repo.list_tips() == [] and desk.queue() == []
    demo_services.tipline.handle_text("whatsapp", "62812", RUMOUR[1])
    demo_services.tipline.handle_text("whatsapp", "62813", RUMOUR[0])
    queue = desk.queue()
    assert [c.tip_count for c in queue] == [2]
    assert {t.cluster_id for t in demo_services.tips.repo.list_tips()} == {queue[0].id}


def test_the_real_outbox_decides_per_channel_and_the_desk_records_it(demo_services):
    """With the messaging outbox: a WhatsApp tipper whose 24-hour window is closed (here: never opened
    through the webhook) waits for a template; Telegram is always queued; a repeat is a no-op."""
    desk = demo_services.tips  # the default notifier: messaging.notify.OutboxNotifier
    demo_services.tipline.handle_text("whatsapp", "6281234", RUMOUR[0])
    demo_services.tipline.handle_text("telegram", "4242", RUMOUR[1])
    demo_services.index.upsert([article()])
    cid = desk.queue()[0].id
    assert desk.link_article(cid, "fc-gajah", by="editor").statuses == {"needs_template": 1, "queued": 1}
    assert demo_services.queue.depths()["outbox"] == {"needs_template": 1, "pending": 1}
    desk.link_article(cid, "fc-gajah", by="editor")
    assert demo_services.queue.depths()["outbox"] == {"needs_template": 1, "pending": 1}
