"""Where people's media bytes live: a small storage seam every process of a deployment can reach.

Two stores, chosen by ``BENARKAH_MEDIA_STORAGE`` (``auto``: files for SQLite, the database for
PostgreSQL):

* ``FileBlobs``: one file per picture in a private folder beside the SQLite database
  (``<db>.media``, mode 0700, files 0600), written atomically (a temporary file renamed into place).
  A deleted file is overwritten with zeros before it is unlinked; on copy-on-write file systems and
  SSDs that is best effort, which is why the folder should live on an encrypted volume in production.
* ``DatabaseBlobs``: the ``media_blobs`` table, in the caller's transaction, for PostgreSQL deployments
  whose machines share a database but not a file system. Its rows carry ``sender_hash``, so
  ``benarkah forget`` erases them with the rest of a person's rows, and the backend's scrub applies.

An S3-compatible object store would be a third class with the same four methods (``put``, ``get``,
``delete``, ``stale_keys``); it is not shipped because it could not be tested for real here.
Keys are random (never a hash of the content), so equal pictures from two people are two objects
and erasing one person's never touches another's.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Iterable, Protocol

from ..errors import ConfigError
from ..settings import Settings
from ..storage.base import Connection, Store

KEY_BYTES = 16


def new_key() -> str:
    return secrets.token_hex(KEY_BYTES)


def _valid(key: str) -> bool:
    return len(key) == 2 * KEY_BYTES and all(c in "0123456789abcdef" for c in key)


class BlobStore(Protocol):
    name: str  # stored with each media row: the store that holds its bytes

    def put(self, tx: Connection, key: str, data: bytes, sender_hash: str) -> None: ...
    def get(self, key: str) -> bytes | None: ...
    def delete(self, keys: Iterable[str], tx: Connection | None = None) -> int: ...
    def stale_keys(self, older_than: float) -> list[str]: ...


class FileBlobs:
    """Files in a private folder; ``put`` writes before the caller's transaction commits, so a crash
    can leave a file no row names: ``stale_keys`` lists those for the sweep."""

    name = "files"

    def __init__(self, root: Path) -> None:
        self.root = root  # created, private, with the first file

    def _folder(self, path: Path) -> None:
        if not self.root.is_dir():
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(self.root, 0o700)
        path.parent.mkdir(mode=0o700, exist_ok=True)

    def _path(self, key: str) -> Path:
        if not _valid(key):
            raise ValueError(f"not a media key: {key[:40]!r}")
        return self.root / key[:2] / key

    def put(self, tx: Connection, key: str, data: bytes, sender_hash: str) -> None:  # noqa: ARG002
        path = self._path(key)
        self._folder(path)
        temporary = path.with_name(f".{key}.{secrets.token_hex(4)}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, ValueError):
            return None

    def delete(self, keys: Iterable[str], tx: Connection | None = None) -> int:  # noqa: ARG002
        deleted = 0
        for key in keys:
            try:
                path = self._path(key)
            except ValueError:
                continue
            deleted += _shred(path)
        return deleted

    def stale_keys(self, older_than: float) -> list[str]:
        """Files (and leftover temporary files) last written before ``older_than`` (epoch seconds)."""
        found = []
        for path in self.root.glob("*/*"):
            try:
                if path.stat().st_mtime >= older_than:
                    continue
            except FileNotFoundError:
                continue
            if path.name.endswith(".tmp"):
                _shred(path)
            elif _valid(path.name):
                found.append(path.name)
        return found


def _shred(path: Path) -> int:
    """Overwrite with zeros, then unlink; 1 when a file was there."""
    try:
        size = path.stat().st_size
        with open(path, "r+b") as out:
            out.write(b"\0" * size)
            out.flush()
            os.fsync(out.fileno())
        path.unlink()
        return 1
    except FileNotFoundError:
        return 0


class DatabaseBlobs:
    """The ``media_blobs`` table; writes join the caller's transaction."""

    name = "database"

    def __init__(self, store: Store) -> None:
        self.store = store

    def put(self, tx: Connection, key: str, data: bytes, sender_hash: str) -> None:
        tx.execute("INSERT INTO media_blobs (blob_key, sender_hash, created_at, data) VALUES (?,?,?,?)",
                   (key, sender_hash, time.time(), data))

    def get(self, key: str) -> bytes | None:
        row = self.store.connection().execute("SELECT data FROM media_blobs WHERE blob_key = ?", (key,)).fetchone()
        return bytes(row[0]) if row else None

    def delete(self, keys: Iterable[str], tx: Connection | None = None) -> int:
        keys = list(keys)
        if not keys:
            return 0
        marks = ",".join("?" * len(keys))
        if tx is not None:
            return int(tx.execute(f"DELETE FROM media_blobs WHERE blob_key IN ({marks})", tuple(keys)).rowcount)
        with self.store.transaction(lock="rows") as own:
            return int(own.execute(f"DELETE FROM media_blobs WHERE blob_key IN ({marks})", tuple(keys)).rowcount)

    def stale_keys(self, older_than: float) -> list[str]:
        rows = self.store.connection().execute(
            "SELECT blob_key FROM media_blobs WHERE created_at < ? LIMIT 1000", (older_than,)).fetchall()
        return [r[0] for r in rows]


def media_folder(settings: Settings, store: Store) -> Path | None:
    """The files folder: the setting, else ``<database file>.media`` beside a SQLite database."""
    if settings.media_dir:
        return Path(settings.media_dir)
    if store.backend == "sqlite" and store.location != ":memory:":
        return Path(f"{store.location}.media")
    return None


def blob_stores(settings: Settings, store: Store) -> tuple[BlobStore, dict[str, BlobStore]]:
    """The store new media is written to, and every store rows may name (by ``name``)."""
    database = DatabaseBlobs(store)
    stores: dict[str, BlobStore] = {database.name: database}
    choice = settings.media_storage
    folder = media_folder(settings, store)
    if choice == "auto":
        choice = "files" if folder is not None and store.backend == "sqlite" else "database"
    if folder is not None:
        stores["files"] = FileBlobs(folder)
    elif choice == "files":
        raise ConfigError("BENARKAH_MEDIA_STORAGE=files needs BENARKAH_MEDIA_DIR with a PostgreSQL database "
                          "(a folder every machine of the deployment reaches), or use 'database'")
    return stores[choice], stores
