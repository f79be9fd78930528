"""SQLite backend: stdlib sqlite3, WAL, one connection per thread, migrations on open."""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from ..domain.articles import Article
from ..domain.verdicts import normalize_verdict
from ..errors import StorageError
from .base import Interaction, Tip, UpsertOutcome
from .migrations import load_migrations

MAX_STORED_TEXT = 10_000


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


_ARTICLE_COLUMNS = (
    "id, url, title, text, summary, claim, verdict, verdict_label, published, publisher, topic, "
    "language, extra_urls"
)


def _row_to_article(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"], url=row["url"], title=row["title"], text=row["text"], summary=row["summary"],
        claim=row["claim"], verdict=normalize_verdict(row["verdict"]), verdict_label=row["verdict_label"],
        published=date.fromisoformat(row["published"]) if row["published"] else None,
        publisher=row["publisher"], topic=row["topic"], language=row["language"],
        extra_urls=tuple(json.loads(row["extra_urls"] or "[]")),
    )


class SQLiteStore:
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
        if self.path.parent and not self.path.parent.exists():
            raise StorageError(f"cannot create database {self.path}: folder {self.path.parent} does not exist")
        self.migrate()

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
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self, immediate: bool = True) -> Iterator[sqlite3.Connection]:
        """A write transaction; BEGIN IMMEDIATE takes the write lock up front to avoid upgrade deadlocks.

        Nested calls (in the same thread) join the outer transaction, so a caller can make several
        store methods one atomic unit. Threads of one process queue on a lock before BEGIN: SQLite's
        own busy handler polls with sleeps of up to 100 ms, which under load costs far more than the
        write itself; other processes still meet the busy timeout.
        """
        conn = self.connection()
        if conn.in_transaction:
            yield conn
            return
        with _write_lock(self.path):
            conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")

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

    # articles ------------------------------------------------------------------------------------

    def upsert_articles(self, articles: Sequence[Article]) -> list[UpsertOutcome]:
        outcomes: list[UpsertOutcome] = []
        now = utcnow()
        with self.transaction() as tx:
            for article in articles:
                digest = article.content_hash()
                row = tx.execute("SELECT content_hash FROM articles WHERE id = ?", (article.id,)).fetchone()
                if row is not None and row[0] == digest:
                    outcomes.append(UpsertOutcome.UNCHANGED)
                    continue
                record = article.to_record()
                values = (
                    article.id, article.url, article.title, article.text, article.summary, article.claim,
                    record["verdict"], article.verdict_label, record["published"], article.publisher,
                    article.topic, article.language, json.dumps(record["extra_urls"], ensure_ascii=False),
                    digest,
                )
                if row is None:
                    tx.execute(f"INSERT INTO articles ({_ARTICLE_COLUMNS}, content_hash, created_at, updated_at) "
                               "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (*values, now, now))
                    outcomes.append(UpsertOutcome.ADDED)
                else:
                    tx.execute(
                        "UPDATE articles SET url=?, title=?, text=?, summary=?, claim=?, verdict=?, "
                        "verdict_label=?, published=?, publisher=?, topic=?, language=?, extra_urls=?, "
                        "content_hash=?, updated_at=? WHERE id=?", (*values[1:], now, article.id))
                    outcomes.append(UpsertOutcome.UPDATED)
            if any(o is not UpsertOutcome.UNCHANGED for o in outcomes):
                tx.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'articles_version'")
        return outcomes

    def get_article(self, article_id: str) -> Article | None:
        row = self.connection().execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()
        return _row_to_article(row) if row else None

    def iter_articles(self) -> Iterator[Article]:
        cursor = self.connection().execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY rowid")
        for row in cursor:
            yield _row_to_article(row)

    def count_articles(self) -> int:
        return int(self.connection().execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def latest_articles(self, limit: int) -> list[Article]:
        rows = self.connection().execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY published IS NULL, published DESC, rowid DESC "
            "LIMIT ?", (limit,)).fetchall()
        return [_row_to_article(r) for r in rows]

    def articles_version(self) -> int:
        row = self.connection().execute("SELECT value FROM meta WHERE key = 'articles_version'").fetchone()
        return int(row[0])

    # vectors -------------------------------------------------------------------------------------

    def load_vectors(self, model: str) -> dict[str, tuple[str, np.ndarray]]:
        rows = self.connection().execute(
            "SELECT article_id, text_hash, vector FROM article_vectors WHERE model = ?", (model,))
        return {r[0]: (r[1], np.frombuffer(r[2], dtype=np.float32)) for r in rows}

    def save_vectors(self, model: str, rows: Iterable[tuple[str, str, np.ndarray]]) -> None:
        with self.transaction() as tx:
            tx.executemany(
                "INSERT INTO article_vectors (article_id, model, text_hash, vector) VALUES (?,?,?,?) "
                "ON CONFLICT (article_id, model) DO UPDATE SET text_hash=excluded.text_hash, vector=excluded.vector",
                ((aid, model, h, np.asarray(v, dtype=np.float32).tobytes()) for aid, h, v in rows))

    # tips, interactions, sessions -----------------------------------------------------------------

    def add_tip(self, channel: str, sender_hash: str, text: str) -> int:
        with self.transaction() as tx:
            cursor = tx.execute(
                "INSERT INTO tips (created_at, channel, sender_hash, text) VALUES (?,?,?,?)",
                (utcnow(), channel, sender_hash, text[:MAX_STORED_TEXT]))
            return int(cursor.lastrowid or 0)

    def list_tips(self, limit: int = 100, status: str | None = None) -> list[Tip]:
        sql = "SELECT id, created_at, channel, sender_hash, text, status, cluster_id FROM tips"
        params: tuple[Any, ...] = ()
        if status:
            sql += " WHERE status = ?"
            params = (status,)
        rows = self.connection().execute(sql + " ORDER BY id DESC LIMIT ?", (*params, limit)).fetchall()
        return [Tip(id=r[0], created_at=datetime.fromisoformat(r[1]), channel=r[2], sender_hash=r[3],
                    text=r[4], status=r[5], cluster_id=r[6]) for r in rows]

    def log_interaction(self, interaction: Interaction) -> None:
        with self.transaction() as tx:
            tx.execute(
                "INSERT INTO interactions (created_at, channel, sender_hash, text, intent, matched, "
                "top_article_id, confidence) VALUES (?,?,?,?,?,?,?,?)",
                (utcnow(), interaction.channel, interaction.sender_hash, interaction.text[:500],
                 interaction.intent, None if interaction.matched is None else int(interaction.matched),
                 interaction.top_article_id, interaction.confidence))

    def get_session(self, channel: str, sender_hash: str) -> dict[str, Any] | None:
        row = self.connection().execute(
            "SELECT state FROM sessions WHERE channel = ? AND sender_hash = ?", (channel, sender_hash)).fetchone()
        return json.loads(row[0]) if row else None

    def put_session(self, channel: str, sender_hash: str, state: dict[str, Any]) -> None:
        with self.transaction() as tx:
            tx.execute(
                "INSERT INTO sessions (channel, sender_hash, state, updated_at) VALUES (?,?,?,?) "
                "ON CONFLICT (channel, sender_hash) DO UPDATE SET state=excluded.state, updated_at=excluded.updated_at",
                (channel, sender_hash, json.dumps(state, ensure_ascii=False), utcnow()))

    def sender_tables(self) -> list[str]:
        """Tables with a ``sender_hash`` column. Found from the schema, so a migration that adds one
        is covered by ``erase_sender`` without anyone remembering to register it."""
        conn = self.connection()
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return [n for n in names
                if any(col[1] == "sender_hash" for col in conn.execute(f'PRAGMA table_info("{n}")'))]

    def erase_sender(self, sender_hash: str) -> int:
        """Delete everything kept about one person: every row of theirs in every table that has a
        ``sender_hash`` column (tips, interactions, conversation state, and whatever channels add)."""
        tables = self.sender_tables()
        with self.transaction() as tx:
            removed = 0
            for table in tables:
                removed += tx.execute(f'DELETE FROM "{table}" WHERE sender_hash = ?', (sender_hash,)).rowcount
            return removed


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
