"""A picture (or video) as a query: the text read from it searched like a message, and the article
pictures it matches put first.

A matched article picture is stronger evidence than any text score: the person sent the very picture
a fact-check shows. So those articles lead the results and make the result a match; the text search
fills the rest and decides alone when no picture matches. A caption is searched together with the
text read from the picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

from ..domain.articles import Article
from ..errors import MediaError
from ..search.engine import Hit, SearchResult
from .kinds import MediaProblem
from .matching import LivePictureIndex, MatchThresholds, PictureMatch
from .reader import MediaReader, ReadMedia

TextSearch = Callable[[str, int], SearchResult]  # (text, limit) -> ranked fact-checks
PICTURE_CONFIDENCE = 0.99


@dataclass(frozen=True)
class PictureResult:
    read: ReadMedia
    result: SearchResult
    matches: list[PictureMatch] = field(default_factory=list)
    problem: MediaProblem | None = None  # NO_TEXT / OCR_UNAVAILABLE when nothing could be searched

    def payload(self) -> dict[str, Any]:
        """``search --image --json``: the usual search object plus what was read and matched."""
        out = self.result.payload()
        out["read_text"] = self.read.read_text
        out["picture_matches"] = [m.payload() for m in self.matches]
        out["media"] = {"kind": self.read.kind.value, "mime": self.read.mime, "width": self.read.width,
                        "height": self.read.height, "frames": self.read.frames}
        if self.problem is not None:
            out["problem"] = self.problem.value
        return out


class PictureSearch:
    def __init__(self, reader: MediaReader | None, index: LivePictureIndex, search: TextSearch,
                 get_article: Callable[[str], Article | None], thresholds: MatchThresholds) -> None:
        self.reader = reader
        self.index = index
        self.search_text = search
        self.get_article = get_article
        self.thresholds = thresholds

    def search(self, data: bytes, caption: str = "", limit: int = 3) -> PictureResult:
        """Read ``data`` and search with it; ``MediaError`` only when the file itself is unusable."""
        if self.reader is None:
            raise ValueError("this PictureSearch has no reader: use search_read")
        return self.search_read(self.reader.read(data), caption=caption, limit=limit)

    def ranked_ids(self, data: bytes, limit: int = 10) -> list[str]:
        """Article ids for an evaluation line: an unreadable picture ranks nothing (and counts as a miss)."""
        try:
            return [h.article.id for h in self.search(data, limit=limit).result.hits]
        except MediaError:
            return []

    def search_read(self, read: ReadMedia, caption: str = "", limit: int = 3) -> PictureResult:
        matches = self.index.current().match(read, self.thresholds, limit=limit)
        problem = None
        try:
            text = read.claim_text()
        except MediaError as exc:
            text, problem = "", MediaProblem(exc.problem)
        query = "\n".join(t for t in (caption.strip(), text) if t)
        if query:
            result = self.search_text(query, limit)
            problem = None if caption.strip() else problem
        else:
            result = SearchResult(query="", matched=False, confidence=0.0)
        return PictureResult(read, self._merge(result, matches, limit), matches, problem)

    def _merge(self, result: SearchResult, matches: list[PictureMatch], limit: int) -> SearchResult:
        if not matches:
            return result
        top = result.hits[0].score if result.hits else 1.0
        hits: list[Hit] = []
        for m in matches:
            article = self.get_article(m.article_id)
            if article is not None:
                hits.append(Hit(article, score=max(top, 1.0) + m.strength))
        if not hits:
            return result
        shown = {h.article.id for h in hits}
        hits += [h for h in result.hits if h.article.id not in shown]
        return replace(result, matched=True, confidence=max(result.confidence, PICTURE_CONFIDENCE),
                       hits=hits[:limit], strong=True)
