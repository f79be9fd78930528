"""Indonesian text analysis for matching: from a raw WhatsApp message to index terms.

People write `bener gk vaksinnn ada chip 5G??? 😱😱 #hoax https://t.co/x`; articles write "Vaksin
Covid-19 tidak mengandung cip". Both sides go through the same pipeline so they meet in the middle:

1. ``normalize``: NFKC, zero-width and control characters removed, fancy quotes straightened.
2. ``tokenize``: case-folded word tokens; URLs and emoji dropped, hashtags split into their word,
   "Rp150.000" -> "rp", "150000", elongations ("bangettt") collapsed, look-alike letters from other
   scripts read as the Latin letter they imitate ("vаksin" with a Cyrillic а), initials joined
   ("J&T", "A.S.", "B P J S" -> "jt", "as", "bpjs"; "U-23" -> "u23"), possessive "'s" dropped.
3. slang/abbreviation lexicon (``gk`` -> ``tidak``), stopwords, a spelling key for the variants
   Indonesian spelling allows (``spelling_key``: Ramadhan/Ramadan, Soekarno/Sukarno, chip/cip),
   then stemming.

Queries get a second chance the index does not need (``Analyzer.query_terms``): a word the archive
does not know is tried as leetspeak ("J0K0WI"), as a compound ("mikrocip" -> "cip"), joined with
the next word ("tik tok") or split in two ("gunungkidul"), and kept only if the archive knows the result.

The stemmer is a seam: PyStemmer's Snowball "indonesian" by default (C, fast), Sastrawi optional.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable, Iterator, Protocol

from .lexicon import COMPOUND_PREFIXES, LEET, SLANG, SPELLING_RULES, STOPWORDS

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
_POSSESSIVE = re.compile(r"(?<=[^\W\d_])'s\b", re.IGNORECASE)
_INITIALS_GAP = re.compile(r"\s?[.&]\s?|\s")  # "J&T", "A.S", "B P J S": single letters one gap apart
_LETTER_NUMBER_GAP = "-"  # "U-23", "P-500": a letter and its number
_DOUBLE = re.compile(r"([a-z])\1+")
_MULTIPLIERS = {"rb": 1_000, "ribu": 1_000, "k": 1_000, "jt": 1_000_000, "juta": 1_000_000,
                "miliar": 1_000_000_000, "milyar": 1_000_000_000, "triliun": 1_000_000_000_000}


def _amount(match: re.Match[str]) -> str:
    """"5rb", "5 ribu" and "Rp5.000" all become 5000; "1,5 juta" becomes 1500000."""
    value = float(match.group(1).replace(",", "."))
    return f" {int(round(value * _MULTIPLIERS[match.group(2)]))} "

MAX_ANALYZED_CHARS = 20_000
_CACHED_WORDS = 500_000  # distinct words an Analyzer remembers the terms of (a few tens of MB)


def normalize(text: str) -> str:
    """Unicode clean-up that never changes meaning: NFKC, no zero-width/control chars, plain quotes."""
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).translate(_QUOTES)
    return _NOT_PLAIN.sub(_control_as_space, text)  # only characters outside printable ASCII are looked up


_NOT_PLAIN = re.compile(r"[^\x20-\x7e\n\t]")


def _control_as_space(match: re.Match[str]) -> str:
    char = match.group()
    return " " if unicodedata.category(char)[0] == "C" else char


@lru_cache(maxsize=1)
def _look_alikes() -> dict[int, str]:
    """Letters of other scripts that imitate a Latin letter (Unicode's confusables, UTS #39), as that letter.

    "Vаksin" with a Cyrillic а or "Jοkοwi" with Greek omicrons is how a forward dodges keyword filters;
    read as written they are words no article contains. An upper-case letter takes its lower-case
    form's reading (Greek capital iota reads "i", not the "l" it also resembles).
    """
    from confusable_homoglyphs.confusables import confusables_data

    latin: dict[str, str] = {}
    for char, entries in confusables_data.items():
        if len(char) == 1 and not char.isascii():
            for entry in entries:
                glyph = entry.get("c", "")
                if len(glyph) == 1 and glyph.isascii() and glyph.isalpha():
                    latin[char] = glyph.lower()
                    break
    table = {}
    for char, glyph in latin.items():
        lower = char.lower()
        table[ord(char)] = latin.get(lower, glyph) if len(lower) == 1 else glyph
    return table


def fold_look_alikes(text: str) -> str:
    """Cyrillic/Greek/other look-alike letters as the Latin letters they imitate; ASCII is untouched."""
    return text if text.isascii() else text.translate(_look_alikes())


def spelling_key(word: str) -> str:
    """One form for the spellings Indonesian allows for one word: old and new orthography
    (Soekarno/Sukarno, Djarum/Jarum), loanword spellings (Ramadhan/Ramadan, chip/cip, photo/foto)
    and doubled letters (Mekkah/Mekah). Applied to both articles and queries, so either spelling
    finds the other."""
    for old, new in SPELLING_RULES:
        if old in word:
            word = word.replace(old, new)
    return _DOUBLE.sub(r"\1", word)


def deleet(token: str) -> list[str]:
    """Readings of a token written in leetspeak ("j0k0wi", "b4ns0s", "pk1"): digits as the letters they
    stand for. Only tokens that mix letters and digits qualify; "1" is tried as "i", then as "l"."""
    if token.isalpha() or token.isdigit() or not any(c.isalpha() for c in token):
        return []
    readings = [token.translate(LEET)]
    if "1" in token:
        readings.append(token.translate({**LEET, ord("1"): "l"}))
    return [r for r in dict.fromkeys(readings) if r.isalpha()]


def _split_hashtag(match: re.Match[str]) -> str:
    return " " + _CAMEL.sub(" ", match.group(1)) + " "


def tokenize(text: str) -> list[str]:
    """Word tokens of a message, case-folded, with URLs, emoji and punctuation gone."""
    text = fold_look_alikes(normalize(text[:MAX_ANALYZED_CHARS]))
    text = _URL.sub(" ", text)
    text = _HASHTAG.sub(_split_hashtag, text)
    text = _POSSESSIVE.sub("", text)
    text = _THOUSANDS.sub("", text).casefold()
    text = _AMOUNT.sub(_amount, text)
    tokens: list[str] = []
    for raw in _join_initials(text):
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


def _join_initials(text: str) -> Iterator[str]:
    """Raw word tokens, with runs of initials joined: "j&t", "a.s.", "b p j s" -> "jt", "as", "bpjs", and
    a letter hyphenated to its number ("u-23", "p-500") -> "u23". Split apart, each letter is too short
    to mean anything and the abbreviation is lost."""
    run: list[str] = []
    end = -1
    for match in _TOKEN.finditer(text):
        word = match.group()
        gap = text[end:match.start()] if run else ""
        if run and len(run[-1]) == 1 and run[-1].isalpha():
            if len(word) == 1 and word.isalpha() and _INITIALS_GAP.fullmatch(gap):
                run.append(word)
                end = match.end()
                continue
            if len(run) == 1 and word.isdigit() and gap == _LETTER_NUMBER_GAP:
                run.append(word)
                end = match.end()
                yield "".join(run)
                run = []
                continue
        if run:
            yield "".join(run)
        run = [word]
        end = match.end()
    if run:
        yield "".join(run)


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
    """Turns text into index terms. The same instance analyses articles and queries.

    ``min_length`` applies to words; a single letter that survives as a word ("huruf Y",
    "Disease X", "sosok T") is kept unless ``min_length`` is above 1. ``spelling`` and
    ``compounds`` switch the spelling key and compound parts off (the benchmark's baseline).
    """

    stemmer: Stemmer = field(default_factory=SnowballStemmer)
    use_slang: bool = True
    use_stopwords: bool = True
    min_length: int = 1
    spelling: bool = True
    compounds: bool = True

    def __post_init__(self) -> None:
        self._terms: dict[str, str] = {}  # word -> term: stemming and spelling rules run once per word
        self._parts: dict[str, str | None] = {}

    def _stem(self, token: str) -> str:
        return self.stemmer.stem(token) if not token.isdigit() else token

    def _words(self, text: str) -> list[str]:
        """Tokens after slang expansion and stopword removal: the words that become terms."""
        tokens = tokenize(text)
        if self.use_slang:
            tokens = expand_slang(tokens)
        return [t for t in tokens
                if not (self.use_stopwords and t in STOPWORDS)
                and (len(t) >= self.min_length or t.isdigit())]

    def term(self, word: str) -> str:
        """The index term of one word: its stem, in its spelling key. The key is taken after stemming
        so the stemmer still sees the real word ("penggunaan" -> "guna")."""
        term = self._terms.get(word)
        if term is None:
            stem = self._stem(word)
            term = spelling_key(stem) if self.spelling else stem
            if len(self._terms) < _CACHED_WORDS:
                self._terms[word] = term
        return term

    def terms(self, text: str) -> list[str]:
        return [self.term(w) for w in self._words(text)]

    def compound_part(self, term: str) -> str | None:
        """The head of a compound with a productive prefix ("microcip" -> "cip", "antivirus" -> "virus")."""
        if not self.compounds:
            return None
        if term in self._parts:
            return self._parts[term]
        part = next((term[len(prefix):] for prefix in COMPOUND_PREFIXES
                     if term.startswith(prefix) and len(term) - len(prefix) >= 3), None)
        if len(self._parts) < _CACHED_WORDS:
            self._parts[term] = part
        return part

    def index_terms(self, text: str) -> list[str]:
        """Terms of an article: its words' terms plus the heads of its compounds, so "vaksin chip"
        finds "microchip" and "mikrocip" finds it too."""
        out = []
        for term in self.terms(text):
            out.append(term)
            part = self.compound_part(term)
            if part:
                out.append(part)
        return out

    def query_terms(self, text: str, known: Callable[[str], bool]) -> tuple[list[str], list[str]]:
        """Terms of a query the index knows, and the words it does not know.

        A word the archive does not know gets a second reading before it is given up: leetspeak
        ("j0k0wi"), the head of a compound ("mikrocip"), joined with the next word ("tik tok") or
        split into two known words ("gunungkidul"). Only a reading the archive knows is kept, so
        the rescue never invents a match.
        """
        words = self._words(text)
        found: list[str] = []
        unknown: list[str] = []
        skip = False
        for i, word in enumerate(words):
            if skip:
                skip = False
                continue
            term = self.term(word)
            if known(term):
                found.append(term)
                part = self.compound_part(term)
                if part and known(part):
                    found.append(part)
                if i + 1 < len(words) and known(joined := self.term(word + words[i + 1])):
                    found.append(joined)  # "idul adha" is also "iduladha"
                continue
            rescued = self._rescue(word, term, words[i + 1] if i + 1 < len(words) else None, known)
            if rescued is None:
                unknown.append(term)
                continue
            terms, used_next = rescued
            found.extend(terms)
            skip = used_next
        return found, unknown

    def _rescue(self, word: str, term: str, following: str | None,
                known: Callable[[str], bool]) -> tuple[list[str], bool] | None:
        for reading in deleet(word):
            for candidate in self._words(reading) or [reading]:
                t = self.term(candidate)
                if known(t):
                    return [t], False
        part = self.compound_part(term)
        if part and known(part):
            return [part], False
        if following is not None and not known(self.term(following)):
            joined = self.term(word + following)
            if known(joined):
                return [joined], True
        if len(word) >= 8 and word.isalpha():
            for cut in range(3, len(word) - 2):
                left, right = self.term(word[:cut]), self.term(word[cut:])
                if known(left) and known(right) and word[:cut] not in STOPWORDS:
                    return [left, right], False
        return None


def plain_analyzer() -> Analyzer:
    """No Indonesian knowledge: lower-cased word tokens only (the benchmark's baseline)."""
    return Analyzer(stemmer=NullStemmer(), use_slang=False, use_stopwords=False, min_length=1, spelling=False,
                    compounds=False)
