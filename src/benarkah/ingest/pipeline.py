"""Validate records into articles and upsert them in batches: a bad row is reported, never fatal."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Protocol, Sequence

from ..domain.articles import Article, article_from_record
from ..errors import InvalidArticle
from ..storage.base import UpsertOutcome
from .records import RawRecord, reader_for

if TYPE_CHECKING:
    from .images import ImageImporter, ImageRef

BATCH_SIZE = 500


@dataclass
class IngestReport:
    counts: Counter[str] = field(default_factory=Counter)
    rejections: list[tuple[str, str]] = field(default_factory=list)
    embedded: int = 0
    images: Counter[str] = field(default_factory=Counter)  # article pictures added / already known

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def summary(self) -> str:
        c = self.counts
        line = (f"{c['added']} added, {c['updated']} updated, {c['unchanged']} unchanged, "
                f"{self.rejected} rejected")
        extras = [f"{self.embedded} embedded"] if self.embedded else []
        if self.counts["duplicates"]:
            extras.append(f"{self.counts['duplicates']} duplicates merged")
        if self.images["added"]:
            extras.append(f"{self.images['added']} pictures")
        if extras:
            line += f" ({', '.join(extras)})"
        return line


RecordCallback = Callable[[int], None]


class Archive(Protocol):
    """Where articles go (``search.live.LiveIndex``: the store, noticed at once by this process's index)."""

    def upsert(self, articles: Sequence[Article]) -> list[UpsertOutcome]: ...


def records_from_paths(paths: Iterable[Path]) -> Iterator[RawRecord]:
    for path in paths:
        yield from reader_for(path)(path)


def ingest_records(
    archive: Archive,
    records: Iterable[RawRecord],
    on_record: RecordCallback | None = None,
    on_flush: Callable[[], None] | None = None,
    images: "ImageImporter | None" = None,
) -> IngestReport:
    """Upsert every valid record (last one wins for a repeated id); collect the reasons for the rest.

    ``on_flush`` runs after each batch is stored: the crawler marks URLs done only then, so an
    interrupted run never remembers a page as fetched that was not saved. With ``images``, the
    pictures a record names (``image``/``images``) are fetched and stored once its article is."""
    report = IngestReport()
    pending: dict[str, Article] = {}
    pictures: list["ImageRef"] = []
    seen = 0

    def flush() -> None:
        if pending:
            for outcome in archive.upsert(list(pending.values())):
                report.counts[outcome.value] += 1
            pending.clear()
        if pictures and images is not None:
            attached = images.attach(pictures)
            report.images.update(attached.counts)
            report.rejections.extend(attached.rejections)
            pictures.clear()
        if on_flush:
            on_flush()

    for record in records:
        seen += 1
        if record.error is not None:
            report.rejections.append((record.origin, record.error))
        else:
            try:
                article = article_from_record(record.fields or {})
                refs = _picture_refs(record, article.id) if images is not None else []
            except InvalidArticle as exc:
                report.rejections.append((record.origin, str(exc)))
            else:
                pending[article.id] = article  # a repeated id: the later row wins
                pictures.extend(refs)
                if len(pending) >= BATCH_SIZE:
                    flush()
        if on_record:
            on_record(seen)
    flush()
    return report


def _picture_refs(record: RawRecord, article_id: str) -> list["ImageRef"]:
    from .images import ImageRef, image_refs

    return [ImageRef(article_id, ref, record.origin, record.base) for ref in image_refs(record.fields or {})]
