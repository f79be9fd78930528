"""Storage backends behind one interface (``Store``). ``open_store`` picks one from a path or URL."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from .base import Store


def open_store(location: str | Path) -> Store:
    """Open (and migrate) the store at a file path, ``sqlite:///path`` or ``postgresql://`` URL."""
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresStore

        return PostgresStore(text)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///"):]
    elif "://" in text:
        raise ConfigError(f"unsupported database URL {text!r}: use a file path or postgresql://...")
    from .sqlite import SQLiteStore

    return SQLiteStore(Path(text))


__all__ = ["Store", "open_store"]
