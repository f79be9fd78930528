"""Bounded picture decoding: the format the bytes claim, the pixel count checked before any decoding,
truncated and corrupt files refused (Pillow's default, which nothing here changes), animations sampled,
EXIF rotation applied, transparency flattened.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import MediaError
from .kinds import MediaProblem
from .limits import MediaLimits

# Pillow names for the formats ``sniff`` recognises; Pillow is told to try only that one.
_PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP",
                "image/bmp": "BMP", "image/tiff": "TIFF"}
_UNREADABLE = {"image/heic": "HEIC", "image/heif": "HEIF", "image/avif": "AVIF"}


@dataclass(frozen=True)
class Picture:
    """A decoded picture: RGB frames (one, or a sample of an animation's), as a person would see them."""

    frames: tuple[Image.Image, ...]
    mime: str
    width: int
    height: int
    total_frames: int = 1

    @property
    def animated(self) -> bool:
        return self.total_frames > 1


def sample_indices(total: int, wanted: int) -> list[int]:
    """``wanted`` indices spread evenly over ``total`` (first and last included when there is room)."""
    if total <= wanted:
        return list(range(total))
    if wanted <= 1:
        return [0]
    return sorted({round(i * (total - 1) / (wanted - 1)) for i in range(wanted)})


def decode_image(data: bytes, mime: str, limits: MediaLimits) -> Picture:
    """Decode ``data`` (already sniffed as ``mime``) within ``limits``; ``MediaError`` says why not."""
    if mime in _UNREADABLE:
        raise MediaError(MediaProblem.UNSUPPORTED, f"{_UNREADABLE[mime]} pictures cannot be read here; "
                         "send it as a JPEG (phones convert when you share it as a photo)")
    if len(data) > limits.max_image_bytes:
        raise MediaError(MediaProblem.TOO_LARGE, f"the picture is {len(data):,} bytes; the limit is "
                         f"{limits.max_image_bytes:,}")
    fmt = _PIL_FORMATS.get(mime)
    if fmt is None:
        raise MediaError(MediaProblem.UNSUPPORTED, f"{mime} is not a picture format we read")
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            return _frames(image, mime, limits)
    except MediaError:
        raise
    except Image.DecompressionBombError as exc:
        raise MediaError(MediaProblem.TOO_MANY_PIXELS, f"the picture is too large to decode safely: {exc}") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError) as exc:
        raise MediaError(MediaProblem.CORRUPT, f"the {fmt} picture is truncated or damaged ({exc}); "
                         "send it again, or a screenshot of it") from None


def _frames(image: Image.Image, mime: str, limits: MediaLimits) -> Picture:
    width, height = image.size
    if width <= 0 or height <= 0 or width * height > limits.max_pixels:
        raise MediaError(MediaProblem.TOO_MANY_PIXELS, f"the picture claims {width:,} x {height:,} pixels; "
                         f"the limit is {limits.max_pixels:,} pixels (a phone photo is about 12 million)")
    total = int(getattr(image, "n_frames", 1) or 1)
    if total > limits.max_frames:
        total = limits.max_frames  # a long animation: its first frames stand for it
    frames = []
    for index in sample_indices(total, limits.video_frames if total > 1 else 1):
        image.seek(index)
        frames.append(_flatten(ImageOps.exif_transpose(image) if index == 0 else image.copy()))
    return Picture(frames=tuple(frames), mime=mime, width=width, height=height, total_frames=total)


def _flatten(frame: Image.Image) -> Image.Image:
    """RGB on white: stickers and PNG screenshots have transparency, which OCR and hashing read as black."""
    frame.load()
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return frame.convert("RGB")
