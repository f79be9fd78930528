"""The whole reader on generated files: text read and cleaned, hashes, limits, audio, no OCR."""

import pytest

from benarkah.errors import MediaError
from benarkah.media.kinds import MediaKind, MediaProblem
from benarkah.media.limits import MediaLimits
from benarkah.media.reader import MediaReader
from tests.media.make import animated_webp, encode, noise_picture, text_picture, tiny_video

CLAIM = ["Pemerintah membagikan bansos", "Rp 600 ribu lewat tautan ini,", "isi data KTP sebelum Jumat"]


def test_a_picture_with_text_is_read(ocr):
    read = MediaReader(ocr=ocr).read(encode(text_picture(CLAIM), "PNG"))
    assert read.kind is MediaKind.IMAGE and read.mime == "image/png" and not read.problems
    words = read.read_text.casefold().split()
    for word in ("pemerintah", "membagikan", "bansos", "tautan", "ktp", "jumat"):
        assert word in " ".join(words)
    assert len(read.hashes) == 1 and read.hashes[0].usable and len(read.sha256) == 64


def test_dark_mode_is_read_too(ocr):
    read = MediaReader(ocr=ocr).read(encode(text_picture(CLAIM, dark=True), "JPEG", quality=80))
    assert "bansos" in read.read_text.casefold()


def test_a_picture_without_text_says_so(ocr):
    read = MediaReader(ocr=ocr).read(encode(noise_picture(9), "JPEG"))
    assert MediaProblem.NO_TEXT in read.problems and read.hashes
    with pytest.raises(MediaError, match="no text was found") as caught:
        read.claim_text()
    assert caught.value.problem is MediaProblem.NO_TEXT


def test_without_ocr_the_picture_is_still_hashed():
    read = MediaReader(ocr=None).read(encode(text_picture(CLAIM), "PNG"))
    assert read.hashes and read.problems == (MediaProblem.OCR_UNAVAILABLE,)
    with pytest.raises(MediaError, match="no OCR engine") as caught:
        read.claim_text()
    assert caught.value.problem is MediaProblem.OCR_UNAVAILABLE


def test_a_video_is_read_from_its_keyframes(ocr):
    frames = [text_picture(["Video banjir bandang"], (640, 360)), text_picture(["terjadi di Garut hari ini"], (640, 360))]
    read = MediaReader(MediaLimits(video_frames=4), ocr=ocr).read(tiny_video(frames, seconds_each=2.0))
    assert read.kind is MediaKind.VIDEO and read.frames >= 2
    text = read.read_text.casefold()
    assert "banjir" in text and "garut" in text and text.count("banjir") == 1
    assert len(read.hashes) <= read.frames and all(h.usable for h in read.hashes)  # flat frames: no hash


def test_distinct_video_frames_get_their_own_hashes():
    frames = [noise_picture(i, (320, 240)) for i in range(3)]
    read = MediaReader(MediaLimits(video_frames=3), ocr=None).read(tiny_video(frames, seconds_each=1.0))
    assert len(read.hashes) >= 2


def test_an_animated_sticker_is_read_once_per_distinct_frame(ocr):
    same = []
    for i in range(5):  # one picture with a blinking dot: the encoder keeps every frame
        frame = noise_picture(4, (320, 160))
        frame.paste((255, 0, 0), (10 + 4 * i, 10, 14 + 4 * i, 14))
        same.append(frame)
    read = MediaReader(ocr=ocr).read(animated_webp(same))
    assert read.frames > 1 and len(read.hashes) == 1


def test_voice_notes_are_not_pretended():
    with pytest.raises(MediaError, match="cannot be transcribed") as caught:
        MediaReader().read(b"OggS\x00\x02" + b"\x00" * 100)
    assert caught.value.problem is MediaProblem.AUDIO_UNSUPPORTED


@pytest.mark.parametrize("data,limits,problem", [
    (b"x" * 2000, MediaLimits(), MediaProblem.UNSUPPORTED),
    (encode(noise_picture(1), "PNG"), MediaLimits(max_image_bytes=500), MediaProblem.TOO_LARGE),
    (b"OggS" + b"\x00" * 2000, MediaLimits(max_audio_bytes=100), MediaProblem.TOO_LARGE),
])
def test_limits_and_wrong_types(data, limits, problem):
    with pytest.raises(MediaError) as caught:
        MediaReader(limits).read(data)
    assert caught.value.problem is problem
