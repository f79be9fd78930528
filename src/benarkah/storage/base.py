"""The storage interface the rest of benarkah depends on. Backends implement it; nothing imports them."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ContextManager, Iterable, Iterator, Literal, Mapping, Protocol, Sequence

import numpy as np

from ..domain.articles import Article


class UpsertOutcome(enum.StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


Lock = Literal["store", "rows"]
"""What a write transaction must exclude, declared where the transaction is opened:

* ``"store"``: every other ``"store"`` transaction on the database, for code that reads and then writes
  on what it read (an upsert that checks content hashes, a claim that looks for busy people). This is
  SQLite's ``BEGIN IMMEDIATE`` guarantee; PostgreSQL emulates it with one advisory lock.
* ``"rows"``: only the rows it touches, for code made safe by unique constraints, ``ON CONFLICT`` and
  ``FOR UPDATE SKIP LOCKED`` (webhook inserts, queue completions, sessions), so it scales out on
  PostgreSQL. SQLite has one lock for the whole file, so there both mean the same.
"""


class Cursor(Protocol):
    """What a statement returns, on both backends (``sqlite3.Cursor`` or ``pgcompat.Result``)."""

    rowcount: int
    lastrowid: int | None

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """The SQL seam: portable SQL with ``?`` placeholders; rows readable by index and by name.

    Outside a transaction each statement commits itself; inside ``store.transaction()`` every
    statement of the thread belongs to that transaction."""

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ...) -> Cursor: ...
    def executemany(self, sql: str, seq_of_params: Iterable[Sequence[Any]]) -> Cursor: ...


@dataclass(frozen=True)
class Interaction:
    """One message handled, for statistics (never the raw sender)."""

    channel: str
    sender_hash: str
    text: str
    intent: str
    matched: bool | None = None
    top_article_id: str | None = None
    confidence: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Store(Protocol):
    """Durable state. Methods are small and transactional; callers never see SQL."""

    location: str
    backend: str  # "sqlite" or "postgresql"
    Error: type[Exception]  # the driver's base error; portable code catches ``store.IntegrityError``
    IntegrityError: type[Exception]

    def close(self) -> None: ...

    # the SQL seam for feature modules: portable SQL with ``?`` placeholders, rows by index and name
    def connection(self) -> Connection: ...
    def wait_at_most(self, seconds: float) -> ContextManager[None]:
        """Within the block, a database that does not answer raises ``StorageError`` after ``seconds``
        (probes and background checks must not wait out a connection pool's timeout)."""
        ...
    def transaction(self, lock: Lock = "store") -> ContextManager[Connection]:
        """One unit of work. Nested calls are savepoints on both backends: an inner block that raises
        leaves none of its writes, and the outer one goes on and commits the rest."""
        ...

    # articles
    def upsert_articles(self, articles: Sequence[Article]) -> list[UpsertOutcome]: ...
    def get_article(self, article_id: str) -> Article | None: ...
    def iter_articles(self) -> Iterator[Article]: ...
    def count_articles(self) -> int: ...
    def latest_articles(self, limit: int) -> list[Article]: ...
    def articles_version(self) -> int: ...
    def articles_changed_since(self, since: int, upto: int) -> list[Article]: ...
    def take_lease(self, name: str, owner: str, seconds: float) -> bool: ...

    # vectors, keyed by model and by the hash of the embedded text so edits re-embed
    def load_vectors(self, model: str) -> dict[str, tuple[str, np.ndarray]]: ...
    def load_vectors_for(self, model: str, ids: Sequence[str]) -> dict[str, tuple[str, np.ndarray]]: ...
    def save_vectors(self, model: str, rows: Iterable[tuple[str, str, np.ndarray]]) -> None: ...

    # interactions, conversation state
    def log_interaction(self, interaction: Interaction) -> None: ...
    def log_interactions(self, interactions: Sequence[Interaction]) -> None: ...
    def messages_per_day(self, since: datetime) -> list[tuple[str, int, int, int]]: ...
    def top_queries(self, since: datetime, limit: int) -> list[tuple[str, int, int]]: ...
    def lookups_since(self, since: datetime) -> tuple[int, int]: ...
    def get_session(self, channel: str, sender_hash: str) -> dict[str, Any] | None: ...
    def put_session(self, channel: str, sender_hash: str, state: dict[str, Any]) -> None: ...
    def get_sessions(self, people: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]: ...
    def put_sessions(self, states: Sequence[tuple[str, str, dict[str, Any]]]) -> None: ...
    def erase_sender(self, sender_hash: str) -> int: ...
    def sender_tables(self) -> list[str]: ...
    def scrub(self, tables: Sequence[str]) -> bool:
        """After an erasure, leave no copy of the deleted rows in the database's files: True when done
        (see each backend for what that takes)."""
        ...

    # the secret key's fingerprint (privacy.Identity refuses a key that does not match it)
    def key_fingerprint(self) -> str | None: ...
    def remember_key_fingerprint(self, fingerprint: str) -> str: ...
