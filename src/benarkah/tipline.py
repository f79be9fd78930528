"""The tipline: what a person's message gets back, the same on every channel.

Channels (CLI, HTTP, WhatsApp, Telegram, web chat) all go through ``Tipline.handle_text`` (or, in a
messaging worker, ``prepare_text`` then ``commit_turn``), so every channel answers the same way,
records tips the same way and never sees a raw phone number beyond this call. The tipline searches
through the process's ``LiveIndex``, remembers conversation state in the store, and hands messages
that matched nothing to a ``TipRecorder`` (the tips desk, bound by the composition root).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import Callable, Collection, Protocol, Sequence

from .domain.articles import Article
from .domain.conversation import (MAX_MESSAGE_CHARS, Conversation, ConversationState, Intent, Lookup,
                                  PreparedTurn, Reply, ReplyKind, classify)
from .domain.pictures import MediaProblem, MediaType, PictureMessage
from .media.examine import Examined
from .media.kept import KeptMedia
from .domain.subscriptions import SubscriptionChange
from .privacy import Identity, Person
from .search.engine import SearchResult
from .search.live import LiveIndex
from .storage.base import Interaction, Store

RELATED_SCORE_SHARE = 0.5  # in replies, show further results only if at least half as strong as the best


class TipRecorder(Protocol):
    """Keeps a message that matched nothing for the fact-checkers (``tips.service.TipService``).
    ``similar``: earlier tips this one repeats (the same picture), whose cluster it joins;
    ``text_clusters``: whether its text may cluster it (not for a picture without writing)."""

    def record(self, channel: str, sender_hash: str, sender_id: str, text: str,
               quota: str | None = None, *, similar: Sequence[int] = (), text_clusters: bool = True) -> int | None: ...


class PictureExaminer(Protocol):
    """Reads a file a person sent and searches with it (``media.examine.Examiner``)."""

    def examine(self, media: MediaType, data: bytes | None, caption: str = "", problem: MediaProblem | None = None,
                limit: int = 4, wait: float | None = None) -> Examined: ...


class MediaKeeper(Protocol):
    """Keeps a tip's picture for the desk and finds the earlier tips showing it (``media.kept``)."""

    def similar_tips(self, kept: KeptMedia) -> list[int]: ...
    def keep(self, kept: KeptMedia, channel: str, sender_hash: str, tip_id: int | None) -> int: ...


class SubscriptionRecorder(Protocol):
    """Keeps digest subscriptions (``subscriptions.service.SubscriptionService``)."""

    channels: Collection[str]  # the channels that can send a digest

    def apply(self, channel: str, sender_hash: str, sender_id: str, change: SubscriptionChange,
              language: str) -> None: ...

    def topics(self) -> Collection[str]: ...


@dataclass(frozen=True)
class HandledMessage:
    reply: Reply
    sender_hash: str
    tip_id: int | None = None


class Tipline:
    def __init__(self, store: Store, index: LiveIndex, identity: Identity, tips: TipRecorder,
                 subscriptions: SubscriptionRecorder | None = None,
                 page_link: Callable[[str], str] | None = None, pictures: PictureExaminer | None = None,
                 keeper: MediaKeeper | None = None) -> None:
        """``page_link(article_id)``: the public page of an article, for replies about articles that
        have no original URL (set when the deployment has a public URL)."""
        self.store = store
        self.index = index
        self.identity = identity
        self.tips = tips
        self.subscriptions = subscriptions
        self.page_link = page_link
        self.pictures = pictures
        self.keeper = keeper
        self.conversation = Conversation(self)

    # the Library port of the conversation ---------------------------------------------------------

    def search(self, query: str, limit: int = 3, semantic: bool = True) -> SearchResult:
        return self.index.search(query, limit=limit, semantic=semantic)

    def lookup(self, text: str, limit: int) -> Lookup:
        """Search for the conversation: results much weaker than the best are not worth a person's time."""
        return as_lookup(self.index.search(text, limit=limit), self._linked)

    def latest(self, limit: int) -> Sequence[Article]:
        return [self._linked(a) for a in self.store.latest_articles(limit)]

    def _linked(self, article: Article) -> Article:
        """An article without an original URL gets its public page as the link people are sent."""
        if article.url or self.page_link is None:
            return article
        return article.with_changes(url=self.page_link(article.id))

    def topics(self) -> Collection[str]:
        return self.subscriptions.topics() if self.subscriptions is not None else ()

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
        return self.commit_turn(self.prepare_text(self.person(channel, sender_id), text, client=client))

    def prepare_text(self, person: Person, text: str, state: ConversationState | None = None,
                     client: str | None = None) -> PreparedTurn:
        """The reply to a message, computed but not stored. A messaging worker searches outside its
        write transaction (so webhooks are not kept waiting) and then stores the turn together with its
        queue rows via ``commit_turns``. ``person.key`` is whoever the message store resolved the sender
        to (one key across a person's phone number and WhatsApp user ids). ``state``: the person's
        conversation state when the caller already read it (``states``), else it is read here.
        ``client``: the requester's address on the web and the API, which the tips budget counts."""
        state = self._state(person) if state is None else state
        can_subscribe = self.subscriptions is not None and person.channel in self.subscriptions.channels
        turn = self.conversation.respond(text, state, can_subscribe=can_subscribe)
        quota = self.identity.hash("client", client) if client else None
        return PreparedTurn(person.channel, person.key, person.address, text, turn.reply, state, turn.state, quota)

    def handle_media(self, channel: str, sender_id: str, media: MediaType, data: bytes, caption: str = "",
                     wait: float | None = None, client: str | None = None) -> HandledMessage:
        """Answer one picture, video or voice note (web chat, API, CLI): read, searched, tip and picture
        stored in one transaction. ``ReaderBusy`` when no reader came free within ``wait`` seconds;
        ``client`` as for ``handle_text`` (the tips budget)."""
        turn = self.prepare_media(self.person(channel, sender_id), media, data, caption, wait=wait)
        if client:
            turn = replace(turn, quota=self.identity.hash("client", client))
        with self.store.transaction():
            return self.commit_turn(turn)

    def prepare_media(self, person: Person, media: MediaType, data: bytes | None, caption: str = "",
                      problem: MediaProblem | None = None, wait: float | None = None) -> PreparedTurn:
        """The reply to a file (``data`` None: it never arrived, ``problem`` says why), computed but not
        stored; the file goes with the turn, to be kept with the tip if it becomes one."""
        if self.pictures is not None:
            examined = self.pictures.examine(media, data, caption, problem, limit=self.conversation.per_page + 1,
                                             wait=wait)
        else:
            examined = Examined(PictureMessage(media, caption=caption, problem=problem or MediaProblem.READ_FAILED))
        found = as_lookup(examined.result, self._linked) if examined.result is not None else None
        state = self._state(person)
        turn = self.conversation.respond_picture(examined.message, found, state)
        text = turn.reply.query or f"[{examined.message.media}]"
        return PreparedTurn(person.channel, person.key, person.address, text, turn.reply, state, turn.state,
                            attachment=examined.kept)

    def prepare_unsupported(self, person: Person, kind: str, state: ConversationState | None = None) -> PreparedTurn:
        state = self._state(person) if state is None else state
        turn = self.conversation.respond_unsupported(state)
        return PreparedTurn(person.channel, person.key, person.address, f"[{kind}]", turn.reply, state, turn.state)

    def states(self, people: Sequence[Person]) -> dict[tuple[str, str], ConversationState]:
        """The conversation states of a batch of people (channel, key), read in one statement."""
        stored = self.store.get_sessions([(p.channel, p.key) for p in people])
        return {(p.channel, p.key): ConversationState.from_dict(stored.get((p.channel, p.key))) for p in people}

    def language(self, channel: str, sender_hash: str) -> str:
        """The reply language a person chose (for notices that answer no message)."""
        return ConversationState.from_dict(self.store.get_session(channel, sender_hash)).language

    def _state(self, person: Person) -> ConversationState:
        return ConversationState.from_dict(self.store.get_session(person.channel, person.key))

    def commit_turn(self, turn: PreparedTurn) -> HandledMessage:
        """Store a prepared turn: tip (with its sealed reply address), subscription, new conversation
        state, statistics."""
        return self.commit_turns([turn])[0]

    def commit_turns(self, turns: Sequence[PreparedTurn]) -> list[HandledMessage]:
        """Store prepared turns (a messaging worker's batch, inside its transaction): each tip (with the
        picture it came with) and subscription change on its own, the changed conversation states in
        one statement, the statistics in another."""
        tips = [self._record_tip(t) if t.reply.record_tip else None for t in turns]
        for turn in turns:
            if turn.reply.subscription is not None and self.subscriptions is not None:
                self.subscriptions.apply(turn.channel, turn.who, turn.address, turn.reply.subscription,
                                         turn.reply.language)
        changed = [(t.channel, t.who, t.new.to_dict()) for t in turns if t.new != t.old]
        if changed:
            self.store.put_sessions(changed)
        if turns:
            self.store.log_interactions([_interaction(t) for t in turns])
        return [HandledMessage(reply=t.reply, sender_hash=t.who, tip_id=tip) for t, tip in zip(turns, tips)]

    def _record_tip(self, turn: PreparedTurn) -> int | None:
        """The tip, clustered with earlier tips showing the same picture; the picture kept with it
        (None: the sender's tip budget is spent, and the picture is not kept either)."""
        kept = turn.attachment if isinstance(turn.attachment, KeptMedia) else None
        similar = self.keeper.similar_tips(kept) if kept is not None and self.keeper is not None else []
        tip_id = self.tips.record(turn.channel, turn.who, turn.address, turn.text, turn.quota, similar=similar,
                                  text_clusters=turn.reply.media is None or bool(turn.reply.query))
        if tip_id is not None and kept is not None and self.keeper is not None:
            self.keeper.keep(kept, turn.channel, turn.who, tip_id)
        return tip_id


def as_lookup(result: SearchResult, link: Callable[[Article], Article] = lambda a: a) -> Lookup:
    """A search as the conversation sees it: results much weaker than the best are not worth a person's
    time; ``link`` gives an article without an original URL its public page."""
    best = result.hits[0].score if result.hits else 0.0
    articles = [link(h.article) for h in result.hits if h.score >= RELATED_SCORE_SHARE * best]
    return Lookup(matched=result.matched, confidence=result.confidence, articles=articles, strong=result.strong)


def _interaction(turn: PreparedTurn) -> Interaction:
    reply = turn.reply
    top = reply.articles[0].id if reply.kind is ReplyKind.RESULTS and reply.articles else None
    return Interaction(channel=turn.channel, sender_hash=turn.who, text=turn.text, intent=str(reply.kind),
                       matched=reply.matched, top_article_id=top, confidence=reply.confidence)
