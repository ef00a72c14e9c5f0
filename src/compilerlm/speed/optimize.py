"""Faster assembly for one program: candidates from the compiler portfolio and/or a model, judged, best kept.

Candidates are judged on every test we hold (visible, hidden, differential mutants) in the sandbox; among
the correct ones the fastest *on the visible tests* is chosen, then timed afresh on all of the program's
tests for the number reported (`choice`). The result is never slower than the baseline: when no candidate is
correct and faster, the -O3 baseline is reported (``source: "baseline"``, speedup 1.0).

The steps, each its own module: given texts, then the compilers (`compiler_search`), then the model
(`sampling`), re-timing the undecided (`retime`), the choice, and SuperCoder's timing (`supercoder`).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from compilerlm.errors import CompilerLMError
from compilerlm.models.base import Model
from compilerlm.programs.program import Program
from compilerlm.speed.choice import choose
from compilerlm.speed.compiler_search import compiler_candidates
from compilerlm.speed.config import AsmSearchConfig
from compilerlm.speed.outcome import AsmOutcome, OnCandidate
from compilerlm.speed.pool import CandidatePool
from compilerlm.speed.problem import AsmProblem, prepare_problem
from compilerlm.speed.retime import retime_undecided
from compilerlm.speed.sampling import model_candidates
from compilerlm.speed.supercoder import supercoder_timing

DEFAULT_CONFIG = AsmSearchConfig()  # frozen: one instance serves every call


def _prepare(program: Program, config: AsmSearchConfig, workdir: Path) -> AsmProblem:
    """The program's problem as the settings make it: the same seed gives the same test split and mutants."""
    return prepare_problem(
        program,
        workdir,
        visible=config.visible,
        seed=config.seed,
        mutants=config.mutants,
        allow_empty_output=config.allow_empty_output,
    )


def add_protocol_timing(program: Program, config: AsmSearchConfig, outcome: AsmOutcome) -> AsmOutcome:
    """A stored outcome (searched under another protocol) with what `config.protocol` adds after the search:
    SuperCoder's timing of its assembly on the same tests (the problem is prepared again with the same seed, so
    the hidden tests and mutants are the same)."""
    if config.protocol != "supercoder" or outcome.supercoder or outcome.error:
        return outcome
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="compilerlm-asm-") as tmp:
        try:
            problem = _prepare(program, config, Path(tmp))
        except CompilerLMError as exc:
            outcome.supercoder = {"speedup": 1.0, "tests": {}, "error": str(exc)}
            return outcome
        outcome.supercoder = supercoder_timing(problem, outcome)
    outcome.seconds += time.perf_counter() - start
    return outcome


def optimize_program(
    program: Program,
    config: AsmSearchConfig = DEFAULT_CONFIG,
    model: Model | None = None,
    on_candidate: OnCandidate | None = None,
    given: Sequence[tuple[str, str]] = (),
) -> AsmOutcome:
    """Candidates from the portfolio (unless ``config.compilers == ()``), the model (when given) and ``given``
    assembly texts (label, text: a user's own files), judged; the fastest correct one, or the baseline. A
    program that cannot be prepared (no tests, several files, a broken baseline) gets an outcome with
    ``error`` set rather than an exception."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="compilerlm-asm-") as tmp:
        try:
            problem = _prepare(program, config, Path(tmp))
        except CompilerLMError as exc:
            return AsmOutcome(program.name, False, False, "baseline", None, None, 1.0, None, error=str(exc))
        pool = CandidatePool(problem, config, on_candidate)
        for label, text in given:
            pool.judge(label, "given", text)
        if config.compilers != ():
            compiler_candidates(pool, program)
        errors: list[str] = []
        if model is not None:
            errors = model_candidates(pool, model)
        if config.retime:
            retime_undecided(pool)
        outcome = choose(pool)
        outcome.model_errors = errors
        if config.protocol == "supercoder":
            outcome.supercoder = supercoder_timing(problem, outcome)
    outcome.seconds = time.perf_counter() - start
    return outcome
