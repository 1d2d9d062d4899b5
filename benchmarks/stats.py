"""What every benchmark script reports: a nearest-rank percentile."""

from __future__ import annotations


def percentile(values: list[float], pct: float) -> float:
    """The value at ``pct`` (0–100) of ``values`` by nearest rank; 0.0 when there are none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))] if ordered else 0.0
