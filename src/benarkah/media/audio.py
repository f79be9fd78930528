"""Voice notes and audio: the transcriber seam, honest about having nothing behind it.

No speech-recognition model small and good enough for Indonesian ships inside a Python package that
installs offline, so the default ``Transcriber`` says it is not available. The audio itself is still
kept with the tip (phase 2) so a fact-checker can listen; a newsroom with a speech model plugs it in
here and every channel gets transcripts.
"""

from __future__ import annotations

from typing import Protocol

from ..errors import MediaError
from .kinds import MediaProblem


class Transcriber(Protocol):
    name: str
    available: bool

    def transcribe(self, data: bytes, mime: str) -> str: ...


class NoTranscriber:
    """The default: says, with the reason, that voice notes cannot be transcribed here."""

    name = "none"
    available = False

    def transcribe(self, data: bytes, mime: str) -> str:
        raise MediaError(MediaProblem.AUDIO_UNSUPPORTED, "voice notes and audio cannot be transcribed: no "
                         "speech model is installed; the claim needs to be sent as text or a picture")
