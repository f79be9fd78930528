"""A few of the shared rendered hoax screenshots (``../shared/bench/screenshots-dev``) and the real
fact-checks they debunk, for tests that send a screenshot on a channel (skip without the shared data).

One screenshot per style (a WhatsApp bubble, a Facebook post, an X post) with a short text, so OCR
stays cheap in CI; the fact-checks are loaded beside the demo corpus, which supplies the distractors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from benarkah.domain.articles import article_from_record
from tests.conftest import shared_path

PICKED = {"wa": "tbh-q445-img", "fb": "tbh-q1659-img", "x": "tbh-q2490-img"}
CORPORA = ("corpora/turnbackhoax-2024/articles.jsonl", "corpora/turnbackhoax-2026/articles.jsonl")


@dataclass(frozen=True)
class Screenshot:
    qid: str
    style: str
    data: bytes
    article_id: str
    title: str
    text: str  # exactly what was rendered


@lru_cache(maxsize=None)
def _queries() -> dict[str, dict]:
    path = shared_path("bench/screenshots-dev/queries.jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["qid"]: {**r, "path": path.parent / r["image"]} for r in rows}


@lru_cache(maxsize=None)
def _articles() -> dict[str, dict]:
    wanted = {_queries()[qid]["article_id"] for qid in PICKED.values()}
    found: dict[str, dict] = {}
    for corpus in CORPORA:
        for line in shared_path(corpus).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row["id"] in wanted:
                    found[row["id"]] = row
    return found


def screenshot(style: str) -> Screenshot:
    row = _queries()[PICKED[style]]
    article = _articles()[row["article_id"]]
    return Screenshot(row["qid"], style, row["path"].read_bytes(), row["article_id"], article["title"], row["text"])


def load_screenshot_articles(services) -> None:  # type: ignore[no-untyped-def]
    """The fact-checks of the picked screenshots, into a store that already holds the demo corpus."""
    services.index.upsert([article_from_record(r) for r in _articles().values()])
