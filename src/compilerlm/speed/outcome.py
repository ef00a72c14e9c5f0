"""The speed search's records: `Candidate`, one judged candidate, and `AsmOutcome`, what is reported for a
program (its JSON, the stored record a rerun reads back)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Candidate:
    """One judged candidate. ``speedup`` is over the visible tests (what the choice is made on)."""

    label: str  # "gcc -O3 -march=native", "sample 2", "sample 2 repair 1"
    source: str  # "compiler" | "model" | "given" | "combined"
    compiled: bool
    correct: bool
    speedup: float | None
    failure: str = ""
    baseline_copy: bool = False
    tests_passed: int = 0
    tests_total: int = 0
    speedup_low: float | None = None  # mean over the timed tests of the 95% interval's bounds
    speedup_high: float | None = None
    instructions_ratio: float | None = None  # counted only to break a near-tie (overlapping intervals)

    @property
    def faster(self) -> bool:
        """Correct, and faster by its intervals (the mean lower bound over the visible tests above 1)."""
        return self.correct and self.speedup is not None and (self.speedup_low or 0.0) > 1.0


@dataclass
class AsmOutcome:
    """The reported result for one program (JSON as documented in the README)."""

    name: str
    correct: bool  # some candidate (model or compiler, not the baseline) passed every test
    compiled: bool  # some candidate assembled and linked
    source: str  # "model" | "compiler" | "given" | "combined" | "baseline"
    config: str | None  # the compiler configuration (source compiler) or file (source given) reported
    sample: str | None  # the model answer reported (source model)
    speedup: float  # of the reported assembly over gcc -O3, mean over the unseen tests (1.0 for the baseline)
    instructions_ratio: float | None
    speedup_ci: dict[str, list[float]] = field(default_factory=dict)
    faster: bool = False  # the reported assembly is faster by its confidence intervals (not only on average)
    speedup_tests: str = ""  # "unseen": the mean over hidden tests and mutants; "visible": none was timed
    speedup_visible: float | None = None  # the same assembly on the visible tests (shown in repair prompts)
    speedup_unseen: float | None = None
    overfit_visible: bool = False  # much faster on the visible tests than on unseen inputs
    timing_modes: list[str] = field(default_factory=list)  # "TEST: baseline runs take A s (p%) or B s (q%)"
    instructions_error: str = ""  # why instructions_ratio is missing; the choice and the speedup stand
    baseline_source: str = "gcc -O3"
    weak_checks: list[str] = field(default_factory=list)  # why "correct" means less than usual here
    notes: list[str] = field(default_factory=list)  # finalists passed over, and why
    supercoder: dict[str, Any] = field(default_factory=dict)  # protocol "supercoder": speedup, tests, error
    search: dict[str, int] = field(default_factory=dict)  # compilations, distinct assemblies, combinations
    tests: dict[str, list[int]] = field(default_factory=dict)  # kind -> [count] for visible, hidden, mutant
    candidates: list[dict[str, Any]] = field(default_factory=list)
    model_errors: list[str] = field(default_factory=list)
    error: str = ""  # why the program could not be run at all (then source baseline, nothing reported)
    seconds: float = 0.0
    assembly: str = ""  # the reported assembly (left out of the JSON; `--out` writes it)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("assembly")
        return out


OnCandidate = Callable[[str, Candidate], None]
