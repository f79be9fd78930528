""""Apakah ini menjawab pertanyaan Anda?" — a person's Ya / Tidak on the results they were shown.

After results, channels ask the question with buttons (WhatsApp reply buttons, a Telegram inline
keyboard, links under the web chat's answer). A button press arrives as a command word (``/ya``,
``/tidak``); while the question is open, a typed "ya" or "tidak" counts too, since a person who was
just asked a yes/no question and answers in words means the same. "Tidak" sends the message to the
fact-checkers as a tip together with the results that did not answer it; both answers are counted
per day on the dashboard's statistics page.

No I/O: ``answer`` reads the person's state and says what to reply and what to store.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from .text import normalize

YES_COMMAND = "/ya"
NO_COMMAND = "/tidak"
MAX_SHOWN = 10

_YES = frozenset("ya iya iyaa yaa y yes yup betul benar sudah udah udh sdh menjawab membantu terjawab".split())
_NO = frozenset("tidak tdk tak gak ga gk nggak ngga enggak engga no nope belum blm bukan".split())
_FILLER = frozenset("min admin kak ka dong sih pak bu mas mbak gan sis bro".split())
_WORDS = re.compile(r"[^\W_]+|/\w+", re.UNICODE)


class Answer(enum.StrEnum):
    HELPFUL = "helpful"
    NOT_HELPFUL = "not_helpful"


@dataclass(frozen=True)
class OpenQuestion:
    """The results a person was last shown and has not rated yet (kept in their conversation state)."""

    query: str = ""
    shown: tuple[str, ...] = ()

    @property
    def open(self) -> bool:
        return bool(self.query and self.shown)

    def to_dict(self) -> dict:
        return {"query": self.query, "shown": list(self.shown)} if self.open else {}

    @classmethod
    def from_dict(cls, data: object, max_query: int) -> "OpenQuestion":
        if not isinstance(data, dict):
            return cls()
        shown = data.get("shown")
        ids = tuple(str(s) for s in shown[:MAX_SHOWN]) if isinstance(shown, list) else ()
        return cls(str(data.get("query", ""))[:max_query], ids)


def feedback_answer(text: str, question: OpenQuestion) -> Answer | None:
    """Whether a message answers the question: always for a button's command word, and for a typed
    yes/no word (with chat filler) only while a question is open."""
    words = _WORDS.findall(normalize(text).casefold())
    if words == [YES_COMMAND]:
        return Answer.HELPFUL
    if words == [NO_COMMAND]:
        return Answer.NOT_HELPFUL
    if not question.open or not words or len(words) > 3:
        return None
    core = {w for w in words if w not in _FILLER}
    if core and core <= _YES:
        return Answer.HELPFUL
    if core and core <= _NO:
        return Answer.NOT_HELPFUL
    return None
