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
        """The program's own tests (visible + hidden): the ones timed."""
        return self.visible + self.hidden

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
) -> AsmProblem:
    """Baseline assembly and binary, oracle, test split and mutants for ``program`` (single C file, with tests).

    The baseline is the program's own ``baseline_asm`` when it carries one (a dataset row's ground truth:
    the assembly its prompt shows), else ``gcc -O3 -S`` here. It is built exactly as candidates are and
    must pass every test (else the program or its tests are broken: CompilerLMError). A dataset's assembly
    that does not build or pass here is replaced by the local gcc's (``baseline_source`` says which).
    Mutants come from the visible inputs."""
    if not program.tests:
        raise CompilerLMError(f"program {program.name} has no tests; the asm task needs tests to check answers")
    workdir.mkdir(parents=True, exist_ok=True)
    src = single_c_source(program)
    base_limits = limits or Limits()
    found = None
    if program.baseline_asm:
        found = _working_baseline(program, program.baseline_asm, workdir, base_limits)
    source = "dataset" if found else "gcc -O3"
    asm, binary, walls = found or _working_baseline(program, baseline_assembly(program), workdir, base_limits, True)
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
    )


def _working_baseline(
    program: Program, asm: str, workdir: Path, limits: Limits, required: bool = False
) -> tuple[str, Path, list[float]] | None:
    """(assembly, binary, wall time per test) when ``asm`` builds and passes every test; else None, or a
    CompilerLMError when ``required``."""
    built = build_candidate(asm, workdir, "baseline", program.ldflags)
    if not built.ok or built.binary is None:
        if required:
            raise CompileError(f"{program.name}: the -O3 assembly does not build: {built.error}")
        return None
    walls = []
    for run in run_tests(built.binary, program.tests, limits, stop_at_first_failure=True):
        if not run.passed:
            if required:
                raise CompilerLMError(
                    f"{program.name}: the gcc -O3 baseline fails its own test {run.test.name} "
                    f"({run.status}: {run.detail}); fix the program or re-bless its tests"
                )
            return None
        walls.append(run.result.wall_seconds)
    return asm, built.binary, walls
