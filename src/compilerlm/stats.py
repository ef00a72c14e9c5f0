"""The suite statistics every layer reports with: the one geometric mean (docs/design.md: suite sizes and
speedups are geomeans), and the plain mean and share of the task summaries."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def geomean(values: Iterable[float]) -> float:
    """Geometric mean of positive values, through logs so long suites do not overflow; 1.0 (no change) when
    there are none."""
    values = list(values)
    if any(v <= 0 for v in values):
        raise ValueError("geometric mean needs positive values")
    return math.exp(math.fsum(map(math.log, values)) / len(values)) if values else 1.0


def improvement_geomean(ratios: Iterable[float]) -> float:
    """`1 - geomean(size/size_Oz)`: the suite-level improvement vs -Oz."""
    return 1.0 - geomean(ratios)


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean; None (not 0) when there is nothing to average."""
    return sum(values) / len(values) if values else None


def share(count: int, total: int) -> float:
    """`count / total`, 0.0 for an empty suite."""
    return count / total if total else 0.0
