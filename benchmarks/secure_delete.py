"""What SQLite's ``secure_delete`` (on for every benarkah connection, so ``forget`` leaves no copy of an
erased person in freed pages) costs on queue-like writes: the same inserts, status updates and deletes
of ~400-byte rows, with it off and on, in one run, interleaved, median of five.

    python benchmarks/secure_delete.py [--rows 20000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from _common import machine, table

BATCH = 100


def run(folder: Path, secure: bool, rows: int) -> tuple[float, float, float]:
    path = folder / f"secure_{int(secure)}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"PRAGMA secure_delete = {'ON' if secure else 'OFF'}")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, status TEXT, text TEXT, context TEXT)")
    started = time.perf_counter()
    for _ in range(0, rows, BATCH):
        with_transaction(conn, lambda: conn.executemany(
            "INSERT INTO t (status, text, context) VALUES ('pending', ?, '{}')", [("x" * 400,)] * BATCH))
    inserted = time.perf_counter()
    for first in range(1, rows + 1, BATCH):
        with_transaction(conn, lambda: (
            conn.execute("UPDATE t SET status = 'working', context = ? WHERE id BETWEEN ? AND ?",
                         ('{"lease": 1}', first, first + BATCH - 1)),
            conn.execute("UPDATE t SET status = 'done' WHERE id BETWEEN ? AND ?", (first, first + BATCH - 1))))
    updated = time.perf_counter()
    for first in range(1, rows + 1, BATCH):
        with_transaction(conn, lambda: conn.execute("DELETE FROM t WHERE id BETWEEN ? AND ?",
                                                    (first, first + BATCH - 1)))
    deleted = time.perf_counter()
    conn.close()
    return inserted - started, updated - inserted, deleted - updated


def with_transaction(conn: sqlite3.Connection, work) -> None:  # type: ignore[no-untyped-def]
    conn.execute("BEGIN IMMEDIATE")
    work()
    conn.execute("COMMIT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    results: dict[bool, list[tuple[float, float, float]]] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.repeat):
            for secure in (False, True):
                results[secure].append(run(Path(folder), secure, args.rows))
    medians = {s: [statistics.median(r[k] for r in results[s]) for k in range(3)] for s in results}
    print(f"# SQLite secure_delete\n\n{machine()}; SQLite {sqlite3.sqlite_version}; load {os.getloadavg()[0]:.1f}\n")
    print(f"{args.rows:,} rows of ~400 B in batches of {BATCH}, median of {args.repeat} interleaved runs (ms):\n")
    print(table(["phase", "secure_delete OFF", "secure_delete ON", "ON / OFF"],
                [(phase, f"{medians[False][k] * 1000:.0f}", f"{medians[True][k] * 1000:.0f}",
                  f"{medians[True][k] / medians[False][k]:.2f}")
                 for k, phase in enumerate(("insert", "update status twice", "delete"))]))


if __name__ == "__main__":
    main()
