"""The media services built from the settings: the reader (limits, OCR engine, transcriber), the
article-picture index and picture search. One place, so the CLI, the archive import and later the
workers get the same configuration (the composition root hands these out once it exists)."""

from __future__ import annotations

import logging
from typing import Any, Callable

from ..errors import OcrUnavailable
from ..settings import Settings
from .archive import ArticleImages
from .limits import MediaLimits
from .matching import LivePictureIndex, MatchThresholds
from .ocr import OcrEngine, load_ocr_engine
from .reader import MediaReader
from .search import PictureSearch, TextSearch

log = logging.getLogger(__name__)


def media_limits(settings: Settings) -> MediaLimits:
    return MediaLimits(max_image_bytes=settings.media_max_image_bytes,
                       max_video_bytes=settings.media_max_video_bytes,
                       max_audio_bytes=settings.media_max_audio_bytes, max_pixels=settings.media_max_pixels,
                       max_video_seconds=settings.media_max_video_seconds,
                       video_frames=settings.media_video_frames)


def ocr_engine(settings: Settings) -> OcrEngine | None:
    """The configured OCR engine, or None (logged once, with how to install one) when there is none."""
    try:
        return load_ocr_engine(settings.ocr_engine, settings.tessdata)
    except OcrUnavailable as exc:
        log.warning("pictures will be matched by their hash only: %s", exc)
        return None


def media_reader(settings: Settings) -> MediaReader:
    return MediaReader(media_limits(settings), ocr=ocr_engine(settings))


def match_thresholds(settings: Settings) -> MatchThresholds:
    return MatchThresholds(max_distance=settings.image_match_distance,
                           min_text_share=settings.image_text_match_share)


def picture_search(settings: Settings, store: Any, search: TextSearch,
                   get_article: Callable[[str], Any], reader: MediaReader | None = None) -> PictureSearch:
    return PictureSearch(reader or media_reader(settings), LivePictureIndex(ArticleImages(store)),
                         search, get_article, match_thresholds(settings))
