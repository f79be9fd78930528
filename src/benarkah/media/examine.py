"""One file a person sent, examined: read (in a reader process), matched against the article pictures,
and its text and caption searched, ready for the conversation (``PictureMessage``) and for the desk
(``KeptMedia``, kept only if the message becomes a tip).

Every way a file can fail ends here as a ``MediaProblem`` on the message, never an exception: the
person is told what went wrong and the rest of their delivery is answered as usual.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from ..domain.pictures import MediaProblem, MediaType, PictureMessage
from ..errors import MediaError
from ..search.engine import SearchResult
from .kinds import MediaKind, sniff
from .kept import KeptMedia
from .limits import MediaLimits
from .pool import Reader
from .search import PictureSearch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Examined:
    message: PictureMessage
    result: SearchResult | None = None  # the lookup, article pictures first; None when nothing was searched
    kept: KeptMedia | None = None  # what the desk keeps if this becomes a tip


class Examiner:
    def __init__(self, reader: Reader, pictures: PictureSearch, limits: MediaLimits, transcribes: bool = False) -> None:
        self.reader = reader
        self.pictures = pictures
        self.limits = limits
        self.transcribes = transcribes  # a speech model is plugged in (``audio.Transcriber``): read audio too

    def examine(self, media: MediaType, data: bytes | None, caption: str = "", problem: MediaProblem | None = None,
                limit: int = 4, wait: float | None = None) -> Examined:
        """``data`` is None when the file never arrived (``problem`` says why). ``ReaderBusy`` propagates
        (the caller decides whether to wait or to retry later)."""
        caption = caption.strip()
        if data is not None and problem is None:
            try:
                return self._examine(media, data, caption, limit, wait)
            except MediaError as exc:
                problem = MediaProblem(exc.problem)
                log.info("a %s could not be read: %s", media, exc)
        message = PictureMessage(media, caption=caption, problem=problem or MediaProblem.EMPTY)
        return Examined(message, self._search_caption(caption, limit))

    def _examine(self, media: MediaType, data: bytes, caption: str, limit: int, wait: float | None) -> Examined:
        sniffed = sniff(data)
        if len(data) > self.limits.max_bytes(sniffed.kind):
            raise MediaError(MediaProblem.TOO_LARGE, f"the {sniffed.kind} is {len(data):,} bytes")
        digest = hashlib.sha256(data).hexdigest()
        if sniffed.kind is MediaKind.AUDIO and not self.transcribes:
            kept = KeptMedia(MediaType.AUDIO, data, sniffed.mime, digest, problem=MediaProblem.AUDIO_UNSUPPORTED)
            message = PictureMessage(MediaType.AUDIO, caption=caption, problem=MediaProblem.AUDIO_UNSUPPORTED)
            return Examined(message, self._search_caption(caption, limit), kept)
        read = self.reader.read(data, wait=wait)
        found = self.pictures.search_read(read, caption=caption, limit=limit)
        problem = found.problem
        if problem is None and not read.read_text.strip():
            problem = MediaProblem.OCR_UNAVAILABLE if MediaProblem.OCR_UNAVAILABLE in read.problems \
                else MediaProblem.NO_TEXT if MediaProblem.NO_TEXT in read.problems else None
        kind = media if media is not MediaType.DOCUMENT else _as_named(sniffed.kind)
        kept = KeptMedia(kind, data, read.mime, read.sha256, read.width, read.height, read.hashes,
                         read.read_text, problem)
        message = PictureMessage(kind, caption=caption, read_text=read.read_text, problem=problem,
                                 by_picture=bool(found.matches))
        searched = found.result if (found.result.query or found.matches) else None
        return Examined(message, searched, kept)

    def _search_caption(self, caption: str, limit: int) -> SearchResult | None:
        return self.pictures.search_text(caption, limit) if caption else None


def _as_named(kind: MediaKind) -> MediaType:
    """A file sent as a document is named by what its bytes are (a screenshot sent as a file is a picture)."""
    return {MediaKind.IMAGE: MediaType.IMAGE, MediaKind.VIDEO: MediaType.VIDEO,
            MediaKind.AUDIO: MediaType.AUDIO}[kind]
