"""What the phone drew around the claim, taken out of the text OCR read from a screenshot.

A forwarded screenshot of a WhatsApp chat or a Facebook/X post carries the status bar (time,
battery), the chat or account name, "online", "Diteruskan", the post's age, like/comment/share
counts, "Baca selengkapnya" and the app's buttons. None of it is the claim, and all of it pulls the
search towards fact-checks that happen to mention "Facebook" or "online". Each rule below removes one
kind of chrome and is written so that it cannot remove a sentence: whole short lines that consist of
nothing but chrome vocabulary, numbers and times, or the one line (a name) that sits right above a
presence or post-age line at the top of the picture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from .ocr import OcrLine, OcrResult

STATUS_BAR_SHARE = 0.06  # the top 6 % of a phone screenshot is the status bar
HEADER_SHARE = 0.30  # chat names and post authors sit in the top third...
HEADER_LINES = 4  # ...or in the first lines read
NAME_MAX_CHARS = 40
NAME_MAX_WORDS = 5

_JUNK = r"[^\w@#]{0,3}\w?[^\w@#]{0,2}"  # an icon read as a stray glyph or two before the word
_TIME = r"\d{1,2}[.:]\d{2}(?:\s*(?:am|pm|wib|wita|wit))?"
_PRESENCE = re.compile(rf"^{_JUNK}(online|daring|mengetik\W*|typing\W*|sedang mengetik\W*|"
                       r"terakhir dilihat.*|last seen.*|sedang merekam( audio)?\W*)$", re.IGNORECASE)
_FORWARDED = re.compile(rf"^{_JUNK}(diteruskan|forwarded)(\s+(berkali[- ]kali|many times))?\W*$", re.IGNORECASE)
_APP_NAME = re.compile(rf"^{_JUNK}(facebook|instagram|tiktok|twitter|x|whatsapp|telegram|postingan|post|"
                       r"tweet|beranda|home|untuk anda|for you|mengikuti|following)\W*$", re.IGNORECASE)
_POST_AGE = re.compile(r"(\b\d{1,3}\s*(j|jam|mnt|menit|m|h|hari|mgg|minggu|thn|tahun|d|hrs?|mins?|w)\b|"
                       r"\bkemarin\b|\byesterday\b|\bbaru saja\b|\bjust now\b).{0,20}"
                       r"(\bpublik\b|\bpublic\b|·|•)|(\bpublik\b|\bpublic\b)\W*$", re.IGNORECASE)
_HANDLE_ONLY = re.compile(r"^\W{0,2}@[\w. ]{1,30}$")
_INPUT_BOX = re.compile(r"^\W{0,3}(ketik pesan|type a message|pesan|message|tulis komentar|write a comment|"
                        r"posting balasan anda|post your reply|tulis balasan|balas|reply)\W*$", re.IGNORECASE)
_SEE_MORE = re.compile(r"\s*(\.{2,}|…)?\s*(baca selengkapnya|lihat selengkapnya|selengkapnya|see more|"
                       r"show more|tampilkan lebih banyak)\s*$|\s*(\.{2,}|…)\s*(lainnya|more)\s*$", re.IGNORECASE)
_CHROME_WORDS = frozenset("""
suka menyukai komentar komentari dikomentari bagikan kali dibagikan repost reposts posting ulang kutipan
tayangan dilihat like likes comment comments share shares retweet retweets quote quotes view views balas
reply replies rb ribu jt juta k m pm am publik public ikuti follow simpan save kirim send lainnya more
terjemahkan translate tampilkan terjemahan see translation wib wita wit pukul at jam menit mnt hari
jan januari feb februari mar maret apr april mei may jun juni jul juli agu agt agustus aug sep september
okt oktober oct nov november des desember dec lihat balasan bookmark markah
""".split())
_TOKENS = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


@dataclass(frozen=True)
class ScreenText:
    """The claim's text as read, and what was taken out (shown to engineers, never matched)."""

    text: str
    dropped: tuple[str, ...] = ()


def is_chrome_only(text: str) -> bool:
    """A line of nothing but counts, times, dates and UI words: "Suka: 9,6 rb 751 komentar", "2:24 PM ·
    25 Jan 2024 · 348 rb Tayangan", "Suka Komentari Bagikan". Needs one UI word or only numbers."""
    tokens = [t.casefold() for t in _TOKENS.findall(text)]
    if not tokens:
        return True  # punctuation and icons only
    words = [t for t in tokens if not t.isdigit()]
    return all(w in _CHROME_WORDS or len(w) == 1 for w in words) and (
        not words or any(w in _CHROME_WORDS for w in words))


def _status_bar(line: OcrLine, height: int) -> bool:
    """A line in the top strip made of times, percentages and signal glyphs ("12:58 78%", "22:13 86K")."""
    if line.box[3] > STATUS_BAR_SHARE * height or len(line.text) > 30:
        return False
    letters = sum(ch.isalpha() for ch in line.text)
    return letters <= 3 and any(ch.isdigit() for ch in line.text)


def _in_header(lines: Sequence[OcrLine], index: int, height: int) -> bool:
    """In the top third of the picture, or among its first lines (a screenshot inside a taller frame:
    a video, a photo of a phone)."""
    return index < HEADER_LINES or lines[index].box[1] <= HEADER_SHARE * height


def _looks_like_name(text: str) -> bool:
    return len(text) <= NAME_MAX_CHARS and len(text.split()) <= NAME_MAX_WORDS and not re.search(r"[.!?:]\s|[.!?]$", text)


def clean_lines(result: OcrResult) -> ScreenText:
    """The claim text of one OCR result: chrome lines dropped, "Baca selengkapnya" cut off."""
    kept, dropped = _kept_lines(result)
    return ScreenText(text=_join(kept), dropped=dropped)


def _kept_lines(result: OcrResult) -> tuple[list[tuple[str, bool]], tuple[str, ...]]:
    lines = list(result.lines)
    drop: set[int] = set()
    for i, line in enumerate(lines):
        text = line.text
        if _status_bar(line, result.height) or re.fullmatch(rf"\W{{0,2}}{_TIME}\W{{0,4}}", text, re.IGNORECASE):
            drop.add(i)
        elif _in_header(lines, i, result.height) and (
                _PRESENCE.match(text) or (_POST_AGE.search(text) and len(text) <= 45) or _HANDLE_ONLY.match(text)):
            drop.add(i)
            _drop_name_above(lines, i, result.height, drop)
        elif _FORWARDED.match(text) or _INPUT_BOX.match(text) or is_chrome_only(text) or (
                _APP_NAME.match(text) and _in_header(lines, i, result.height)):
            drop.add(i)
    kept = []
    for i, line in enumerate(lines):
        if i in drop:
            continue
        text = _SEE_MORE.sub("", line.text) if _SEE_MORE.search(line.text) and len(line.text) > 12 else line.text
        if text.strip():
            kept.append((text.strip(), line.paragraph_start))
    return kept, tuple(lines[i].text for i in sorted(drop))


def _drop_name_above(lines: Sequence[OcrLine], index: int, height: int, drop: set[int]) -> None:
    """The chat name above "online", the author above "14 jam · Publik" or above "@handle"."""
    above = index - 1
    while above >= 0 and above in drop and not _status_bar(lines[above], height):
        above -= 1  # "Name" / "@handle" / "2 jam": the name is above both
    if above >= 0 and above not in drop and _in_header(lines, above, height) \
            and _looks_like_name(lines[above].text):
        drop.add(above)


def _join(kept: Sequence[tuple[str, bool]]) -> str:
    """Lines of a paragraph joined with spaces (words split by a line-end hyphen rejoined)."""
    out = ""
    for text, paragraph_start in kept:
        if not out:
            out = text
        elif out.endswith("-") and text[:1].islower():
            out = out[:-1] + text
        else:
            out += ("\n" if paragraph_start else " ") + text
    return out


def clean_screenshot(results: Sequence[OcrResult]) -> ScreenText:
    """Several frames (a video's keyframes, an animation's): each cleaned, a line seen before left out."""
    kept: list[tuple[str, bool]] = []
    dropped: list[str] = []
    seen: set[str] = set()
    for result in results:
        lines, gone = _kept_lines(result)
        dropped.extend(gone)
        for position, (text, paragraph_start) in enumerate(lines):
            key = " ".join(text.casefold().split())
            if key not in seen:
                seen.add(key)
                kept.append((text, paragraph_start or position == 0))  # each frame starts a paragraph
    return ScreenText(_join(kept), tuple(dropped))
