"""Clustering quality: the dev benchmark's circulated messages treated as tips.

Two tip streams per query set, clustered online in a shuffled (seeded) arrival order:

* ``raw``: every message once. Each message belongs to a different fact-check, so the ideal is one
  cluster per message; this measures false merges (clusters vs distinct fact-checks, purity).
* ``variants``: every message plus the ways the same rumour reaches a tipline again: a noisy copy
  (``perturb.py``: slang, typos, caps, emoji), a forward cut to its first 60% of words with a
  "tolong cek" framing, and, for 2024, the fact-check's own title without its verdict label (a
  rewording by a different person). Here merges are wanted, so pairwise recall and ARI mean
  something.

Two term sets: ``words`` (the analysed words only, as before issue 13) and ``tip`` (what the desk
uses, ``domain.clustering.tip_terms``: plus one term per link, a word-less text by its folded words,
and a cluster holding the same specific link wins below the threshold).

Metrics: clusters vs distinct fact-checks, purity (share of tips in their cluster's majority
fact-check), inverse purity, pairwise precision/recall/F1, adjusted Rand index.

    python benchmarks/cluster_quality.py [--thresholds 0.3 0.4 0.45 0.5 0.6] [--seed 7] [--terms words tip]
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections import Counter, defaultdict
from math import comb
from typing import Sequence

from _common import CORPORA, QUERY_SETS, machine, read_jsonl, require_shared, table
from perturb import perturb

from benarkah.domain.clustering import DEFAULT_THRESHOLD, cluster_all, tip_terms
from benarkah.domain.text import Analyzer

LABEL = re.compile(r"^\s*\[[^\]]+\]\s*")
FRAMES = ["tolong cek ini benar gak: ", "Fwd: ", "min ini hoax bukan? ", "", "info dari grup keluarga: "]


def variants(rows: list[dict], titles: dict[str, str], rng: random.Random) -> list[tuple[str, str]]:
    tips: list[tuple[str, str]] = []
    for row in rows:
        text, label = row["query"], row["article_id"]
        words = text.split()
        tips.append((text, label))
        tips.append((perturb(text, rng), label))
        if len(words) >= 6:
            tips.append((rng.choice(FRAMES) + " ".join(words[: max(4, int(len(words) * 0.6))]), label))
        title = LABEL.sub("", titles.get(label, ""))
        if title:
            tips.append((title, label))
    return tips


def scores(truth: Sequence[str], labels: Sequence[int]) -> dict[str, float]:
    n = len(truth)
    by_cluster: dict[int, Counter[str]] = defaultdict(Counter)
    by_truth: dict[str, Counter[int]] = defaultdict(Counter)
    for t, c in zip(truth, labels):
        by_cluster[c][t] += 1
        by_truth[t][c] += 1
    purity = sum(max(c.values()) for c in by_cluster.values()) / n
    inverse = sum(max(c.values()) for c in by_truth.values()) / n
    together = sum(comb(k, 2) for c in by_cluster.values() for k in c.values())  # same cluster & truth
    pred_pairs = sum(comb(sum(c.values()), 2) for c in by_cluster.values())
    true_pairs = sum(comb(sum(c.values()), 2) for c in by_truth.values())
    precision = together / pred_pairs if pred_pairs else 1.0
    recall = together / true_pairs if true_pairs else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if true_pairs and precision + recall else float("nan")
    expected = pred_pairs * true_pairs / comb(n, 2)
    maximum = (pred_pairs + true_pairs) / 2
    ari = (together - expected) / (maximum - expected) if maximum != expected else 1.0
    return {"clusters": len(by_cluster), "factchecks": len(by_truth), "tips": n, "purity": purity,
            "inverse_purity": inverse, "pair_precision": precision, "pair_recall": recall, "pair_f1": f1,
            "ari": ari}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.3, 0.4, DEFAULT_THRESHOLD, 0.5, 0.6])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--terms", nargs="+", choices=["words", "tip"], default=["words", "tip"])
    args = parser.parse_args()
    require_shared()
    titles = {r["id"]: r["title"] for path in CORPORA[:1] for r in read_jsonl(path)}
    analyzer = Analyzer()
    out = []
    for name in ("2024", "2026"):
        rows = read_jsonl(QUERY_SETS[name])
        rng = random.Random(args.seed)
        streams = {"raw": [(r["query"], r["article_id"]) for r in rows],
                   "variants": variants(rows, titles if name == "2024" else {}, rng)}
        for stream, tips in streams.items():
            rng.shuffle(tips)
            words = [analyzer.terms(text) for text, _ in tips]
            term_sets = {"words": words, "tip": [tip_terms(t, w) for (t, _), w in zip(tips, words)]}
            truth = [label for _, label in tips]
            for kind in args.terms:
                for threshold in args.thresholds:
                    started = time.perf_counter()
                    labels = cluster_all(term_sets[kind], threshold=threshold)
                    elapsed = time.perf_counter() - started
                    s = scores(truth, labels)
                    out.append([name, stream, kind, threshold, s["tips"], s["factchecks"], s["clusters"],
                                s["purity"], s["inverse_purity"], s["pair_precision"], s["pair_recall"], s["ari"],
                                f"{1000 * elapsed / len(tips):.2f}"])
    print(table(["set", "stream", "terms", "threshold", "tips", "fact-checks", "clusters", "purity", "inv. purity",
                 "pair P", "pair R", "ARI", "ms/tip"], out))
    print(f"\nmachine: {machine()} (shared with other sessions)")


if __name__ == "__main__":
    main()
