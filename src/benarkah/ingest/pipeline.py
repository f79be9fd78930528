"""Validate records into articles and upsert them in batches: a bad row is reported, never fatal."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Protocol, Sequence

from ..domain.articles import Article, article_from_record
from ..domain.verdicts import Verdict, normalize_verdict
from ..errors import InputFormatError, InvalidArticle
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
    defaults: Counter[str] = field(default_factory=Counter)  # default verdict label -> rows given it

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    @property
    def without_verdict(self) -> int:
        """Stored rows that state no verdict and got no default: replies cannot say what was found."""
        return self.counts["no_verdict"]

    def summary(self) -> str:
        c = self.counts
        line = (f"{c['added']} added, {c['updated']} updated, {c['unchanged']} unchanged, "
                f"{self.rejected} rejected")
        extras = [f"{self.embedded} embedded"] if self.embedded else []
        if self.counts["duplicates"]:
            extras.append(f"{self.counts['duplicates']} duplicates merged")
        if self.images["added"]:
            extras.append(f"{self.images['added']} pictures")
        extras += [f"{n} given the default verdict {label}" for label, n in sorted(self.defaults.items())]
        if self.without_verdict:
            extras.append(f"{self.without_verdict} without a verdict")
        if extras:
            line += f" ({', '.join(extras)})"
        return line

    def verdict_warning(self) -> str | None:
        """What to tell the engineer when stored fact-checks state no verdict, or ``None``."""
        if not self.without_verdict:
            return None
        return (f"warning: {self.without_verdict:,} of {self.valid:,} fact-checks state no verdict (no verdict or "
                "verdict_label field, no verdict on the page, no \"[HOAKS]\"-style title prefix). Replies will name them as fact-checks "
                "by their publisher, without a verdict. If this source publishes only debunks, ingest it "
                "again with --default-verdict LABEL (e.g. --default-verdict SALAH), or set default under "
                "[verdict] in its site profile (docs/ingest.md).")

    @property
    def valid(self) -> int:
        return self.counts["valid"]


def check_default_verdict(label: str) -> str:
    """A ``--default-verdict`` label, checked: one benarkah maps to a verdict ("SALAH", "HOAKS", "false")."""
    label = " ".join(label.split())
    if label and normalize_verdict(label) is Verdict.OTHER:
        raise InputFormatError(f"--default-verdict {label!r} is not a verdict benarkah knows; use a label such as "
                               "SALAH, HOAKS, PENIPUAN, MENYESATKAN, SEBAGIAN BENAR or BENAR")
    return label


def apply_default_verdict(article: Article, label: str) -> Article:
    """The article with ``label`` as its verdict when it states none (no field, no label, no title prefix);
    as if the row had carried ``verdict: LABEL``."""
    if not label or article.verdict is not Verdict.OTHER or article.verdict_label:
        return article
    return article.with_changes(verdict=normalize_verdict(label), verdict_label=label)


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
    default_verdict: str = "",
) -> IngestReport:
    """Upsert every valid record (last one wins for a repeated id); collect the reasons for the rest.

    ``default_verdict`` (``--default-verdict``) is the verdict of rows that state none; without it a
    record's source may supply one (its site profile's ``[verdict] default``). Rows left without a
    verdict are counted: their replies cannot say what the fact-checkers found.

    ``on_flush`` runs after each batch is stored: the crawler marks URLs done only then, so an
    interrupted run never remembers a page as fetched that was not saved. With ``images``, the
    pictures a record names (``image``/``images``) are fetched and stored once its article is."""
    default_verdict = check_default_verdict(default_verdict)
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
                article = _with_verdict(article, default_verdict or record.default_verdict, report)
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


def _with_verdict(article: Article, label: str, report: IngestReport) -> Article:
    report.counts["valid"] += 1
    resolved = apply_default_verdict(article, label)
    if resolved is not article:
        report.defaults[label] += 1
    elif resolved.verdict is Verdict.OTHER and not resolved.verdict_label:
        report.counts["no_verdict"] += 1
    return resolved
