"""The two migration folders describe one schema: the same tables with the same columns.

Feature code is written once against both backends, so a column added to one twin and forgotten in
the other would fail only on that backend, in production. Opened for real (SQLite file, PostgreSQL
schema) and read back from each catalog, so what is compared is what the migrations actually built.
"""

from __future__ import annotations

from pathlib import Path

from benarkah.storage import open_store
from benarkah.storage.migrations import load_migrations

# Columns only one backend has, and why. PostgreSQL has no rowid: ``articles.seq`` is its insertion order.
ONLY_ON = {"postgresql": {("articles", "seq")}, "sqlite": set()}


def _sqlite_columns(path: Path) -> set[tuple[str, str]]:
    store = open_store(path)
    try:
        conn = store.connection()
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {(t, col[1]) for t in tables for col in conn.execute(f'PRAGMA table_info("{t}")')}
    finally:
        store.close()


def _postgres_columns(url: str) -> set[tuple[str, str]]:
    store = open_store(url)
    try:
        rows = store.connection().execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
            "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'").fetchall()
        return {(r[0], r[1]) for r in rows}
    finally:
        store.close()


def test_both_backends_have_the_same_migrations():
    sqlite = [(m.version, m.name) for m in load_migrations("sqlite")]
    postgres = [(m.version, m.name) for m in load_migrations("postgresql")]
    assert sqlite == postgres


def test_both_backends_define_the_same_tables_and_columns(tmp_path, pg_url):
    sqlite = _sqlite_columns(tmp_path / "parity.db") - ONLY_ON["sqlite"]
    postgres = _postgres_columns(pg_url) - ONLY_ON["postgresql"]
    assert {t for t, _ in sqlite} == {t for t, _ in postgres}
    assert sorted(sqlite - postgres) == [] and sorted(postgres - sqlite) == []
