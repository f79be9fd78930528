from __future__ import annotations

import pytest

from benarkah.errors import OcrUnavailable
from benarkah.media.ocr import OcrEngine, load_ocr_engine


@pytest.fixture(scope="session")
def ocr() -> OcrEngine:
    """Tesseract with Indonesian data, or skip with how to install it (.ci/run installs it)."""
    try:
        return load_ocr_engine("tesseract")
    except OcrUnavailable as exc:
        pytest.skip(f"OCR tests need Tesseract's Indonesian data: {exc}")
