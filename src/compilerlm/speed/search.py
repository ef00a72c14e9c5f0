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

import hashlib
import random
import shlex
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from compilerlm.errors import CompileError, CompilerLMError, ToolMissingError
from compilerlm.measure import MeasurementError
from compilerlm.models.base import Model
from compilerlm.programs.program import Program, TestCase
from compilerlm.speed.combine import SpliceError, same_code, splice
from compilerlm.speed.combine import parse as parse_asm
from compilerlm.speed.flagspace import CLANG_SPACE, GCC_SPACE, Point, mutate, point_of
from compilerlm.speed.judge import AsmResult, count_ratio, evaluate_candidate
from compilerlm.speed.portfolio import PORTFOLIO, compile_assembly, portfolio
from compilerlm.speed.problem import AsmProblem, prepare_problem
from compilerlm.speed.profile import function_profile
from compilerlm.speed.prompt import extract_assembly
from compilerlm.tasks.common import strip_eos

REPAIR_REQUEST = (
    "{prompt}{answer}\n\n{feedback}\n"
    "Fix the assembly code. Only output the whole corrected assembly code. Do not include any other text. "
    "Wrap the assembly code in ```assembly``` tags.\n"
    "Optimized Assembly Code:\n"
)
SPEED_REVISION = 2  # part of the stored outcomes' key: bump when the portfolio, the flag space, the search or
# the measurement changes, so that a --store rerun does not reuse outcomes made without the change
SUPERCODER_TIMER = "checked runs in hyperfine's schedule (3 warm-ups + 10 runs per side and test); unseen tests"
COMBINE_RESERVE = 6  # compilations kept for the per-function combination (at most a quarter of the extra budget)
HOT_SHARE = 0.05  # a function is hot with at least this share of the instructions on the visible tests
MAX_HOT = 3
MODEL_SETTINGS = ("samples", "rounds", "temperature", "max_tokens")
MAX_FINALISTS = 3  # candidates re-measured over all tests, best first, until one holds
UNDECIDED_RETIMED = 2  # candidates faster on average but not by their intervals, timed again with more runs
UNDECIDED_MIN_SPEEDUP = 1.02  # below this mean a re-timing is not worth its runs
RETIME_FACTOR = 3  # the re-timing's runs, in multiples of the choosing runs
INPUT_SHOWN = 400  # characters of a failing visible test's input shown in a repair request


@dataclass(frozen=True, kw_only=True)
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
    allow_empty_output: bool = False
    protocol: str = "compilerlm"  # "supercoder": also time the reported assembly in SuperCoder's schedule
    budget: int | None = None  # compilations per program; None: the portfolio only; more: flag search
    combine: bool = True  # with a budget beyond the portfolio: hot functions from other configurations
    retime: bool = True  # time the best undecided candidates again with more runs before choosing

    def key(self, model_spec: str | None) -> str:
        """Identifies the settings whose stored outcomes a rerun may reuse. Without a model the model's settings
        change nothing, so they are left out: `asm` and `eval asm` share results whatever their model defaults."""
        settings = {"revision": SPEED_REVISION, "space": _space_digest(), "model": model_spec, **asdict(self)}
        if model_spec is None:
            for name in MODEL_SETTINGS:
                settings.pop(name)
        return "|".join(f"{k}={v}" for k, v in settings.items())


def _space_digest() -> str:
    """What candidates the compilers can give: the portfolio and the flag space, so that adding a configuration
    or an option makes earlier stored outcomes stale without anyone remembering to bump a number."""
    return hashlib.sha256(repr((PORTFOLIO, GCC_SPACE, CLANG_SPACE)).encode()).hexdigest()[:12]


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
    given: Sequence[tuple[str, str]] = (),
) -> AsmOutcome:
    """Candidates from the portfolio (unless ``config.compilers == ()``), the model (when given) and ``given``
    assembly texts (label, text: a user's own files), judged; the fastest correct one, or the baseline. A
    program that cannot be prepared (no tests, several files, a broken baseline) gets an outcome with
    ``error`` set rather than an exception."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="compilerlm-asm-") as tmp:
        try:
            problem = prepare_problem(
                program,
                Path(tmp),
                visible=config.visible,
                seed=config.seed,
                mutants=config.mutants,
                allow_empty_output=config.allow_empty_output,
            )
        except CompilerLMError as exc:
            return AsmOutcome(program.name, False, False, "baseline", None, None, 1.0, None, error=str(exc))
        search = _Search(problem, config, on_candidate)
        for label, text in given:
            search.judge(label, "given", text)
        if config.compilers != ():
            search.compilers(program)
        errors: list[str] = []
        if model is not None:
            errors = search.model_candidates(model)
        outcome = search.outcome()
        outcome.model_errors = errors
        if config.protocol == "supercoder":
            outcome.supercoder = supercoder_timing(problem, outcome)
    outcome.seconds = time.perf_counter() - start
    return outcome


class _Search:
    def __init__(self, problem: AsmProblem, config: AsmSearchConfig, on_candidate: OnCandidate | None) -> None:
        self.problem, self.config, self.on_candidate = problem, config, on_candidate
        self.judged: list[tuple[Candidate, str]] = []  # (verdict, assembly)
        self.verdicts: dict[str, AsmResult] = {}  # by digest of the assembly: a repeated text is judged once
        self.points: dict[str, Point] = {}  # compiler candidate label -> its point in the flag space
        self.notes: list[str] = []
        self.counted: set[str] = set()  # candidates whose instructions were counted for a near-tie
        self.counts = {"compilations": 0, "distinct": 0, "combinations": 0}

    def judge(self, label: str, source: str, asm: str | None) -> AsmResult:
        digest = hashlib.sha256((asm or "").encode(errors="surrogateescape")).hexdigest()
        if asm and digest in self.verdicts:  # same code as a candidate judged already: nothing new to learn
            return self.verdicts[digest]
        self.counts["distinct"] += 1
        res = evaluate_candidate(
            self.problem,
            asm,
            warmups=self.config.warmups,
            runs=self.config.runs,
            timed=self.problem.visible or self.problem.tests,
            tag="candidate",
        )
        low, high = res.interval()
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
            low,
            high,
        )
        self.judged.append((cand, asm or ""))
        if asm:
            self.verdicts[digest] = res
        if self.on_candidate:
            self.on_candidate(self.problem.name, cand)
        return res

    def compilers(self, program: Program) -> None:
        """The portfolio, then (with a budget beyond it) the flag search and the per-function combination."""
        configs = list(portfolio(self.config.compilers))
        budget = len(configs) if self.config.budget is None else self.config.budget
        extra = max(0, budget - len(configs))
        reserve = min(COMBINE_RESERVE, max(2, extra // 4), extra) if self.config.combine else 0
        for cfg in configs[:budget]:
            self.points[cfg.name] = point_of(cfg)
            self.compiler_candidate(program, cfg)
        self.flag_search(program, extra - reserve)
        if reserve:
            self.flag_search(program, self.combine(reserve))  # what the combination did not use

    def flag_search(self, program: Program, budget: int) -> None:
        """Local search in the flag space: a neighbour of one of the three fastest correct configurations so
        far, each new point compiled and judged (a repeated assembly is not judged again)."""
        rng = random.Random(f"compilerlm-flags:{self.config.seed}:{self.problem.name}")
        tried = set(self.points.values())
        misses = 0
        while budget > 0 and misses < 200:
            fast = [c for c, _ in self.judged if c.correct and c.label in self.points and c.speedup is not None]
            fast.sort(key=lambda c: c.speedup or 0.0, reverse=True)
            parents = [self.points[c.label] for c in fast[:3]] or sorted(tried, key=str)[:3]
            if not parents:
                return
            child = mutate(rng.choice(parents), rng, pgo_allowed=bool(self.problem.visible))
            if child in tried:
                misses += 1
                continue
            tried.add(child)
            budget -= 1
            cfg = child.config()
            self.points[cfg.name] = child
            self.compiler_candidate(program, cfg)

    def combine(self, budget: int) -> int:
        """Per-function combination: the hottest functions of the fastest candidate (by a callgrind profile on
        the visible tests) taken in turn from the next fastest ones, each combination judged like any
        candidate and kept as the new base when faster. Returns the budget it did not use."""
        ranked = self._ranked()
        correct = sorted((ca for ca in self.judged if ca[0].correct), key=lambda ca: ca[0].speedup or 0.0, reverse=True)
        if not ranked or len(correct) < 2:
            return budget
        best, best_asm = ranked[0]
        donors = [(best, best_asm), *(ca for ca in correct if ca[1] != best_asm)]
        built = self.problem.build(best_asm)
        try:
            if built.binary is None:
                raise MeasurementError(f"{best.label} no longer builds: {built.error}")
            profile = function_profile(built.binary, self.problem.visible or self.problem.tests, self.problem.limits)
        except (MeasurementError, ToolMissingError) as exc:
            self.notes.append(f"per-function combination skipped: {exc}")
            return budget
        own = parse_asm(best_asm).labels
        hot = [name for name, share in profile.items() if share >= HOT_SHARE and name in own][:MAX_HOT]
        for name in hot:
            for donor, donor_asm in donors[1:]:
                if budget <= 0:
                    return 0
                if same_code(best_asm, donor_asm, name):
                    continue
                try:
                    text = splice(best_asm, donor_asm, name)
                except SpliceError as exc:
                    self.notes.append(f"{name} from {donor.label}: {exc}")
                    continue
                budget -= 1
                self.counts["combinations"] += 1
                self.counts["compilations"] += 1
                res = self.judge(f"{best.label} + {name} from {donor.label}", "combined", text)
                if res.correct and (res.speedup or 0.0) > (best.speedup or 0.0):
                    best, best_asm = self.judged[-1]
        return budget

    def compiler_candidate(self, program: Program, cfg) -> None:
        self.counts["compilations"] += 1
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

    def retime_undecided(self) -> None:
        """Candidates that are faster on average than everything faster by its intervals, but whose own
        interval still reaches 1, are timed again, independently, with `RETIME_FACTOR` times the runs: on a
        noisy machine ten runs leave real gains undecided, and a fresh measurement of the few best is also
        free of the bias of having been chosen as the best of many. The new timing replaces the old."""
        faster = [c.speedup or 0.0 for c, _ in self.judged if _faster(c)]
        floor = max([UNDECIDED_MIN_SPEEDUP, *faster])
        undecided = [
            (c, a)
            for c, a in self.judged
            if c.correct and c.speedup is not None and c.speedup >= floor and not _faster(c)
        ]
        undecided.sort(key=lambda ca: ca[0].speedup or 0.0, reverse=True)
        for cand, asm in undecided[:UNDECIDED_RETIMED]:
            res = evaluate_candidate(
                self.problem,
                asm,
                warmups=self.config.warmups,
                runs=self.config.runs * RETIME_FACTOR,
                timed=self.problem.visible or self.problem.tests,
                tag="candidate",
            )
            before = cand.speedup or 0.0
            if not res.correct or res.speedup is None:
                self.notes.append(
                    f"{cand.label}: re-timing an undecided {before:.3f}x failed ({res.failure or res.timing_error})"
                )
                continue
            cand.speedup = res.speedup
            cand.speedup_low, cand.speedup_high = res.interval()
            decided = "faster" if (cand.speedup_low or 0.0) > 1.0 else "still undecided"
            self.notes.append(
                f"{cand.label}: undecided at {before:.3f}x, timed again with {self.config.runs * RETIME_FACTOR} runs: "
                f"{cand.speedup:.3f}x, {decided}"
            )

    def _ranked(self) -> list[tuple[Candidate, str]]:
        """Correct candidates that are faster by their confidence intervals (the mean lower bound over the
        visible tests above 1), fastest first; near-ties with the fastest (overlapping intervals) are
        ordered by instruction count when counting is on, the deterministic signal on a noisy machine."""
        faster = [(c, a) for c, a in self.judged if _faster(c)]
        faster.sort(key=lambda ca: ca[0].speedup or 0.0, reverse=True)
        if not faster or not self.config.instructions:
            return faster
        top = faster[0][0]
        tied = [ca for ca in faster[:MAX_FINALISTS] if (ca[0].speedup_high or 0.0) >= (top.speedup_low or 0.0)]
        if len(tied) < 2:
            return faster
        timed = self.problem.visible or self.problem.tests
        for cand, asm in tied:
            if cand.label not in self.counted:  # once per candidate, whether or not it can be counted
                self.counted.add(cand.label)
                cand.instructions_ratio, why = count_ratio(self.problem, asm, timed)
                if why:
                    self.notes.append(f"{cand.label}: no instruction count to break the near-tie ({why})")
        tied.sort(key=lambda ca: ca[0].instructions_ratio or 0.0, reverse=True)  # stable: uncounted keep order
        return tied + [ca for ca in faster if ca not in tied]

    def _best(self) -> tuple[Candidate, str] | None:
        ranked = self._ranked()
        return ranked[0] if ranked else None

    def outcome(self) -> AsmOutcome:
        problem = self.problem
        if self.config.retime:
            self.retime_undecided()
        out = AsmOutcome(
            name=problem.name,
            correct=any(c.correct for c, _ in self.judged),
            compiled=any(c.compiled for c, _ in self.judged),
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
            weak_checks=list(problem.weak_checks),
            notes=list(self.notes),
            search=dict(self.counts),
            assembly=problem.baseline_asm,
        )
        for cand, asm in self._ranked()[:MAX_FINALISTS]:
            final = evaluate_candidate(
                problem,
                asm,
                warmups=self.config.warmups,
                runs=self.config.final_runs,
                instructions=self.config.instructions,
            )
            why = _not_kept(final)
            if why:  # the next finalist is tried; the reason stays in the outcome
                out.notes.append(f"{cand.label}: {why}")
                continue
            # overfit_visible is reported, not acted on: the speedup it is ranked and reported by is the unseen
            # inputs' already, where a table of the visible answers gains nothing, and an honest speedup can differ
            # as much between inputs of other sizes
            _report(out, cand, asm, final)
            break
        out.candidates = [asdict(c) for c, _ in self.judged]
        return out


def _report(out: AsmOutcome, cand: Candidate, asm: str, final: AsmResult) -> None:
    """``out`` reports ``cand``, as its final timing measured it."""
    out.source = cand.source
    out.config = cand.label if cand.source != "model" else None
    out.sample = cand.label if cand.source == "model" else None
    out.speedup = final.speedup or 1.0
    out.instructions_ratio = final.instructions_ratio
    out.instructions_error = final.instructions_error
    out.speedup_ci = {k: list(v) for k, v in final.speedup_ci.items()}
    out.faster = final.faster
    out.speedup_tests = final.speedup_tests
    out.speedup_visible, out.speedup_unseen = final.speedup_visible, final.speedup_unseen
    out.overfit_visible = final.overfit_visible
    out.assembly = asm


def supercoder_timing(problem: AsmProblem, outcome: AsmOutcome) -> dict[str, Any]:
    """The reported assembly timed as SuperCoder evaluates, on checked runs: hyperfine's schedule (3 warm-ups
    and 10 runs of the baseline, then of the candidate) on each test, each unseen test's speedup clamped
    below at 1.0, their mean; 1.0 when the baseline is reported or the timing fails (with the reason)."""
    if outcome.source == "baseline":
        return {"speedup": 1.0, "tests": {}, "error": ""}
    unseen = problem.hidden + problem.mutants
    res = evaluate_candidate(problem, outcome.assembly, protocol="supercoder", timed=unseen or None)
    if not res.correct or res.speedup is None:
        return {"speedup": 1.0, "tests": {}, "error": res.failure or res.timing_error}
    tests = {t.name: [t.time_baseline, t.time_candidate] for t in res.basis}
    clamped = [max(1.0, t.speedup or 1.0) for t in res.basis]
    return {"speedup": statistics.fmean(clamped), "tests": tests, "error": "", "timer": SUPERCODER_TIMER}


def _faster(c: Candidate) -> bool:
    """Correct, and faster by its intervals (the mean lower bound over the visible tests above 1)."""
    return c.correct and c.speedup is not None and (c.speedup_low or 0.0) > 1.0


def _not_kept(final: AsmResult) -> str:
    """Why a finalist re-measured over all tests is not reported ("" when it is)."""
    if not final.correct:
        return f"not correct on the final check ({final.failure})"
    if final.speedup is None:
        return f"the final timing failed ({final.timing_error})"
    if final.speedup < 1.0:
        return f"re-measured over all tests at {final.speedup:.3f}x, slower than the baseline"
    return ""
