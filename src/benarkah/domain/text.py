"""Indonesian text analysis for matching: from a raw WhatsApp message to index terms.

People write `bener gk vaksinnn ada chip 5G??? 😱😱 #hoax https://t.co/x`; articles write "Vaksin
Covid-19 tidak mengandung cip". Both sides go through the same pipeline so they meet in the middle:

1. ``normalize``: NFKC, zero-width and control characters removed, fancy quotes straightened.
2. ``tokenize``: case-folded word tokens; URLs and emoji dropped, hashtags split into their word,
   "Rp150.000" -> "rp", "150000", elongations ("bangettt") collapsed.
3. slang/abbreviation lexicon (``gk`` -> ``tidak``), stopwords, then stemming.

The stemmer is a seam: PyStemmer's Snowball "indonesian" by default (C, fast), Sastrawi optional.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable, Protocol

from .lexicon import SLANG, STOPWORDS

_ZERO_WIDTH = {**dict.fromkeys(map(ord, "\u200c\u200d\u2060\ufeff\u00ad\u180e"), None), 0x200B: " "}
_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-",
})
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|id|co\.id|net|org|ly|me|info|xyz|site)(?:/\S*)?",
                  re.IGNORECASE)
_THOUSANDS = re.compile(r"(?<=\d)[.,](?=\d{3}(?!\d))")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_ELONGATED = re.compile(r"([a-z])\1{2,}")
_RUPIAH = re.compile(r"^(rp)(\d+)$")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_HASHTAG = re.compile(r"#(\w+)")
_REDUPLICATION = re.compile(r"^([a-z]+)2$")  # "anak2" is how people type "anak-anak"
_AMOUNT = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d{1,2})?)\s?(rb|ribu|k|jt|juta|miliar|milyar|triliun)(?!\w)")
_MULTIPLIERS = {"rb": 1_000, "ribu": 1_000, "k": 1_000, "jt": 1_000_000, "juta": 1_000_000,
                "miliar": 1_000_000_000, "milyar": 1_000_000_000, "triliun": 1_000_000_000_000}


def _amount(match: re.Match[str]) -> str:
    """"5rb", "5 ribu" and "Rp5.000" all become 5000; "1,5 juta" becomes 1500000."""
    value = float(match.group(1).replace(",", "."))
    return f" {int(round(value * _MULTIPLIERS[match.group(2)]))} "

MAX_ANALYZED_CHARS = 20_000


def normalize(text: str) -> str:
    """Unicode clean-up that never changes meaning: NFKC, no zero-width/control chars, plain quotes."""
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).translate(_QUOTES)
    return "".join(
        ch if (ch in "\n\t" or unicodedata.category(ch)[0] != "C") else " " for ch in text
    )


def _split_hashtag(match: re.Match[str]) -> str:
    return " " + _CAMEL.sub(" ", match.group(1)) + " "


def tokenize(text: str) -> list[str]:
    """Word tokens of a message, case-folded, with URLs, emoji and punctuation gone."""
    text = normalize(text[:MAX_ANALYZED_CHARS])
    text = _URL.sub(" ", text)
    text = _HASHTAG.sub(_split_hashtag, text)
    text = _THOUSANDS.sub("", text).casefold()
    text = _AMOUNT.sub(_amount, text)
    tokens: list[str] = []
    for raw in _TOKEN.findall(text):
        if not raw.isascii():
            raw = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode()
            if not raw:
                continue
        raw = _ELONGATED.sub(r"\1", raw)
        if m := _RUPIAH.match(raw):
            tokens.extend((m[1], m[2]))
        elif m := _REDUPLICATION.match(raw):
            tokens.append(m[1])
        else:
            tokens.append(raw)
    return tokens


def expand_slang(tokens: Iterable[str], slang: dict[str, str] = SLANG) -> list[str]:
    out: list[str] = []
    for token in tokens:
        replacement = slang.get(token)
        if replacement is None:
            out.append(token)
        else:
            out.extend(replacement.split())
    return out


class Stemmer(Protocol):
    name: str

    def stem(self, word: str) -> str: ...


class SnowballStemmer:
    """PyStemmer's Snowball Indonesian stemmer: removes particles, possessives and affixes in C."""

    name = "snowball"

    def __init__(self) -> None:
        import Stemmer as pystemmer  # PyStemmer

        self._stemmer = pystemmer.Stemmer("indonesian")
        self._stemmer.maxCacheSize = 200_000

    def stem(self, word: str) -> str:
        return self._stemmer.stemWord(word)


class SastrawiStemmer:
    """Sastrawi's dictionary-based stemmer: more exact on derivations, much slower (cached)."""

    name = "sastrawi"

    def __init__(self) -> None:
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

        self._stemmer = StemmerFactory().create_stemmer()
        self.stem = lru_cache(maxsize=200_000)(self._stem)  # type: ignore[method-assign]

    def _stem(self, word: str) -> str:
        return self._stemmer.stem(word) or word


class NullStemmer:
    name = "none"

    def stem(self, word: str) -> str:
        return word


def make_stemmer(name: str) -> Stemmer:
    factories: dict[str, Callable[[], Stemmer]] = {
        "snowball": SnowballStemmer, "sastrawi": SastrawiStemmer, "none": NullStemmer,
    }
    try:
        return factories[name]()
    except KeyError:
        raise ValueError(f"unknown stemmer {name!r}; choose one of {sorted(factories)}") from None


@dataclass
class Analyzer:
    """Turns text into index terms. The same instance analyses articles and queries."""

    stemmer: Stemmer = field(default_factory=SnowballStemmer)
    use_slang: bool = True
    use_stopwords: bool = True
    min_length: int = 2

    def __post_init__(self) -> None:
        self._cache: dict[str, str] = {}

    def _stem(self, token: str) -> str:
        stem = self._cache.get(token)
        if stem is None:
            stem = self.stemmer.stem(token) if not token.isdigit() else token
            if len(self._cache) < 500_000:
                self._cache[token] = stem
        return stem

    def terms(self, text: str) -> list[str]:
        tokens = tokenize(text)
        if self.use_slang:
            tokens = expand_slang(tokens)
        out = []
        for token in tokens:
            if self.use_stopwords and token in STOPWORDS:
                continue
            if len(token) < self.min_length and not token.isdigit():
                continue
            out.append(self._stem(token))
        return out


def plain_analyzer() -> Analyzer:
    """No Indonesian knowledge: lower-cased word tokens only (the benchmark's baseline)."""
    return Analyzer(stemmer=NullStemmer(), use_slang=False, use_stopwords=False, min_length=1)
