"""What a file is, from its first bytes: the header a client sends is never trusted.

WhatsApp and Telegram report a MIME type with each media message, and a web upload carries one too;
all of them are set by the sender. The decoders here are only ever handed bytes whose signature
matched, so a ``.jpg`` that is really a ZIP, HTML or an executable is refused before any parser runs.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..domain.pictures import MediaProblem
from ..errors import MediaError

__all__ = ["MediaKind", "MediaProblem", "Sniffed", "sniff"]


class MediaKind(enum.StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"


@dataclass(frozen=True)
class Sniffed:
    kind: MediaKind
    mime: str


_ISO_BRANDS = {  # ISO base media (MP4 family): the brand after "ftyp" says which
    b"heic": ("image/heic", MediaKind.IMAGE), b"heix": ("image/heic", MediaKind.IMAGE),
    b"mif1": ("image/heif", MediaKind.IMAGE), b"avif": ("image/avif", MediaKind.IMAGE),
    b"M4A ": ("audio/mp4", MediaKind.AUDIO), b"M4B ": ("audio/mp4", MediaKind.AUDIO),
    b"qt  ": ("video/quicktime", MediaKind.VIDEO),
}


def sniff(data: bytes) -> Sniffed:
    """The kind and MIME type of ``data`` by its signature; ``MediaError`` when it is none we read."""
    if not data:
        raise MediaError(MediaProblem.EMPTY, "the file is empty (0 bytes)")
    head = data[:64]
    found = _sniff_head(head)
    if found is None:
        raise MediaError(MediaProblem.UNSUPPORTED, f"not a picture, video or audio file we can read "
                         f"(starts with {head[:8].hex(' ')}); send a JPEG/PNG/WebP picture, an MP4 video "
                         "or the claim as text")
    return found


def _sniff_head(head: bytes) -> Sniffed | None:  # noqa: C901 - one signature per line reads best
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed(MediaKind.IMAGE, "image/jpeg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(MediaKind.IMAGE, "image/png")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed(MediaKind.IMAGE, "image/gif")
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return Sniffed(MediaKind.IMAGE, "image/webp")
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return Sniffed(MediaKind.AUDIO, "audio/wav")
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return Sniffed(MediaKind.VIDEO, "video/x-msvideo")
    if head.startswith(b"BM") and len(head) >= 26:
        return Sniffed(MediaKind.IMAGE, "image/bmp")
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return Sniffed(MediaKind.IMAGE, "image/tiff")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        mime, kind = _ISO_BRANDS.get(brand, ("video/3gpp" if brand.startswith(b"3g") else "video/mp4",
                                             MediaKind.VIDEO))
        return Sniffed(kind, mime)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return Sniffed(MediaKind.VIDEO, "video/webm")
    if head.startswith(b"OggS"):
        return Sniffed(MediaKind.AUDIO, "audio/ogg")  # WhatsApp and Telegram voice notes (Opus)
    if head.startswith(b"#!AMR"):
        return Sniffed(MediaKind.AUDIO, "audio/amr")
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return Sniffed(MediaKind.AUDIO, "audio/mpeg")
    if head.startswith(b"fLaC"):
        return Sniffed(MediaKind.AUDIO, "audio/flac")
    if head.startswith(b"\x1f\x8b"):
        # Telegram's animated stickers (.tgs) are gzipped Lottie JSON; any other gzip is unsupported too
        raise MediaError(MediaProblem.ANIMATED_STICKER, "an animated sticker (gzipped Lottie) or another "
                         "compressed file: it has no picture to read; send a screenshot of it instead")
    return None
