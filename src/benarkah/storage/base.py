"""The storage interface the rest of benarkah depends on. Backends implement it; nothing imports them."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ContextManager, Iterable, Iterator, Protocol, Sequence

import numpy as np

from ..domain.articles import Article


class UpsertOutcome(enum.StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Tip:
    """A message that matched nothing: work for the fact-checkers."""

    id: int
    created_at: datetime
    channel: str
    sender_hash: str
    text: str
    status: str = "new"
    cluster_id: int | None = None


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
    def connection(self) -> Any: ...
    def transaction(self, immediate: bool = True) -> ContextManager[Any]: ...

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

    # tips, interactions, conversation state
    def add_tip(self, channel: str, sender_hash: str, text: str) -> int: ...
    def list_tips(self, limit: int = 100, status: str | None = None) -> list[Tip]: ...
    def log_interaction(self, interaction: Interaction) -> None: ...
    def get_session(self, channel: str, sender_hash: str) -> dict[str, Any] | None: ...
    def put_session(self, channel: str, sender_hash: str, state: dict[str, Any]) -> None: ...
    def erase_sender(self, sender_hash: str) -> int: ...
