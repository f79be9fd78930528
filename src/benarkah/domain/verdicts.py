"""Canonical verdicts and the normaliser from the labels newsrooms actually publish.

Indonesian fact-checkers label the same finding in many ways ("HOAKS", "[SALAH]", "Cek Fakta: Tidak
Benar ...", "DISINFORMASI"), and English-language ClaimReview uses yet others. Ranking, replies and
statistics need one vocabulary, so every label is mapped here; an unknown label is kept as published
and mapped to ``Verdict.OTHER`` rather than rejected.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class Verdict(StrEnum):
    FALSE = "false"
    MISLEADING = "misleading"
    PARTLY_TRUE = "partly_true"
    TRUE = "true"
    UNPROVEN = "unproven"
    SATIRE = "satire"
    SCAM = "scam"
    OTHER = "other"


# Order matters: longer, more specific phrases first so "SEBAGIAN BENAR" is not read as "BENAR"
# and "TIDAK BENAR" not as "BENAR".
_LABELS: tuple[tuple[str, Verdict], ...] = (
    ("sebagian benar", Verdict.PARTLY_TRUE),
    ("separuh benar", Verdict.PARTLY_TRUE),
    ("setengah benar", Verdict.PARTLY_TRUE),
    ("partly true", Verdict.PARTLY_TRUE),
    ("partly false", Verdict.PARTLY_TRUE),
    ("half true", Verdict.PARTLY_TRUE),
    ("mostly true", Verdict.PARTLY_TRUE),
    ("mostly false", Verdict.MISLEADING),
    ("tidak benar", Verdict.FALSE),
    ("tak benar", Verdict.FALSE),
    ("keliru", Verdict.FALSE),
    ("hoaks", Verdict.FALSE),
    ("hoax", Verdict.FALSE),
    ("hoaxs", Verdict.FALSE),
    ("salah", Verdict.FALSE),
    ("palsu", Verdict.FALSE),
    ("bohong", Verdict.FALSE),
    ("fitnah", Verdict.FALSE),
    ("fabricated", Verdict.FALSE),
    ("false", Verdict.FALSE),
    ("fake", Verdict.FALSE),
    ("pants on fire", Verdict.FALSE),
    ("incorrect", Verdict.FALSE),
    ("disinformasi", Verdict.FALSE),
    ("disinformation", Verdict.FALSE),
    ("misinformasi", Verdict.MISLEADING),
    ("misinformation", Verdict.MISLEADING),
    ("menyesatkan", Verdict.MISLEADING),
    ("misleading", Verdict.MISLEADING),
    ("konteks keliru", Verdict.MISLEADING),
    ("missing context", Verdict.MISLEADING),
    ("out of context", Verdict.MISLEADING),
    ("manipulated", Verdict.MISLEADING),
    ("manipulasi", Verdict.MISLEADING),
    ("penipuan", Verdict.SCAM),
    ("scam", Verdict.SCAM),
    ("phishing", Verdict.SCAM),
    ("satire", Verdict.SATIRE),
    ("satir", Verdict.SATIRE),
    ("parodi", Verdict.SATIRE),
    ("komedi", Verdict.SATIRE),
    ("parody", Verdict.SATIRE),
    ("belum terbukti", Verdict.UNPROVEN),
    ("tidak terbukti", Verdict.UNPROVEN),
    ("unproven", Verdict.UNPROVEN),
    ("unverified", Verdict.UNPROVEN),
    ("belum dapat dipastikan", Verdict.UNPROVEN),
    ("benar", Verdict.TRUE),
    ("fakta", Verdict.TRUE),
    ("true", Verdict.TRUE),
    ("correct", Verdict.TRUE),
    ("accurate", Verdict.TRUE),
)

_CANONICAL = {v.value: v for v in Verdict}
_SPACES = re.compile(r"[\s_\-]+")
_BRACKET_PREFIX = re.compile(r"^\s*[\[(]\s*([^\])]{1,40})\s*[\])]")
_CEKFAKTA_PREFIX = re.compile(r"^\s*cek\s*fakta\s*[:\-–—]\s*", re.IGNORECASE)


def _fold(label: str) -> str:
    text = unicodedata.normalize("NFKC", label).casefold()
    return _SPACES.sub(" ", text).strip(" .:!*[]()\"'")


def normalize_verdict(label: str | None) -> Verdict:
    """Map a published label ("HOAKS", "[SALAH]", "False", "Sebagian Benar") to a ``Verdict``.

    Never raises: ``None``, empty and unknown labels are ``Verdict.OTHER``.
    """
    if not label:
        return Verdict.OTHER
    folded = _fold(str(label))
    if not folded:
        return Verdict.OTHER
    if folded in _CANONICAL:
        return _CANONICAL[folded]
    for phrase, verdict in _LABELS:
        if folded == phrase:
            return verdict
    for phrase, verdict in _LABELS:
        if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", folded):
            return verdict
    return Verdict.OTHER


def verdict_from_title(title: str) -> tuple[Verdict, str] | None:
    """Read a verdict from a title prefix such as "[HOAKS] ..." or "Cek Fakta: Tidak Benar ...".

    Returns the verdict and the label as written, or ``None`` when the title carries no label.
    Only prefixes count: "Benarkah ..." in the middle of a title is not a verdict.
    """
    if not title:
        return None
    bracket = _BRACKET_PREFIX.match(title)
    if bracket:
        label = bracket.group(1).strip()
        verdict = normalize_verdict(label)
        if verdict is not Verdict.OTHER:
            return verdict, label
    rest = _CEKFAKTA_PREFIX.sub("", title, count=1)
    if rest != title:
        head = _fold(rest)
        for phrase, verdict in _LABELS:
            if head.startswith(phrase + " ") and phrase not in ("fakta",):
                return verdict, rest[: len(phrase)].strip()
    head = _fold(title)
    for word in ("hoaks", "hoax", "disinformasi", "misinformasi", "penipuan"):
        if head.startswith(word + " ") or head.startswith(word + ":"):
            return normalize_verdict(word), title[: len(word)]
    return None


def strip_verdict_prefix(title: str) -> str:
    """The title without a leading "[HOAKS]"-style label, for display and matching."""
    bracket = _BRACKET_PREFIX.match(title)
    if bracket and normalize_verdict(bracket.group(1)) is not Verdict.OTHER:
        return title[bracket.end():].strip()
    return title.strip()


MARKERS: dict[Verdict, str] = {
    Verdict.FALSE: "❌",
    Verdict.MISLEADING: "⚠️",
    Verdict.PARTLY_TRUE: "🟡",
    Verdict.TRUE: "✅",
    Verdict.UNPROVEN: "❔",
    Verdict.SATIRE: "🎭",
    Verdict.SCAM: "🚫",
    Verdict.OTHER: "ℹ️",
}

LABELS_ID: dict[Verdict, str] = {
    Verdict.FALSE: "SALAH",
    Verdict.MISLEADING: "MENYESATKAN",
    Verdict.PARTLY_TRUE: "SEBAGIAN BENAR",
    Verdict.TRUE: "BENAR",
    Verdict.UNPROVEN: "BELUM TERBUKTI",
    Verdict.SATIRE: "SATIRE",
    Verdict.SCAM: "PENIPUAN",
    Verdict.OTHER: "CEK FAKTA",
}

LABELS_EN: dict[Verdict, str] = {
    Verdict.FALSE: "FALSE",
    Verdict.MISLEADING: "MISLEADING",
    Verdict.PARTLY_TRUE: "PARTLY TRUE",
    Verdict.TRUE: "TRUE",
    Verdict.UNPROVEN: "UNPROVEN",
    Verdict.SATIRE: "SATIRE",
    Verdict.SCAM: "SCAM",
    Verdict.OTHER: "FACT-CHECK",
}
