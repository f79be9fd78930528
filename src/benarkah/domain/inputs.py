"""What text from outside may be stored, sent on and shown as: the same rules on every edge and backend.

People's text reaches benarkah through webhooks, the API, the web chat and the dashboard's forms. Two
things in it break storage, and differently per backend: NUL (PostgreSQL refuses it in text, SQLite
keeps it) and lone UTF-16 surrogates such as ``\\ud800``, which JSON may carry but no encoder can write
(SQLite and PostgreSQL both fail). ``storable`` removes the first (with the other C0 control characters
but tab, new line and carriage return, which no message needs) and turns the second into U+FFFD, so
what is stored is the same on both backends and nothing is refused for it.

``tamed`` bounds text for display: a "Zalgo" flood of combining marks draws over the rows around it.
"""

from __future__ import annotations

import re
import unicodedata

_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
MAX_MARKS_PER_CHARACTER = 3  # enough for any real script (Vietnamese stacks two, Javanese/Balinese three)


def _replacement(match: re.Match[str]) -> str:
    return "\ufffd" if "\ud800" <= match.group() <= "\udfff" else ""


def storable(text: str) -> str:
    """``text`` without NUL and other control characters, lone surrogates as U+FFFD."""
    if _UNSTORABLE.search(text) is None:
        return text
    return _UNSTORABLE.sub(_replacement, text)


def tamed(text: str, max_marks: int = MAX_MARKS_PER_CHARACTER, max_chars: int | None = None) -> str:
    """``text`` with at most ``max_marks`` combining marks on any one character (and at most ``max_chars``
    characters), so one message cannot draw over a page."""
    kept: list[str] = []
    run = 0
    for ch in text if max_chars is None else text[:max_chars]:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me"):
            run += 1
            if run > max_marks:
                continue
        else:
            run = 0
        kept.append(ch)
    shown = "".join(kept)
    return shown + "…" if max_chars is not None and len(text) > max_chars else shown
