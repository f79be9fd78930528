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


class KeepAliveClient:
    """A minimal HTTP/1.1 keep-alive GET client over one socket, for timing a server: httpx's own
    request building and parsing cost 1.5-2.5 ms per request on these cores (measured against this
    client on the same server), which would be counted as the server's latency."""

    def __init__(self, host: str, port: int, timeout: float = 120.0) -> None:
        import socket

        self._sock = socket.create_connection((host, port), timeout=timeout)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._file = self._sock.makefile("rb")
        self.host = host

    def get(self, path: str) -> tuple[int, bytes]:
        self._sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode("ascii"))
        status = int(self._file.readline().split()[1])
        length = 0
        while (line := self._file.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, self._file.read(length)

    def close(self) -> None:
        self._file.close()
        self._sock.close()
