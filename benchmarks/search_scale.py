"""Search at 4.6k, 100k and 1M articles, end to end: a real ``benarkah serve`` answering
``GET /api/search`` over loopback (timed with a keep-alive socket client, ``_common.KeepAliveClient``:
httpx's own work per request would count as the server's). Prints Markdown tables.

    python benchmarks/search_scale.py                          # 4,636 and 100,000 articles
    python benchmarks/search_scale.py --sizes 1000000          # a million (~40 min the first time)

How the archive grows (``grow``): the 4,636 real turnbackhoax articles stay (so every dev query keeps
its target), and each synthetic article recombines two real ones picked at random: the first half of
one title's words and the second half of the other's, the claim and summary of one, and for those
with bodies the first half of one body and the second half of another. Two cores cannot embed a
million passages in reasonable time, so **synthetic vectors are recombined too**: the normalised mean
of the two parents' real vectors plus a little noise. Real words, real co-occurrence, real vector
geometry; but the synthetic articles are not real fact-checks, and recall is not measured on them.

For each size: a builder process reads the archive and saves the main segment (build time, its peak
memory); then a fresh server process starts from it (start = spawn until ``/readyz`` answers 200), and
the 216 keyword queries and 200 long 2026 forwards (cut to 500 characters) are sent one at a time,
first with the server's query cache cold, then again (cached). "new article found" = another process
ingests an article, and the time until the server's search returns it (five articles, median / max).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import numpy as np

from _common import CACHE, QUERY_SETS, KeepAliveClient, machine, percentile, read_jsonl, require_shared, table

from benarkah.domain.articles import Article
from benarkah.settings import Settings
from benarkah.storage import open_store

ROOT = Path(__file__).resolve().parents[1]
KEY = "benchmark-key-0123456789"
BATCH = 5_000


# the archive ---------------------------------------------------------------------------------------------

def real_archive() -> tuple[list[Article], np.ndarray, str]:
    from matching import open_archive

    services, articles, vectors = open_archive()
    model = services.index.embedder.name
    services.close()
    return articles, vectors, model


def _half(words: list[str], first: bool) -> list[str]:
    cut = max(1, len(words) // 2)
    return words[:cut] if first else words[cut:]


def grow(articles: list[Article], vectors: np.ndarray, target: int, seed: int = 7):
    """Batches of (articles, vectors): the real ones, then recombinations up to ``target``."""
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    for start in range(0, len(articles), BATCH):
        yield articles[start:start + BATCH], vectors[start:start + BATCH]
    with_text = [i for i, a in enumerate(articles) if a.text]
    made = len(articles)
    while made < target:
        batch, vecs = [], []
        for _ in range(min(BATCH, target - made)):
            i, j = rng.randrange(len(articles)), rng.randrange(len(articles))
            a, b = articles[i], articles[j]
            title = " ".join(_half(a.title.split(), True) + _half(b.title.split(), False))
            text = ""
            if a.text and rng.random() < 0.6:
                k = rng.choice(with_text)
                text = a.text[: len(a.text) // 2] + " " + articles[k].text[len(articles[k].text) // 2:]
            batch.append(dataclasses.replace(a, id=f"syn-{made}", title=title, text=text, summary=b.summary,
                                             url=f"https://example.invalid/syn/{made}", extra_urls=()))
            vecs.append(vectors[i] + vectors[j])
            made += 1
        v = np.vstack(vecs) + noise.normal(0, 0.02, (len(vecs), vectors.shape[1])).astype(np.float32)
        yield batch, v / np.linalg.norm(v, axis=1, keepdims=True)


def archive_db(size: int) -> Path:
    """A SQLite archive of ``size`` articles with vectors (kept under .cache/bench between runs)."""
    path = CACHE / f"scale-{size}.db"
    if path.exists():
        store = open_store(path)
        ready = store.count_articles() >= size  # earlier runs' "new article" probes add a few
        store.close()
        if ready:
            return path
        for leftover in CACHE.glob(f"scale-{size}.db*"):
            subprocess.run(["rm", "-rf", str(leftover)], check=True)
    articles, vectors, model = real_archive()
    store = open_store(path)
    started = time.perf_counter()
    from benarkah.search.live import passage_hash

    for batch, vecs in grow(articles, vectors, size):
        store.upsert_articles(batch)
        store.save_vectors(model, [(a.id, passage_hash(a), v) for a, v in zip(batch, vecs)])
    store.close()
    print(f"  built {path.name} in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    return path


# processes -----------------------------------------------------------------------------------------------

def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_for(db: Path) -> dict[str, str]:
    return {**os.environ, "BENARKAH_DB": str(db), "BENARKAH_SECRET_KEY": KEY, "BENARKAH_SEMANTIC": "true",
            "PYTHONPATH": str(ROOT / "src")}


def build_phase(db: Path, queries_path: Path) -> None:
    """Child process: build (and save) the main segment; report build time, peak RSS, share embedded."""
    from benarkah.app import build

    started = time.perf_counter()
    services = build(Settings(db=str(db), secret_key=KEY, semantic=True))
    engine = services.index.engine()
    build_s = time.perf_counter() - started
    sets = json.loads(queries_path.read_text())
    share = {name: sum(engine.needs_embedding(q) for q in qs) / len(qs) for name, qs in sets.items()}
    print(json.dumps({"build_s": build_s, "peak_mb": rss_mb(os.getpid(), "VmHWM"), "embedded": share,
                      "loaded": services.index.stats["loaded_segment"]}))
    services.close()


class Server:
    def __init__(self, db: Path) -> None:
        self.port = free_port()
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benarkah", "serve", "--no-workers", "--port", str(self.port)],
            env=env_for(db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import httpx

        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=120)
        while True:
            try:
                if self.http.get("/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.perf_counter() - started > 900:
                raise RuntimeError("server did not become ready")
            time.sleep(0.05)
        self.start_s = time.perf_counter() - started

        self.raw = KeepAliveClient("127.0.0.1", self.port)

    def search(self, q: str) -> dict:
        status, body = self.raw.get("/api/search?" + urllib.parse.urlencode({"q": q, "limit": 3}))
        if status != 200:
            raise RuntimeError(f"search answered {status}: {body[:200]!r}")
        return json.loads(body)

    def close(self) -> None:
        self.raw.close()
        self.http.close()
        self.proc.terminate()
        self.proc.wait(30)


def timed(server: Server, texts: list[str]) -> tuple[float, float]:
    times = []
    for t in texts:
        started = time.perf_counter()
        server.search(t)
        times.append((time.perf_counter() - started) * 1000)
    return percentile(times, 50), percentile(times, 99)


def new_article_found(server: Server, db: Path, rounds: int = 5) -> list[float]:
    store = open_store(db)
    out = []
    try:
        for n in range(rounds):
            word = f"zq{random.randrange(10**9)}x{n}"
            article = Article(id=f"bench-new-{word}", title=f"Hoaks {word} kapal zeppelin mendarat di monas")
            store.upsert_articles([article])
            started = time.perf_counter()
            while True:
                hits = server.search(f"{word} zeppelin monas")["results"]
                if hits and hits[0]["id"] == article.id:
                    break
                if time.perf_counter() - started > 60:
                    raise RuntimeError("a new article was not found within 60 s")
                time.sleep(0.02)
            out.append(time.perf_counter() - started)
    finally:
        store.close()
    return out


def run_size(size: int, sets: dict[str, list[str]]) -> tuple:
    db = archive_db(size)
    queries = CACHE / "scale-queries.json"
    queries.write_text(json.dumps(sets))
    built = subprocess.run([sys.executable, __file__, "--phase", "build", "--db", str(db)],
                           capture_output=True, text=True, env=env_for(db), check=True)
    build = json.loads(built.stdout.strip().splitlines()[-1])
    server = Server(db)
    try:
        start_rss = rss_mb(server.proc.pid)
        kw_cold, fw_cold = timed(server, sets["keyword"]), timed(server, sets["forward"])
        kw_warm, fw_warm = timed(server, sets["keyword"]), timed(server, sets["forward"])
        found = new_article_found(server, db)
        rss, peak = rss_mb(server.proc.pid), rss_mb(server.proc.pid, "VmHWM")
    finally:
        server.close()
    how = "loaded" if build["loaded"] else "built"
    return (f"{size:,}", f"{build['build_s']:.1f} ({how})", f"{build['peak_mb']:.0f}", f"{server.start_s:.1f}",
            f"{start_rss:.0f}", f"{rss:.0f} / {peak:.0f}",
            f"{build['embedded']['keyword']:.0%}", f"{build['embedded']['forward']:.0%}",
            *(f"{v:.1f}" for v in (*kw_cold, *fw_cold, *kw_warm, *fw_warm)),
            f"{np.median(found):.2f} / {max(found):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="4636,100000")
    parser.add_argument("--rebuild", action="store_true", help="drop saved index segments first")
    parser.add_argument("--phase", choices=["build"])
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.phase == "build":
        build_phase(Path(args.db), CACHE / "scale-queries.json")
        return
    require_shared()
    casual = read_jsonl(QUERY_SETS["casual"])
    sets = {"keyword": [q["query"] for q in casual if q["kind"] == "keyword"],
            "forward": [q["query"][:500] for q in read_jsonl(QUERY_SETS["2026"]) if len(q["query"]) >= 500][:200]}
    load = os.getloadavg()
    if args.rebuild:
        for size in args.sizes.split(","):
            subprocess.run(["rm", "-rf", str(CACHE / f"scale-{int(size)}.db.index")], check=True)
    rows = [run_size(int(s), sets) for s in args.sizes.split(",")]
    print(f"Machine: {machine()}; load average before {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}, "
          f"after {os.getloadavg()[0]:.1f}.\n")
    print(table(["articles", "index build s (or loaded)", "builder peak MB", "server start s", "server RSS MB at start",
                 "RSS MB after / peak", "keywords embedded", "forwards embedded",
                 "keyword p50 ms (cold)", "keyword p99 (cold)", "forward p50 (cold)", "forward p99 (cold)",
                 "keyword p50 (repeat)", "keyword p99 (repeat)", "forward p50 (repeat)", "forward p99 (repeat)",
                 "new article found s (median / max)"], rows))


if __name__ == "__main__":
    main()
