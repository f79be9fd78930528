"""Reading the text in a picture, offline, behind one seam (``OcrEngine``).

Two engines were measured on 400 rendered hoax screenshots (benchmarks/media.py, numbers in
docs/benchmarks/media.md and the README's dependency table): Tesseract 5 with the ``ind`` language
data through tesserocr, whose wheel bundles libtesseract, and RapidOCR (PP-OCR ONNX models bundled in
its wheel). ``auto`` picks Tesseract when its Indonesian data is installed, else RapidOCR when it is
installed, else says plainly that no OCR is available (hash matching still works without one).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, Sequence

from PIL import Image, ImageOps

from ..errors import OcrUnavailable

TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata", "/usr/share/tessdata",
    "/usr/local/share/tessdata", "/opt/homebrew/share/tessdata", "/usr/local/share/tesseract-ocr/tessdata",
)
INSTALL_HINT = ("install Tesseract's Indonesian data (Debian/Ubuntu: apt-get install tesseract-ocr-ind; "
                "macOS: brew install tesseract-lang) or set BENARKAH_TESSDATA to a folder holding "
                "ind.traineddata; or pip install 'benarkah[rapidocr]' and set BENARKAH_OCR_ENGINE=rapidocr")


@dataclass(frozen=True)
class OcrLine:
    text: str
    confidence: float  # 0..1
    box: tuple[int, int, int, int]  # left, top, right, bottom in the pixels of the picture read
    paragraph_start: bool = False


@dataclass(frozen=True)
class OcrResult:
    lines: tuple[OcrLine, ...]
    width: int
    height: int

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


class OcrEngine(Protocol):
    name: str

    def read(self, image: Image.Image) -> OcrResult: ...


def find_tessdata(explicit: str = "", language: str = "ind") -> Path | None:
    """The first folder holding ``<language>.traineddata``: the setting, $TESSDATA_PREFIX, the usual places."""
    for folder in (explicit, os.environ.get("TESSDATA_PREFIX", ""), *TESSDATA_DIRS):
        if folder and (Path(folder) / f"{language}.traineddata").is_file():
            return Path(folder)
    return None


class TesseractEngine:
    """Tesseract 5 (LSTM) through tesserocr. One API object per thread: they are not thread-safe, and
    each holds only the ~10 MB model, so a worker thread pool pays little for its own."""

    def __init__(self, tessdata: Path, languages: str = "ind") -> None:
        import tesserocr  # noqa: F401 - fail here, at construction, when the wheel is missing

        self.tessdata = tessdata
        self.languages = languages
        self.name = f"tesseract-{languages}"
        self._local = threading.local()
        self._api()  # a broken data folder is reported now, not at the first picture

    def _api(self) -> Any:
        api = getattr(self._local, "api", None)
        if api is None:
            import tesserocr

            try:
                api = tesserocr.PyTessBaseAPI(path=str(self.tessdata) + os.sep, lang=self.languages,
                                              psm=tesserocr.PSM.AUTO)
            except RuntimeError as exc:
                raise OcrUnavailable(f"Tesseract cannot load {self.languages!r} from {self.tessdata}: {exc}; "
                                     + INSTALL_HINT) from None
            self._local.api = api
        return api

    def read(self, image: Image.Image) -> OcrResult:
        import tesserocr

        api = self._api()
        api.SetImage(image)
        api.Recognize()
        level = tesserocr.RIL.TEXTLINE
        lines = []
        iterator = api.GetIterator()
        if iterator is not None:
            for item in tesserocr.iterate_level(iterator, level):
                try:
                    text = " ".join((item.GetUTF8Text(level) or "").split())
                except RuntimeError:  # tesserocr's "No text returned" for an empty line
                    continue
                box = item.BoundingBox(level)
                if text and box is not None:
                    lines.append(OcrLine(text, item.Confidence(level) / 100.0, tuple(box),
                                         paragraph_start=item.IsAtBeginningOf(tesserocr.RIL.PARA)))
        api.Clear()
        return OcrResult(tuple(lines), image.width, image.height)


class RapidOcrEngine:
    """RapidOCR 3 (PP-OCRv6 small multilingual detector and recogniser, ONNX Runtime). Its wheel carries
    the default models; ``read`` never downloads (checked with the network absent)."""

    def __init__(self, threads: int = 0) -> None:
        try:
            from rapidocr import RapidOCR
        except ImportError:
            raise OcrUnavailable("RapidOCR is not installed: pip install 'benarkah[rapidocr]'") from None
        params: dict[str, Any] = {"Global.log_level": "error"}
        if threads:
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
        self._engine = RapidOCR(params=params)
        self._lock = threading.Lock()
        self.name = "rapidocr-ppocrv6"

    def read(self, image: Image.Image) -> OcrResult:
        with self._lock:
            output = self._engine(image.convert("RGB"))
        lines = []
        boxes: Sequence[Any] = output.boxes if output.boxes is not None else ()
        for box, text, score in zip(boxes, output.txts or (), output.scores or ()):
            xs = [int(p[0]) for p in box]
            ys = [int(p[1]) for p in box]
            if text.strip():
                lines.append(OcrLine(" ".join(text.split()), float(score), (min(xs), min(ys), max(xs), max(ys))))
        return OcrResult(tuple(lines), image.width, image.height)


def load_ocr_engine(choice: str = "auto", tessdata: str = "") -> OcrEngine:
    """The configured engine (``auto``, ``tesseract``, ``rapidocr``); ``OcrUnavailable`` says how to get one."""
    if choice == "none":
        raise OcrUnavailable("OCR is switched off (BENARKAH_OCR_ENGINE=none)")
    if choice in ("auto", "tesseract"):
        folder = find_tessdata(tessdata)
        try:
            import tesserocr  # noqa: F401
        except ImportError:
            folder = None
            if choice == "tesseract":
                raise OcrUnavailable("tesserocr is not installed: pip install tesserocr") from None
        if folder is not None:
            return TesseractEngine(folder)
        if choice == "tesseract":
            raise OcrUnavailable("Tesseract's Indonesian language data (ind.traineddata) was not found: "
                                 + INSTALL_HINT)
    if choice in ("auto", "rapidocr"):
        try:
            return RapidOcrEngine()
        except OcrUnavailable:
            if choice == "rapidocr":
                raise
    if choice not in ("auto", "tesseract", "rapidocr"):
        raise OcrUnavailable(f"unknown OCR engine {choice!r}: use auto, tesseract, rapidocr or none")
    raise OcrUnavailable("no OCR engine is available: " + INSTALL_HINT)


def prepare_for_ocr(image: Image.Image, max_side: int) -> Image.Image:
    """Grey, at most ``max_side`` pixels long, dark text on light: dark-mode screenshots are inverted
    (both engines read dark-on-light best), phone photos scaled down (a 4000 px photo costs 4x the
    time of a 2000 px one and reads no better)."""
    grey = image.convert("L")
    longest = max(grey.size)
    if longest > max_side:
        scale = max_side / longest
        grey = grey.resize((max(1, round(grey.width * scale)), max(1, round(grey.height * scale))),
                           Image.Resampling.LANCZOS)
    histogram = grey.histogram()
    dark = sum(histogram[:100])
    if dark > 0.5 * grey.width * grey.height:
        grey = ImageOps.invert(grey)
    return grey
