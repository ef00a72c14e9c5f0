"""The flag-tuning task (LLM Compiler FTD): IR in, a pass pipeline that beats -Oz out.

Its language (prompt, answer layout, lenient parser, scoring, suite figures) is `tasks/flags.py`; this module
makes it a `Task`: labels from the autotuner (dataset rows), items for the evaluation, and the RL reward —
the verified improvement vs -Oz of the pipeline an answer names:

- valid and verified: `1 - size/size_Oz` (0 for -Oz's size, negative when larger);
- invalid: `FlagsRewardConfig.invalid_score` (-1 by default) when the answer names no pass list, opt rejects the
  pipeline or LLVM crashes on it, or the program built with it fails one of its tests (a miscompile);
- a program without tests cannot be verified: its size alone counts (the outcome's detail says so).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from compilerlm.errors import CompilerLMError
from compilerlm.parallel import ThreadExecutor
from compilerlm.programs.program import Program
from compilerlm.programs.suites import program_target, resolve_target
from compilerlm.search.runner import TuneJob
from compilerlm.search.strategies import STRATEGY_HELP
from compilerlm.search.tune import ModuleResult, StoredModule
from compilerlm.search.verify import verify_program
from compilerlm.store import Store
from compilerlm.tasks.base import (
    Advance,
    Example,
    Metric,
    RewardOutcome,
    Task,
    base_row,
    content_hash,
    program_modules,
)
from compilerlm.tasks.common import normalize_ir, optimize_to_text
from compilerlm.tasks.evaluation import EvalItem
from compilerlm.tasks.flags import (
    FlagsScore,
    flags_completion,
    flags_prompt,
    parse_flags_answer,
    score_flags_many,
    summarize_flags,
)
from compilerlm.toolchain.evaluator import Evaluator, SubprocessEvaluator
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.pipelines import OZ_PIPELINE

# ------------------------------------------------------------------ labels


class Tuner(Protocol):
    """The autotuner as `compilerlm tune` runs it (the size track's `tracks.size.SIZE_SEARCH`): the model `auto`
    asks first, then the strategy, verified, under tune's run key. `tracks` is a layer above this one, so the
    command line hands it down in the config (`FlagsDataConfig.tuner`) rather than this module importing it."""

    def tune_modules(
        self,
        work: list[TuneJob],
        store: Store | None,
        advance: Advance,
        *,
        budget: int,
        strategy: str,
        model: str | None,
        seed: int,
        jobs: int,
    ) -> list[ModuleResult]: ...


@dataclass(frozen=True, kw_only=True)
class FlagsDataConfig:
    """Where flag-tuning labels come from: a tuner store (`store`), or the tuner run now with `budget`
    evaluations per module, as `compilerlm tune --budget` runs it (written to `store` too when given, so a rerun
    — or tune with the same settings — resumes)."""

    store: str | None = field(default=None, metadata={"help": "tuner store (tune --store) to take labels from"})
    budget: int | None = field(default=None, metadata={"help": "run the tuner now with N evaluations per module"})
    strategy: str = field(default="auto", metadata={"help": f"tuner strategy with --budget; {STRATEGY_HELP}"})
    model: str | None = field(
        default=None,
        metadata={
            "help": "with --budget, ask this model for pipelines first, as tune --model: auto uses ranker:default "
            "unless given another, or 'none'"
        },
    )
    min_improvement: float = field(
        default=0.0, metadata={"help": "keep labels at least this much smaller than -Oz (0: -Oz itself is a label)"}
    )
    seed: int = 0
    jobs: int = 1
    tuner: Tuner | None = None  # runs --budget; the command line gives tracks.size.SIZE_SEARCH

    def check(self) -> None:
        if self.store is None and self.budget is None:
            raise CompilerLMError(
                "flags labels come from a tuner store or a tuner run: give --store FILE and/or --budget N"
            )
        if self.budget is not None and self.budget < 1:
            raise CompilerLMError(f"--budget must be at least 1, got {self.budget}")
        if self.budget is not None and self.tuner is None:
            raise CompilerLMError(
                "flags labels with --budget come from the size track's tuner: "
                "give tuner=compilerlm.tracks.size.SIZE_SEARCH (the command line does)"
            )


def _results_from_store(store: Store, modules: Sequence[IRModule], tested: dict[str, bool]) -> dict[str, dict]:
    """Best finished result per module key: verified by the program's tests (or from a program without
    tests, which cannot be), smallest size first."""
    wanted = {m.key for m in modules}
    best: dict[str, dict] = {}
    for record in store.results(shape=StoredModule):
        res = record.get("result", {})
        key = res.get("module_key")
        if key not in wanted or not res.get("pipeline"):
            continue
        if tested.get(key, False) and not res.get("verified"):
            continue
        if key not in best or res["size"] < best[key]["size"]:
            best[key] = res
    return best


def _tuned(pairs: list[tuple[Program, list[IRModule]]], config: FlagsDataConfig, advance: Advance) -> dict[str, dict]:
    """Module key -> the tuner's best result (run now with `budget`, or read from `store`)."""
    if config.store:
        Path(config.store).parent.mkdir(parents=True, exist_ok=True)
    store = Store(config.store) if config.store else None
    tested = {m.key: bool(p.tests and p.is_c) for p, mods in pairs for m in mods}
    try:
        if config.budget is None:
            assert store is not None
            all_modules = [m for _, mods in pairs for m in mods]
            advance(len(all_modules))
            return _results_from_store(store, all_modules, tested)
        assert config.tuner is not None  # config.check
        work = [TuneJob(p, mods, None) for p, mods in pairs]
        results = config.tuner.tune_modules(
            work,
            store,
            advance,
            budget=config.budget,
            strategy=config.strategy,
            model=config.model,
            seed=config.seed,
            jobs=config.jobs,
        )
        return {
            r.module_key: {"pipeline": r.pipeline, "size": r.size, "size_oz": r.size_oz, "verified": r.verified}
            for r in results
            if r.verified or not tested[r.module_key]
        }
    finally:
        if store is not None:
            store.close()


def flags_examples(programs: Sequence[Program], config: FlagsDataConfig, advance: Advance) -> list[Example]:
    """Labels = the autotuner's best minimised, verified pipeline per module, its size and the IR it gives."""
    config.check()
    pairs = program_modules(programs, config.jobs)
    by_key = _tuned(pairs, config, advance)
    todo = []
    for program, mods in pairs:
        for module in mods:
            res = by_key.get(module.key)
            if res is None or not res["size_oz"]:
                continue
            if 1 - res["size"] / res["size_oz"] < config.min_improvement:
                continue
            todo.append((program, module, res))

    def label(item: tuple[Program, IRModule, dict]) -> Example | None:
        program, module, res = item
        try:
            optimized = optimize_to_text(module.ir, res["pipeline"])
        except CompilerLMError:
            return None  # opt no longer accepts a stored pipeline (another LLVM): no label
        completion = flags_completion(res["pipeline"], res["size"], optimized)
        row = base_row("flags", program, module, flags_prompt(module.ir), completion)
        row.update(
            ir=module.ir,
            pipeline=res["pipeline"],
            size=int(res["size"]),
            size_oz=int(res["size_oz"]),
            improvement=1 - res["size"] / res["size_oz"],
            verified=bool(res.get("verified")),
            program_target=program_target(program),
        )
        return Example(row, program.name, content_hash(normalize_ir(module.ir)), row["prompt"] + row["completion"])

    labels = ThreadExecutor(max(1, config.jobs)).map(label, todo, names=[m.name for _, m, _ in todo])
    return [e for e in labels if e is not None]


# ------------------------------------------------------------------ reward


@dataclass(frozen=True, kw_only=True)
class FlagsRewardConfig:
    """The reward's settings, and the task's `rl_options`: the fields with help are `train rl --task flags`'s own
    options."""

    verify: bool = field(default=True, metadata={"help": "run the program's tests with each answer's pipeline"})
    invalid_score: float = field(default=-1.0, metadata={"help": "reward of an invalid or miscompiling answer"})
    timeout: float = 120.0  # seconds for one opt/llc run


_EVALUATOR: list[Evaluator] = []
_PROGRAMS: dict[str, tuple[Program, list[IRModule]] | None] = {}
_OZ: dict[str, int] = {}


def _evaluator(config: FlagsRewardConfig) -> Evaluator:
    if not _EVALUATOR:  # opt | llc processes: a crash of LLVM is a failed evaluation, not a dead worker
        _EVALUATOR.append(SubprocessEvaluator(jobs=1, timeout=config.timeout))
    return _EVALUATOR[0]


def _program(target: str) -> tuple[Program, list[IRModule]] | None:
    """The program a row came from and its modules (None when the target no longer resolves)."""
    if target not in _PROGRAMS:
        try:
            programs = resolve_target(target)
            _PROGRAMS[target] = (programs[0], programs[0].modules()) if len(programs) == 1 else None
        except CompilerLMError:
            _PROGRAMS[target] = None
    return _PROGRAMS[target]


def size_oz(module: IRModule, config: FlagsRewardConfig = FlagsRewardConfig()) -> int:
    """-Oz object size of a module (clang's exact -Oz pipeline, as every size), cached per module."""
    if module.key not in _OZ:
        ev = _evaluator(config).evaluate(module, OZ_PIPELINE)
        if not ev.ok or ev.size is None:
            raise CompilerLMError(f"{module.name}: -Oz does not compile ({ev.error})")
        _OZ[module.key] = ev.size
    return _OZ[module.key]


def flags_reward(
    completion: str,
    ir: str,
    module: str = "module",
    oz_size: int | None = None,
    target: str | None = None,
    config: FlagsRewardConfig = FlagsRewardConfig(),
) -> RewardOutcome:
    """Parse the answer's pipeline, size the module with it (real opt + llc), verify the program's tests."""
    parsed = parse_flags_answer(completion)
    if parsed.pipeline is None:
        return RewardOutcome(config.invalid_score, False, f"invalid: {parsed.error}")
    mod = IRModule(module, ir)
    ev = _evaluator(config).evaluate(mod, parsed.pipeline)
    if not ev.ok or ev.size is None:
        return RewardOutcome(
            config.invalid_score, False, f"invalid pipeline {parsed.pipeline!r}: {ev.error_kind}: {ev.error}"
        )
    base = oz_size or size_oz(mod, config)
    improvement = 1 - ev.size / base
    found = _program(target) if (config.verify and target) else None
    if found is None or not found[0].tests or not found[0].is_c:
        return RewardOutcome(improvement, True, f"size {ev.size} vs -Oz {base} (unverified: no tests to run)")
    program, modules = found
    names = [m.name for m in modules]
    if module not in names:
        return RewardOutcome(improvement, True, f"size {ev.size} vs -Oz {base} (unverified: {module} not in program)")
    modules = [mod if m.name == module else m for m in modules]  # the row's IR is what the prompt showed
    verdict = verify_program(program, modules, {module: parsed.pipeline})
    if not verdict.verified:
        return RewardOutcome(config.invalid_score, False, f"miscompile with {parsed.pipeline!r}: {verdict.detail}")
    return RewardOutcome(improvement, True, f"size {ev.size} vs -Oz {base}, {verdict.detail}")


# ------------------------------------------------------------------ the task


class FlagsTask(Task):
    name = "flags"
    track = "size"
    help = "Flag tuning: IR → a pass pipeline (the tuner's best verified, minimised one), its size, its IR."
    data_config = FlagsDataConfig
    progress_label = "flags labels"
    metrics = (
        Metric("modules", "Modules", "count"),
        Metric("improvement_zero_shot", "Improvement vs -Oz, zero-shot (1 - geomean size/size_Oz)"),
        Metric("improvement_fallback", "Improvement vs -Oz, with -Oz fallback"),
        Metric("better_share", "Modules smaller than -Oz"),
        Metric("worse_share", "Modules larger than -Oz"),
        Metric("invalid_share", "Invalid pass lists (rejected by opt/llc)"),
        Metric("skipped_share", "Prompts skipped by the model"),
    )
    item_columns = ("pipeline", "valid", "size", "size_oz", "ratio", "reason")
    plot_field = "ratio"
    plot_label = "object size / -Oz size (invalid = 1.0)"
    plot_reference = (1.0, "-Oz")
    score_fields = (FlagsScore,)
    reward_columns = ("ir", "module", "size_oz")  # and, to verify by the program's tests, program_target
    rl_options = FlagsRewardConfig  # read by the reward as it is (the default `reward_config`)

    def examples(
        self, programs: Sequence[Program], split_of: dict[str, str], config: Any, advance: Advance
    ) -> tuple[list[Example], dict[str, str]]:
        return flags_examples(programs, config, advance), {}

    def eval_items(self, inputs: Sequence[IRModule], options: Any, seed: int) -> list[EvalItem]:
        return [EvalItem(f"{m.key}:flags", m) for m in inputs]

    def prepare(self, batch: list[EvalItem], evaluator: Evaluator, timeout: float) -> None:
        sizes = evaluator.evaluate_many([(item.subject, OZ_PIPELINE) for item in batch])
        for item, ev in zip(batch, sizes, strict=True):
            if ev.ok and ev.size:
                item.payload, item.prompt = ev.size, flags_prompt(item.subject.ir)
            else:
                item.error = f"-Oz does not compile: {ev.error}"

    def score(
        self, batch: list[EvalItem], answers: list[list[str]], evaluator: Evaluator, timeout: float
    ) -> list[dict]:
        entries = [(item.subject, texts, item.payload) for item, texts in zip(batch, answers, strict=True)]
        return [s.to_dict() for s in score_flags_many(entries, evaluator)]

    def summarize(self, rows: Sequence[dict]) -> dict:
        return summarize_flags([r for r in rows if not r.get("error")])

    def reward_name(self, config: FlagsRewardConfig) -> str:
        return "flags_improvement"

    def failure_score(self, config: FlagsRewardConfig) -> float:
        return config.invalid_score

    def reward_request(self, completion: str, columns: dict[str, Any], i: int, config: Any) -> dict[str, Any]:
        def column(name: str) -> Any:
            values = columns.get(name)
            return values[i] if values is not None else None

        names = (*self.reward_columns, "program_target")
        return {"completion": completion, **{name: column(name) for name in names}}

    def score_reward(self, request: dict[str, Any], config: FlagsRewardConfig) -> RewardOutcome:
        return flags_reward(
            request["completion"],
            request["ir"],
            request.get("module") or "module",
            request.get("size_oz"),
            request.get("program_target"),
            config,
        )
