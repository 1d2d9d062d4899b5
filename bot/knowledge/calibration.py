"""Confidence as a probability that the top entry is the right answer.

A logistic model over a handful of :class:`~bot.knowledge.index.Evidence`
features, fitted on labelled queries (``tests/eval/hard_queries.jsonl``) by
``benchmarks/calibrate.py``. Few features and many labels keep it honest:
it learns how much "explains most of the question" and "wins clearly" are
worth, not which questions exist.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

FEATURES = (
    "coverage",
    "known_coverage",
    "log_strength",
    "lead",
    "title",
    "log_matched",
    "general",
    "point",
    "domain",
    "ideas",
    "define",
)
FITTED_PATH = Path(__file__).with_name("calibration.json")


class _Evidence(Protocol):
    coverage: float
    known_coverage: float
    strength: float
    lead: float
    title: float
    matched: float
    general: float
    point: float
    domain: float
    ideas: float
    define: float


def features(evidence: _Evidence) -> list[float]:
    return [
        evidence.coverage,
        evidence.known_coverage,
        math.log1p(evidence.strength),
        evidence.lead,
        evidence.title,
        math.log1p(evidence.matched),
        evidence.general,
        evidence.point,
        evidence.domain,
        evidence.ideas,
        evidence.define,
    ]


@dataclass(frozen=True)
class Calibration:
    weights: tuple[float, ...]
    bias: float

    @classmethod
    def default(cls) -> Calibration:
        if FITTED_PATH.is_file():
            return cls.from_dict(json.loads(FITTED_PATH.read_text(encoding="utf-8")))
        return cls(weights=(3.0, 2.0, 2.5, 0.7, 0.0, 0.0, -3.0, 1.0, 1.0, 1.0, -3.0), bias=-8.0)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        weights = data["weights"]
        # A feature the fitted file predates weighs nothing until the next fit.
        return cls(tuple(float(weights.get(name, 0.0)) for name in FEATURES), float(data["bias"]))

    def to_dict(self) -> dict[str, Any]:
        return {"weights": dict(zip(FEATURES, self.weights, strict=True)), "bias": self.bias}

    def confidence(self, evidence: _Evidence) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, features(evidence), strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def fit(
    samples: list[tuple[list[float], int]],
    epochs: int = 4000,
    rate: float = 0.5,
    l2: float = 1e-3,
    start: Calibration | None = None,
    free: frozenset[str] | None = None,
) -> Calibration:
    """Plain batch gradient descent: a few features, a few hundred samples.

    With ``start`` and ``free``, only the ``free`` features' weights move (from
    ``start``'s); every other weight and the bias stay as fitted. A new feature
    then changes only the questions it is non-zero for: the rest keep their
    confidence, and every labelled set its figures, until the next full fit.
    """
    size = len(FEATURES)
    weights, bias = (list(start.weights), start.bias) if start else ([0.0] * size, 0.0)
    moving = [free is None or name in free for name in FEATURES]
    count = max(len(samples), 1)
    for _ in range(epochs):
        grad, grad_bias = [0.0] * size, 0.0
        for x, y in samples:
            z = bias + sum(w * v for w, v in zip(weights, x, strict=True))
            error = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))) - y
            grad_bias += error
            for i in range(size):
                grad[i] += error * x[i]
        if free is None:
            bias -= rate * grad_bias / count
        weights = [
            w - rate * (g / count + l2 * w) if move else w
            for w, g, move in zip(weights, grad, moving, strict=True)
        ]
    return Calibration(tuple(round(w, 4) for w in weights), round(bias, 4))
