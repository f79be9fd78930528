"""The channel-agnostic conversation: a person's message (and their state) in, a ``Reply`` out.

No I/O: the archive is reached through the ``Library`` port, and what must be stored (a tip, the
new state) is returned for the caller to persist. Channels render a ``Reply`` their own way
(``domain.render`` for plain/WhatsApp text).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from typing import Protocol, Sequence

from .articles import Article
from .text import normalize

RESULTS_PER_PAGE = 3
LATEST_COUNT = 5
MAX_MESSAGE_CHARS = 4_000  # the rest of a very long forward adds nothing to finding its fact-check


class ReplyKind(enum.StrEnum):
    MENU = "menu"
    HELP = "help"
    RESULTS = "results"
    NOT_FOUND = "not_found"
    LATEST = "latest"
    TIPS = "tips"
    NO_MORE = "no_more"
    LANGUAGE = "language"
    THANKS = "thanks"
    EMPTY = "empty"
    UNSUPPORTED = "unsupported"


class Intent(enum.StrEnum):
    MENU = "menu"
    HELP = "help"
    LATEST = "latest"
    TIPS = "tips"
    MORE = "more"
    ENGLISH = "english"
    INDONESIAN = "indonesian"
    THANKS = "thanks"
    CHECK = "check"
    EMPTY = "empty"


@dataclass(frozen=True)
class Lookup:
    """What the archive says about a message."""

    matched: bool
    confidence: float
    articles: Sequence[Article] = ()


class Library(Protocol):
    def lookup(self, text: str, limit: int) -> Lookup: ...

    def latest(self, limit: int) -> Sequence[Article]: ...


@dataclass(frozen=True)
class ConversationState:
    language: str = "id"
    last_query: str = ""
    offset: int = 0

    @classmethod
    def from_dict(cls, data: dict | None) -> "ConversationState":
        if not data:
            return cls()
        language = data.get("language") if data.get("language") in ("id", "en") else "id"
        return cls(language=language, last_query=str(data.get("last_query", ""))[:MAX_MESSAGE_CHARS],
                   offset=max(0, int(data.get("offset", 0) or 0)))

    def to_dict(self) -> dict:
        return {"language": self.language, "last_query": self.last_query, "offset": self.offset}


@dataclass(frozen=True)
class Reply:
    kind: ReplyKind
    language: str = "id"
    query: str = ""
    articles: tuple[Article, ...] = ()
    more_available: bool = False
    confidence: float | None = None
    record_tip: bool = False  # the caller stores ``query`` as a tip for fact-checkers
    intent: Intent = Intent.CHECK


@dataclass(frozen=True)
class Turn:
    reply: Reply
    state: ConversationState


@dataclass(frozen=True)
class PreparedTurn:
    """A computed reply and the state change it implies, not yet stored.

    A messaging worker computes turns outside its write transaction (searching holds no lock) and
    stores each together with its queue rows. ``address`` is where a later follow-up must go; it is
    only ever stored sealed (as the tip's reply address)."""

    channel: str
    who: str  # the person's keyed hash
    address: str
    text: str
    reply: Reply
    old: ConversationState
    new: ConversationState
    quota: str | None = None  # whom a tip is counted against when not the sender (web/API client, hashed)


_KEYWORDS: dict[Intent, frozenset[str]] = {
    Intent.MENU: frozenset("""halo hallo hello helo hai hay hi hei hey menu mulai start /start /menu p
        ping tes test assalamualaikum assalamu'alaikum salam pagi siang sore malam
        selamat_pagi selamat_siang selamat_sore selamat_malam permisi""".split()),
    Intent.HELP: frozenset("bantuan help /help tolong ? cara caranya panduan".split()),
    Intent.LATEST: frozenset("""terbaru latest baru update /terbaru /latest cek_fakta_terbaru
        fakta_terbaru hoaks_terbaru berita_terbaru""".split()),
    Intent.TIPS: frozenset("tips /tips tip kiat tips_hoaks tips_anti_hoaks cara_cek_hoaks".split()),
    Intent.MORE: frozenset("""lagi lainnya selanjutnya berikutnya lanjut lanjutkan more next
        hasil_lain lihat_lagi /more /lagi""".split()),
    Intent.ENGLISH: frozenset("english inggris bahasa_inggris en /english /en".split()),
    Intent.INDONESIAN: frozenset("indonesia bahasa_indonesia indonesian id /indonesia /id".split()),
    Intent.THANKS: frozenset("""terima_kasih terimakasih makasih makasi mksh thanks thank_you thx tq
        trims ok oke okay siap mantap sip""".split()),
}
_WORDS = re.compile(r"[^\W_]+(?:'[^\W_]+)?|\?|/\w+", re.UNICODE)


def classify(text: str) -> Intent:
    """The command a short message is, or ``CHECK`` for anything that should be looked up."""
    words = _WORDS.findall(normalize(text).casefold())
    if not words:
        return Intent.EMPTY
    if len(words) > 4:
        return Intent.CHECK
    phrase = "_".join(words)
    for intent, keywords in _KEYWORDS.items():
        if phrase in keywords:
            return intent
    # "halo min", "menu dong", "tips ya kak": a command word plus chat filler
    filler = {"min", "admin", "kak", "dong", "ya", "sih", "pak", "bu", "mas", "mbak", "bang", "gan", "ka"}
    core = [w for w in words if w not in filler]
    if len(core) == 1:
        for intent, keywords in _KEYWORDS.items():
            if core[0] in keywords:
                return intent
    return Intent.CHECK


class Conversation:
    """Stateless rules; each call gets the person's state and returns the next one."""

    def __init__(self, library: Library, results_per_page: int = RESULTS_PER_PAGE) -> None:
        self.library = library
        self.per_page = results_per_page

    def respond(self, text: str, state: ConversationState | None = None) -> Turn:
        state = state or ConversationState()
        text = (text or "").strip()[:MAX_MESSAGE_CHARS]
        intent = classify(text)
        lang = state.language
        if intent is Intent.CHECK:
            return self._check(text, state)
        if intent is Intent.MORE:
            return self._more(state)
        if intent is Intent.LATEST:
            articles = tuple(self.library.latest(LATEST_COUNT))
            return Turn(Reply(ReplyKind.LATEST, lang, articles=articles, intent=intent), state)
        if intent in (Intent.ENGLISH, Intent.INDONESIAN):
            new = replace(state, language="en" if intent is Intent.ENGLISH else "id")
            return Turn(Reply(ReplyKind.LANGUAGE, new.language, intent=intent), new)
        kind = {
            Intent.MENU: ReplyKind.MENU, Intent.HELP: ReplyKind.HELP, Intent.TIPS: ReplyKind.TIPS,
            Intent.THANKS: ReplyKind.THANKS, Intent.EMPTY: ReplyKind.EMPTY,
        }[intent]
        return Turn(Reply(kind, lang, intent=intent), state)

    def respond_unsupported(self, state: ConversationState | None = None) -> Turn:
        """A photo, voice note or sticker: we cannot read it yet, so we say how to ask instead."""
        state = state or ConversationState()
        return Turn(Reply(ReplyKind.UNSUPPORTED, state.language, intent=Intent.EMPTY), state)

    def _check(self, text: str, state: ConversationState) -> Turn:
        found = self.library.lookup(text, self.per_page + 1)
        articles = tuple(found.articles[: self.per_page])
        new_state = replace(state, last_query=text, offset=len(articles))
        if not found.matched or not articles:
            reply = Reply(ReplyKind.NOT_FOUND, state.language, query=text, confidence=found.confidence,
                          record_tip=True)
            return Turn(reply, replace(state, last_query="", offset=0))
        reply = Reply(ReplyKind.RESULTS, state.language, query=text, articles=articles,
                      more_available=len(found.articles) > self.per_page, confidence=found.confidence)
        return Turn(reply, new_state)

    def _more(self, state: ConversationState) -> Turn:
        if not state.last_query:
            return Turn(Reply(ReplyKind.NO_MORE, state.language, intent=Intent.MORE), state)
        want = state.offset + self.per_page + 1
        found = self.library.lookup(state.last_query, want)
        articles = tuple(found.articles[state.offset: state.offset + self.per_page])
        if not articles:
            return Turn(Reply(ReplyKind.NO_MORE, state.language, query=state.last_query, intent=Intent.MORE),
                        replace(state, last_query="", offset=0))
        reply = Reply(ReplyKind.RESULTS, state.language, query=state.last_query, articles=articles,
                      more_available=len(found.articles) > state.offset + self.per_page,
                      confidence=found.confidence, intent=Intent.MORE)
        return Turn(reply, replace(state, offset=state.offset + len(articles)))
