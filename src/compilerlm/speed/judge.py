"""The verdict on one candidate: ``evaluate_candidate`` for every answer to a prepared program.

Extract the last ```` ```assembly ```` block (``evaluate_completion``), assemble and link it with
``gcc x.s -o x -lm``, run every test (visible, hidden, mutants) in the sandbox, and time it against the
baseline only when it is correct. Rewards over the result live in ``speed/rewards.py``.

Trust: model text and dataset code are untrusted, and so is the binary being measured. Every binary built
from them runs only in the sandbox, and every run that yields a number is a checked run
(``programs.testing.checked_runner``, ``speed.instructions``): a candidate that passes its checks and then
fails while timed is not correct; a counted run that fails gives no count (``instructions_error``), and a
counter report that was written to rejects the candidate. The
speedup is earned on inputs the model never saw: it is the mean over the unseen tests (hidden tests and
differential mutants) that were timed; visible tests, which a repair prompt shows, only gate correctness,
and a candidate much faster on them than on unseen inputs is flagged (``overfit_visible``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from compilerlm.errors import ToolMissingError
from compilerlm.measure import MeasurementError, MeasurementTampered, ProgramResult, RunFailed, TestResult, compare
from compilerlm.measure.timing import Clock
from compilerlm.programs.program import TestCase
from compilerlm.programs.testing import checked_runner
from compilerlm.speed.checks import check_candidate
from compilerlm.speed.instructions import count_instructions_sandboxed
from compilerlm.speed.problem import AsmProblem
from compilerlm.speed.prompt import extract_assembly, is_baseline_copy

TimeIf = Literal["correct", "own-tests"]
Protocol = Literal["interleaved", "supercoder"]
SUPERCODER_WARMUPS, SUPERCODER_RUNS = 3, 10  # hyperfine's schedule in SuperCoder's reward, per side and test
OVERFIT_RATIO = 3.0  # median visible test this many times faster than the median unseen input: flagged


@dataclass
class AsmResult:
    """The verdict on one candidate. ``correct`` = docs/design.md's "Correct (asm)" on every test we hold: visible,
    hidden and the differential mutants. ``speedup`` is docs/design.md's (per test ratio of mean times), the
    mean over the unseen tests timed (``speedup_tests`` "unseen"), or over the visible ones when no unseen test
    was timed ("visible": a search's choice, or a program without hidden tests and mutants); it and
    ``instructions_ratio`` are None when not measured (not correct, or the measurement failed: see
    ``timing_error``). ``faster``: faster by the timed tests' 95% intervals (their mean lower bound above 1)."""

    name: str
    compiled: bool
    correct: bool
    visible_passed: bool  # every visible test passes
    tests_passed: int  # over visible + hidden + mutants
    tests_total: int
    runtime_error: bool  # some test crashed / exited non-zero / hit a limit (vs. wrong output only)
    is_baseline_copy: bool
    own_tests_passed: bool = False  # every test of the program's own (visible and hidden; SuperCoder's "all tests")
    failure: str = ""  # "" when correct; else why, one line
    failing_test: str = ""
    failure_diff: str = ""
    compile_error: str = ""
    speedup: float | None = None
    speedup_ci: dict[str, tuple[float, float]] = field(default_factory=dict)  # test -> 95% bootstrap interval
    speedup_tests: str = ""  # "unseen" or "visible": which tests ``speedup`` is the mean over
    speedup_visible: float | None = None  # mean over the visible tests timed (for the overfit flag)
    speedup_unseen: float | None = None  # mean over the hidden tests and mutants timed
    overfit_visible: bool = False  # much faster on the visible tests than on unseen inputs (hard-coded answers?)
    faster: bool = False
    instructions_ratio: float | None = None
    timing_error: str = ""
    instructions_error: str = ""  # why the instruction counts are missing (the timing stands)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (passed, total)
    tests: list[TestResult] = field(default_factory=list)  # timed tests (measure.TestResult)
    clock: str = "wall"
    protocol: str = "interleaved"
    seconds: float = 0.0

    @property
    def passed(self) -> float:
        """Fraction of all checked tests passed (0 when it did not compile)."""
        return self.tests_passed / self.tests_total if self.tests_total else 0.0

    @property
    def basis(self) -> list[TestResult]:
        """The timed tests ``speedup`` is the mean over."""
        return [t for t in self.tests if (t.kind == "visible") == (self.speedup_tests == "visible")]

    def interval(self) -> tuple[float | None, float | None]:
        """The mean over the basis tests of their 95% intervals' lower and upper bounds (None when untimed)."""
        bounds = [self.speedup_ci[t.name] for t in self.basis if t.name in self.speedup_ci]
        if not bounds:
            return None, None
        return statistics.fmean(lo for lo, _ in bounds), statistics.fmean(hi for _, hi in bounds)

    def program_result(self) -> ProgramResult:
        """For ``measure.summarize``: a failed candidate counts as 1.0 there, as docs/design.md says."""
        if not self.correct:
            return ProgramResult.failed(self.name, self.failure or "not correct")
        if self.tests:
            return ProgramResult(self.name, self.basis)
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
    build failure). ``time_if="own-tests"`` also times candidates that pass the program's own tests
    (visible and hidden) but not every mutant, which SuperCoder's own reward needs; the default times only
    fully correct ones. A verbatim copy of the baseline is checked but not timed: its speedup is 1.0 by
    definition. Timing uses ``measure.compare`` over checked runs (``warmups``/``runs`` pairs per test) on
    ``timed`` (default: every test, visible, hidden and mutants; a search times on the visible ones so that
    choosing the fastest does not look at the unseen tests' timings); ``instructions`` adds instruction
    counts. ``protocol="supercoder"`` times with SuperCoder's schedule instead (hyperfine's: 3 warm-ups and 10
    runs of the baseline, then of the candidate; ``warmups`` and ``runs`` do not apply), on the same checked
    runs."""
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
        own_tests_passed=check.all_passed(("visible", "hidden")),
        tests_passed=check.passed,
        tests_total=check.total,
        runtime_error=check.runtime_error,
        is_baseline_copy=copy,
        failure="" if correct or first is None else f"{first.kind} test {first.name}: {first.status}",
        failing_test=first.name if first else "",
        failure_diff=check.failure_diff,
        counts={k: check.counts(k) for k in ("visible", "hidden", "mutant")},
        clock=clock,
        protocol=protocol,
    )
    if copy and correct:
        result.speedup, result.instructions_ratio, result.speedup_tests = 1.0, 1.0, "unseen"
    elif correct or (time_if == "own-tests" and result.own_tests_passed):
        cases = list(timed if timed is not None else problem.tests if not correct else problem.timed_tests)
        if protocol == "supercoder":
            warmups, runs = SUPERCODER_WARMUPS, SUPERCODER_RUNS
        _measure(problem, built.binary, result, cases, warmups, runs, clock, instructions)
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
    cases: Sequence[TestCase],
    warmups: int,
    runs: int,
    clock: Clock,
    instructions: bool,
) -> None:
    """Fill speedup (and instruction ratio) over ``cases``, every run checked. A failure of the candidate's
    runs makes it incorrect; any other failure is recorded; nothing is raised."""
    seen = {t.name for t in problem.visible}
    tests: list[TestResult] = []
    intervals: dict[str, tuple[float, float]] = {}
    schedule: Literal["interleaved", "blocks"] = "blocks" if result.protocol == "supercoder" else "interleaved"
    try:
        for test in cases:
            comp = compare(
                [str(problem.baseline_binary), *test.args],
                [str(binary), *test.args],
                test.stdin,
                warmups=warmups,
                runs=runs,
                clock=clock,
                runner=checked_runner(test, problem.limits),
                timeout=problem.limits.wall_seconds,
                schedule=schedule,
            )
            kind = "visible" if test.name in seen else "unseen"
            tests.append(replace(TestResult.from_comparison(test.name, comp), kind=kind))
            intervals[test.name] = (comp.ci_low, comp.ci_high)
    except RunFailed as exc:
        _failed_while_timed(result, binary, exc, test)
        return
    except (MeasurementError, ToolMissingError) as exc:
        result.timing_error = str(exc)
        return
    if instructions:  # secondary: a failure is recorded and leaves the timing as it is
        try:
            tests = [_with_counts(problem, binary, t, case) for t, case in zip(tests, cases, strict=True)]
        except MeasurementTampered as exc:
            _rejected(result, f"tampered with its instruction count ({exc})")
            return
        except (MeasurementError, ToolMissingError) as exc:
            # a counted run that fails its test gives no count, never a number: valgrind lacks some instructions
            # (AVX-512) that an honest -march=native build uses, so a failure is not taken as the candidate's
            result.instructions_error = str(exc)
            instructions = False
    result.tests = tests
    result.speedup_ci = intervals
    _speedups(result, instructions, {t.name for t in problem.mutants})


def _speedups(result: AsmResult, counted: bool, mutants: set[str]) -> None:
    """The speedup over the unseen tests timed (the visible ones when none was), the visible/unseen split,
    the overfit flag, and whether it is faster by its intervals."""
    visible = [t for t in result.tests if t.kind == "visible"]
    unseen = [t for t in result.tests if t.kind != "visible"]
    result.speedup_visible, result.speedup_unseen = _mean(visible, "speedup"), _mean(unseen, "speedup")
    result.speedup_tests = "unseen" if unseen else "visible"
    result.speedup = _mean(result.basis, "speedup")
    result.instructions_ratio = _mean(result.basis, "instruction_ratio") if counted else None
    near = [t for t in unseen if t.name in mutants] or unseen  # the visible inputs, mutated: same kind and size
    result.overfit_visible = _overfit(visible, near, "instruction_ratio" if counted else "speedup")
    low = result.interval()[0]
    result.faster = low is not None and low > 1.0


def _mean(of: list[TestResult], attr: str) -> float | None:
    """The mean of one measure over some tests; None when any of them lacks it."""
    values = [getattr(t, attr) for t in of]
    return statistics.fmean(values) if values and None not in values else None


def _overfit(visible: list[TestResult], unseen: list[TestResult], attr: str) -> bool:
    """Much faster on the visible tests than on unseen inputs — their mutants where those were timed, inputs of the
    same kind and size, where an honest speedup is about what it is on the originals while a table of the visible
    answers gains nothing: by instruction ratios where counted (exact, so a table shows as it is on a noisy
    machine), else by the timings. Medians, and a wide margin: one noisy test must not flag a candidate; a table
    lookup is tens of times ahead on what it memorised."""
    vis, uns = _median(visible, attr), _median(unseen, attr)
    return vis is not None and uns is not None and vis > OVERFIT_RATIO * max(uns, 1.0)


def _median(of: list[TestResult], attr: str) -> float | None:
    values = [getattr(t, attr) for t in of]
    return statistics.median(values) if values and None not in values else None


def _failed_while_timed(result: AsmResult, binary: Path, exc: RunFailed, test: TestCase) -> None:
    """The candidate passed its checks, then failed one of its timed runs: not correct (it behaves differently
    when timed, or not reliably). A failure of the baseline's run is a timing error."""
    if exc.program != str(binary):
        result.timing_error = f"the baseline failed while timed on test {test.name}: {exc.sample.detail}"
        return
    _rejected(result, f"test {test.name} failed while timed: {exc.sample.status}", test.name)


def _rejected(result: AsmResult, why: str, test: str = "") -> None:
    result.correct = False
    result.failure, result.failing_test = why, test
    result.speedup = result.instructions_ratio = None
    result.tests, result.speedup_ci = [], {}


def _with_counts(problem: AsmProblem, binary: Path, timed: TestResult, test: TestCase) -> TestResult:
    """``timed`` with the instruction counts of baseline (counted once per problem) and candidate."""
    if test.name not in problem._baseline_instructions:
        problem._baseline_instructions[test.name] = count_instructions_sandboxed(
            problem.baseline_binary, test, problem.limits
        )
    base = problem._baseline_instructions[test.name]
    return replace(
        timed,
        instructions_baseline=base,
        instructions_candidate=count_instructions_sandboxed(binary, test, problem.limits),
    )


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


@dataclass(frozen=True)
class HeadToHead:
    """Candidate B timed against candidate A directly (interleaved pairs, checked runs) on some tests: the mean
    over the tests of A's time / B's time and of its 95% interval's bounds (above 1: B is faster)."""

    speedup: float
    low: float
    high: float
    runs: int

    @property
    def decided(self) -> bool:
        return self.low > 1.0 or self.high < 1.0


def head_to_head(
    problem: AsmProblem, asm_a: str, asm_b: str, tests: Sequence[TestCase], *, warmups: int, runs: int
) -> HeadToHead | str:
    """The clock's word on two correct candidates, timed against each other rather than each against the baseline:
    a difference between them is measured on its own, with nothing else's noise in it. A one-line reason (str)
    when either does not build or a run fails while timed."""
    built = [problem.build(asm) for asm in (asm_a, asm_b)]
    binaries = [b.binary for b in built if b.ok and b.binary is not None]
    if len(binaries) < 2:
        return "a candidate does not build: " + next(b.error for b in built if not b.ok or b.binary is None)
    speedups, lows, highs = [], [], []
    try:
        for test in tests:
            comp = compare(
                [str(binaries[0]), *test.args],
                [str(binaries[1]), *test.args],
                test.stdin,
                warmups=warmups,
                runs=runs,
                runner=checked_runner(test, problem.limits),
                timeout=problem.limits.wall_seconds,
            )
            speedups.append(comp.speedup)
            lows.append(comp.ci_low)
            highs.append(comp.ci_high)
    except MeasurementError as exc:
        return str(exc)
    if not speedups:
        return "no test to time them on"
    mean = statistics.fmean
    return HeadToHead(mean(speedups), mean(lows), mean(highs), runs)


def evaluate_completion(problem: AsmProblem, completion: str, **kwargs: object) -> AsmResult:
    """``evaluate_candidate`` on a model's raw answer (the last ```assembly block is taken)."""
    return evaluate_candidate(problem, extract_assembly(completion), **kwargs)  # type: ignore[arg-type]
