"""PostgreSQL backend: psycopg 3 with a connection pool, for several processes on several machines.

Same interface and same SQL seam as the SQLite store (``connection()`` / ``transaction()``, see
``pgcompat``), so feature modules run unchanged. The schema is a column-for-column twin of SQLite's
(timestamps as ISO-8601 text, flags as integers) so portable SQL compares values the same way.

``transaction()`` (immediate, the default) first takes a database-wide advisory lock: the same
guarantee as SQLite's ``BEGIN IMMEDIATE`` (one writer at a time), so read-then-write code written for
SQLite stays correct across processes. Hot paths that are safe under PostgreSQL's own row locking
(``add_tip``, ``log_interaction``, sessions, queue claims with ``FOR UPDATE SKIP LOCKED``) use
``transaction(immediate=False)`` and scale out.
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Iterable, Iterator, Sequence

import numpy as np
import psycopg
from psycopg.adapt import Loader
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from ..domain.articles import Article
from ..domain.verdicts import normalize_verdict
from ..errors import StorageError
from .base import Interaction, Tip, UpsertOutcome
from .migrations import load_migrations
from .pgcompat import PgConnection, Row, row_factory
from .sqlite import MAX_STORED_TEXT, utcnow

# Keys of pg_advisory_xact_lock; advisory locks are per database, so tenants never share them.
WRITE_LOCK = 0x62656E61  # "bena": serialises immediate transactions, like SQLite's write lock
MIGRATE_LOCK = 0x726B6168  # "rkah": one process migrates, the others wait and then find it done

_ARTICLE_COLUMNS = (
    "id, url, title, text, summary, claim, verdict, verdict_label, published, publisher, topic, "
    "language, extra_urls"
)


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


def _row_to_article(row: Row) -> Article:
    return Article(
        id=row["id"], url=row["url"], title=row["title"], text=row["text"], summary=row["summary"],
        claim=row["claim"], verdict=normalize_verdict(row["verdict"]), verdict_label=row["verdict_label"],
        published=date.fromisoformat(row["published"]) if row["published"] else None,
        publisher=row["publisher"], topic=row["topic"], language=row["language"],
        extra_urls=tuple(json.loads(row["extra_urls"] or "[]")),
    )


class PostgresStore:
    """Durable state in PostgreSQL. Thread-safe; any number of processes may share one database."""

    backend = "postgresql"
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
            kwargs={"autocommit": True, "row_factory": row_factory}, configure=_configure,
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

    @contextmanager
    def transaction(self, immediate: bool = True) -> Iterator[PgConnection]:
        """A transaction; ``immediate`` serialises it with every other immediate transaction on this
        database (SQLite's ``BEGIN IMMEDIATE`` guarantee). Nested calls become savepoints."""
        current = self.current_transaction()
        if current is not None:
            with current.transaction():
                yield PgConnection(self, current)
            return
        with self.pool.connection() as conn:
            with conn.transaction():
                if immediate:
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

    # articles ------------------------------------------------------------------------------------

    def upsert_articles(self, articles: Sequence[Article]) -> list[UpsertOutcome]:
        outcomes: list[UpsertOutcome] = []
        now = utcnow()
        with self.transaction() as tx:  # immediate: concurrent ingests of one id never collide
            known = {r[0]: r[1] for r in tx.execute(
                "SELECT id, content_hash FROM articles WHERE id = ANY(?)", ([a.id for a in articles],))}
            for article in articles:
                digest = article.content_hash()
                if known.get(article.id) == digest:
                    outcomes.append(UpsertOutcome.UNCHANGED)
                    continue
                record = article.to_record()
                values = (
                    article.id, article.url, article.title, article.text, article.summary, article.claim,
                    record["verdict"], article.verdict_label, record["published"], article.publisher,
                    article.topic, article.language, json.dumps(record["extra_urls"], ensure_ascii=False),
                    digest,
                )
                if article.id not in known:
                    tx.execute(f"INSERT INTO articles ({_ARTICLE_COLUMNS}, content_hash, created_at, updated_at) "
                               "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (*values, now, now))
                    outcomes.append(UpsertOutcome.ADDED)
                else:
                    tx.execute(
                        "UPDATE articles SET url=?, title=?, text=?, summary=?, claim=?, verdict=?, "
                        "verdict_label=?, published=?, publisher=?, topic=?, language=?, extra_urls=?, "
                        "content_hash=?, updated_at=? WHERE id=?", (*values[1:], now, article.id))
                    outcomes.append(UpsertOutcome.UPDATED)
                known[article.id] = digest
            if any(o is not UpsertOutcome.UNCHANGED for o in outcomes):
                tx.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
                           "WHERE key = 'articles_version'")
        return outcomes

    def get_article(self, article_id: str) -> Article | None:
        row = self._facade.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()
        return _row_to_article(row) if row else None

    def iter_articles(self) -> Iterator[Article]:
        """All articles in insertion order, streamed with a server-side cursor (archives can be large)."""
        with self.pool.connection() as conn, conn.transaction():
            with conn.cursor(name="benarkah_articles") as cursor:
                cursor.itersize = 2000
                cursor.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY seq")
                for row in cursor:
                    yield _row_to_article(row)

    def count_articles(self) -> int:
        return int(self._facade.execute("SELECT COUNT(*) FROM articles").fetchone()[0])  # type: ignore[index]

    def latest_articles(self, limit: int) -> list[Article]:
        rows = self._facade.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY published IS NULL, published DESC, seq DESC "
            "LIMIT ?", (limit,)).fetchall()
        return [_row_to_article(r) for r in rows]

    def articles_version(self) -> int:
        row = self._facade.execute("SELECT value FROM meta WHERE key = 'articles_version'").fetchone()
        return int(row[0])  # type: ignore[index]

    # vectors -------------------------------------------------------------------------------------

    def load_vectors(self, model: str) -> dict[str, tuple[str, np.ndarray]]:
        rows = self._facade.execute(
            "SELECT article_id, text_hash, vector FROM article_vectors WHERE model = ?", (model,))
        return {r[0]: (r[1], np.frombuffer(r[2], dtype=np.float32)) for r in rows}

    def save_vectors(self, model: str, rows: Iterable[tuple[str, str, np.ndarray]]) -> None:
        with self.transaction(immediate=False) as tx:
            tx.executemany(
                "INSERT INTO article_vectors (article_id, model, text_hash, vector) VALUES (?,?,?,?) "
                "ON CONFLICT (article_id, model) DO UPDATE SET text_hash=excluded.text_hash, vector=excluded.vector",
                [(aid, model, h, np.asarray(v, dtype=np.float32).tobytes()) for aid, h, v in rows])

    # tips, interactions, sessions -----------------------------------------------------------------

    def add_tip(self, channel: str, sender_hash: str, text: str) -> int:
        row = self._facade.execute(
            "INSERT INTO tips (created_at, channel, sender_hash, text) VALUES (?,?,?,?) RETURNING id",
            (utcnow(), channel, sender_hash, text[:MAX_STORED_TEXT])).fetchone()
        return int(row[0])  # type: ignore[index]

    def list_tips(self, limit: int = 100, status: str | None = None) -> list[Tip]:
        sql = "SELECT id, created_at, channel, sender_hash, text, status, cluster_id FROM tips"
        params: tuple[Any, ...] = ()
        if status:
            sql += " WHERE status = ?"
            params = (status,)
        rows = self._facade.execute(sql + " ORDER BY id DESC LIMIT ?", (*params, limit)).fetchall()
        return [Tip(id=r[0], created_at=datetime.fromisoformat(r[1]), channel=r[2], sender_hash=r[3],
                    text=r[4], status=r[5], cluster_id=r[6]) for r in rows]

    def log_interaction(self, interaction: Interaction) -> None:
        self._facade.execute(
            "INSERT INTO interactions (created_at, channel, sender_hash, text, intent, matched, "
            "top_article_id, confidence) VALUES (?,?,?,?,?,?,?,?)",
            (utcnow(), interaction.channel, interaction.sender_hash, interaction.text[:500],
             interaction.intent, None if interaction.matched is None else int(interaction.matched),
             interaction.top_article_id, interaction.confidence))

    def get_session(self, channel: str, sender_hash: str) -> dict[str, Any] | None:
        row = self._facade.execute(
            "SELECT state FROM sessions WHERE channel = ? AND sender_hash = ?", (channel, sender_hash)).fetchone()
        return json.loads(row[0]) if row else None

    def put_session(self, channel: str, sender_hash: str, state: dict[str, Any]) -> None:
        self._facade.execute(
            "INSERT INTO sessions (channel, sender_hash, state, updated_at) VALUES (?,?,?,?) "
            "ON CONFLICT (channel, sender_hash) DO UPDATE SET state=excluded.state, updated_at=excluded.updated_at",
            (channel, sender_hash, json.dumps(state, ensure_ascii=False), utcnow()))

    def sender_tables(self) -> list[str]:
        """Tables with a ``sender_hash`` column, found in the catalog (see ``SQLiteStore.sender_tables``)."""
        rows = self._facade.execute(
            "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t "
            "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
            "WHERE c.table_schema = current_schema() AND c.column_name = 'sender_hash' "
            "AND t.table_type = 'BASE TABLE' ORDER BY c.table_name").fetchall()
        return [r[0] for r in rows]

    def erase_sender(self, sender_hash: str) -> int:
        """Delete every row of one person in every table that has a ``sender_hash`` column."""
        tables = self.sender_tables()
        with self.transaction() as tx:
            return sum(tx.execute(f'DELETE FROM "{table}" WHERE sender_hash = ?', (sender_hash,)).rowcount
                       for table in tables)


def _configure(conn: psycopg.Connection[Any]) -> None:
    conn.adapters.register_loader("numeric", _NumericAsNumber)
