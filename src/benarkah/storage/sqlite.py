"""SQLite backend: stdlib sqlite3, WAL, one connection per thread, migrations on open.

Every connection runs with ``secure_delete``: deleted rows and freed pages are overwritten with zeros
instead of lingering in free space, so what ``benarkah forget`` erases is gone from the file once
``scrub`` has checkpointed the write-ahead log (which still holds the older page images until then).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from ..errors import StorageError
from .migrations import load_migrations
from .base import Lock
from .records import CoreRecords, utcnow


class SQLiteStore(CoreRecords):
    """The embedded default. Safe across threads and processes (WAL + busy timeout)."""

    backend = "sqlite"
    Error = sqlite3.Error  # what portable code catches: ``except store.IntegrityError``
    IntegrityError = sqlite3.IntegrityError

    def __init__(self, path: Path, busy_timeout_ms: int = 10_000) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self._busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        if self.in_memory:
            pass  # sqlite3 opens ":memory:" itself: no file to create, nor one of that name
        elif self.path.parent and not self.path.parent.exists():
            raise StorageError(f"cannot create database {self.path}: folder {self.path.parent} does not exist")
        else:
            _create_private(self.path)
        self.migrate()

    @property
    def in_memory(self) -> bool:
        return self.location == ":memory:"

    # connections ---------------------------------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=self._busy_timeout_ms / 1000,
                                       isolation_level=None, check_same_thread=False)
            except sqlite3.Error as exc:
                raise StorageError(f"cannot open database {self.path}: {exc}") from exc
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA secure_delete = ON")
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self, lock: Lock = "store") -> Iterator[sqlite3.Connection]:  # noqa: ARG002
        """A write transaction (``BEGIN IMMEDIATE``: the write lock up front, so it never deadlocks
        upgrading a read lock); nested calls in the same thread are savepoints.

        SQLite locks the whole file, so ``lock`` ("store" or "rows") means the same here. Threads of
        one process queue on a lock before BEGIN: SQLite's own busy handler polls with sleeps of up to
        100 ms, which under load costs far more than the write itself; other processes still meet the
        busy timeout.
        """
        conn = self.connection()
        depth = getattr(self._local, "depth", 0)
        if depth:
            if not conn.in_transaction:  # SQLite itself rolled back the enclosing transaction
                raise StorageError("the enclosing transaction was rolled back by SQLite (disk full or I/O "
                                   "error); none of it was stored")
            with self._savepoint(conn, depth + 1):
                yield conn
            return
        with _write_lock(self.path):
            conn.execute("BEGIN IMMEDIATE")
            self._local.depth = 1
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:  # SQLite may already have rolled back (e.g. SQLITE_FULL)
                    conn.execute("ROLLBACK")
                raise
            else:
                try:
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:  # a failed COMMIT leaves the transaction open
                        conn.execute("ROLLBACK")
                    raise
            finally:
                self._local.depth = 0

    @contextmanager
    def _savepoint(self, conn: sqlite3.Connection, depth: int) -> Iterator[None]:
        name = f"benarkah_sp{depth}"
        conn.execute(f"SAVEPOINT {name}")
        self._local.depth = depth
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
            raise
        else:
            conn.execute(f"RELEASE {name}")
        finally:
            self._local.depth = depth - 1

    @contextmanager
    def wait_at_most(self, seconds: float) -> Iterator[None]:  # noqa: ARG002
        """Reads never wait on SQLite (WAL): nothing to bound; here for the ``Store`` protocol."""
        yield

    def close(self) -> None:
        with self._all_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    def migrate(self) -> None:
        try:
            conn = self.connection()
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)"
            )
            with self.transaction() as tx:
                done = {r[0] for r in tx.execute("SELECT version FROM schema_migrations")}
                for migration in load_migrations("sqlite"):
                    if migration.version in done:
                        continue
                    for statement in _split_sql(migration.sql):
                        tx.execute(statement)
                    tx.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                               (migration.version, migration.name, utcnow()))
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"{self.path} is not a usable benarkah database: {exc}") from exc

    def schema_version(self) -> int:
        row = self.connection().execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    def scrub(self, tables: Sequence[str] = (), attempts: int = 5) -> bool:  # noqa: ARG002 - one file
        """Copy every page into the database file and truncate the write-ahead log, so the page images
        from before an erasure (still holding the erased rows) leave the -wal file; the pages written
        since hold zeros where the rows were (``secure_delete``). False if readers or writers kept the
        log busy for ``attempts`` tries (each waits up to the busy timeout): run ``forget`` again."""
        conn = self.connection()
        for _ in range(attempts):
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            if busy == 0:
                return True
            time.sleep(0.05)
        return False

    def sender_tables(self) -> list[str]:
        """Tables with a ``sender_hash`` column. Found from the schema, so a migration that adds one
        is covered by ``erase_sender`` without anyone remembering to register it."""
        conn = self.connection()
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return [n for n in names
                if any(col[1] == "sender_hash" for col in conn.execute(f'PRAGMA table_info("{n}")'))]


def _create_private(path: Path) -> None:
    """Create a new database file readable by its owner only (0600, like the key file): it holds
    people's questions. SQLite gives its WAL and shared-memory files the database file's mode."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise StorageError(f"cannot create database {path}: {exc.strerror or exc}") from exc


_WRITE_LOCKS: dict[str, threading.Lock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock(path: Path) -> threading.Lock:
    key = str(Path(path).resolve())
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(key, threading.Lock())


def _split_sql(script: str) -> list[str]:
    """Statements of a migration file (no semicolons inside string literals in our migrations)."""
    statements, buffer = [], ""
    for line in script.splitlines():
        if line.strip().startswith("--"):
            continue
        buffer += line + "\n"
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
