"""The "not found" decision: a logistic model over ranking evidence, with a threshold.

A wrong answer on WhatsApp is worse than "we have not checked this yet", so the engine answers only
when the evidence says the top result is the right fact-check. The weights below were fitted by
``benchmarks/matching.py --fit`` on queries whose target was hidden from the index (negatives) and
queries answered correctly (positives); see docs/benchmarks/matching.md for the curve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Calibration:
    weights: dict[str, float] = field(default_factory=dict)
    bias: float = 0.0
    threshold: float = 0.5

    def confidence(self, evidence: dict[str, float]) -> float:
        x = self.bias + sum(w * evidence.get(name, 0.0) for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(min(x, 40.0), -40.0)))


# Fitted by `python benchmarks/matching.py --only abstention --fit` (split seed 1; reported on seed 2).
CALIBRATIONS: dict[str, Calibration] = {
    "hybrid": Calibration(
        weights={"score": 2.5437, "gap": 1.6009, "z": -0.2707, "cos": -1.3837, "coverage": 1.7577,
                 "agree": 0.4827, "bm25": 0.0016, "qcov": 0.3772, "zgap": 0.2707},
        bias=-4.583, threshold=0.48),
    "lexical": Calibration(
        weights={"score": 2.3804, "gap": 2.1303, "coverage": 2.7239, "agree": 0.7019, "bm25": 0.0027,
                 "qcov": 0.748},
        bias=-6.693, threshold=0.46),
    # Embeddings alone are not shipped; a conservative rule keeps the mode usable for experiments.
    "semantic": Calibration(weights={"z": 1.0, "zgap": 2.0}, bias=-6.0, threshold=0.5),
}
