"""The verdict on one candidate: ``evaluate_candidate`` for every answer to a prepared program.

Extract the last ```` ```assembly ```` block (``evaluate_completion``), assemble and link it with
``gcc x.s -o x -lm``, run every test (visible, hidden, mutants) in the sandbox, and time it against the
baseline only when it is correct. Rewards over the result live in ``speed/rewards.py``.

Trust: model text and dataset code are untrusted. Every binary built from them runs only through
``run_sandboxed``, instruction counting included (valgrind/perf run inside the sandbox too), and every
gcc/as/ld run on them is confined the same way (``confined_tools.py``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from compilerlm.errors import ToolMissingError
from compilerlm.measure import MeasurementError, ProgramResult, TestResult, compare, sandbox_runner
from compilerlm.measure.timing import Clock
from compilerlm.programs.program import TestCase
from compilerlm.programs.testing import test_files, test_limits
from compilerlm.sandbox import run_sandboxed
from compilerlm.speed.checks import check_candidate
from compilerlm.speed.hyperfine import hyperfine_mean
from compilerlm.speed.instructions import count_instructions_sandboxed
from compilerlm.speed.problem import AsmProblem
from compilerlm.speed.prompt import extract_assembly, is_baseline_copy

TimeIf = Literal["correct", "visible"]
Protocol = Literal["interleaved", "hyperfine"]


@dataclass
class AsmResult:
    """The verdict on one candidate. ``correct`` = docs/design.md's "Correct (asm)" on every test we hold: visible,
    hidden and the differential mutants. ``speedup`` is docs/design.md's (per test ratio of mean times, mean over
    the program's tests); it and ``instructions_ratio`` are None when not measured (not correct, or the
    measurement failed: see ``timing_error``)."""

    name: str
    compiled: bool
    correct: bool
    visible_passed: bool  # every visible test passes (SuperCoder's own notion of correct)
    tests_passed: int  # over visible + hidden + mutants
    tests_total: int
    runtime_error: bool  # some test crashed / exited non-zero / hit a limit (vs. wrong output only)
    is_baseline_copy: bool
    failure: str = ""  # "" when correct; else why, one line
    failing_test: str = ""
    failure_diff: str = ""
    compile_error: str = ""
    speedup: float | None = None
    speedup_ci: dict[str, tuple[float, float]] = field(default_factory=dict)  # test -> 95% bootstrap interval
    instructions_ratio: float | None = None
    timing_error: str = ""
    instructions_error: str = ""  # why the instruction counts are missing (the timing stands)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (passed, total)
    tests: list[TestResult] = field(default_factory=list)  # timed tests (measure.TestResult)
    clock: str = "wall"
    seconds: float = 0.0

    @property
    def passed(self) -> float:
        """Fraction of all checked tests passed (0 when it did not compile)."""
        return self.tests_passed / self.tests_total if self.tests_total else 0.0

    def program_result(self) -> ProgramResult:
        """For ``measure.summarize``: a failed candidate counts as 1.0 there, as docs/design.md says."""
        if not self.correct:
            return ProgramResult.failed(self.name, self.failure or "not correct")
        if self.tests:
            return ProgramResult(self.name, self.tests)
        if self.is_baseline_copy:  # untimed by design: equal to the baseline in every respect
            return ProgramResult(self.name, [TestResult("baseline-copy", True, 1.0, 1.0, 1, 1)])
        return ProgramResult(self.name, [TestResult("untimed", True)])


def evaluate_candidate(
    problem: AsmProblem,
    candidate_asm: str | None,
    *,
    warmups: int = 1,
    runs: int = 10,
    clock: Clock = "wall",
    instructions: bool = False,
    time_if: TimeIf = "correct",
    stop_at_first_failure: bool = False,
    tag: str = "candidate",
    timed: Sequence[TestCase] | None = None,
    protocol: Protocol = "interleaved",
) -> AsmResult:
    """Build, check and (when correct) time one candidate against the problem's baseline.

    ``candidate_asm`` is the extracted assembly (None: the answer had no assembly block, judged as a
    build failure). ``time_if="visible"`` also times candidates that pass only the visible tests, which
    SuperCoder's own reward needs; the default times only fully correct ones. A verbatim copy of the
    baseline is checked but not timed: its speedup is 1.0 by definition. Timing uses ``measure.compare``
    through the sandbox (``warmups``/``runs`` pairs per test) on ``timed`` (default: the program's own
    tests; a search times on the visible ones so that choosing the fastest does not look at hidden tests'
    timings); ``instructions`` adds instruction counts. ``protocol="hyperfine"`` times as SuperCoder does
    instead (``speed.hyperfine``: 3 warm-ups and 10 runs of each side, no interval; ``warmups``, ``runs`` and
    ``clock`` do not apply)."""
    start = time.perf_counter()
    name = problem.name
    if candidate_asm is None or not candidate_asm.strip():
        why = "no ```assembly block in the answer"
        return _build_failure(name, why, False, clock, start)
    copy = is_baseline_copy(candidate_asm, problem.baseline_asm)
    built = problem.build(candidate_asm, tag)
    if not built.ok or built.binary is None:
        return _build_failure(name, built.error, copy, clock, start)
    check = check_candidate(
        built.binary,
        problem.visible,
        problem.hidden,
        problem.mutants,
        limits=problem.limits,
        stop_at_first_failure=stop_at_first_failure,
    )
    correct = check.all_passed()
    first = check.first_failure
    result = AsmResult(
        name=name,
        compiled=True,
        correct=correct,
        visible_passed=check.all_passed(("visible",)),
        tests_passed=check.passed,
        tests_total=check.total,
        runtime_error=check.runtime_error,
        is_baseline_copy=copy,
        failure="" if correct or first is None else f"{first.kind} test {first.name}: {first.status}",
        failing_test=first.name if first else "",
        failure_diff=check.failure_diff,
        counts={k: check.counts(k) for k in ("visible", "hidden", "mutant")},
        clock=clock,
    )
    if copy and correct:
        result.speedup, result.instructions_ratio = 1.0, 1.0
    elif correct or (time_if == "visible" and result.visible_passed):
        _measure(problem, built.binary, result, warmups, runs, clock, instructions, timed, protocol)
    result.seconds = time.perf_counter() - start
    return result


def _build_failure(name: str, error: str, copy: bool, clock: str, start: float) -> AsmResult:
    return AsmResult(
        name=name,
        compiled=False,
        correct=False,
        visible_passed=False,
        tests_passed=0,
        tests_total=0,
        runtime_error=False,
        is_baseline_copy=copy,
        failure=f"compile error: {error}",
        compile_error=error,
        clock=clock,
        seconds=time.perf_counter() - start,
    )


def _measure(
    problem: AsmProblem,
    binary: Path,
    result: AsmResult,
    warmups: int,
    runs: int,
    clock: Clock,
    instructions: bool,
    timed: Sequence[TestCase] | None = None,
    protocol: Protocol = "interleaved",
) -> None:
    """Fill speedup (and instruction ratio) over the program's tests; a failure is recorded, never raised."""
    cases = list(problem.tests if timed is None else timed)
    tests: list[TestResult] = []
    intervals: dict[str, tuple[float, float]] = {}
    try:
        for test in cases:
            files = test_files(test) or None
            limits = test_limits(test, problem.limits)
            if protocol == "hyperfine":
                base, cand = hyperfine_mean(problem.baseline_binary, test, limits), hyperfine_mean(binary, test, limits)
                tests.append(TestResult(test.name, True, base, cand))
                continue
            runner = sandbox_runner(run_sandboxed, test.exit_code, limits=limits, files=files)
            comp = compare(
                [str(problem.baseline_binary), *test.args],
                [str(binary), *test.args],
                test.stdin,
                warmups=warmups,
                runs=runs,
                clock=clock,
                runner=runner,
                timeout=problem.limits.wall_seconds,
            )
            tests.append(TestResult.from_comparison(test.name, comp))
            intervals[test.name] = (comp.ci_low, comp.ci_high)
    except (MeasurementError, ToolMissingError) as exc:
        result.timing_error = str(exc)
        return
    if instructions:  # secondary: a failure is recorded and leaves the timing as it is
        try:
            tests = [_with_counts(problem, binary, t, case) for t, case in zip(tests, cases, strict=True)]
        except (MeasurementError, ToolMissingError) as exc:
            result.instructions_error = str(exc)
    prog = ProgramResult(result.name, tests)
    result.tests = tests
    result.speedup = statistics.fmean(t.speedup for t in tests if t.speedup is not None) if tests else None
    result.speedup_ci = intervals
    result.instructions_ratio = prog.instruction_ratio if instructions and not result.instructions_error else None


def _with_counts(problem: AsmProblem, binary: Path, timed: TestResult, test: TestCase) -> TestResult:
    """``timed`` with the instruction counts of baseline (counted once per problem) and candidate."""
    files = test_files(test) or None
    limits = test_limits(test, problem.limits)

    def count(path: Path) -> int:
        return count_instructions_sandboxed(
            path, test.stdin, limits, args=test.args, files=files, exit_code=test.exit_code
        )

    if test.name not in problem._baseline_instructions:
        problem._baseline_instructions[test.name] = count(problem.baseline_binary)
    base = problem._baseline_instructions[test.name]
    return replace(timed, instructions_baseline=base, instructions_candidate=count(binary))


def count_ratio(problem: AsmProblem, asm: str, tests: Sequence[TestCase]) -> tuple[float | None, str]:
    """(mean instruction ratio baseline/candidate over ``tests``, "") or (None, why it could not be counted):
    the deterministic signal that breaks near-ties between candidates whose timings overlap."""
    built = problem.build(asm)
    if not built.ok or built.binary is None:
        return None, f"does not build: {built.error}"
    try:
        counted = [_with_counts(problem, built.binary, TestResult(t.name, True), t) for t in tests]
    except (MeasurementError, ToolMissingError) as exc:
        return None, str(exc)
    ratios = [t.instruction_ratio for t in counted if t.instruction_ratio is not None]
    return (statistics.fmean(ratios), "") if ratios else (None, "no test to count on")


def evaluate_completion(problem: AsmProblem, completion: str, **kwargs: object) -> AsmResult:
    """``evaluate_candidate`` on a model's raw answer (the last ```assembly block is taken)."""
    return evaluate_candidate(problem, extract_assembly(completion), **kwargs)  # type: ignore[arg-type]
