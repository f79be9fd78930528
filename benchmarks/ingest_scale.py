"""Ingest at newsroom scale: how long `benarkah ingest` takes for 10,000 and 100,000 articles, with and
without sentence embeddings, on SQLite and (without embeddings; the embedding cost does not depend on
the backend) on PostgreSQL.

The shared corpora hold 4,636 real fact-checks (3,746 titles-only from 2024, 890 with bodies from
2026). Larger archives are grown from them by recombination, deterministically: article *i* takes
the first half of one real headline and the second half of another, and, when the first has a body,
its first paragraph followed by the other's last paragraph; ids and URLs are new. So the vocabulary,
title lengths and the share of articles with bodies (19%) stay those of the real archive. The
synthetic archives are written to a temporary folder, never into the repository.

Each run is the real command in a subprocess on a fresh database (`benarkah ingest FILE [--no-embed]`),
timed wall-clock; then an unchanged re-run (what a nightly re-import costs) and the first search
(`benarkah search`, which builds the process's index; after `--no-embed` it would embed the whole
archive first, so it is timed only after the embedded ingest).

    python benchmarks/ingest_scale.py                       # 10k and 100k, everything
    python benchmarks/ingest_scale.py --sizes 10000 --no-postgres
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import CORPORA, ROOT, machine, read_jsonl, require_shared, table

KEY = "benchmark-secret-key-0123456789abcdef"


def grow(rows: list[dict], size: int) -> list[dict]:
    """``size`` articles recombined from the real ones (deterministic)."""
    out = []
    n = len(rows)
    for i in range(size):
        a, b = rows[i % n], rows[(i * 7919 + 13) % n]
        ta, tb = a["title"].split(), b["title"].split()
        title = " ".join(ta[: max(1, len(ta) // 2)] + tb[len(tb) // 2:])
        row = {"id": f"syn-{i}", "title": title, "url": f"https://cekfakta.example.id/arsip/{i}",
               "published": a.get("published"), "publisher": a.get("publisher", ""), "topic": a.get("topic", "")}
        if a.get("verdict_label"):
            row["verdict_label"] = a["verdict_label"]
        if a.get("text"):
            first = a["text"].split("\n\n")[0]
            last = (b.get("text") or a["text"]).split("\n\n")[-1]
            row["text"] = f"{first}\n\n{last}"
            row["summary"] = a.get("summary", "")
        out.append(row)
    return out


def cli(db: str, *args: str, timeout: float = 6 * 3600) -> tuple[float, subprocess.CompletedProcess]:
    env = {**os.environ, "BENARKAH_DB": db, "BENARKAH_SECRET_KEY": KEY, "PYTHONPATH": str(ROOT / "src")}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "benarkah", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"benarkah {' '.join(args[:2])} failed: {done.stderr[-1000:]}")
    return elapsed, done


def size_of(db: str) -> str:
    if "://" in db:
        return "—"
    total = sum(p.stat().st_size for p in Path(db).parent.glob(Path(db).name + "*") if not p.name.endswith(".key"))
    return f"{total / 1e6:.0f}"


def run(db: str, source: Path, count: int, embed: bool, backend: str) -> list[object]:
    flags = [] if embed else ["--no-embed"]
    first, done = cli(db, "ingest", str(source), *flags)
    again, _ = cli(db, "ingest", str(source), *flags)
    search = f"{cli(db, 'search', 'vaksin chip', '--json')[0]:.1f}" if embed else "—"
    summary = done.stdout.strip().splitlines()[-1]
    print(f"  {backend} {count:,} embed={embed}: {first:.0f} s ({summary})", file=sys.stderr, flush=True)
    return [f"{count:,}", backend, "yes" if embed else "no (`--no-embed`)", f"{first:.0f}", f"{first / 60:.1f}",
            f"{count / first:.0f}", f"{again:.0f}", search, size_of(db)]


def extrapolated(rows: list[list[object]], sizes: list[int], embedded: list[int]) -> list[list[object]]:
    """For sizes not embedded here: the measured plain ingest plus embedding at the rate measured on the
    largest embedded size (embedding is per article, independent of the archive's size)."""
    if not embedded:
        return []
    measured = {(r[0], r[1], r[2]): float(r[3]) for r in rows}
    ref = max(embedded)
    per_article = (measured[(f"{ref:,}", "SQLite", "yes")] - measured[(f"{ref:,}", "SQLite", "no (`--no-embed`)")]) / ref
    out = []
    for count in sizes:
        if count in embedded:
            continue
        total = measured[(f"{count:,}", "SQLite", "no (`--no-embed`)")] + per_article * count
        out.append([f"{count:,}", "SQLite", f"yes — **extrapolated** ({per_article * 1000:.0f} ms/article from {ref:,})",
                    f"{total:.0f}", f"{total / 60:.1f}", f"{count / total:.0f}", "—", "—", "—"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--embed-sizes", type=int, nargs="*", default=[10_000],
                        help="sizes also ingested with embeddings (slow: ~30 articles/s on 2 cores); the other "
                             "sizes get an extrapolated row (their measured ingest + the measured embedding rate)")
    args = parser.parse_args()
    require_shared()
    base = [r for path in CORPORA for r in read_jsonl(path)]
    rows = []
    cluster = None
    if not args.no_postgres:
        sys.path.insert(0, str(ROOT))
        from tests.support.postgres import start_cluster

        cluster = start_cluster(durable=True)
        cluster.prepare()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for count in args.sizes:
                source = Path(tmp) / f"archive-{count}.jsonl"
                with source.open("w", encoding="utf-8") as handle:
                    for row in grow(base, count):
                        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                rows.append(run(str(Path(tmp) / f"plain-{count}.db"), source, count, False, "SQLite"))
                if cluster is not None:
                    name = f"ingest_{count}"
                    cluster.admin(f"CREATE DATABASE {name}")
                    rows.append(run(cluster.url(name), source, count, False, "PostgreSQL"))
                if count in args.embed_sizes:
                    rows.append(run(str(Path(tmp) / f"embedded-{count}.db"), source, count, True, "SQLite"))
            rows += extrapolated(rows, args.sizes, args.embed_sizes)
    finally:
        if cluster is not None:
            cluster.stop()
    print(table(["articles", "database", "embeddings", "ingest s", "ingest min", "articles/s",
                 "unchanged re-run s", "first search s", "size MB"], rows))
    print(f"\nmachine: {machine()}; load average at the end: {os.getloadavg()[0]:.1f} (shared with other sessions)")


if __name__ == "__main__":
    main()
