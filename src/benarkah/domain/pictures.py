"""What a person's picture, video or voice note is to the conversation: no bytes, no I/O.

By the time the conversation sees a picture, the media pipeline (``benarkah.media``) has sniffed,
decoded, hashed and read it. What is left is what a reply needs: the kind of file, the caption the
person wrote, the text read from the picture (the phone's chrome removed), whether some fact-check
shows this very picture, and the problem met on the way, if any. Problems are named here, in the
core, because each becomes a sentence the person reads in their language (``domain.render``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class MediaProblem(enum.StrEnum):
    """Why a file could not be read; each becomes a reply in the person's language."""

    EMPTY = "empty"
    UNSUPPORTED = "unsupported"  # not a picture, video or audio format we read (PDF, ZIP, HTML, ...)
    TOO_LARGE = "too_large"  # bytes over the limit for its kind
    TOO_MANY_PIXELS = "too_many_pixels"  # a decompression bomb, or a picture far larger than any phone's
    TOO_LONG = "too_long"  # a video longer than we sample
    CORRUPT = "corrupt"  # truncated or damaged
    ANIMATED_STICKER = "animated_sticker"  # Telegram's Lottie stickers: vector animations, no pixels
    NO_TEXT = "no_text"  # a picture without readable writing
    AUDIO_UNSUPPORTED = "audio_unsupported"  # no speech model ships with benarkah
    OCR_UNAVAILABLE = "ocr_unavailable"
    DOWNLOAD_FAILED = "download_failed"  # the channel's API did not hand the file over (expired, timed out)
    READ_FAILED = "read_failed"  # the reader crashed, ran out of memory or time on this file

    @property
    def unreadable(self) -> bool:
        """The file itself could not be used: nothing of it reaches the search or the desk."""
        return self not in (MediaProblem.NO_TEXT, MediaProblem.OCR_UNAVAILABLE, MediaProblem.AUDIO_UNSUPPORTED)


class MediaType(enum.StrEnum):
    """What the person sent, as they would name it (the reply says "gambar", "video", "pesan suara")."""

    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    STICKER = "sticker"
    DOCUMENT = "document"

    @classmethod
    def declared(cls, content_type: str | None) -> "MediaType":
        """What an upload calls itself (``image/png``...): for the reply's wording only, never trusted
        as what the bytes are (the media pipeline sniffs those)."""
        major = (content_type or "").split("/", 1)[0].strip().lower()
        return {"image": cls.IMAGE, "video": cls.VIDEO, "audio": cls.AUDIO}.get(major, cls.DOCUMENT)


@dataclass(frozen=True)
class PictureMessage:
    """A picture, video, sticker, document or voice note after the media pipeline.

    ``read_text`` is what OCR read and the screenshot cleaning kept; ``by_picture`` says that a
    fact-check shows this very picture (its PDQ hash or its text fingerprint matched an article's
    picture), which is evidence as strong as a quoted headline."""

    media: MediaType
    caption: str = ""
    read_text: str = ""
    problem: MediaProblem | None = None
    by_picture: bool = False

    @property
    def query(self) -> str:
        """What to search for: the caption and the text read from the picture, together."""
        return "\n".join(t for t in (self.caption.strip(), self.read_text.strip()) if t)

    @property
    def voice(self) -> bool:
        """A voice note or audio that arrived and cannot be listened to (kept for the fact-checkers)."""
        return self.problem is MediaProblem.AUDIO_UNSUPPORTED

    @property
    def unreadable(self) -> bool:
        return self.problem is not None and self.problem.unreadable
