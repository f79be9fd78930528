"""Dates as Indonesian newsrooms write them, parsed to ``datetime.date``.

Handles ISO dates and timestamps, "8/12/2021", "Rabu (8/12/2021)", "23 Jun 2021, 12:34 WIB",
"8 Desember 2021", "Diperbarui 09 Des 2021, 10:00 WIB" and English month names. Returns ``None``
instead of guessing. ``published_and_updated`` tells a page's "Diterbitkan ..." date from its
"Diperbarui ..." one, because a fact-check must be dated when it was first published.
"""

from __future__ import annotations

import re
from datetime import date, datetime

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "pebruari": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nopember": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}

_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?!\d)")
_WORDY = re.compile(r"(?<!\d)(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})(?!\d)")
_WORDY_US = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})(?!\d)")
_SHORT_YEAR = re.compile(r"(?<![\d/.\-])(\d{1,2})/(\d{1,2})/(\d{2})(?![\d/])")
# Words that introduce the date a page was last changed rather than first published.
_UPDATED = re.compile(r"\b(diperbarui|diperbaharui|update[d]?|diupdate|terakhir diubah|modified)\b", re.IGNORECASE)
_PUBLISHED = re.compile(r"\b(diterbitkan|dipublikasikan|terbit|dipublikasi|published|posted|tayang)\b",
                        re.IGNORECASE)


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """The first date found in ``text`` (day-first for numeric dates, as Indonesia writes them)."""
    if not text:
        return None
    text = text.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    if m := _ISO.search(text):
        return _safe(int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC.search(text):
        return _safe(int(m[3]), int(m[2]), int(m[1]))
    if m := _WORDY.search(text):
        month = MONTHS.get(m[2].casefold())
        if month:
            return _safe(int(m[3]), month, int(m[1]))
    if m := _WORDY_US.search(text):
        month = MONTHS.get(m[1].casefold())
        if month:
            return _safe(int(m[3]), month, int(m[2]))
    if m := _SHORT_YEAR.search(text):  # "Rabu (8/12/21)": two-digit years are this century
        return _safe(2000 + int(m[3]), int(m[2]), int(m[1]))
    return None


def published_and_updated(text: str) -> tuple[date | None, date | None]:
    """Split a byline such as "Diterbitkan 08 Des 2021, 10:00 WIB | Diperbarui 09 Des 2021" into
    (published, updated). A lone "Diperbarui ..." date is returned as both: the best we know."""
    if not text:
        return None, None
    marks = sorted([(m.start(), "updated") for m in _UPDATED.finditer(text)]
                   + [(m.start(), "published") for m in _PUBLISHED.finditer(text)])
    if not marks:
        found = parse_date(text)
        return found, None
    found_by_kind: dict[str, date | None] = {"published": None, "updated": None}
    head = parse_date(text[: marks[0][0]])
    for index, (start, kind) in enumerate(marks):
        end = marks[index + 1][0] if index + 1 < len(marks) else len(text)
        value = parse_date(text[start:end])
        if value and found_by_kind[kind] is None:
            found_by_kind[kind] = value
    published = found_by_kind["published"] or head or found_by_kind["updated"]
    return published, found_by_kind["updated"]


BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
         "Oktober", "November", "Desember")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")


def format_date(value: date | None, language: str = "id") -> str:
    """"8 Desember 2021" (or "8 December 2021"); empty for an unknown date."""
    if value is None:
        return ""
    names = MONTHS_EN if language == "en" else BULAN
    return f"{value.day} {names[value.month - 1]} {value.year}"
