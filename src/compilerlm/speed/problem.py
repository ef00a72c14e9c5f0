"""One program prepared once, so that every candidate for it is judged against the same things.

``prepare_problem``: the baseline assembly and binary (the dataset row's own, else ``gcc -O3``), the -O0
oracle, a visible/hidden split of the tests, differential mutants judged by the oracle, and time limits
from the baseline's own run times. ``AsmProblem`` holds them, builds each distinct candidate text once and
gives the prompt.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from compilerlm.errors import CompileError, CompilerLMError
from compilerlm.programs.program import Program, TestCase
from compilerlm.programs.testing import run_tests
from compilerlm.sandbox import Limits
from compilerlm.speed.build import BuildResult, baseline_assembly, build_candidate, build_oracle, single_c_source
from compilerlm.speed.checks import differential_tests, split_tests
from compilerlm.speed.mutants import mutated_tests
from compilerlm.speed.prompt import asm_prompt, asm_prompt_text


@dataclass
class AsmProblem:
    """Everything needed to judge candidates for one program, built once by ``prepare_problem``.

    ``limits`` bound every candidate run (derived from the baseline's own time); ``mutants`` are the
    differential tests (oracle outputs). Keep ``workdir`` alive while the problem is in use."""

    name: str
    c_code: str
    baseline_asm: str
    baseline_binary: Path
    oracle_binary: Path
    visible: tuple[TestCase, ...]
    hidden: tuple[TestCase, ...]
    mutants: tuple[TestCase, ...]
    limits: Limits
    workdir: Path
    ldflags: tuple[str, ...] = ()
    baseline_source: str = "gcc -O3"  # or "dataset": the row's own assembly
    weak_checks: tuple[str, ...] = ()  # why passing every check proves less than usual for this program
    _baseline_instructions: dict[str, int] = field(default_factory=dict, repr=False)
    _builds: dict[str, BuildResult] = field(default_factory=dict, repr=False)  # by digest of the text

    def build(self, asm_text: str, tag: str = "candidate") -> BuildResult:
        """Build a candidate once per distinct text: a repeated answer (common in best-of-k sampling) and a
        repeated assembler bomb cost nothing the second time. Binaries live under ``workdir/builds``."""
        key = hashlib.sha256(asm_text.encode(errors="surrogateescape")).hexdigest()
        if key not in self._builds:
            self._builds[key] = build_candidate(asm_text, self.workdir / "builds" / key[:16], tag, self.ldflags)
        return self._builds[key]

    @property
    def tests(self) -> tuple[TestCase, ...]:
        """The program's own tests (visible + hidden)."""
        return self.visible + self.hidden

    @property
    def timed_tests(self) -> tuple[TestCase, ...]:
        """Every test a correct candidate is timed on: the visible ones (for the overfit flag) and the unseen
        ones, hidden tests and mutants, over which its speedup is reported."""
        return self.visible + self.hidden + self.mutants

    def prompt(self) -> list[dict[str, str]]:
        return asm_prompt(self.c_code, self.baseline_asm)

    def prompt_text(self) -> str:
        return asm_prompt_text(self.c_code, self.baseline_asm)


def candidate_limits(baseline_walls: Sequence[float], base: Limits = Limits()) -> Limits:  # noqa: B008
    """Per-run limits for candidates: 10× the slowest baseline test (at least 2 s wall), never above ``base``."""
    wall = min(base.wall_seconds, max(2.0, 10 * max(baseline_walls, default=0.0)))
    return replace(base, wall_seconds=wall, cpu_seconds=min(base.cpu_seconds, max(1, math.ceil(wall))))


def prepare_problem(
    program: Program,
    workdir: Path,
    *,
    visible: int = 3,
    seed: int = 0,
    mutants: int = 8,
    limits: Limits | None = None,
    allow_empty_output: bool = False,
) -> AsmProblem:
    """Baseline assembly and binary, oracle, test split and mutants for ``program`` (single C file, with tests).

    The baseline is the program's own ``baseline_asm`` when it carries one (a dataset row's assembly: what
    SuperCoder times), else ``gcc -O3 -S`` here. It is built exactly as candidates are and must pass every
    test, else the program, its tests or the row are broken: CompilerLMError, never a silent substitute
    (``baseline_source`` says which baseline it is). A program whose every test expects no output at all
    would accept anything that prints nothing: refused unless ``allow_empty_output``. Mutants come from
    the visible inputs; ``weak_checks`` names what makes the checks weaker than usual."""
    if not program.tests:
        raise CompilerLMError(f"program {program.name} has no tests; the asm task needs tests to check answers")
    silent = [t.name for t in program.tests if _expects_nothing(t)]
    if len(silent) == len(program.tests) and not allow_empty_output:
        raise CompilerLMError(
            f"program {program.name}: every test expects empty output, so any program that prints nothing would "
            "pass; add tests with output, or pass --allow-empty-output"
        )
    workdir.mkdir(parents=True, exist_ok=True)
    src = single_c_source(program)
    base_limits = limits or Limits()
    source = "dataset" if program.baseline_asm else "gcc -O3"
    asm = program.baseline_asm or baseline_assembly(program)
    asm, binary, walls = working_baseline(program, asm, workdir, base_limits, source)
    vis, hid = split_tests(program.tests, visible, seed)
    oracle = build_oracle(program, workdir / "oracle")
    inputs = mutated_tests(vis or program.tests, mutants, seed)
    # the oracle (-O0) may be several times slower than -O3: give it the base limits
    diff_tests = differential_tests(oracle, inputs, base_limits, baseline=binary, baseline_walls=walls)
    run_limits = candidate_limits(walls, base_limits)  # 10x the baseline's slowest run, mutants included
    return AsmProblem(
        name=program.name,
        c_code=src.read_text(errors="replace"),
        baseline_asm=asm,
        baseline_binary=binary,
        oracle_binary=oracle,
        visible=vis,
        hidden=hid,
        mutants=diff_tests,
        limits=run_limits,
        workdir=workdir,
        ldflags=program.ldflags,
        baseline_source=source,
        weak_checks=weak_checks(vis, hid, diff_tests, silent),
    )


def _expects_nothing(test: TestCase) -> bool:
    return not test.expected and not any(content for _, content in test.outputs)


def _input_of(test: TestCase) -> tuple:
    return (test.stdin, test.args, tuple((name, str(src)) for name, src in test.files))


def _output_of(test: TestCase) -> tuple:
    return (test.expected, test.outputs, test.exit_code)


def weak_checks(
    visible: Sequence[TestCase], hidden: Sequence[TestCase], mutants: Sequence[TestCase], silent: Sequence[str] = ()
) -> tuple[str, ...]:
    """What makes "passes every check" weaker than usual for this program, in words for the outcome."""
    why = []
    if len(visible) <= 1:
        why.append(f"{len(visible)} visible test")
    if not hidden:
        why.append("no hidden test")
    tests = [*visible, *hidden]
    if len({_input_of(t) for t in tests}) <= 1:
        why.append("every test runs the same input")
    if not mutants:
        why.append("no mutant (no mutated input that the -O0 oracle accepts)")
    if len({_output_of(t) for t in [*tests, *mutants]}) <= 1:
        why.append("every test and mutant expects the same output (it does not depend on the input)")
    if silent:
        why.append(f"{len(silent)} test(s) expect empty output: {', '.join(silent[:3])}")
    return tuple(why)


def working_baseline(
    program: Program, asm: str, workdir: Path, limits: Limits, source: str
) -> tuple[str, Path, list[float]]:
    """(assembly, binary, wall time per test) when ``asm`` builds and passes every test; else CompilerLMError
    that says which baseline (``source``) is broken and how."""
    what = "the dataset row's own assembly" if source == "dataset" else "the gcc -O3 assembly"
    built = build_candidate(asm, workdir, "baseline", program.ldflags)
    if not built.ok or built.binary is None:
        raise CompileError(f"{program.name}: {what} (the baseline) does not build: {built.error}")
    walls = []
    for run in run_tests(built.binary, program.tests, limits, stop_at_first_failure=True):
        if not run.passed:
            raise CompilerLMError(
                f"{program.name}: {what} (the baseline) fails its own test {run.test.name} "
                f"({run.status}: {run.detail}); fix the program or re-bless its tests"
            )
        walls.append(run.result.wall_seconds)
    return asm, built.binary, walls
