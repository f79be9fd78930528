"""The media services built from the settings: the reader (limits, OCR engine, transcriber; in reader
processes or in this one), the article-picture index and picture search, the examiner of people's
files and the store of the media kept with tips. One place, so the composition root, the CLI and
the archive import get the same configuration."""

from __future__ import annotations

import logging
from typing import Any, Callable

from ..domain.pictures import MediaType
from ..errors import OcrUnavailable
from ..settings import Settings
from .archive import ArticleImages
from .examine import Examiner
from .kept import KeptMediaStore
from .limits import MediaLimits
from .matching import LivePictureIndex, MatchThresholds
from .ocr import OcrEngine, load_ocr_engine
from .pool import InProcessReader, IsolatedReader, Reader, ReaderConfig, build_reader
from .reader import MediaReader
from .search import PictureSearch, TextSearch
from .vault import blob_stores

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


def reader_config(settings: Settings) -> ReaderConfig:
    return ReaderConfig(media_limits(settings), settings.ocr_engine, settings.tessdata)


def file_reader(settings: Settings) -> Reader:
    """How people's files are read: in ``media_workers`` reader processes (``media_isolated``, the
    default: bounded memory and time, crash-proof), else in the calling thread (the model loaded at
    the first file)."""
    config = reader_config(settings)
    if settings.media_isolated:
        return IsolatedReader(config, slots=max(1, settings.media_workers), memory_mb=settings.media_reader_memory_mb,
                              timeout=settings.media_read_timeout_seconds)
    return InProcessReader(lambda: build_reader(config))


def examiner(settings: Settings, store: Any, reader: Reader, search: TextSearch,
             get_article: Callable[[str], Any]) -> Examiner:
    pictures = PictureSearch(None, LivePictureIndex(ArticleImages(store)), search, get_article,
                             match_thresholds(settings))
    return Examiner(reader, pictures, media_limits(settings))


def kept_media(settings: Settings, store: Any) -> KeptMediaStore:
    writer, readers = blob_stores(settings, store)
    return KeptMediaStore(store, writer, readers, settings.media_retention_days, match_thresholds(settings))


def download_limits(settings: Settings) -> dict[MediaType, int]:
    """Bytes the media lane downloads per kind of file (a document may be a video: the sniffed kind's
    own limit applies once the bytes are in)."""
    return {MediaType.IMAGE: settings.media_max_image_bytes, MediaType.STICKER: settings.media_max_image_bytes,
            MediaType.VIDEO: settings.media_max_video_bytes, MediaType.AUDIO: settings.media_max_audio_bytes,
            MediaType.DOCUMENT: max(settings.media_max_image_bytes, settings.media_max_video_bytes)}
