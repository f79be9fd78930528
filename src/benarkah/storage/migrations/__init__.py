"""Schema migrations as numbered SQL files, one folder per backend.

A migration is ``NNNN_name.sql``; each runs once, in order, inside a transaction, and its number is
recorded in ``schema_migrations``. Adding a table = adding a file.
"""

from __future__ import annotations

from importlib import resources
from typing import NamedTuple


class Migration(NamedTuple):
    version: int
    name: str
    sql: str


def load_migrations(backend: str) -> list[Migration]:
    folder = resources.files(__package__).joinpath(backend)
    migrations = []
    for entry in folder.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        number, _, rest = entry.name.partition("_")
        migrations.append(Migration(int(number), rest.removesuffix(".sql"), entry.read_text("utf-8")))
    migrations.sort()
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration numbers in {backend}: {versions}")
    return migrations
