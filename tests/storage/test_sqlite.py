"""What only the SQLite backend does: files and folders."""

import pytest

from benarkah.errors import StorageError
from benarkah.storage import open_store
from benarkah.storage.sqlite import SQLiteStore


def test_not_a_database_gives_a_clear_error(tmp_path):
    path = tmp_path / "bad.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="not a usable benarkah database"):
        SQLiteStore(path)


def test_missing_folder_gives_a_clear_error(tmp_path):
    with pytest.raises(StorageError, match="does not exist"):
        open_store(tmp_path / "nope" / "x.db")


def test_an_in_memory_database_leaves_no_file_behind(tmp_path, monkeypatch):
    from benarkah.app import build
    from benarkah.settings import Settings
    from tests.conftest import TEST_KEY

    monkeypatch.chdir(tmp_path)  # a file named ":memory:" (and its media folder) would appear here
    services = build(Settings(db=":memory:", secret_key=TEST_KEY, semantic=False))
    services.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == []
