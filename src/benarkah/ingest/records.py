"""Readers for structured exports (JSONL, CSV): each yields records or per-row errors, never aborts.

A reader yields ``RawRecord``: where it came from (for error messages) and either the fields or the
reason the row could not be read. Other sources (HTML pages, feeds) plug in through ``READERS``.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from ..errors import InputFormatError

MAX_LINE_BYTES = 2_000_000


@dataclass(frozen=True)
class RawRecord:
    origin: str  # "file.jsonl:12"
    fields: dict[str, Any] | None = None
    error: str | None = None
    base: str = ""  # the folder of the file it came from: relative picture paths are taken against it
    default_verdict: str = ""  # the source's verdict for rows that carry none (its site profile's)


def read_jsonl(path: Path) -> Iterator[RawRecord]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            origin = f"{path.name}:{number}"
            if len(raw) > MAX_LINE_BYTES:
                yield RawRecord(origin, error=f"line is {len(raw):,} bytes; the limit is {MAX_LINE_BYTES:,}")
                continue
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield RawRecord(origin, error=f"not UTF-8 text ({exc.reason} at byte {exc.start})")
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield RawRecord(origin, error=f"invalid JSON: {exc.msg} (column {exc.colno})")
                continue
            if not isinstance(value, dict):
                yield RawRecord(origin, error=f"expected a JSON object, got {type(value).__name__}")
                continue
            yield RawRecord(origin, fields=value, base=str(path.resolve().parent))


def _decode_text(data: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputFormatError(f"{path}: cannot decode as UTF-8 or Windows-1252; save it as UTF-8")


def read_csv(path: Path) -> Iterator[RawRecord]:
    text = _decode_text(path.read_bytes(), path)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    if not reader.fieldnames or "id" not in [f.strip().lower() for f in reader.fieldnames]:
        raise InputFormatError(f"{path}: the first row must be a header naming at least 'id' and 'title'")
    try:
        for number, row in enumerate(reader, start=2):
            origin = f"{path.name}:{number}"
            if None in row:
                yield RawRecord(origin, error="more values than header columns")
                continue
            yield RawRecord(origin, fields={(k or "").strip().lower(): v for k, v in row.items()},
                            base=str(path.resolve().parent))
    except csv.Error as exc:
        yield RawRecord(f"{path.name}:{reader.line_num}", error=f"unreadable CSV: {exc}")


Reader = Callable[[Path], Iterator[RawRecord]]

READERS: dict[str, Reader] = {
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".json": read_jsonl,
    ".csv": read_csv,
    ".tsv": read_csv,
}


def reader_for(path: Path) -> Reader:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise InputFormatError(f"{path}: don't know how to read {path.suffix or 'files without an extension'} "
                               f"(known: {known})")
    return reader
