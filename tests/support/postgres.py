"""A throwaway PostgreSQL cluster for the tests: ``initdb`` into a temp folder, started on a loopback
port with durability off (tests need speed, not crash safety), stopped and deleted at the end.

Set ``BENARKAH_TEST_PG=postgresql://user@host:port/postgres`` to use a running server instead (it
must allow CREATE DATABASE). Each test gets a fresh, empty schema of one test database (its URL sets
``search_path``): creating a schema and migrating it takes ~0.1 s, half the cost of a database copy.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .servers import free_port

TEST_DB = "benarkah_tests"


def find_bindir() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian layout), or pg_config's."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_owner(owner: str | None, argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as ``owner`` then."""
    return ["runuser", "-u", owner, "--", *argv] if owner else argv


@dataclass
class Cluster:
    """A running server; ``admin_url`` reaches its ``postgres`` database as superuser."""

    admin_url: str
    datadir: Path | None = None
    bindir: Path | None = None
    owner: str | None = None
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def url(self, dbname: str) -> str:
        base, _, _ = self.admin_url.rpartition("/")
        return f"{base}/{dbname}"

    def admin(self, sql: str, dbname: str | None = None) -> None:
        import psycopg

        with psycopg.connect(self.url(dbname) if dbname else self.admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def prepare(self) -> None:
        """The database whose schemas the tests use (recreated: a previous run may have left it)."""
        self.admin(f"DROP DATABASE IF EXISTS {TEST_DB} WITH (FORCE)")
        self.admin(f"CREATE DATABASE {TEST_DB}")

    def fresh_database(self, prefix: str = "t") -> str:
        """The URL of a new empty schema; benarkah migrates it on first open like any database."""
        name = f"{prefix}_{os.getpid()}_{next(self._counter)}"
        self.admin(f"CREATE SCHEMA {name}", TEST_DB)
        return f"{self.url(TEST_DB)}?options=-csearch_path%3D{name}"

    def drop_database(self, url: str) -> None:
        name = url.rpartition("%3D")[2]
        self.admin(f"DROP SCHEMA IF EXISTS {name} CASCADE", TEST_DB)

    def stop(self) -> None:
        if self.datadir is None or self.bindir is None:
            return
        subprocess.run(_as_owner(self.owner, [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m",
                                              "immediate", "stop"]), capture_output=True, timeout=60)
        shutil.rmtree(self.datadir.parent, ignore_errors=True)


def start_cluster(durable: bool = False, settings: dict[str, str] | None = None) -> Cluster:
    """Start a throwaway cluster, or raise ``RuntimeError`` saying why it cannot. ``durable`` keeps fsync
    and full-page writes on (benchmarks); tests turn them off for speed. ``settings``: more server
    settings (``-c name=value``), e.g. ``shared_preload_libraries`` for a benchmark's statement counts."""
    external = os.environ.get("BENARKAH_TEST_PG")
    if external:
        return Cluster(admin_url=external)
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) are not installed; "
                           "install postgresql-15 (.ci/run does) or set BENARKAH_TEST_PG")
    owner = None
    root = Path(tempfile.mkdtemp(prefix="benarkah-pg-"))
    if os.geteuid() == 0:
        owner = "postgres"
        try:
            entry = pwd.getpwnam(owner)
        except KeyError:
            raise RuntimeError("running as root and there is no 'postgres' user to run PostgreSQL as") from None
        os.chown(root, entry.pw_uid, entry.pw_gid)
        root.chmod(0o700)
    datadir = root / "data"
    initdb = subprocess.run(
        _as_owner(owner, [str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres", "--auth=trust",
                          "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
        capture_output=True, text=True, timeout=120)
    if initdb.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {initdb.stderr.strip()[-500:]}")
    port = free_port()
    options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c synchronous_commit=off "
               "-c max_connections=300 -c shared_buffers=128MB")
    if not durable:
        options += " -c fsync=off -c full_page_writes=off"
    for name, value in (settings or {}).items():
        options += f" -c {name}={value}"
    started = subprocess.run(
        _as_owner(owner, [str(bindir / "pg_ctl"), "-D", str(datadir), "-o", options, "-l",
                          str(root / "server.log"), "-w", "-t", "60", "start"]),
        capture_output=True, text=True, timeout=90)
    cluster = Cluster(admin_url=f"postgresql://postgres@127.0.0.1:{port}/postgres", datadir=datadir,
                      bindir=bindir, owner=owner)
    if started.returncode != 0:
        log = (root / "server.log").read_text(errors="replace")[-800:] if (root / "server.log").exists() else ""
        cluster.stop()
        raise RuntimeError(f"PostgreSQL did not start: {started.stderr.strip()[-300:]} {log}")
    _wait_ready(cluster)
    return cluster


def _wait_ready(cluster: Cluster, seconds: float = 30) -> None:
    import psycopg

    deadline = time.monotonic() + seconds
    while True:
        try:
            cluster.admin("SELECT 1")
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
