"""The one geometric mean every layer reports with (docs/design.md: suite sizes and speedups are geomeans)."""

from __future__ import annotations

import math
from collections.abc import Iterable


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
