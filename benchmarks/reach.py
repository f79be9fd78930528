"""Publishing surfaces over real HTTP: time to answer and bytes of each, against baselines measured in
the same run (``/healthz`` for the plain pages, ``/api/search`` for the two that search).

The archive is the shared turnbackhoax corpora (4,600+ real fact-checks) when present beside the
project, else the bundled demo corpus; search is keyword-only (``BENARKAH_SEMANTIC=0``) so the numbers
show the publishing code, not the sentence model. One uvicorn process on loopback, one client sending
requests one after another (latency, not throughput).

    python benchmarks/reach.py [--requests 300]
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

import httpx
import uvicorn
from _common import CORPORA, QUERY_SETS, ROOT, machine, percentile, read_jsonl, table

from benarkah.domain.articles import article_from_record
from benarkah.errors import InvalidArticle
from benarkah.publishing.links import factcheck_path
from benarkah.app import build
from benarkah.settings import Settings
from benarkah.web.app import create_app

DEMO = ROOT / "src/benarkah/data/demo_articles.jsonl"


def archive() -> tuple[str, list]:
    sources = [p for p in CORPORA if p.exists()] or [DEMO]
    articles = []
    for path in sources:
        for row in read_jsonl(path):
            try:
                articles.append(article_from_record(row))
            except InvalidArticle:
                continue
    return ", ".join(p.parent.name if p != DEMO else "demo corpus" for p in sources), articles


def queries() -> list[str]:
    path = QUERY_SETS["2026"] if QUERY_SETS["2026"].exists() else QUERY_SETS["casual"]
    return [row["query"][:300] for row in read_jsonl(path)]


def picks(texts: list[str], n: int, rng: random.Random) -> list[str]:
    return [rng.choice(texts) for _ in range(n)]


def serve(app) -> tuple[str, Callable[[], None]]:  # type: ignore[no-untyped-def]
    with __import__("socket").socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(10)
    return f"http://127.0.0.1:{port}", stop


def measure(client: httpx.Client, paths: list[str]) -> dict[str, float]:
    times, sizes, gzipped = [], [], []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.text[:200])
        sizes.append(len(response.content))
        gzipped.append(len(gzip.compress(response.content)))
    return {"p50": percentile(times, 50), "p95": percentile(times, 95), "bytes": statistics.median(sizes),
            "gzip": statistics.median(gzipped)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(15)
    name, articles = archive()
    folder = tempfile.mkdtemp(prefix="bench-reach-")
    services = build(Settings(db=os.path.join(folder, "reach.db"), secret_key="bench-" * 6, semantic=False,
                               public_url="https://cekfakta.example.id", site_name="Cek Fakta Contoh",
                               api_anonymous_per_minute=1_000_000))
    services.index.upsert(articles)
    ids = [a.id for a in articles]
    texts = queries()
    url, stop = serve(create_app(services))
    n = args.requests
    surfaces = {
        "GET /healthz (baseline)": ["/healthz"] * n,
        "GET /f/<id>": [factcheck_path(rng.choice(ids)) for _ in range(n)],
        "GET /f/ (newest 20)": [f"/f/?page={rng.randint(1, 50)}" for _ in range(n)],
        "GET /feed.xml (50 items)": ["/feed.xml"] * max(20, n // 10),
        "GET /sitemap.xml (every URL)": ["/sitemap.xml"] * max(10, n // 30),
        "GET /api/search?q= (baseline, limit 10)": [f"/api/search?{httpx.QueryParams(q=t, limit=10)}"
                                                   for t in picks(texts, n, rng)],
        "GET /f/?q= (search, 20 shown)": [f"/f/?{httpx.QueryParams(q=t)}" for t in picks(texts, n, rng)],
        "GET /api/v1/claims:search (pageSize 10)": [
            f"/api/v1/claims:search?{httpx.QueryParams(query=t, pageSize=10)}" for t in picks(texts, n, rng)],
    }
    results = {}
    with httpx.Client(base_url=url, timeout=60) as client:
        client.get("/healthz")
        client.get("/api/search?q=warm")
        for label, paths in surfaces.items():
            results[label] = measure(client, paths)
    stop()
    services.close()
    base, search = results["GET /healthz (baseline)"]["p50"], results["GET /api/search?q= (baseline, limit 10)"]["p50"]
    rows = []
    for label, r in results.items():
        searching = "q=" in label or "claims" in label
        ratio = r["p50"] / (search if searching else base)
        against = f"{ratio:.2f}× {'search' if searching else 'healthz'}"
        rows.append((label, len(surfaces[label]), f"{r['p50']:.1f}", f"{r['p95']:.1f}", against,
                     f"{r['bytes']:,.0f}", f"{r['gzip']:,.0f}"))
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    print(f"Archive: {name} ({len(articles):,} articles); machine: {machine()}; load average after: {load}\n")
    print(table(("surface", "requests", "p50 ms", "p95 ms", "p50 against", "bytes (median)", "gzip bytes"), rows))


if __name__ == "__main__":
    main()
