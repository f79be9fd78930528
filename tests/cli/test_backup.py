"""``benarkah backup`` and ``benarkah restore`` as a newsroom engineer runs them: a real subprocess, a
database that is being written to, and a restored copy that answers the same and still recognises
people (the key came along)."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading

import pytest

from benarkah.app import build
from benarkah.settings import Settings
from tests.cli.test_ingest_cli import GOOD, run_cli, write_jsonl
from tests.conftest import TEST_KEY


def test_sqlite_backup_while_writing_then_restore_answers_and_recognises_people(tmp_path):
    db, copy, restored = str(tmp_path / "live.db"), tmp_path / "nightly.db", str(tmp_path / "restored.db")
    assert run_cli(db, "ingest", str(write_jsonl(tmp_path / "a.jsonl", GOOD))).returncode == 0
    answer = run_cli(db, "ask", "vaksin chip", "--sender", "6281234").stdout
    assert run_cli(db, "ask", "gajah terbang di atas monas", "--sender", "6281234").returncode == 0  # a tip

    writing = threading.Event()

    def keep_writing() -> None:  # the tipline keeps answering while the backup runs
        services = build(Settings(db=db, semantic=False))
        try:
            while not writing.is_set():
                services.tipline.handle_text("web", "busy", "vaksin chip")
        finally:
            services.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        done = run_cli(db, "backup", str(copy))
    finally:
        writing.set()
        writer.join()
    assert done.returncode == 0, done.stderr
    assert f"wrote {copy}" in done.stdout and "checked" in done.stdout
    key = tmp_path / "nightly.db.key"
    assert key.read_bytes() == (tmp_path / "live.db.key").read_bytes()
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert sqlite3.connect(copy).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not (tmp_path / "nightly.db-wal").exists()

    refused = run_cli(db, "backup", str(copy))  # never overwrites
    assert refused.returncode == 1 and "exists" in refused.stderr

    restore = run_cli(restored, "restore", str(copy))
    assert restore.returncode == 0, restore.stderr
    assert run_cli(restored, "ask", "vaksin chip", "--sender", "6281234").stdout == answer
    tips = run_cli(restored, "tips", "list")
    assert "gajah terbang" in tips.stdout
    forgot = run_cli(restored, "forget", "6281234", "--channel", "cli")  # the same key: the person is known
    assert forgot.returncode == 0, forgot.stderr
    assert run_cli(restored, "restore", str(copy)).returncode == 1  # an existing database needs --force


def test_backup_without_a_key_file_says_where_the_key_is(tmp_path):
    db = str(tmp_path / "keyed.db")
    env_key = {"BENARKAH_SECRET_KEY": TEST_KEY}
    os.environ.update(env_key)
    try:
        assert run_cli(db, "ingest", str(write_jsonl(tmp_path / "a.jsonl", GOOD))).returncode == 0
        done = run_cli(db, "backup", str(tmp_path / "b.db"))
    finally:
        os.environ.pop("BENARKAH_SECRET_KEY")
    assert done.returncode == 0 and "BENARKAH_SECRET_KEY" in done.stderr
    assert not (tmp_path / "b.db.key").exists()
    missing = run_cli(db, "backup", str(tmp_path / "nowhere" / "b.db"))
    assert missing.returncode == 1 and missing.stderr.startswith("error:")


def test_postgresql_backup_is_a_pg_dump_that_restores_into_another_database(pg_cluster, tmp_path):
    # whole databases, as in production (the tests' other databases are schemas of one database)
    for name in ("benarkah_backup_src", "benarkah_backup_dst"):
        pg_cluster.admin(f"DROP DATABASE IF EXISTS {name}")
        pg_cluster.admin(f"CREATE DATABASE {name}")
    source, target = pg_cluster.url("benarkah_backup_src"), pg_cluster.url("benarkah_backup_dst")
    try:
        assert run_cli(source, "ingest", str(write_jsonl(tmp_path / "a.jsonl", GOOD))).returncode == 0
        answer = run_cli(source, "ask", "vaksin chip", "--sender", "6281234").stdout
        dump = tmp_path / "benarkah.dump"
        done = run_cli(source, "backup", str(dump))
        assert done.returncode == 0, done.stderr
        assert dump.read_bytes()[:5] == b"PGDMP" and "BENARKAH_SECRET_KEY" in done.stderr
        restored = run_cli(target, "restore", str(dump))
        assert restored.returncode == 0, restored.stderr
        assert run_cli(target, "ask", "vaksin chip", "--sender", "6281234").stdout == answer
    finally:
        for name in ("benarkah_backup_src", "benarkah_backup_dst"):
            pg_cluster.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.parametrize("bad", ["nothing-here.db"])
def test_restoring_a_missing_backup_is_a_clear_error(tmp_path, bad):
    done = run_cli(str(tmp_path / "x.db"), "restore", str(tmp_path / bad))
    assert done.returncode == 1 and "no such backup" in done.stderr
