"""The tests a candidate must pass, and running it on them in the sandbox.

A program's tests split into visible ones (shown in prompts, used for PGO) and hidden ones (never shown);
differential tests add inputs whose expected output is the program's own -O0 build's (the oracle), kept
only where the -O3 baseline agrees. ``check_candidate`` runs a binary on all of them: pass = exit 0 and
stdout equal byte for byte, within the limits; the first failure comes with a short diff for repair prompts.
"""

from __future__ import annotations

import difflib
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from compilerlm.programs.program import HIDDEN_PREFIX, TestCase
from compilerlm.programs.testing import TestRun, expecting, run_test, run_tests
from compilerlm.sandbox import Limits


def split_tests(
    tests: Sequence[TestCase], visible: int = 3, seed: int = 0
) -> tuple[tuple[TestCase, ...], tuple[TestCase, ...]]:
    """(visible, hidden): ``visible`` tests drawn by ``seed`` (shown in prompts, used for PGO), the rest hidden.

    With two or more tests at least one is always hidden, so a hidden check exists; both parts keep the
    original order. Tests named ``hidden-*`` (a dataset row's or folder's own split) fix the split instead:
    they are the hidden ones, all others visible."""
    if any(t.name.startswith(HIDDEN_PREFIX) for t in tests):
        return (
            tuple(t for t in tests if not t.name.startswith(HIDDEN_PREFIX)),
            tuple(t for t in tests if t.name.startswith(HIDDEN_PREFIX)),
        )
    n = len(tests)
    k = max(0, min(visible, n - 1 if n >= 2 else n))
    chosen = set(random.Random(f"compilerlm-split:{seed}").sample(range(n), k))
    return (
        tuple(t for i, t in enumerate(tests) if i in chosen),
        tuple(t for i, t in enumerate(tests) if i not in chosen),
    )


def differential_tests(
    oracle: Path,
    inputs: Sequence[TestCase],
    limits: Limits = Limits(),  # noqa: B008  (frozen)
    baseline: Path | None = None,
    prefix: str = "mutant",
    baseline_walls: list[float] | None = None,
) -> tuple[TestCase, ...]:
    """Tests whose expected results (stdout, output files) are the oracle's, for the inputs the oracle accepts.

    ``inputs`` are tests with unknown expectations (``speed.mutants.mutated_tests``). Dropped: inputs on which
    the oracle does not end in time within its limits with the test's exit code (invalid for the program),
    and, when ``baseline`` is given, inputs on which the -O3 baseline gives other results (the program has
    undefined behaviour there, so no candidate can be held to one answer). The baseline's wall time on each
    kept input is appended to ``baseline_walls`` (candidates' time limits derive from it)."""
    out = []
    for i, test in enumerate(inputs):
        ref = run_test(oracle, test, limits)
        if not ref.passed:
            continue
        judged = replace(expecting(test, ref), name=f"{prefix}-{i}")
        if baseline is not None:
            base = run_test(baseline, judged, limits)
            if not base.passed:
                continue
            if baseline_walls is not None:
                baseline_walls.append(base.result.wall_seconds)
        out.append(judged)
    return tuple(out)


TestKind = Literal["visible", "hidden", "mutant"]


@dataclass(frozen=True)
class TestOutcome:
    """One test run of a candidate; ``status`` is the sandbox's ("ok", "wrong-output", "signal", ...)."""

    __test__ = False  # not a pytest class

    name: str
    kind: TestKind
    status: str
    wall_seconds: float
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "ok"

    @property
    def runtime_error(self) -> bool:
        """Did not run to a clean exit (crash, non-zero exit, time/memory/output limit); wrong output is not one."""
        return self.status not in ("ok", "wrong-output")


@dataclass
class CheckResult:
    """Every test of a candidate; the first failure comes with a short diff, ready for a repair prompt."""

    outcomes: list[TestOutcome]
    first_failure: TestOutcome | None = None
    failure_diff: str = ""

    def _of(self, kinds: Sequence[TestKind]) -> list[TestOutcome]:
        return [o for o in self.outcomes if o.kind in kinds]

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def passed(self) -> int:
        return sum(o.passed for o in self.outcomes)

    @property
    def fraction(self) -> float:
        return self.passed / self.total if self.total else 0.0

    def all_passed(self, kinds: Sequence[TestKind] = ("visible", "hidden", "mutant")) -> bool:
        return all(o.passed for o in self._of(kinds))

    def counts(self, kind: TestKind) -> tuple[int, int]:
        """(passed, total) for one kind of test."""
        of = self._of((kind,))
        return sum(o.passed for o in of), len(of)

    @property
    def runtime_error(self) -> bool:
        return any(o.runtime_error for o in self.outcomes)


def output_diff(expected: bytes, actual: bytes, max_lines: int = 8, max_chars: int = 600) -> str:
    """A short unified diff of two outputs (first differing lines only), for reports and repair prompts."""
    exp = expected.decode(errors="replace").splitlines(keepends=True)
    act = actual.decode(errors="replace").splitlines(keepends=True)
    lines = list(difflib.unified_diff(exp, act, "expected", "actual", n=1))
    if not lines and expected != actual:
        return f"outputs differ only in line endings/bytes ({len(expected)} vs {len(actual)} bytes)"
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines[: max_lines + 2])
    if len(lines) > max_lines + 2:
        text += f"... ({len(lines) - max_lines - 2} more diff lines)\n"
    return text if len(text) <= max_chars else text[: max_chars - 4] + "...\n"


def check_candidate(
    binary: Path,
    visible: Sequence[TestCase],
    hidden: Sequence[TestCase] = (),
    mutants: Sequence[TestCase] = (),
    *,
    limits: Limits = Limits(),  # noqa: B008  (frozen)
    stop_at_first_failure: bool = False,
) -> CheckResult:
    """Run ``binary`` in the sandbox on every test; pass = the test's exit code, stdout and output files equal
    byte for byte (``programs.testing``).

    Visible tests run first, then hidden ones, then the differential mutants (expected = the oracle's
    output). ``stop_at_first_failure`` saves time when only a yes/no is wanted (then ``fraction`` counts
    only the tests that ran)."""
    outcomes: list[TestOutcome] = []
    first: TestOutcome | None = None
    diff = ""
    groups: tuple[tuple[TestKind, Sequence[TestCase]], ...] = (
        ("visible", visible),
        ("hidden", hidden),
        ("mutant", mutants),
    )
    for kind, tests in groups:
        for run in run_tests(binary, tests, limits):
            outcome = TestOutcome(run.test.name, kind, run.status, run.result.wall_seconds, run.detail)
            outcomes.append(outcome)
            if not outcome.passed and first is None:
                first, diff = outcome, _failure_text(run)
                if stop_at_first_failure:
                    return CheckResult(outcomes, first, diff)
    return CheckResult(outcomes, first, diff)


def _failure_text(run: TestRun) -> str:
    test, res = run.test, run.result
    if run.status == "wrong-output" and test.expected is not None:
        return output_diff(test.expected, res.stdout)
    if run.status == "wrong-output-file":
        name = run.detail.split(" ", 1)[0]
        expected = dict(test.outputs).get(name) or b""
        return f"{name}:\n" + output_diff(expected, run.outputs.get(name, b""))
    err = res.stderr.decode(errors="replace").strip().splitlines()
    return f"{run.status}: {run.detail}" + (f"; stderr: {err[-1][:200]}" if err else "")
