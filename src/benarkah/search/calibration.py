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


# Provisional until fitted: coverage and agreement dominate.
CALIBRATION = Calibration(
    weights={"score": 1.0, "gap": 2.0, "coverage": 3.0, "agree": 1.0, "z": 0.3},
    bias=-4.5,
    threshold=0.5,
)
