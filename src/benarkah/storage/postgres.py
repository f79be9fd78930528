"""PostgreSQL backend: psycopg 3 with a connection pool, for several processes on several machines.

Same interface and same SQL seam as the SQLite store (``connection()`` / ``transaction()``, see
``pgcompat``), so feature modules run unchanged. The schema is a column-for-column twin of SQLite's
(timestamps as ISO-8601 text, flags as integers) so portable SQL compares values the same way.

``transaction(lock="store")`` (the default) first takes a database-wide advisory lock: the same
guarantee as SQLite's ``BEGIN IMMEDIATE`` (one writer at a time), so read-then-write code written for
SQLite stays correct across processes. Paths that are safe under PostgreSQL's own row locking (vectors,
queue inserts and completions, claims with ``FOR UPDATE SKIP LOCKED``) declare ``lock="rows"`` and scale out.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

import psycopg
from psycopg.adapt import Loader
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from ..domain.articles import Article
from ..errors import StorageError
from .base import Lock
from .migrations import load_migrations
from .pgcompat import PgConnection, row_factory
from .records import ARTICLE_COLUMNS, CoreRecords, row_to_article, utcnow

# A new connection gives up after 5 s, and one whose server vanished (no answer to what we sent) after
# 10 s (TCP_USER_TIMEOUT), instead of the kernel's minutes; a URL's own values are replaced.
CONNECT_OPTIONS = {"connect_timeout": 5, "tcp_user_timeout": 10_000, "keepalives": 1, "keepalives_idle": 30}

# Keys of pg_advisory_xact_lock; advisory locks are per database, so tenants never share them.
WRITE_LOCK = 0x62656E61  # "bena": serialises immediate transactions, like SQLite's write lock
MIGRATE_LOCK = 0x726B6168  # "rkah": one process migrates, the others wait and then find it done


class _NumericAsNumber(Loader):
    """``SUM``/``AVG`` return NUMERIC; SQLite gives int/float. Load them the SQLite way, not Decimal."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode("ascii")
        try:
            return int(text)
        except ValueError:
            return float(text)


def describe_url(url: str) -> str:
    """The URL without its password, for messages and ``store.location``."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(unparseable URL)"
    user = f"{parts['user']}@" if parts.get("user") else ""
    host = parts.get("host", "") or ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{host}{port}/{parts.get('dbname', '')}"


class PostgresStore(CoreRecords):
    """Durable state in PostgreSQL. Thread-safe; any number of processes may share one database."""

    backend = "postgresql"
    insertion_order = "seq"
    Error = psycopg.Error
    IntegrityError = psycopg.IntegrityError

    def __init__(self, url: str, min_size: int = 1, max_size: int = 10, timeout: float = 30.0) -> None:
        self.url = url
        self.location = describe_url(url)
        self._local = threading.local()
        self.identity_tables: frozenset[str] = frozenset()
        self._check_reachable(url)
        self.pool = ConnectionPool(
            url, min_size=min_size, max_size=max_size, timeout=timeout, open=False,
            kwargs={"autocommit": True, "row_factory": row_factory, **CONNECT_OPTIONS}, configure=_configure,
            name="benarkah")
        try:
            self.pool.open(wait=True, timeout=timeout)
        except PoolTimeout as exc:
            raise StorageError(f"cannot open a connection pool to {self.location}: {exc}") from exc
        self._facade = PgConnection(self)
        self.migrate()

    def _check_reachable(self, url: str) -> None:
        """One direct connection first, so a wrong URL fails at once with PostgreSQL's own reason."""
        try:
            with psycopg.connect(url, connect_timeout=10):
                pass
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
            raise StorageError(f"cannot connect to PostgreSQL at {self.location}: {reason}") from exc

    # connections ---------------------------------------------------------------------------------

    def connection(self) -> PgConnection:
        """Portable SQL with ``?`` placeholders; each statement commits itself (see ``pgcompat``)."""
        return self._facade

    def current_transaction(self) -> psycopg.Connection[Any] | None:
        return getattr(self._local, "conn", None)

    def checkout_timeout(self) -> float | None:
        """How long this thread waits for a pooled connection (None: the pool's 30 s)."""
        return getattr(self._local, "wait", None)

    @contextmanager
    def wait_at_most(self, seconds: float) -> Iterator[None]:
        """Within this block (this thread) waiting for a connection gives up after ``seconds`` with
        ``StorageError``: probes and the index's version check answer at once while PostgreSQL is down,
        instead of waiting out the pool's timeout."""
        previous = self.checkout_timeout()
        self._local.wait = seconds
        try:
            yield
        except PoolTimeout as exc:
            raise StorageError(f"PostgreSQL at {self.location} did not answer within {seconds:g} s") from exc
        finally:
            self._local.wait = previous

    @contextmanager
    def transaction(self, lock: Lock = "store") -> Iterator[PgConnection]:
        """A transaction; nested calls are savepoints. ``lock="store"`` serialises it with every other
        "store" transaction on this database (SQLite's ``BEGIN IMMEDIATE`` guarantee; taken when first
        asked for, also by a nested block, and held to the end of the outer transaction); ``"rows"``
        relies on PostgreSQL's row locks and constraints alone."""
        current = self.current_transaction()
        if current is not None:
            with current.transaction():
                if lock == "store":
                    current.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                yield PgConnection(self, current)
            return
        with self.pool.connection(timeout=self.checkout_timeout()) as conn:
            with conn.transaction():
                if lock == "store":
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                self._local.conn = conn
                try:
                    yield PgConnection(self, conn)
                finally:
                    self._local.conn = None

    def close(self) -> None:
        self.pool.close()

    def migrate(self) -> None:
        """Apply pending ``migrations/postgresql`` files in one transaction, one process at a time."""
        try:
            with self.pool.connection() as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
                conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                             "(version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
                done = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
                for migration in load_migrations("postgresql"):
                    if migration.version in done:
                        continue
                    conn.execute(migration.sql.encode("utf-8"))  # no parameters: several statements allowed
                    conn.execute("INSERT INTO schema_migrations VALUES (%s, %s, %s)",
                                 (migration.version, migration.name, utcnow()))
                self.identity_tables = frozenset(r[0] for r in conn.execute(
                    "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
                    "AND column_name = 'id' AND (is_identity = 'YES' OR column_default LIKE 'nextval(%%')"))
        except psycopg.Error as exc:
            raise StorageError(f"cannot migrate {self.location}: {exc}") from exc

    def schema_version(self) -> int:
        row = self._facade.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0) if row else 0

    def iter_articles(self) -> Iterator[Article]:
        """All articles in insertion order, streamed with a server-side cursor (archives can be large)."""
        with self.pool.connection() as conn, conn.transaction():
            with conn.cursor(name="benarkah_articles") as cursor:
                cursor.itersize = 2000
                cursor.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY seq")
                for row in cursor:
                    yield row_to_article(row)

    def scrub(self, tables: Sequence[str]) -> bool:
        """VACUUM the tables rows were erased from: their dead row versions are removed from the heap
        and indexes and the space is reused (PostgreSQL only overwrites it when reused, and its WAL
        files keep the change until recycled: docs/messaging.md#forget says what that means)."""
        try:
            with self.pool.connection() as conn:  # autocommit: VACUUM cannot run in a transaction
                for table in tables:
                    conn.execute(f'VACUUM "{table}"')  # names from the catalog, not from input
        except psycopg.Error:
            return False
        return True

    def sender_tables(self) -> list[str]:
        """Tables with a ``sender_hash`` column, found in the catalog (see ``SQLiteStore.sender_tables``)."""
        rows = self._facade.execute(
            "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t "
            "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
            "WHERE c.table_schema = current_schema() AND c.column_name = 'sender_hash' "
            "AND t.table_type = 'BASE TABLE' ORDER BY c.table_name").fetchall()
        return [r[0] for r in rows]


def _configure(conn: psycopg.Connection[Any]) -> None:
    conn.adapters.register_loader("numeric", _NumericAsNumber)
