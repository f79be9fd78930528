"""The bounds every media file is read within: bytes per kind, pixels, video length and frames.

They exist because the input is hostile or careless: a 100 MB "picture", a 1 KB PNG that claims to be
50,000 x 50,000 pixels (a decompression bomb: gigabytes once decoded), an hour-long video. Each is
refused with its reason before the expensive step, never after it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .kinds import MediaKind

MB = 1024 * 1024


@dataclass(frozen=True)
class MediaLimits:
    max_image_bytes: int = 10 * MB  # WhatsApp sends pictures up to 5 MB; Telegram compresses photos
    max_video_bytes: int = 64 * MB  # WhatsApp's video limit is 16 MB, Telegram bots download up to 20 MB
    max_audio_bytes: int = 16 * MB
    max_pixels: int = 40_000_000  # larger than any phone camera (50 MP sensors bin to 12.5 MP)
    max_frames: int = 200  # frames of an animated GIF/WebP looked at (sampled, not all read)
    max_video_seconds: float = 300.0  # longer videos are refused: their keyframes would miss the claim
    video_frames: int = 4  # keyframes read from a video or animation
    ocr_max_side: int = 2400  # pictures are scaled down to this before OCR (phone photos are 4000 px)

    def max_bytes(self, kind: MediaKind) -> int:
        return {MediaKind.IMAGE: self.max_image_bytes, MediaKind.VIDEO: self.max_video_bytes,
                MediaKind.AUDIO: self.max_audio_bytes}[kind]
