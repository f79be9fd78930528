"""Validate records into articles and upsert them in batches: a bad row is reported, never fatal."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol, Sequence

from ..domain.articles import Article, article_from_record
from ..errors import InvalidArticle
from ..storage.base import UpsertOutcome
from .records import RawRecord, reader_for

BATCH_SIZE = 500


@dataclass
class IngestReport:
    counts: Counter[str] = field(default_factory=Counter)
    rejections: list[tuple[str, str]] = field(default_factory=list)
    embedded: int = 0

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
) -> IngestReport:
    """Upsert every valid record (last one wins for a repeated id); collect the reasons for the rest.

    ``on_flush`` runs after each batch is stored: the crawler marks URLs done only then, so an
    interrupted run never remembers a page as fetched that was not saved."""
    report = IngestReport()
    pending: dict[str, Article] = {}
    seen = 0

    def flush() -> None:
        if pending:
            for outcome in archive.upsert(list(pending.values())):
                report.counts[outcome.value] += 1
            pending.clear()
        if on_flush:
            on_flush()

    for record in records:
        seen += 1
        if record.error is not None:
            report.rejections.append((record.origin, record.error))
        else:
            try:
                article = article_from_record(record.fields or {})
            except InvalidArticle as exc:
                report.rejections.append((record.origin, str(exc)))
            else:
                pending[article.id] = article  # a repeated id: the later row wins
                if len(pending) >= BATCH_SIZE:
                    flush()
        if on_record:
            on_record(seen)
    flush()
    return report
