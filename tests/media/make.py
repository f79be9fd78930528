"""Media fixtures made in code (no binary files in the repository): pictures with text, a truncated
JPEG, a decompression-bomb PNG header, an animated WebP, a Lottie sticker, a tiny MP4."""

from __future__ import annotations

import gzip
import io
import struct
import zlib

from PIL import Image, ImageDraw, ImageFont


def font(size: int = 28) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def text_picture(lines: list[str], size: tuple[int, int] = (900, 420), dark: bool = False,
                 top: int = 40) -> Image.Image:
    background, ink = ((18, 18, 18), (235, 235, 235)) if dark else ((255, 255, 255), (20, 20, 20))
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    y = top
    for line in lines:
        draw.text((30, y), line, fill=ink, font=font())
        y += 44
    return image


def noise_picture(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A textured picture with no writing (what a photo is to OCR)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (size[1] // 16, size[0] // 16, 3), dtype=np.uint8)
    return Image.fromarray(small).resize(size, Image.Resampling.BICUBIC)


def encode(image: Image.Image, fmt: str = "JPEG", **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A 100-byte PNG whose header claims 2.5 billion pixels (7.5 GB once decoded)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + _chunk(b"IEND", b""))


def animated_webp(frames: list[Image.Image]) -> bytes:
    out = io.BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=200, loop=0)
    return out.getvalue()


def lottie_sticker() -> bytes:
    return gzip.compress(b'{"v":"5.5.2","fr":60,"ip":0,"op":180,"w":512,"h":512,"layers":[]}')


def tiny_video(frames: list[Image.Image], seconds_each: float = 1.0, fps: int = 10) -> bytes:
    """An MP4 (MPEG-4 part 2, FFmpeg's own encoder) showing each picture for ``seconds_each``."""
    import av

    out = io.BytesIO()
    with av.open(out, mode="w", format="mp4") as container:
        width, height = frames[0].size
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width - width % 2, height - height % 2, "yuv420p"
        stream.codec_context.gop_size = fps  # a keyframe every second
        for picture in frames:
            for _ in range(int(seconds_each * fps)):
                frame = av.VideoFrame.from_image(picture.resize((stream.width, stream.height)))
                for packet in stream.encode(frame):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


# An Ogg Opus voice note's first bytes: enough for the content sniffer, no speech model needed.
VOICE_NOTE = b"OggS\x00\x02" + bytes(58) + b"OpusHead" + bytes(200)
