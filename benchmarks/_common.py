"""Shared helpers for benchmark scripts: the shared data, a cached benchmark database, tables."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BENARKAH_SHARED", ROOT.parent / "shared"))
CACHE = ROOT / ".cache" / "bench"
sys.path.insert(0, str(ROOT / "src"))

CORPORA = [SHARED / "corpora/turnbackhoax-2024/articles.jsonl", SHARED / "corpora/turnbackhoax-2026/articles.jsonl"]
QUERY_SETS = {
    "2024": SHARED / "bench/turnbackhoax-dev/queries.jsonl",
    "2026": SHARED / "bench/turnbackhoax-2026-dev/queries.jsonl",
    "casual": ROOT / "benchmarks/data/casual_queries.jsonl",
}


def require_shared() -> None:
    missing = [p for p in CORPORA + [QUERY_SETS["2024"], QUERY_SETS["2026"]] if not p.exists()]
    if missing:
        sys.exit(f"benchmark needs the shared data beside the project; missing: {missing[0]}")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    def cell(v: object) -> str:
        return f"{v:.4f}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if len(values) else float("nan")


def cached_query_vectors(embedder, texts: list[str], label: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Query embeddings, computed once per distinct text list and kept under .cache/bench."""
    CACHE.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(("\x1e".join(texts) + embedder.name).encode()).hexdigest()[:16]
    path = CACHE / f"qvec-{label}-{digest}.npy"
    if path.exists():
        return np.load(path)
    started = time.perf_counter()
    out = []
    for i in range(0, len(texts), 32):
        out.append(embedder.embed_queries(texts[i:i + 32]))
    vectors = np.vstack(out).astype(np.float32)
    np.save(path, vectors)
    print(f"  embedded {len(texts)} {label} queries in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return vectors
