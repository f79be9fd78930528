"""Case 1: the secret key beside a SQLite file is never empty, short or silently replaced.

A full disk while the key file is first written, or several processes creating it at once, used to
leave a 0-byte key that every later process used without a word: numbers hashed and addresses sealed
with an empty key. Real failures here: a write past ``RLIMIT_FSIZE`` fails in the kernel exactly as
on a full disk (the process gets EFBIG instead of ENOSPC), and the twelve creators are real processes.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from benarkah.app import build
from benarkah.errors import ConfigError
from benarkah.privacy import load_or_create_key
from benarkah.settings import Settings
from tests.support.processes import ROOT
from tests.support.servers import free_port

pytestmark = pytest.mark.case(1)
FORK = multiprocessing.get_context("fork")


def _create_with_file_size_limit(db: str, limit: int, results: "multiprocessing.Queue[tuple[str, str]]") -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    try:
        results.put(("ok", load_or_create_key(None, db).decode()))
    except Exception as exc:  # noqa: BLE001 - reported to the test
        results.put((type(exc).__name__, str(exc)))


def _create_at_once(db: str, start: "multiprocessing.synchronize.Barrier",
                    results: "multiprocessing.Queue[tuple[str, str]]") -> None:
    start.wait()
    try:
        results.put(("ok", load_or_create_key(None, db).decode()))
    except Exception as exc:  # noqa: BLE001
        results.put((type(exc).__name__, str(exc)))


def test_disk_full_while_the_key_is_written_leaves_no_empty_key(tmp_path):
    db = str(tmp_path / "benarkah.db")
    results: multiprocessing.Queue[tuple[str, str]] = FORK.Queue()
    child = FORK.Process(target=_create_with_file_size_limit, args=(db, 0, results))
    child.start()
    child.join(30)
    outcome, message = results.get(timeout=5)
    assert outcome == "ConfigError" and "secret key" in message, (outcome, message)
    key_file = Path(db + ".key")
    assert not key_file.exists() or len(key_file.read_bytes().strip()) >= 32
    assert list(tmp_path.iterdir()) == ([key_file] if key_file.exists() else [])  # no temp file left behind
    key = load_or_create_key(None, db)  # the disk has room again: a whole key
    assert len(key) == 64 and key_file.read_bytes().strip() == key


def test_a_really_full_disk_while_the_key_is_written(tmp_path):
    """The same on a filesystem that is full for real (ENOSPC), where this machine lets us mount one."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)],
                                                   capture_output=True).returncode == 0
    if not mounted:
        pytest.skip("needs root and leave to mount a tmpfs; the RLIMIT_FSIZE test covers the same path")
    try:
        with open(disk / "filler", "wb", buffering=0) as filler:
            with pytest.raises(OSError):
                while True:
                    filler.write(b"\0" * 4096)
        with pytest.raises(ConfigError, match="disk full"):
            load_or_create_key(None, str(disk / "benarkah.db"))
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]
        (disk / "filler").unlink()
        assert len(load_or_create_key(None, str(disk / "benarkah.db"))) == 64
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_twelve_processes_creating_the_key_at_once_all_get_the_same_whole_key(tmp_path):
    rounds, processes = 30, 12
    for n in range(rounds):
        db = str(tmp_path / f"r{n}.db")
        start = FORK.Barrier(processes)
        results: multiprocessing.Queue[tuple[str, str]] = FORK.Queue()
        children = [FORK.Process(target=_create_at_once, args=(db, start, results)) for _ in range(processes)]
        for child in children:
            child.start()
        got = [results.get(timeout=30) for _ in children]
        for child in children:
            child.join(10)
        assert {outcome for outcome, _ in got} == {"ok"}, got
        keys = {key for _, key in got}
        assert len(keys) == 1 and len(next(iter(keys))) == 64, f"round {n}: {sorted(keys)}"
        assert Path(db + ".key").read_text().strip() == next(iter(keys))


@pytest.mark.parametrize("content", [b"", b"\n", b"abc123", b"0" * 31])
def test_an_empty_or_short_key_file_is_refused(tmp_path, content):
    db = tmp_path / "benarkah.db"
    Path(f"{db}.key").write_bytes(content)
    with pytest.raises(ConfigError, match=r"benarkah\.db\.key"):
        load_or_create_key(None, str(db))


def test_an_unreadable_key_file_is_refused(tmp_path):
    db = tmp_path / "benarkah.db"
    Path(f"{db}.key").mkdir()  # unreadable as a file, even for root
    with pytest.raises(ConfigError, match="cannot read"):
        load_or_create_key(None, str(db))


def test_a_lost_key_file_is_not_silently_replaced(tmp_path):
    settings = Settings(db=str(tmp_path / "benarkah.db"), semantic=False)
    services = build(settings)
    services.identity.seal("6281234567890")  # the key is created and the database now depends on it
    services.close()
    Path(f"{settings.db}.key").unlink()
    services = build(settings)
    try:
        with pytest.raises(ConfigError, match="missing"):
            services.identity.hash("whatsapp", "6281234567890")
        assert not Path(f"{settings.db}.key").exists()
    finally:
        services.close()


def test_another_configured_key_is_refused_on_both_backends(db_url):
    first = build(Settings(db=db_url, secret_key="the-first-key-0123456789", semantic=False))
    first.identity.hash("whatsapp", "6281234567890")
    first.close()
    second = build(Settings(db=db_url, secret_key="another-key-0123456789ab", semantic=False))
    try:
        with pytest.raises(ConfigError, match="another key"):
            second.identity.hash("whatsapp", "6281234567890")
    finally:
        second.close()
    again = build(Settings(db=db_url, secret_key="the-first-key-0123456789", semantic=False))
    try:
        assert again.identity.hash("whatsapp", "6281234567890")
    finally:
        again.close()


def test_serve_refuses_to_start_on_an_empty_key_file(tmp_path):
    db = tmp_path / "benarkah.db"
    Path(f"{db}.key").write_bytes(b"")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BENARKAH_")}
    env.update(PYTHONPATH=str(ROOT / "src"), BENARKAH_SEMANTIC="0", BENARKAH_DB=str(db))
    try:
        done = subprocess.run([sys.executable, "-m", "benarkah", "serve", "--port", str(free_port())],
                              env=env, capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("serve started with an empty key file")
    assert done.returncode == 1
    assert "benarkah.db.key" in done.stderr and "empty" in done.stderr, done.stderr


@pytest.mark.case(11)
def test_key_and_database_files_are_created_private(tmp_path):
    old = os.umask(0o022)
    try:
        settings = Settings(db=str(tmp_path / "benarkah.db"), semantic=False)
        services = build(settings)
        services.identity.hash("whatsapp", "6281234567890")
        services.store.connection().execute("SELECT 1")
        created = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
        services.close()
    finally:
        os.umask(old)
    assert created["benarkah.db"] == 0o600 and created["benarkah.db.key"] == 0o600
    assert all(mode == 0o600 for mode in created.values()), created  # the WAL and shared-memory files too
