"""docs/design.md's speedup aggregation: tests → programs → suite, for time and for instruction counts.

Per test: ``time_baseline / time_candidate`` (means of repeated runs) and ``instructions_baseline /
instructions_candidate``. Per program: the mean over its tests; a failed program (no compile, wrong
output, crash, timeout — any failed test) counts as 1.0 in both. Suite: geometric mean over programs,
pass rate, share of programs strictly faster (> 1.0), and quartiles of the per-program values (with
failures as 1.0, the same population the geometric mean uses). All results are plain dataclasses, so
``dataclasses.asdict`` gives JSON.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from compilerlm.measure.timing import Clock, Comparison
from compilerlm.stats import geomean


@dataclass
class TestResult:
    """One test of one program. ``speedup``/``instruction_ratio`` are derived (None when not measured)."""

    __test__ = False  # not a pytest class, despite the name

    name: str
    passed: bool
    time_baseline: float | None = None  # mean seconds
    time_candidate: float | None = None
    instructions_baseline: int | None = None
    instructions_candidate: int | None = None
    detail: str = ""
    kind: str = ""  # which inputs: "visible" (shown to a model, gate correctness) or "unseen"; "" when not said
    modes: str = ""  # which side's run times fell in two clusters, and where (`timing.modes`); "" when none did
    speedup: float | None = field(init=False)
    instruction_ratio: float | None = field(init=False)

    def __post_init__(self) -> None:
        self.speedup = _ratio(self.time_baseline, self.time_candidate) if self.passed else None
        self.instruction_ratio = (
            _ratio(self.instructions_baseline, self.instructions_candidate) if self.passed else None
        )

    @classmethod
    def from_comparison(
        cls, name: str, comparison: Comparison, instructions: tuple[int, int] | None = None
    ) -> TestResult:
        """A passed test timed by ``timing.compare`` (means on its clock), optionally with instruction counts."""
        base, cand = comparison.baseline.stats(comparison.clock), comparison.candidate.stats(comparison.clock)
        ib, ic = instructions if instructions else (None, None)
        sides = (("baseline", comparison.baseline_modes), ("candidate", comparison.candidate_modes))
        found = "; ".join(f"{side} runs take {m.describe()}" for side, m in sides if m is not None)
        return cls(name, True, base.mean, cand.mean, ib, ic, modes=found)


@dataclass
class ProgramResult:
    """All tests of one program; ``failure`` names why it failed before any test ran (e.g. "compile error")."""

    name: str
    tests: list[TestResult]
    failure: str = ""
    passed: bool = field(init=False)
    speedup: float | None = field(init=False)  # mean over tests; 1.0 when failed; None if not timed
    instruction_ratio: float | None = field(init=False)  # mean over tests; 1.0 when failed; None if not counted

    def __post_init__(self) -> None:
        self.passed = not self.failure and bool(self.tests) and all(t.passed for t in self.tests)
        if self.passed:
            self.speedup = _mean_or_none([t.speedup for t in self.tests])
            self.instruction_ratio = _mean_or_none([t.instruction_ratio for t in self.tests])
        else:
            self.speedup = self.instruction_ratio = 1.0

    @classmethod
    def failed(cls, name: str, why: str) -> ProgramResult:
        return cls(name, [], failure=why)


@dataclass
class Aggregate:
    """One metric over a suite: geometric mean, share strictly above 1.0, quartiles (q1, median, q3)."""

    geomean: float
    share_better: float
    quartiles: tuple[float, float, float]
    programs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Aggregate:
        if not values:
            raise ValueError("no values")
        return cls(
            geomean=geomean(values),
            share_better=sum(v > 1.0 for v in values) / len(values),
            quartiles=quartiles(values),
            programs=len(values),
        )


@dataclass
class SuiteResult:
    """docs/design.md's suite numbers. ``clock`` and ``instruction_backend`` say how times and counts were taken."""

    programs: list[ProgramResult]
    clock: str = "wall"
    instruction_backend: str | None = None
    pass_rate: float = field(init=False)
    speedup: Aggregate | None = field(init=False)  # failures as 1.0; None if no passed program was timed
    instructions: Aggregate | None = field(init=False)  # failures as 1.0; None if no passed program was counted

    def __post_init__(self) -> None:
        if not self.programs:
            raise ValueError("empty suite")
        self.pass_rate = sum(p.passed for p in self.programs) / len(self.programs)
        self.speedup = _aggregate([p.speedup for p in self.programs], self.programs)
        self.instructions = _aggregate([p.instruction_ratio for p in self.programs], self.programs)


def _aggregate(values: list[float | None], programs: list[ProgramResult]) -> Aggregate | None:
    """Over programs that have the metric; None when only failures have it (their 1.0 alone means nothing)."""
    if not any(v is not None and p.passed for v, p in zip(values, programs, strict=True)):
        return None
    return Aggregate.of([v for v in values if v is not None])


def summarize(
    programs: Sequence[ProgramResult], *, clock: Clock = "wall", instruction_backend: str | None = None
) -> SuiteResult:
    return SuiteResult(list(programs), clock, instruction_backend)


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """25th, 50th, 75th percentiles by linear interpolation between order statistics (numpy's default)."""
    xs = sorted(values)
    if not xs:
        raise ValueError("no values")

    def q(p: float) -> float:
        pos = p * (len(xs) - 1)
        lo = math.floor(pos)
        hi = min(lo + 1, len(xs) - 1)
        return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)

    return q(0.25), q(0.5), q(0.75)


def _mean_or_none(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present and len(present) == len(values) else None


def _ratio(base: float | None, cand: float | None) -> float | None:
    if base is None or cand is None:
        return None
    return base / cand if cand > 0 else math.inf
