"""Pictures for fact-check articles: from JSONL rows (``image``/``images``), from pages (the article's own
pictures and ``og:image``) and from ``benarkah images add``. Each is fetched (a file beside the JSONL,
or a URL through the polite crawler), read within the media limits (PDQ hash, OCR text) and stored.

A picture that cannot be fetched or read is reported with its reason and never stops the batch.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from ..errors import BenarkahError, FetchError, InvalidArticle
from ..media.archive import ArticleImages
from ..media.reader import MediaReader
from .crawler import Crawler
from .sources import is_url

MAX_IMAGES_PER_ARTICLE = 8
MAX_REF_CHARS = 2000


@dataclass(frozen=True)
class ImageRef:
    article_id: str
    ref: str  # a URL, or a path (relative ones are taken against ``base``)
    origin: str  # where it was named, for messages: "articles.jsonl:12"
    base: str = ""


@dataclass
class ImageReport:
    counts: Counter[str] = field(default_factory=Counter)  # added, known
    rejections: list[tuple[str, str]] = field(default_factory=list)


def image_refs(fields: dict[str, Any]) -> list[str]:
    """The picture references of a record: ``image`` (one) and/or ``images`` (a list), in order."""
    refs: list[str] = []
    for name in ("image", "images"):
        value = fields.get(name)
        if value in (None, "", []):
            continue
        values = value if isinstance(value, list) else [value]
        for item in values:
            if not isinstance(item, str) or not item.strip():
                raise InvalidArticle(f"field {name!r} must be a path or URL (or a list of them)")
            if len(item) > MAX_REF_CHARS:
                raise InvalidArticle(f"field {name!r} has a reference of {len(item):,} characters")
            refs.append(item.strip())
    return list(dict.fromkeys(refs))[:MAX_IMAGES_PER_ARTICLE]


class ImageImporter:
    """Fetches, reads and stores article pictures. The crawler comes from the caller (page ingest
    shares its own, so one host's pages and pictures wait their turn together)."""

    def __init__(self, images: ArticleImages, reader: MediaReader | Callable[[], MediaReader],
                 crawler: Callable[[], Crawler]) -> None:
        self.images = images
        self._reader = reader
        self._crawler = crawler

    @property
    def reader(self) -> MediaReader:
        if not isinstance(self._reader, MediaReader):
            self._reader = self._reader()  # the OCR engine loads only when a picture comes
        return self._reader

    def attach(self, refs: Iterable[ImageRef], report: ImageReport | None = None) -> ImageReport:
        report = report or ImageReport()
        for ref in refs:
            where = f"{ref.origin} picture {ref.ref[:120]}"
            source = ref.ref if is_url(ref.ref) else str(self._path(ref))
            try:
                if self.images.has(ref.article_id, source):
                    report.counts["known"] += 1
                    continue
                read = self.reader.read(self._load(ref))
                added = self.images.add(ref.article_id, source, read,
                                        ocr_engine=self.reader.ocr.name if self.reader.ocr else "")
            except BenarkahError as exc:
                report.rejections.append((where, str(exc)))
                continue
            report.counts["added" if added else "known"] += 1
        return report

    def _path(self, ref: ImageRef) -> Path:
        path = Path(ref.ref)
        return path if path.is_absolute() or not ref.base else Path(ref.base) / path

    def _load(self, ref: ImageRef) -> bytes:
        limit = self.reader.limits.max_image_bytes
        if is_url(ref.ref):
            fetched = self._crawler().fetch(ref.ref, conditional=False)
            if len(fetched.content) > limit:
                raise FetchError(f"{len(fetched.content):,} bytes; the picture limit is {limit:,}")
            return fetched.content
        path = self._path(ref)
        if not path.is_file():
            raise FetchError(f"no such file: {path}")
        size = path.stat().st_size
        if size > limit:
            raise FetchError(f"{size:,} bytes; the picture limit is {limit:,}")
        return path.read_bytes()


def image_importer(settings: Any, store: Any, crawler: Callable[[], Crawler]) -> ImageImporter:
    """The importer for ``benarkah ingest`` and ``benarkah images add`` (the reader loads lazily)."""
    from ..media.service import media_reader

    return ImageImporter(ArticleImages(store), lambda: media_reader(settings), crawler)


def attach_from_records(importer: ImageImporter, store: Any, records: Iterable[Any]) -> ImageReport:
    """``benarkah images add``: each record names an existing article (``id``) and its picture(s)."""
    report = ImageReport()
    for record in records:
        if record.error is not None:
            report.rejections.append((record.origin, record.error))
            continue
        fields = record.fields or {}
        article_id = str(fields.get("id") or "").strip()
        try:
            if not article_id:
                raise InvalidArticle("missing required field 'id'")
            refs = image_refs(fields)
            if not refs:
                raise InvalidArticle("no 'image' (or 'images') to add")
        except InvalidArticle as exc:
            report.rejections.append((record.origin, str(exc)))
            continue
        if store.get_article(article_id) is None:
            report.rejections.append((record.origin, f"no article with id {article_id!r} in the archive"))
            continue
        importer.attach([ImageRef(article_id, ref, record.origin, record.base) for ref in refs], report)
    return report
