"""Faster assembly for one program: candidates from the compiler portfolio and/or a model, judged, best kept.

Candidates are judged on every test we hold (visible, hidden, differential mutants) in the sandbox; among
the correct ones the fastest *on the visible tests* is chosen, then timed afresh on all of the program's
tests for the number reported (choosing on one measurement and reporting another keeps the winner's luck
out of the speedup). The result is never slower than the baseline: when no candidate is correct and
faster, the -O3 baseline is reported (``source: "baseline"``, speedup 1.0).

With a model: best-of-k samples of SuperCoder's prompt, then up to R repair rounds in which each failed
sample's last answer comes back with what went wrong — the assembler's error, or the diff on a visible
test. Hidden tests and mutants are never shown: a failure there is reported as "wrong on inputs not shown".
"""

from __future__ import annotations

import shlex
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from compilerlm.errors import CompileError, CompilerLMError
from compilerlm.models.base import Model
from compilerlm.programs.program import Program, TestCase
from compilerlm.speed.judge import AsmResult, evaluate_candidate
from compilerlm.speed.portfolio import compile_assembly, portfolio
from compilerlm.speed.problem import AsmProblem, prepare_problem
from compilerlm.speed.prompt import extract_assembly
from compilerlm.tasks.common import strip_eos

REPAIR_REQUEST = (
    "{prompt}{answer}\n\n{feedback}\n"
    "Fix the assembly code. Only output the whole corrected assembly code. Do not include any other text. "
    "Wrap the assembly code in ```assembly``` tags.\n"
    "Optimized Assembly Code:\n"
)
INPUT_SHOWN = 400  # characters of a failing visible test's input shown in a repair request


@dataclass(frozen=True)
class AsmSearchConfig:
    """How candidates are made and judged. ``compilers``: portfolio configuration names (None: all; ()
    none). Timing: ``runs`` interleaved pairs per visible test to choose, ``final_runs`` per test to report."""

    compilers: tuple[str, ...] | None = None
    samples: int = 4
    rounds: int = 2
    temperature: float = 0.7
    max_tokens: int = 4096
    visible: int = 3
    mutants: int = 8
    seed: int = 0
    warmups: int = 1
    runs: int = 10
    final_runs: int = 20
    instructions: bool = True

    def key(self, model_spec: str | None) -> str:
        """Identifies the settings whose stored outcomes a rerun may reuse."""
        return "|".join(f"{k}={v}" for k, v in {"model": model_spec, **asdict(self)}.items())


@dataclass
class Candidate:
    """One judged candidate. ``speedup`` is over the visible tests (what the choice is made on)."""

    label: str  # "gcc -O3 -march=native", "sample 2", "sample 2 repair 1"
    source: str  # "compiler" | "model"
    compiled: bool
    correct: bool
    speedup: float | None
    failure: str = ""
    baseline_copy: bool = False
    tests_passed: int = 0
    tests_total: int = 0


@dataclass
class AsmOutcome:
    """The reported result for one program (JSON as documented in the README)."""

    name: str
    correct: bool  # some candidate (model or compiler, not the baseline) passed every test
    compiled: bool  # some candidate assembled and linked
    source: str  # "model" | "compiler" | "baseline"
    config: str | None  # the compiler configuration reported (source compiler)
    sample: str | None  # the model answer reported (source model)
    speedup: float  # of the reported assembly over gcc -O3, mean over all tests (1.0 for the baseline)
    instructions_ratio: float | None
    speedup_ci: dict[str, list[float]] = field(default_factory=dict)
    baseline_source: str = "gcc -O3"
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


def repair_request(prompt: str, answer: str, feedback: str) -> str:
    """The prompt of a repair round: the conversation so far as one text, then what went wrong."""
    return REPAIR_REQUEST.format(prompt=prompt, answer=strip_eos(answer), feedback=feedback)


def feedback_for(problem: AsmProblem, res: AsmResult) -> str:
    """What went wrong, in words a model can act on; nothing about hidden tests or mutants."""
    if not res.compiled:
        if res.compile_error.startswith("no ```assembly"):
            return "Your answer has no ```assembly block."
        return f"This assembly code does not assemble: {res.compile_error}"
    kind, _, rest = res.failure.partition(" test ")
    if kind == "visible":
        test = next((t for t in problem.visible if t.name == res.failing_test), None)
        shown = _shown_input(test) if test else ""
        return f"This assembly code fails a test ({rest}).\nInput:\n{shown}\nOutput diff:\n{res.failure_diff}"
    return "This assembly code passes the tests shown but gives wrong results on other inputs (not shown)."


def _shown_input(test: TestCase) -> str:
    """A failing visible test as a model can read it: the command line, then stdin (cut to INPUT_SHOWN)."""
    line = " ".join(["./prog", *(shlex.quote(a) for a in test.args)])
    files = f" (input files: {', '.join(name for name, _ in test.files)})" if test.files else ""
    stdin = test.stdin.decode(errors="replace")
    text = stdin if test.stdin_only else f"$ {line}{files}\n{stdin}"
    return text[:INPUT_SHOWN]


def optimize_program(
    program: Program,
    config: AsmSearchConfig = AsmSearchConfig(),
    model: Model | None = None,
    on_candidate: OnCandidate | None = None,
) -> AsmOutcome:
    """Candidates from the portfolio (unless ``config.compilers == ()``) and the model (when given), judged;
    the fastest correct one, or the baseline. A program that cannot be prepared (no tests, several files,
    a broken baseline) gets an outcome with ``error`` set rather than an exception."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="compilerlm-asm-") as tmp:
        try:
            problem = prepare_problem(
                program, Path(tmp), visible=config.visible, seed=config.seed, mutants=config.mutants
            )
        except CompilerLMError as exc:
            return AsmOutcome(program.name, False, False, "baseline", None, None, 1.0, None, error=str(exc))
        search = _Search(problem, config, on_candidate)
        for cfg in portfolio(config.compilers) if config.compilers != () else ():
            search.compiler_candidate(program, cfg)
        errors: list[str] = []
        if model is not None:
            errors = search.model_candidates(model)
        outcome = search.outcome()
        outcome.model_errors = errors
    outcome.seconds = time.perf_counter() - start
    return outcome


class _Search:
    def __init__(self, problem: AsmProblem, config: AsmSearchConfig, on_candidate: OnCandidate | None) -> None:
        self.problem, self.config, self.on_candidate = problem, config, on_candidate
        self.judged: list[tuple[Candidate, str]] = []  # (verdict, assembly)

    def judge(self, label: str, source: str, asm: str | None) -> AsmResult:
        res = evaluate_candidate(
            self.problem,
            asm,
            warmups=self.config.warmups,
            runs=self.config.runs,
            timed=self.problem.visible or self.problem.tests,
            tag="candidate",
        )
        cand = Candidate(
            label,
            source,
            res.compiled,
            res.correct,
            res.speedup,
            res.failure or res.timing_error,
            res.is_baseline_copy,
            res.tests_passed,
            res.tests_total,
        )
        self.judged.append((cand, asm or ""))
        if self.on_candidate:
            self.on_candidate(self.problem.name, cand)
        return res

    def compiler_candidate(self, program: Program, cfg) -> None:
        try:
            asm = compile_assembly(program, cfg, self.problem.visible)
        except CompileError as exc:
            cand = Candidate(cfg.name, "compiler", False, False, None, f"compiler failed: {exc}")
            self.judged.append((cand, ""))
            if self.on_candidate:
                self.on_candidate(self.problem.name, cand)
            return
        self.judge(cfg.name, "compiler", asm)

    def model_candidates(self, model: Model) -> list[str]:
        """Best-of-k, then repair rounds on the failed answers; returns why some prompts got no answer."""
        errors: list[str] = []
        prompt = self.problem.prompt_text()
        first = model.generate(
            [prompt], n=self.config.samples, temperature=self.config.temperature, max_tokens=self.config.max_tokens
        )[0]
        if first.skipped:
            return [first.skipped]
        # one chain per sample: (label, prompt that produced the answer, answer, verdict)
        chains = []
        for i, text in enumerate(first.texts, 1):
            chains.append((f"sample {i}", prompt, text, self.judge(f"sample {i}", "model", extract_assembly(text))))
        for rnd in range(1, self.config.rounds + 1):
            if self._best() is not None:
                break
            failed = [c for c in chains if not c[3].correct]
            if not failed:
                break
            requests = [repair_request(p, a, feedback_for(self.problem, r)) for _, p, a, r in failed]
            answers = model.generate(
                requests, n=1, temperature=self.config.temperature, max_tokens=self.config.max_tokens
            )
            chains = []
            for (label, _, _, _), request, answer in zip(failed, requests, answers, strict=True):
                if answer.skipped or not answer.texts:
                    errors.append(f"{label} repair {rnd}: {answer.skipped or 'no answer'}")
                    continue
                text = answer.texts[0]
                name = f"{label.split(' repair')[0]} repair {rnd}"
                chains.append((label, request, text, self.judge(name, "model", extract_assembly(text))))
        return errors

    def _best(self) -> tuple[Candidate, str] | None:
        faster = [(c, a) for c, a in self.judged if c.correct and c.speedup is not None and c.speedup > 1.0]
        return max(faster, key=lambda ca: ca[0].speedup or 0.0) if faster else None

    def outcome(self) -> AsmOutcome:
        problem = self.problem
        judged = [c for c, _ in self.judged]
        out = AsmOutcome(
            name=problem.name,
            correct=any(c.correct for c in judged),
            compiled=any(c.compiled for c in judged),
            source="baseline",
            config=None,
            sample=None,
            speedup=1.0,
            instructions_ratio=1.0 if self.config.instructions else None,
            baseline_source=problem.baseline_source,
            tests={
                k: [len(v)]
                for k, v in (("visible", problem.visible), ("hidden", problem.hidden), ("mutant", problem.mutants))
            },
            candidates=[asdict(c) for c in judged],
            assembly=problem.baseline_asm,
        )
        best = self._best()
        if best is None:
            return out
        cand, asm = best
        final = evaluate_candidate(
            problem,
            asm,
            warmups=self.config.warmups,
            runs=self.config.final_runs,
            instructions=self.config.instructions,
        )
        if not final.correct or final.speedup is None or final.speedup < 1.0:
            return out  # not faster over all tests on a fresh measurement: the baseline stays
        out.source = cand.source
        out.config = cand.label if cand.source == "compiler" else None
        out.sample = cand.label if cand.source == "model" else None
        out.speedup = final.speedup
        out.instructions_ratio = final.instructions_ratio
        out.speedup_ci = {k: list(v) for k, v in final.speedup_ci.items()}
        out.assembly = asm
        return out
