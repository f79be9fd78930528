"""The tipline: what a person's message gets back, the same on every channel.

Channels (CLI, HTTP, WhatsApp, Telegram, web chat) all go through ``Tipline.handle_text`` (or, in a
messaging worker, ``prepare_text`` then ``commit_turn``), so every channel answers the same way,
records tips the same way and never sees a raw phone number beyond this call. The tipline searches
through the process's ``LiveIndex``, remembers conversation state in the store, and hands messages
that matched nothing to a ``TipRecorder`` (the tips desk, bound by the composition root).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, Sequence

from .domain.articles import Article
from .domain.conversation import (MAX_MESSAGE_CHARS, Conversation, ConversationState, Intent, Lookup,
                                  PreparedTurn, Reply, ReplyKind, classify)
from .privacy import Identity, Person
from .search.engine import SearchResult
from .search.live import LiveIndex
from .storage.base import Interaction, Store

RELATED_SCORE_SHARE = 0.5  # in replies, show further results only if at least half as strong as the best


class TipRecorder(Protocol):
    """Keeps a message that matched nothing for the fact-checkers (``tips.service.TipService``)."""

    def record(self, channel: str, sender_hash: str, sender_id: str, text: str,
               quota: str | None = None) -> int | None: ...


@dataclass(frozen=True)
class HandledMessage:
    reply: Reply
    sender_hash: str
    tip_id: int | None = None


class Tipline:
    def __init__(self, store: Store, index: LiveIndex, identity: Identity, tips: TipRecorder) -> None:
        self.store = store
        self.index = index
        self.identity = identity
        self.tips = tips
        self.conversation = Conversation(self)

    # the Library port of the conversation ---------------------------------------------------------

    def search(self, query: str, limit: int = 3, semantic: bool = True) -> SearchResult:
        return self.index.search(query, limit=limit, semantic=semantic)

    def lookup(self, text: str, limit: int) -> Lookup:
        """Search for the conversation: results much weaker than the best are not worth a person's time."""
        result = self.index.search(text, limit=limit)
        best = result.hits[0].score if result.hits else 0.0
        articles = [h.article for h in result.hits if h.score >= RELATED_SCORE_SHARE * best]
        return Lookup(matched=result.matched, confidence=result.confidence, articles=articles, strong=result.strong)

    def latest(self, limit: int) -> Sequence[Article]:
        return self.store.latest_articles(limit)

    # batches (the messaging worker) ----------------------------------------------------------------

    def keywords_only(self) -> AbstractContextManager[None]:
        """Within this block (in this thread) lookups skip the sentence embedding."""
        return self.index.keywords_only()

    def warm_queries(self, texts: Sequence[str]) -> None:
        """Embed a batch of incoming messages in one call so their lookups hit the query cache."""
        self.index.warm_queries([t.strip()[:MAX_MESSAGE_CHARS] for t in texts if classify(t.strip()) is Intent.CHECK])

    # conversation --------------------------------------------------------------------------------

    def person(self, channel: str, sender_id: str) -> Person:
        """A person on a single-id channel (web session, API client, CLI name): the hash of the id."""
        return Person(channel, self.identity.hash(channel, sender_id), sender_id)

    def handle_text(self, channel: str, sender_id: str, text: str, client: str | None = None) -> HandledMessage:
        """Answer one text message from one person: reply, new state, tip and statistics stored.
        ``client``: the requester's address where sender ids cost nothing (web, API); the tips budget
        is counted against it."""
        return self.commit_turn(self.prepare_text(self.person(channel, sender_id), text, client))

    def prepare_text(self, person: Person, text: str, client: str | None = None) -> PreparedTurn:
        """The reply to a message, computed but not stored. A messaging worker searches outside its
        write transaction (so webhooks are not kept waiting) and then stores the turn together with its
        queue rows via ``commit_turn``. ``person.key`` is whoever the message store resolved the sender
        to (one key across a person's phone number and WhatsApp user ids)."""
        state = self._state(person)
        turn = self.conversation.respond(text, state)
        quota = self.identity.hash("client", client) if client else None
        return PreparedTurn(person.channel, person.key, person.address, text, turn.reply, state, turn.state, quota)

    def prepare_unsupported(self, person: Person, kind: str) -> PreparedTurn:
        state = self._state(person)
        turn = self.conversation.respond_unsupported(state)
        return PreparedTurn(person.channel, person.key, person.address, f"[{kind}]", turn.reply, state, turn.state)

    def language(self, channel: str, sender_hash: str) -> str:
        """The reply language a person chose (for notices that answer no message)."""
        return ConversationState.from_dict(self.store.get_session(channel, sender_hash)).language

    def _state(self, person: Person) -> ConversationState:
        return ConversationState.from_dict(self.store.get_session(person.channel, person.key))

    def commit_turn(self, turn: PreparedTurn) -> HandledMessage:
        """Store a prepared turn: tip (with its sealed reply address), new conversation state, statistics."""
        reply = turn.reply
        tip_id = self.tips.record(turn.channel, turn.who, turn.address, turn.text, turn.quota) \
            if reply.record_tip else None
        if turn.new != turn.old:
            self.store.put_session(turn.channel, turn.who, turn.new.to_dict())
        top = reply.articles[0].id if reply.kind is ReplyKind.RESULTS and reply.articles else None
        self.store.log_interaction(Interaction(
            channel=turn.channel, sender_hash=turn.who, text=turn.text, intent=str(reply.kind),
            matched=reply.matched,
            top_article_id=top, confidence=reply.confidence))
        return HandledMessage(reply=reply, sender_hash=turn.who, tip_id=tip_id)
