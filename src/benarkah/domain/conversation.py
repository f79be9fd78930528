"""The channel-agnostic conversation: a person's message (and their state) in, a ``Reply`` out.

No I/O: the archive is reached through the ``Library`` port, and what must be stored (a tip, the
new state) is returned for the caller to persist. Channels render a ``Reply`` their own way
(``domain.render`` for plain/WhatsApp text).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from typing import Collection, Protocol, Sequence
from unicodedata import category as unicodedata_category

from .articles import Article
from .pictures import MediaProblem, MediaType, PictureMessage
from .subscriptions import SubscriptionChange, parse_subscription
from .text import normalize
from .verdicts import Verdict

RESULTS_PER_PAGE = 3
LATEST_COUNT = 5
MAX_MESSAGE_CHARS = 4_000  # the rest of a very long forward adds nothing to finding its fact-check


class ReplyKind(enum.StrEnum):
    MENU = "menu"
    HELP = "help"
    RESULTS = "results"
    RELATED = "related"  # nothing answers the message; related fact-checks shown, the message becomes a tip
    NOT_FOUND = "not_found"
    LATEST = "latest"
    TIPS = "tips"
    NO_MORE = "no_more"
    LANGUAGE = "language"
    THANKS = "thanks"
    GREETING = "greeting"
    ACK = "ack"
    LAUGH = "laugh"
    EMOJI = "emoji"
    EMPTY = "empty"
    UNSUPPORTED = "unsupported"
    VOICE = "voice"  # a voice note or audio: kept for the fact-checkers, not listened to
    MEDIA_PROBLEM = "media_problem"  # a file that could not be downloaded or read (the reply says why)
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"
    SUBSCRIBE_UNAVAILABLE = "subscribe_unavailable"  # asked on a channel that cannot message later

    @property
    def matched(self) -> bool | None:
        """Whether a reply of this kind answered a lookup: True, False, or None when no lookup was made."""
        return {ReplyKind.RESULTS: True, ReplyKind.RELATED: False, ReplyKind.NOT_FOUND: False}.get(self)


class Intent(enum.StrEnum):
    MENU = "menu"
    HELP = "help"
    LATEST = "latest"
    TIPS = "tips"
    MORE = "more"
    ENGLISH = "english"
    INDONESIAN = "indonesian"
    THANKS = "thanks"
    GREETING = "greeting"  # "Assalamualaikum", "selamat pagi min", "permisi, mau tanya"
    ACK = "ack"  # "ok", "siap", 👍
    LAUGH = "laugh"  # "wkwkwk", "haha", 😂
    EMOJI = "emoji"  # only emoji
    CHECK = "check"
    EMPTY = "empty"
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"


# Verdicts that read as a confirmation of the rumour: sent as *the* answer only on strong evidence.
CONFIRMING = frozenset({Verdict.TRUE, Verdict.PARTLY_TRUE})


@dataclass(frozen=True)
class Lookup:
    """What the archive says about a message. ``strong``: the evidence that the first article is about
    this very message is strong enough to present even a "true" verdict as the answer."""

    matched: bool
    confidence: float
    articles: Sequence[Article] = ()
    strong: bool = False

    @property
    def answered(self) -> bool:
        """The first article may be presented as the answer: matched, and a confirming verdict only on
        strong evidence ("makan bawang putih cegah covid" must not get "SEBAGIAN BENAR — bawang putih
        turunkan tekanan darah" as its answer)."""
        if not self.matched or not self.articles:
            return False
        return self.articles[0].verdict not in CONFIRMING or self.strong


class Library(Protocol):
    def lookup(self, text: str, limit: int) -> Lookup: ...

    def latest(self, limit: int) -> Sequence[Article]: ...

    def topics(self) -> Collection[str]: ...


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
    subscription: SubscriptionChange | None = None  # the caller stores this (digest subscriptions)
    greeting: str = ""  # for GREETING: the salutation to return ("salam", "pagi", "siang", "sore", "malam", "")
    media: MediaType | None = None  # the reply answers a picture, video, sticker, document or voice note
    read_text: str = ""  # what was read from it, told back to the person ("Teks yang kami baca: ...")
    media_problem: MediaProblem | None = None
    by_picture: bool = False  # the first fact-check shows this very picture

    @property
    def matched(self) -> bool | None:
        return self.kind.matched


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
    attachment: object | None = None  # what the caller stores with the tip (a picture): opaque here


_KEYWORDS: dict[Intent, frozenset[str]] = {
    Intent.MENU: frozenset("""halo hallo hello helo hai hay hi hei hey menu mulai start /start /menu p
        ping tes test""".split()),
    Intent.HELP: frozenset("bantuan help /help tolong ? cara caranya panduan".split()),
    Intent.LATEST: frozenset("""terbaru latest baru update /terbaru /latest cek_fakta_terbaru
        fakta_terbaru hoaks_terbaru berita_terbaru""".split()),
    Intent.TIPS: frozenset("tips /tips tip kiat tips_hoaks tips_anti_hoaks cara_cek_hoaks".split()),
    Intent.MORE: frozenset("""lagi lainnya selanjutnya berikutnya lanjut lanjutkan more next
        hasil_lain lihat_lagi /more /lagi""".split()),
    Intent.ENGLISH: frozenset("english inggris bahasa_inggris en /english /en".split()),
    Intent.INDONESIAN: frozenset("indonesia bahasa_indonesia indonesian id /indonesia /id".split()),
    Intent.THANKS: frozenset("""terima_kasih terimakasih makasih makasi mksh thanks thank_you thx tq
        trims""".split()),
}
_WORDS = re.compile(r"[^\W_]+(?:'[^\W_]+)?|\?|/\w+", re.UNICODE)
_FILLER = frozenset("min admin mimin kak ka kakak dong ya sih pak bu mas mbak bang gan sis bro".split())

# Chat that is not a claim: greetings, thanks, "ok", laughter, and the words around them. A message made
# only of these gets a short reply and never becomes a tip; one word outside them makes it a CHECK.
_GREETINGS: dict[str, str] = {
    **dict.fromkeys("""assalamualaikum assalamu'alaikum asalamualaikum assalamualaikom assalamu alaikum
        salam samlekom waalaikumsalam wr wb warahmatullahi wabarakatuh""".split(), "salam"),
    "pagi": "pagi", "siang": "siang", "sore": "sore", "malam": "malam",
    **dict.fromkeys("selamat permisi punten halo hallo hai hi hello hey hei".split(), ""),
}
_HALO = frozenset("halo hallo hai hi hello hey hei".split())
_THANKS_WORDS = frozenset("""terima kasih terimakasih makasih makasi mksh mks thanks thank thx tq ty trims
    suwun matur nuwun hatur nuhun""".split())
_ACK_WORDS = frozenset("ok oke okay okey okee sip siap mantap mantab baik noted iya yoi yup paham good nice".split())
_SOCIAL_FILLER = _FILLER | frozenset("""banyak atas infonya info informasinya sekali semua semuanya mau ingin tanya
    nanya bertanya numpang izin ijin boleh saya aku nih nah juga jawabannya bantuannya you dan ya""".split())
_LAUGH = re.compile(r"(?:a?w?k)?(?:wk)+w?k?|(?:ha){2,}h?|(?:he){2,}h?|(?:hi){2,}h?|(?:xi){2,}|lol|lmao|awok(?:awok)*")
_LAUGH_EMOJI = frozenset("😂🤣😆😁😄😅😹")
_ACK_EMOJI = frozenset("👍👌🆗✅💯🙂😊")
_THANKS_EMOJI = frozenset("🙏❤💙💚💛🧡💜🤍🥰😍")
_EMOJI_MODIFIERS = re.compile("[\ufe0f\u200d\U0001f3fb-\U0001f3ff]")


def classify(text: str) -> Intent:
    """The command a short message is, chat that needs no lookup, or ``CHECK`` for anything to look up."""
    folded = normalize(text).casefold()
    words = _WORDS.findall(folded)
    if not words:
        return _symbols(folded)
    social = _social(words)
    if social is not None:
        return social
    if len(words) > 4:
        return Intent.CHECK
    phrase = "_".join(words)
    for intent, keywords in _KEYWORDS.items():
        if phrase in keywords:
            return intent
    # "halo min", "menu dong", "tips ya kak": a command word plus chat filler
    core = [w for w in words if w not in _FILLER]
    if len(core) == 1:
        for intent, keywords in _KEYWORDS.items():
            if core[0] in keywords:
                return intent
    return Intent.CHECK


def _symbols(folded: str) -> Intent:
    """A message without words: nothing at all, or emoji (👍 is "ok", 🙏 is thanks, 😂 is laughter)."""
    marks = {c for c in _EMOJI_MODIFIERS.sub("", folded) if not c.isspace()}
    if not marks:
        return Intent.EMPTY
    if all(unicodedata_category(c) in ("Po", "Pd", "Ps", "Pe", "Pi", "Pf") for c in marks):
        return Intent.EMPTY  # "...", "!!"
    if marks <= _LAUGH_EMOJI:
        return Intent.LAUGH
    if marks <= _THANKS_EMOJI:
        return Intent.THANKS
    if marks <= _ACK_EMOJI:
        return Intent.ACK
    return Intent.EMOJI


def _social(words: list[str]) -> Intent | None:
    """The intent of a message made only of greetings, thanks, acknowledgements, laughter and filler."""
    kinds = set()
    if all(w in _HALO or w in _FILLER for w in words):
        return None  # "halo", "halo min": the menu is the answer
    for word in words:
        if word in _GREETINGS:
            kinds.add(Intent.GREETING)
        elif word in _THANKS_WORDS:
            kinds.add(Intent.THANKS)
        elif word in _ACK_WORDS:
            kinds.add(Intent.ACK)
        elif _LAUGH.fullmatch(word):
            kinds.add(Intent.LAUGH)
        elif word not in _SOCIAL_FILLER and word != "?":
            return None
    if not kinds:
        return None
    for intent in (Intent.THANKS, Intent.GREETING, Intent.ACK, Intent.LAUGH):
        if intent in kinds:
            return intent
    return None


def salutation(text: str) -> str:
    """Which greeting to return: "salam" for Assalamualaikum, the time of day for "selamat pagi", else ""."""
    words = _WORDS.findall(normalize(text).casefold())
    for word in words:
        if _GREETINGS.get(word) == "salam":
            return "salam"
    for word in words:
        if _GREETINGS.get(word):
            return _GREETINGS[word]
    return ""


class Conversation:
    """Stateless rules; each call gets the person's state and returns the next one."""

    def __init__(self, library: Library, results_per_page: int = RESULTS_PER_PAGE) -> None:
        self.library = library
        self.per_page = results_per_page

    def respond(self, text: str, state: ConversationState | None = None, can_subscribe: bool = True) -> Turn:
        """``can_subscribe``: whether this channel can message the person later (WhatsApp, Telegram)."""
        state = state or ConversationState()
        text = (text or "").strip()[:MAX_MESSAGE_CHARS]
        lang = state.language
        if (change := parse_subscription(text, lambda: self.library.topics())) is not None:
            return self._subscription(change, state, can_subscribe)
        intent = classify(text)
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
            Intent.THANKS: ReplyKind.THANKS, Intent.EMPTY: ReplyKind.EMPTY, Intent.GREETING: ReplyKind.GREETING,
            Intent.ACK: ReplyKind.ACK, Intent.LAUGH: ReplyKind.LAUGH, Intent.EMOJI: ReplyKind.EMOJI,
        }[intent]
        greeting = salutation(text) if intent is Intent.GREETING else ""
        return Turn(Reply(kind, lang, intent=intent, greeting=greeting), state)

    def respond_unsupported(self, state: ConversationState | None = None) -> Turn:
        """A location, a contact card, a message type the channel could not show us: we say what we can check."""
        state = state or ConversationState()
        return Turn(Reply(ReplyKind.UNSUPPORTED, state.language, intent=Intent.EMPTY), state)

    def respond_picture(self, picture: PictureMessage, found: Lookup | None,
                        state: ConversationState | None = None) -> Turn:
        """A picture, video, sticker, document or voice note, already read by the media pipeline.

        ``found`` is the lookup of ``picture.query`` with the article pictures it matched put first
        (None when there was nothing to look up). A voice note, or a file that could not be read,
        gets its own reply unless a caption gives something to check; a readable picture is answered
        like a message, telling the person what was read; nothing found becomes a tip (the picture is
        kept with it by the caller)."""
        state = state or ConversationState()
        lang = state.language
        about = dict(media=picture.media, read_text=picture.read_text[:MAX_MESSAGE_CHARS],
                     media_problem=picture.problem, by_picture=picture.by_picture)
        query = picture.query[:MAX_MESSAGE_CHARS]
        if not picture.caption.strip():
            if picture.voice:
                return Turn(Reply(ReplyKind.VOICE, lang, record_tip=True, intent=Intent.EMPTY, **about), state)
            if picture.unreadable:
                return Turn(Reply(ReplyKind.MEDIA_PROBLEM, lang, intent=Intent.EMPTY, **about), state)
        found = found or Lookup(matched=False, confidence=0.0)
        articles = tuple(found.articles[: self.per_page])
        reset = replace(state, last_query="", offset=0)
        if not found.matched or not articles:
            return Turn(Reply(ReplyKind.NOT_FOUND, lang, query=query, confidence=found.confidence,
                              record_tip=True, **about), reset)
        if not found.answered:
            return Turn(Reply(ReplyKind.RELATED, lang, query=query, articles=articles, confidence=found.confidence,
                              record_tip=True, **about), reset)
        reply = Reply(ReplyKind.RESULTS, lang, query=query, articles=articles,
                      more_available=len(found.articles) > self.per_page, confidence=found.confidence, **about)
        return Turn(reply, replace(state, last_query=query, offset=len(articles)))

    def _subscription(self, change: SubscriptionChange, state: ConversationState, can_subscribe: bool) -> Turn:
        intent = Intent.SUBSCRIBE if change.active else Intent.UNSUBSCRIBE
        if not can_subscribe:
            return Turn(Reply(ReplyKind.SUBSCRIBE_UNAVAILABLE, state.language, intent=intent), state)
        kind = ReplyKind.SUBSCRIBED if change.active else ReplyKind.UNSUBSCRIBED
        return Turn(Reply(kind, state.language, intent=intent, subscription=change), state)

    def _check(self, text: str, state: ConversationState) -> Turn:
        found = self.library.lookup(text, self.per_page + 1)
        articles = tuple(found.articles[: self.per_page])
        new_state = replace(state, last_query=text, offset=len(articles))
        if not found.matched or not articles:
            reply = Reply(ReplyKind.NOT_FOUND, state.language, query=text, confidence=found.confidence,
                          record_tip=True)
            return Turn(reply, replace(state, last_query="", offset=0))
        if not found.answered:
            # Related, but not shown as the answer: the fact-checkers get the message as a tip.
            reply = Reply(ReplyKind.RELATED, state.language, query=text, articles=articles,
                          confidence=found.confidence, record_tip=True)
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
