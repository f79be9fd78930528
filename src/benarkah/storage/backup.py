"""Backups a newsroom can restore: SQLite through its online backup API, PostgreSQL through pg_dump.

SQLite's backup API copies a consistent snapshot page by page while the tipline keeps answering (a
plain ``cp`` of a WAL database can copy a half-written state, or miss what is still in ``-wal``).
The copy is written under a temporary name, checked with ``PRAGMA integrity_check`` and only then
renamed into place, so a crash mid-backup never leaves a file that looks like a backup. PostgreSQL is
dumped in pg_dump's custom format (compressed, restorable table by table with ``pg_restore``).

The key that hashes phone numbers and seals reply addresses is not in the database: without it a
restored database still answers, but it no longer recognises anyone (their follow-ups, ``forget``).
The CLI (``benarkah backup``) copies a SQLite database's ``<db>.key`` beside the backup; a key set in
``BENARKAH_SECRET_KEY`` lives wherever the deployment keeps its secrets and must be kept there.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Callable

from ..errors import StorageError

PAGES_PER_STEP = 4096  # ~16 MB per step: other connections write between steps
Progress = Callable[[int, int], None]


def sqlite_backup(source: Path, target: Path, progress: Progress | None = None) -> int:
    """Copy a live SQLite database to ``target`` (which must not exist); returns the copy's size."""
    if not source.exists():
        raise StorageError(f"{source}: no such database")
    if target.exists():
        raise StorageError(f"{target} exists; choose a new name (a backup never overwrites a file)")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=PAGES_PER_STEP,
                       progress=(lambda _status, left, total: progress(total - left, total)) if progress else None)
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
            check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
            src.close()
        if check != "ok":
            raise StorageError(f"the copy of {source} failed its integrity check: {check}")
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise StorageError(f"backup of {source} failed: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def sqlite_restore(backup: Path, target: Path, force: bool = False) -> int:
    """Put a backup in place as the database at ``target`` (the same online copy, the other way)."""
    if not backup.exists():
        raise StorageError(f"{backup}: no such backup")
    if target.exists():
        if not force:
            raise StorageError(f"{target} exists; pass --force to replace it (stop benarkah first)")
        for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
    return sqlite_backup(backup, target)


def pg_tool(name: str) -> str:
    """``pg_dump`` / ``pg_restore``: from PATH, else the newest Debian install."""
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), "")
    if not found:
        raise StorageError(f"{name} not found: install the PostgreSQL client tools (apt-get install postgresql-client)")
    return found


def pg_dump(url: str, target: Path) -> int:
    if target.exists():
        raise StorageError(f"{target} exists; choose a new name (a backup never overwrites a file)")
    _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), _libpq(url)])
    return target.stat().st_size


def pg_restore(backup: Path, url: str) -> None:
    """Restore a dump into an existing (empty or older) database: objects are replaced."""
    if not backup.exists():
        raise StorageError(f"{backup}: no such backup")
    _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error",
          "--dbname", _libpq(url), str(backup)])


def _libpq(url: str) -> str:
    """benarkah accepts ``postgres://`` too; libpq wants ``postgresql://``. A ``search_path`` option
    in the URL (the tests' schemas) is passed on as it is: pg_dump honours ``options``."""
    return "postgresql://" + url.split("://", 1)[1] if url.startswith("postgres://") else url


def _run(argv: list[str]) -> None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=6 * 3600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise StorageError(f"{Path(argv[0]).name} failed: {exc}") from exc
    if done.returncode != 0:
        raise StorageError(f"{Path(argv[0]).name} failed: {done.stderr.strip()[-500:]}")
