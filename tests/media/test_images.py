"""Bounded decoding: limits before work, truncated and damaged files refused, animations sampled."""

import io

import pytest
from PIL import Image

from benarkah.errors import MediaError
from benarkah.media.images import decode_image, sample_indices
from benarkah.media.kinds import MediaProblem
from benarkah.media.limits import MediaLimits
from tests.media.make import animated_webp, bomb_png, encode, noise_picture, text_picture

LIMITS = MediaLimits()


def problem_of(data: bytes, mime: str, limits: MediaLimits = LIMITS) -> MediaProblem:
    with pytest.raises(MediaError) as caught:
        decode_image(data, mime, limits)
    return caught.value.problem


def test_a_picture_decodes_to_one_rgb_frame():
    picture = decode_image(encode(text_picture(["Halo"]), "PNG"), "image/png", LIMITS)
    assert picture.frames[0].mode == "RGB" and (picture.width, picture.height) == (900, 420)
    assert not picture.animated


def test_a_decompression_bomb_is_refused_from_its_header():
    data = bomb_png()
    assert len(data) < 200
    assert problem_of(data, "image/png") is MediaProblem.TOO_MANY_PIXELS


def test_a_truncated_or_damaged_picture_is_corrupt():
    jpeg = encode(noise_picture(3, (640, 480)), "JPEG", quality=90)
    assert problem_of(jpeg[: len(jpeg) // 2], "image/jpeg") is MediaProblem.CORRUPT
    png = encode(noise_picture(3), "PNG")
    damaged = png[:60] + bytes(b ^ 0xFF for b in png[60:200]) + png[200:]
    assert problem_of(damaged, "image/png") is MediaProblem.CORRUPT
    assert problem_of(b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg") is MediaProblem.CORRUPT


def test_size_limits_come_before_decoding():
    small = MediaLimits(max_image_bytes=1000, max_pixels=10_000)
    assert problem_of(encode(noise_picture(4), "PNG"), "image/png", small) is MediaProblem.TOO_LARGE
    tall = encode(Image.new("RGB", (200, 200), "white"), "PNG")  # 40,000 pixels in few bytes
    assert problem_of(tall, "image/png", MediaLimits(max_pixels=10_000)) is MediaProblem.TOO_MANY_PIXELS


def test_formats_we_cannot_read_say_what_to_send_instead():
    with pytest.raises(MediaError, match="JPEG") as caught:
        decode_image(b"\x00\x00\x00\x18ftypheic", "image/heic", LIMITS)
    assert caught.value.problem is MediaProblem.UNSUPPORTED


def test_an_animated_webp_sticker_is_sampled_not_refused():
    frames = [text_picture([f"bingkai {i}"], (240, 120)) for i in range(9)]
    picture = decode_image(animated_webp(frames), "image/webp", MediaLimits(video_frames=3))
    assert picture.animated and picture.total_frames == 9 and len(picture.frames) == 3


def test_transparency_is_flattened_onto_white():
    sticker = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    picture = decode_image(encode(sticker, "PNG"), "image/png", LIMITS)
    assert picture.frames[0].getpixel((10, 10)) == (255, 255, 255)


def test_exif_rotation_is_applied():
    wide = noise_picture(5, (300, 100))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    picture = decode_image(encode(wide, "JPEG", exif=exif), "image/jpeg", LIMITS)
    assert picture.frames[0].size == (100, 300)


def test_sample_indices_spread_over_the_whole():
    assert sample_indices(3, 4) == [0, 1, 2]
    assert sample_indices(100, 4) == [0, 33, 66, 99]
    assert sample_indices(10, 1) == [0]
