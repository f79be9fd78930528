"""Sniffing: the bytes decide what a file is; a client's declared type is never asked."""

import pytest

from benarkah.errors import MediaError
from benarkah.media.kinds import MediaKind, MediaProblem, sniff
from tests.media.make import animated_webp, encode, lottie_sticker, noise_picture, text_picture, tiny_video


@pytest.mark.parametrize("fmt,mime", [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("GIF", "image/gif"),
                                      ("WEBP", "image/webp"), ("BMP", "image/bmp"), ("TIFF", "image/tiff")])
def test_pictures_are_known_by_their_signature(fmt, mime):
    found = sniff(encode(noise_picture(1), fmt))
    assert (found.kind, found.mime) == (MediaKind.IMAGE, mime)


def test_videos_voice_notes_and_animations():
    assert sniff(tiny_video([text_picture(["a"])])).kind is MediaKind.VIDEO
    assert sniff(b"OggS\x00\x02" + b"\x00" * 40) == sniff(b"OggS" + b"\x01" * 40)
    assert sniff(b"OggS\x00\x02" + b"\x00" * 40).kind is MediaKind.AUDIO  # WhatsApp/Telegram voice notes
    assert sniff(b"#!AMR\n" + b"\x00" * 20).mime == "audio/amr"
    assert sniff(b"\x00\x00\x00\x20ftypM4A " + b"\x00" * 20).kind is MediaKind.AUDIO
    assert sniff(animated_webp([noise_picture(1), noise_picture(2)])).mime == "image/webp"


@pytest.mark.parametrize("data,problem", [
    (b"", MediaProblem.EMPTY),
    (b"<!doctype html><html><body>bukan gambar</body></html>", MediaProblem.UNSUPPORTED),
    (b"%PDF-1.7\n%\xe2\xe3", MediaProblem.UNSUPPORTED),
    (b"PK\x03\x04" + b"\x00" * 30, MediaProblem.UNSUPPORTED),  # a ZIP (or an APK) named foto.jpg
    (b"MZ\x90\x00" + b"\x00" * 30, MediaProblem.UNSUPPORTED),  # a Windows executable
    (lottie_sticker(), MediaProblem.ANIMATED_STICKER),  # Telegram .tgs
])
def test_what_is_not_media_is_refused_with_the_reason(data, problem):
    with pytest.raises(MediaError) as caught:
        sniff(data)
    assert caught.value.problem == problem
    assert str(caught.value)  # a message an engineer can act on
