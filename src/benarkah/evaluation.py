"""Retrieval metrics over a labelled query set: Recall@k and MRR@10, overall and per kind."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .errors import InputFormatError

CUTOFFS = (1, 3, 10)


@dataclass(frozen=True)
class LabelledQuery:
    qid: str
    article_id: str  # the first accepted article
    kind: str
    query: str
    article_ids: tuple[str, ...] = ()  # every accepted article (several fact-checks may debunk one rumour)
    image: Path | None = None  # a picture (or video) sent instead of text, resolved against the queries file

    @property
    def accepted(self) -> tuple[str, ...]:
        return self.article_ids or (self.article_id,)


def load_queries(path: Path) -> list[LabelledQuery]:
    """Lines ``{"qid", "article_id" or "article_ids": [...], "kind", "query"}``, or with ``"image": PATH``
    (relative to the file) instead of ``query``."""
    queries = []
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                ids = row.get("article_ids") or [row["article_id"]]
                if not isinstance(ids, list) or not ids:
                    raise TypeError("article_ids must be a non-empty list")
                ids = tuple(str(i) for i in ids)
                image = path.parent / str(row["image"]) if row.get("image") else None
                text = "" if image is not None and "query" not in row else str(row["query"])
                queries.append(LabelledQuery(str(row["qid"]), ids[0], str(row.get("kind") or "default"),
                                             text, ids, image))
            except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
                raise InputFormatError(f"{path}:{number}: expected {{qid, article_id, kind, query}} or "
                                       f"{{qid, article_id, kind, image}}: {exc}") from exc
    return queries


def unknown_targets(queries: Iterable[LabelledQuery], archive_ids: Iterable[str]) -> list[LabelledQuery]:
    """Queries none of whose accepted articles is in the archive: they can only count as misses."""
    known = set(archive_ids)
    return [q for q in queries if not any(a in known for a in q.accepted)]


def metrics(ranks: Sequence[int | None]) -> dict[str, float | int]:
    """``ranks`` holds the 1-based rank of the right article per query (None when not in the top 10)."""
    n = len(ranks)
    out: dict[str, float | int] = {"n": n}
    for k in CUTOFFS:
        out[f"recall@{k}"] = round(sum(1 for r in ranks if r is not None and r <= k) / n, 4) if n else 0.0
    out["mrr@10"] = round(sum(1.0 / r for r in ranks if r is not None and r <= 10) / n, 4) if n else 0.0
    return out


def evaluate(
    queries: Iterable[LabelledQuery],
    ranked_ids: Callable[[str], Sequence[str]],
    ranked_image_ids: Callable[[LabelledQuery], Sequence[str]] | None = None,
) -> dict[str, object]:
    """Run every query through ``ranked_ids`` (top-10 article ids; picture lines through
    ``ranked_image_ids``) and report the metrics."""
    by_kind: dict[str, list[int | None]] = defaultdict(list)
    overall: list[int | None] = []
    for query in queries:
        if query.image is not None:
            if ranked_image_ids is None:
                raise InputFormatError(f"{query.qid}: picture queries need picture search")
            ids = list(ranked_image_ids(query))[:10]
        else:
            ids = list(ranked_ids(query.query))[:10]
        ranks = [ids.index(a) + 1 for a in query.accepted if a in ids]
        rank = min(ranks) if ranks else None
        overall.append(rank)
        by_kind[query.kind].append(rank)
    return {"overall": metrics(overall), "per_kind": {k: metrics(v) for k, v in sorted(by_kind.items())}}


def format_table(report: dict[str, object]) -> str:
    rows = [("overall", report["overall"])] + list(report["per_kind"].items())  # type: ignore[union-attr]
    header = f"{'kind':<12} {'n':>6} {'R@1':>7} {'R@3':>7} {'R@10':>7} {'MRR@10':>7}"
    lines = [header, "-" * len(header)]
    for name, m in rows:
        lines.append(f"{name:<12} {m['n']:>6} {m['recall@1']:>7.4f} {m['recall@3']:>7.4f} "
                     f"{m['recall@10']:>7.4f} {m['mrr@10']:>7.4f}")
    return "\n".join(lines)
