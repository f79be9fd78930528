"""PDQ perceptual hashes: 256 bits per picture that stay close when a picture is re-compressed,
resized, lightly cropped or stamped, so a re-shared hoax picture finds the fact-check that shows it.

PDQ is Meta's open hash for exactly this job (ThreatExchange, and what Meedan Check uses); ``pdqhash``
binds the reference C++ implementation. Hashes are compared by Hamming distance; Meta calls 31 or
fewer differing bits of 256 a confident match, benarkah's threshold is measured in benchmarks/media.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops

HASH_BYTES = 32
HASH_SIDE = 512  # PDQ reads a 64x64 luminance grid; hashing a 512 px copy gives the same bits, 10x faster
MIN_QUALITY = 50  # below this PDQ itself says the picture is too flat to hash reliably (blank, one colour)
_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


@dataclass(frozen=True)
class PdqHash:
    bits: bytes  # 32 bytes, most significant bit first
    quality: int  # PDQ's own 0-100 confidence in the hash

    def __post_init__(self) -> None:
        if len(self.bits) != HASH_BYTES:
            raise ValueError(f"a PDQ hash is {HASH_BYTES} bytes, got {len(self.bits)}")

    @property
    def hex(self) -> str:
        return self.bits.hex()

    @classmethod
    def from_hex(cls, text: str, quality: int = 100) -> "PdqHash":
        return cls(bytes.fromhex(text), quality)

    @property
    def usable(self) -> bool:
        return self.quality >= MIN_QUALITY

    def distance(self, other: "PdqHash") -> int:
        return hamming(self.bits, other.bits)


def hamming(a: bytes, b: bytes) -> int:
    return int(_POPCOUNT[np.bitwise_xor(np.frombuffer(a, np.uint8), np.frombuffer(b, np.uint8))].sum())


def hamming_many(rows: np.ndarray, query: bytes) -> np.ndarray:
    """Distances from ``query`` to every row of an (N, 32) uint8 array."""
    xor = np.bitwise_xor(rows, np.frombuffer(query, np.uint8)[None, :])
    return _POPCOUNT[xor].sum(axis=1, dtype=np.int32)


def pdq_hash(image: Image.Image) -> PdqHash:
    import pdqhash

    rgb = image.convert("RGB")
    if max(rgb.size) > HASH_SIDE:
        rgb = rgb.copy()
        rgb.thumbnail((HASH_SIDE, HASH_SIDE), Image.Resampling.BILINEAR)
    bits, quality = pdqhash.compute(np.asarray(rgb, dtype=np.uint8))
    return PdqHash(np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes(), int(quality))


def trim_border(image: Image.Image, tolerance: int = 24) -> Image.Image:
    """The picture without a plain frame around it (a fact-check page often adds one): the bounding box
    of whatever differs from the corner colour. Unchanged when nothing or almost nothing would be left."""
    rgb = image.convert("RGB")
    corner = rgb.getpixel((0, 0))
    difference = ImageChops.difference(rgb, Image.new("RGB", rgb.size, corner)).convert("L")
    box = difference.point(lambda v: 255 if v > tolerance else 0).getbbox()
    if box is None:
        return image
    left, top, right, bottom = box
    if (right - left) * (bottom - top) < 0.5 * rgb.width * rgb.height or box == (0, 0, rgb.width, rgb.height):
        return image
    return rgb.crop(box)
