"""One file in, what it says out: sniff, decode within limits, hash and read each frame, clean the text.

``MediaReader`` is what the CLI, the archive import and (later) the messaging worker call. It never
trusts a declared type, never decodes past a limit, and when OCR is not installed it still hashes
the picture (so re-shared pictures are still recognised) and says that the text could not be read.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Iterable

from PIL import Image

from ..errors import MediaError, OcrUnavailable
from .audio import NoTranscriber, Transcriber
from .images import decode_image
from .kinds import MediaKind, MediaProblem, sniff
from .limits import MediaLimits
from .ocr import OcrEngine, OcrResult, prepare_for_ocr
from .pdq import PdqHash, pdq_hash
from .screenshot import ScreenText, clean_screenshot
from .video import keyframes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReadMedia:
    """What one picture, video or voice note gave: the claim text read (chrome removed), the raw OCR
    text, a PDQ hash per frame, and the problems met on the way (empty when everything was read)."""

    kind: MediaKind
    mime: str
    sha256: str
    read_text: str = ""
    raw_text: str = ""
    hashes: tuple[PdqHash, ...] = ()
    width: int = 0
    height: int = 0
    frames: int = 0
    problems: tuple[MediaProblem, ...] = ()
    dropped: tuple[str, ...] = field(default=(), repr=False)

    def claim_text(self) -> str:
        """The text to search for; ``MediaError`` when the picture had none (or could not be read)."""
        if self.read_text.strip():
            return self.read_text
        if MediaProblem.OCR_UNAVAILABLE in self.problems:
            raise MediaError(MediaProblem.OCR_UNAVAILABLE, "the text in pictures cannot be read here: no OCR "
                             "engine is installed; send the claim as text")
        raise MediaError(MediaProblem.NO_TEXT, "no text was found in the picture; send the claim as text or "
                         "add a caption saying what it claims")


class MediaReader:
    def __init__(self, limits: MediaLimits | None = None, ocr: OcrEngine | None = None,
                 transcriber: Transcriber | None = None) -> None:
        self.limits = limits or MediaLimits()
        self.ocr = ocr
        self.transcriber = transcriber or NoTranscriber()

    def read(self, data: bytes) -> ReadMedia:
        """Everything benarkah can get from ``data``; ``MediaError`` when the file itself is unusable."""
        sniffed = sniff(data)
        limit = self.limits.max_bytes(sniffed.kind)
        if len(data) > limit:
            raise MediaError(MediaProblem.TOO_LARGE, f"the {sniffed.kind} is {len(data):,} bytes; the limit "
                             f"is {limit:,}")
        digest = hashlib.sha256(data).hexdigest()
        if sniffed.kind is MediaKind.AUDIO:
            text = self.transcriber.transcribe(data, sniffed.mime)  # the default raises AUDIO_UNSUPPORTED
            return ReadMedia(sniffed.kind, sniffed.mime, digest, read_text=text, raw_text=text)
        if sniffed.kind is MediaKind.VIDEO:
            frames = keyframes(data, self.limits)
            width, height = frames[0].size
        else:
            picture = decode_image(data, sniffed.mime, self.limits)
            frames, width, height = list(picture.frames), picture.width, picture.height
        return self._frames(sniffed.kind, sniffed.mime, digest, frames, width, height)

    def read_frames(self, frames: list[Image.Image]) -> tuple[ScreenText, str, tuple[MediaProblem, ...]]:
        """OCR and clean decoded frames: (cleaned text, raw text, problems)."""
        if self.ocr is None:
            return ScreenText(""), "", (MediaProblem.OCR_UNAVAILABLE,)
        results: list[OcrResult] = []
        for frame in frames:
            try:
                results.append(self.ocr.read(prepare_for_ocr(frame, self.limits.ocr_max_side)))
            except OcrUnavailable as exc:
                log.warning("OCR unavailable: %s", exc)
                return ScreenText(""), "", (MediaProblem.OCR_UNAVAILABLE,)
        cleaned = clean_screenshot(results)
        raw = "\n".join(r.text for r in results)
        return cleaned, raw, () if cleaned.text.strip() else (MediaProblem.NO_TEXT,)

    def _frames(self, kind: MediaKind, mime: str, digest: str, frames: list[Image.Image],
                width: int, height: int) -> ReadMedia:
        distinct = _distinct(frames)  # a still video repeats one frame: read it once
        cleaned, raw, problems = self.read_frames([frame for frame, _ in distinct])
        return ReadMedia(kind, mime, digest, read_text=cleaned.text, raw_text=raw,
                         hashes=tuple(h for _, h in distinct if h.usable), width=width, height=height,
                         frames=len(frames), problems=problems, dropped=cleaned.dropped)


def _distinct(frames: Iterable[Image.Image], within: int = 8) -> list[tuple[Image.Image, PdqHash]]:
    """Frames whose hashes differ by more than ``within`` bits from every frame kept before them."""
    kept: list[tuple[Image.Image, PdqHash]] = []
    for frame in frames:
        h = pdq_hash(frame)
        if all(h.distance(k) > within for _, k in kept):
            kept.append((frame, h))
    return kept
