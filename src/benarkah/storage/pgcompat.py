"""The seam that lets portable SQL written for SQLite run unchanged on PostgreSQL.

Feature modules (messaging, crawl, dashboard) write one SQL text with ``?`` placeholders and go
through ``store.connection()`` / ``store.transaction()``. On PostgreSQL those return a
``PgConnection``: it rewrites the placeholders for psycopg, returns rows addressable by index and by
(case-insensitive) name like ``sqlite3.Row``, and fills ``cursor.lastrowid`` for tables with an
identity ``id`` column. Only SQL both engines understand is translated; SQLite-only functions
(``datetime('now')``, ``julianday``) are not: write them in Python.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Protocol, Sequence

from ..errors import StorageError

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool

_INSERT = re.compile(r"^\s*INSERT\s+(?:OR\s+(\w+)\s+)?INTO\s+(\"?[\w.]+\"?)", re.IGNORECASE)
_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)
_ON_CONFLICT = re.compile(r"\bON\s+CONFLICT\b", re.IGNORECASE)
_NAME = re.compile(r"[A-Za-z_]\w*")


# rows ----------------------------------------------------------------------------------------------

class Row(tuple):  # type: ignore[type-arg]
    """A result row: a tuple that also answers ``row["column"]`` (case-insensitive) and ``keys()``,
    like ``sqlite3.Row``, so code written against SQLite reads PostgreSQL rows unchanged."""

    __slots__ = ()
    _names: tuple[str, ...] = ()
    _index: dict[str, int] = {}

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            try:
                key = self._index[key.lower()]
            except KeyError:
                raise IndexError(f"No item with that key: {key!r}") from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


@lru_cache(maxsize=512)
def _row_class(names: tuple[str, ...]) -> type[Row]:
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        index.setdefault(name.lower(), position)  # like sqlite3.Row, the first column of a name wins
    return type("Row", (Row,), {"__slots__": (), "_names": names, "_index": index})


def row_factory(cursor: "psycopg.Cursor[Any]") -> Any:
    """psycopg row factory producing ``Row``s."""
    description = cursor.description
    if description is None:
        return tuple
    cls = _row_class(tuple(column.name for column in description))
    return cls


@dataclass
class Result:
    """What ``execute`` returns: a cursor already read to the end (the connection went back to the
    pool), with the parts of the DB-API cursor that portable code uses."""

    rows: list[Row]
    rowcount: int
    lastrowid: int | None
    description: Any = None
    _position: int = 0

    def fetchone(self) -> Row | None:
        if self._position >= len(self.rows):
            return None
        self._position += 1
        return self.rows[self._position - 1]

    def fetchmany(self, size: int = 1) -> list[Row]:
        chunk = self.rows[self._position:self._position + size]
        self._position += len(chunk)
        return chunk

    def fetchall(self) -> list[Row]:
        rest = self.rows[self._position:]
        self._position = len(self.rows)
        return rest

    def __iter__(self) -> Iterator[Row]:
        while (row := self.fetchone()) is not None:
            yield row

    def close(self) -> None:
        self._position = len(self.rows)


# SQL translation -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Translated:
    sql: str
    table: str | None  # the table of an INSERT (for lastrowid), else None
    returning_added: bool  # we appended RETURNING id to learn lastrowid


def _placeholders(sql: str, named: bool) -> str:
    """``?`` -> ``%s`` (``:name`` -> ``%(name)s`` when named) and ``%`` -> ``%%``, outside quotes."""
    out: list[str] = []
    i, n = 0, len(sql)
    quote: str | None = None
    while i < n:
        ch = sql[i]
        if quote:
            if ch == quote:
                quote = None
            out.append("%%" if ch == "%" else ch)
        elif ch in ("'", '"'):
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        elif ch == ":" and named and i + 1 < n and sql[i - 1:i] != ":" and sql[i + 1:i + 2] != ":":
            match = _NAME.match(sql, i + 1)
            if match:
                out.append(f"%({match.group(0)})s")
                i = match.end()
                continue
            out.append(ch)
        elif ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


@lru_cache(maxsize=1024)
def translate(sql: str, named: bool, identity_tables: frozenset[str]) -> Translated:
    """Rewrite one portable statement for psycopg (cached: statements are few and repeated)."""
    text = sql.strip().rstrip(";")
    table = None
    returning_added = False
    insert = _INSERT.match(text)
    if insert:
        mode, table = insert.group(1), insert.group(2).strip('"').split(".")[-1].lower()
        if mode:
            if mode.upper() != "IGNORE":
                raise StorageError(
                    f"INSERT OR {mode.upper()} is SQLite-only; write INSERT ... ON CONFLICT (...) DO UPDATE "
                    "so the statement runs on PostgreSQL too")
            text = _OR_IGNORE.sub("INSERT INTO", text, count=1)
            if not _ON_CONFLICT.search(text):
                text = _append_before_returning(text, " ON CONFLICT DO NOTHING")
        if table in identity_tables and not _RETURNING.search(text):
            text += " RETURNING id"
            returning_added = True
    return Translated(_placeholders(text, named), table, returning_added)


def _append_before_returning(text: str, clause: str) -> str:
    match = _RETURNING.search(text)
    if not match:
        return text + clause
    return text[:match.start()].rstrip() + clause + " " + text[match.start():]


def adapt_params(params: Any) -> Any:
    """SQLite stores ``True`` as 1; PostgreSQL refuses a boolean for an INTEGER column. Convert."""
    if params is None:
        return ()
    if isinstance(params, Mapping):
        return {k: int(v) if isinstance(v, bool) else v for k, v in params.items()}
    return tuple(int(v) if isinstance(v, bool) else v for v in params)


# the connection facade -------------------------------------------------------------------------

class PooledStore(Protocol):
    """What the facade needs of ``PostgresStore`` (a protocol, so the store can import this module)."""

    pool: "ConnectionPool[Any]"
    identity_tables: frozenset[str]

    def current_transaction(self) -> "psycopg.Connection[Any] | None": ...
    def checkout_timeout(self) -> float | None: ...


class PgConnection:
    """``store.connection()`` / ``store.transaction()`` on PostgreSQL.

    Outside a transaction each ``execute`` borrows a pooled connection in autocommit mode (like the
    SQLite store's autocommit connection) and returns it at once. Inside ``store.transaction()``
    every statement of this thread goes to that transaction's connection, so store methods called
    within a transaction take part in it, as they do on SQLite.
    """

    def __init__(self, store: PooledStore, bound: "psycopg.Connection[Any] | None" = None) -> None:
        self._store = store
        self._bound = bound

    def _target(self) -> "psycopg.Connection[Any] | None":
        return self._bound or self._store.current_transaction()

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> Result:
        conn = self._target()
        if conn is not None:
            return self._run(conn, sql, params)
        with self._store.pool.connection(timeout=self._store.checkout_timeout()) as pooled:
            return self._run(pooled, sql, params)

    def executemany(self, sql: str, seq_of_params: Iterable[Sequence[Any] | Mapping[str, Any]]) -> Result:
        rows = [adapt_params(p) for p in seq_of_params]
        named = bool(rows) and isinstance(rows[0], Mapping)
        translated = translate(sql, named, frozenset())  # no lastrowid for batches, as in sqlite3
        conn = self._target()
        if conn is not None:
            return _executemany(conn, translated.sql, rows)
        with self._store.pool.connection(timeout=self._store.checkout_timeout()) as pooled:
            return _executemany(pooled, translated.sql, rows)

    def _run(self, conn: "psycopg.Connection[Any]", sql: str, params: Any) -> Result:
        adapted = adapt_params(params)
        translated = translate(sql, isinstance(adapted, Mapping), self._store.identity_tables)
        with conn.cursor() as cursor:
            cursor.execute(translated.sql, adapted)
            rows = cursor.fetchall() if cursor.description is not None else []
            rowcount = cursor.rowcount
            description = cursor.description
        lastrowid = None
        if translated.returning_added:
            lastrowid = int(rows[0][0]) if rows else None
            rows, description = [], None  # the caller wrote no RETURNING: it sees no rows, as on SQLite
        elif translated.table is not None and rows and rowcount == 1 and description is not None:
            lastrowid = _id_of(rows[0])
        return Result(rows, rowcount, lastrowid, description)

    # sqlite3.Connection compatibility: autocommit connections make these no-ops.
    def commit(self) -> None:
        """No-op: outside ``transaction()`` every statement commits itself, as on the SQLite store."""

    def close(self) -> None:
        """No-op: connections belong to the store's pool (``store.close()`` closes it)."""


def _executemany(conn: "psycopg.Connection[Any]", sql: str, rows: list[Any]) -> Result:
    if not rows:
        return Result([], 0, None)
    with conn.cursor() as cursor:
        cursor.executemany(sql, rows)
        return Result([], cursor.rowcount, None)


def _id_of(row: Row) -> int | None:
    try:
        value = row["id"]
    except IndexError:
        return None
    return value if isinstance(value, int) else None
