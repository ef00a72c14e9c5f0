"""The speed task (SuperCoder), named `asm`: a C program and its gcc -O3 assembly in, faster assembly out.

The track itself is `compilerlm.speed`; this module makes it a `Task`: its dataset rows are SuperCoder's verl
rows (`programs.supercoder.make_row`), one per program, with every field SuperCoder's own reward reads. The
prompt shows the C code and its gcc -O3 assembly (`reward_model.ground_truth`, fenced;
`extra_info.unoptimized_assembly`, bare, with its binary `unoptimized_compiled`); `extra_info` carries the
visible tests (`inputs`/`outputs`, as SuperCoder's rows) and the hidden ones apart
(`hidden_inputs`/`hidden_outputs`), which no prompt ever shows and every reward checks. Its reward is
`speed.rewards.score_asm`, set by `AsmRLOptions` (`train rl --task asm`'s own options).

Its evaluation (`compilerlm eval asm`) is the item evaluation every task has, with items made from programs,
not IR modules: one per single-file C program, answered by the speed track's search (the model, the paper's
preset by default, and/or the compiler portfolio: `speed.suite.run_asm_suite`), each row an `AsmOutcome` stored
under the same record as `compilerlm asm` stores it, so each reuses what the other did; its options are
`AsmEvalOptions`, its table and report SuperCoder's (`speed.report`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compilerlm.errors import CompilerLMError
from compilerlm.parallel import ThreadExecutor
from compilerlm.programs.program import Program
from compilerlm.programs.supercoder import make_row
from compilerlm.sandbox import Limits, sandbox_capabilities
from compilerlm.speed.build import baseline_assembly
from compilerlm.speed.checks import split_tests
from compilerlm.speed.config import AsmSearchConfig
from compilerlm.speed.outcome import AsmOutcome
from compilerlm.speed.problem import working_baseline
from compilerlm.speed.prompt import asm_prompt_text, c_only_prompt_text
from compilerlm.speed.report import format_asm_table, write_asm_report
from compilerlm.speed.request import AsmEvalOptions
from compilerlm.speed.rewards import (
    FAILURE_SCORE,
    MEASURES,
    PROTOCOLS,
    AsmRewardConfig,
    reward_key,
    score_asm,
)
from compilerlm.speed.suite import (
    RECORD_KIND,
    program_key,
    run_asm_suite,
    runnable_programs,
    stored_outcome,
    summarize_asm,
)
from compilerlm.tasks.base import Advance, Example, RewardOutcome, Task, content_hash
from compilerlm.tasks.evaluation import EvalContext, EvalItem, OnRow, Sampling
from compilerlm.toolchain.targets import HOST

if TYPE_CHECKING:
    from rich.table import Table

    from compilerlm.plots import ReportFiles

OUTCOME_FIELDS = frozenset(f.name for f in fields(AsmOutcome))


@dataclass(frozen=True)
class AsmDataConfig:
    visible: int = field(default=3, metadata={"help": "tests shown per program; the rest are hidden"})
    seed: int = 0
    jobs: int = 1


@dataclass(frozen=True, kw_only=True)
class AsmRLOptions:
    """`compilerlm train rl --task asm`'s own options (and verl's COMPILERLM_REWARD* variables): which reward, and
    how speed is measured; `AsmTask.reward_config` makes the reward's `AsmRewardConfig` from them."""

    reward: str = field(default="supercoder", metadata={"help": "reward: supercoder, partial or hidden"})
    timing_runs: int = field(default=3, metadata={"help": "timed runs per test and answer"})
    timing_protocol: str = field(
        default="compilerlm", metadata={"help": "compilerlm (interleaved) or supercoder (3+10 runs per side)"}
    )
    measure: str = field(
        default="wall", metadata={"help": "what a speedup is a ratio of: wall, cpu or instructions (deterministic)"}
    )


def usable(program: Program) -> str | None:
    """Why a program cannot be an asm row (None when it can): one C file, and tests to check answers."""
    if len(program.sources) != 1 or not program.is_c:
        return "not a single C file"
    if not program.tests:
        return "no tests"
    return None


def asm_examples(
    programs: Sequence[Program], split_of: dict[str, str], config: AsmDataConfig, advance: Advance
) -> tuple[list[Example], dict[str, str]]:
    """(rows, skipped program -> reason). `extra_info.index` is set when the split is final (`with_split`)."""
    skipped: dict[str, str] = {}

    def one(program: Program) -> Example | None:
        try:
            why = usable(program)
            if why:
                skipped[program.name] = why
                return None
            c_code = program.sources[0].read_text(errors="replace")
            with tempfile.TemporaryDirectory(prefix="compilerlm-row-") as tmp:  # the baseline must work here
                asm, binary, _ = working_baseline(program, baseline_assembly(program), Path(tmp), Limits(), "gcc -O3")
                compiled = binary.read_bytes()
            visible, hidden = split_tests(program.tests, config.visible, config.seed)
            row = make_row(
                program.name,
                c_code,
                asm,
                visible,
                hidden,
                split_of[program.name],
                0,
                question=asm_prompt_text(c_code, asm),
                c_only_question=c_only_prompt_text(c_code),
                baseline_binary=compiled,
            )
        except CompilerLMError as exc:
            skipped[program.name] = str(exc)
            return None
        finally:
            advance(1)
        return Example(row, program.name, content_hash(c_code), asm_prompt_text(c_code, asm))

    examples = [e for e in ThreadExecutor(max(1, config.jobs)).map(one, programs) if e is not None]
    return examples, skipped


class AsmTask(Task):
    name = "asm"
    track = "speed"
    help = "Speed: C + its gcc -O3 assembly → faster assembly (SuperCoder's verl rows; hidden tests apart)."
    data_config = AsmDataConfig
    row_format = "asm: SuperCoder verl rows"
    progress_label = "asm rows"
    reward_columns = ("reward_model", "extra_info")
    rl_options = AsmRLOptions
    eval_options = AsmEvalOptions
    needs_model = False  # without one, the compilers alone: the baseline row of SuperCoder's table

    def usable(self, program: Program) -> str | None:
        return usable(program)

    def work_units(self, programs: Sequence[Program]) -> int:
        return len(programs)

    def examples(
        self, programs: Sequence[Program], split_of: dict[str, str], config: Any, advance: Advance
    ) -> tuple[list[Example], dict[str, str]]:
        return asm_examples(programs, split_of, config, advance)

    def with_split(self, row: dict[str, Any], split: str, index: int) -> dict[str, Any]:
        return {**row, "extra_info": {**row["extra_info"], "split": split, "index": index}}

    def reward_config(self, options: AsmRLOptions, seed: int = 0) -> AsmRewardConfig:
        if options.measure not in MEASURES:
            raise CompilerLMError(f"unknown --measure {options.measure!r}: choose one of {', '.join(MEASURES)}")
        if options.timing_protocol not in PROTOCOLS:
            choices = ", ".join(PROTOCOLS)
            raise CompilerLMError(f"unknown --timing-protocol {options.timing_protocol!r}: choose one of {choices}")
        if options.timing_runs < 1:
            raise CompilerLMError(f"--timing-runs must be at least 1 (got {options.timing_runs})")
        return AsmRewardConfig(
            reward=reward_key(options.reward),
            runs=options.timing_runs,
            protocol=options.timing_protocol,
            measure=options.measure,
            seed=seed,
        )

    def reward_name(self, config: AsmRewardConfig) -> str:
        return f"asm_{reward_key(config.reward).replace('-', '_')}"

    def failure_score(self, config: AsmRewardConfig) -> float:
        return FAILURE_SCORE[reward_key(config.reward)]

    def reward_request(self, completion: str, columns: dict[str, Any], i: int, config: Any) -> dict[str, Any]:
        ground_truth = columns["reward_model"][i]["ground_truth"]
        return {"completion": completion, "ground_truth": ground_truth, "extra_info": columns["extra_info"][i]}

    def score_reward(self, request: dict[str, Any], config: AsmRewardConfig) -> RewardOutcome:
        return score_asm(request["completion"], request["ground_truth"], request["extra_info"], config)

    # ---------------------------------------------------------------- evaluation: programs, the speed search

    def eval_inputs(
        self, programs: Sequence[Program], jobs: int, done: Callable[[], None]
    ) -> tuple[list[Program], list[str]]:
        """The single-file C programs (names of the others); refused, once, before any work, where the sandbox
        cannot confine the runs (every build and run of an answer needs it)."""
        if any(not p.machine.is_host for p in programs):
            raise CompilerLMError(
                f"the speed track builds for {HOST.name} only (gcc -O3 is its baseline): drop --target"
            )
        for _ in programs:
            done()
        return runnable_programs(programs)

    def eval_items(self, inputs: Sequence[Program], options: AsmEvalOptions, seed: int) -> list[EvalItem]:
        return [EvalItem(program_key(p), p, p) for p in inputs]

    def eval_sampling(
        self, samples: int | None, temperature: float | None, max_tokens: int | None, options: AsmEvalOptions
    ) -> Sampling:
        chosen = options.model_settings(samples, temperature, max_tokens)  # the preset, options given winning
        return Sampling(samples=chosen.samples, temperature=chosen.temperature, max_tokens=chosen.max_tokens)

    def search_config(self, ctx: EvalContext) -> AsmSearchConfig:
        s = ctx.sampling
        return ctx.options.config_for(ctx.model_spec, s.samples, s.temperature, s.max_tokens)

    def eval_settings(self, ctx: EvalContext) -> str:
        return self.search_config(ctx).key(ctx.model_spec)

    def eval_record(self, settings: str, item: EvalItem) -> tuple[str, str]:
        return RECORD_KIND, settings + item.key  # as `compilerlm asm` stores its outcomes

    def eval_row_shape(self) -> Any:
        return AsmOutcome

    def evaluate(self, items: Sequence[EvalItem], ctx: EvalContext, on_row: OnRow) -> None:
        """The speed search for every program: in this process with the model loaded here, or in worker processes
        and Ray tasks that load the model's spec themselves."""
        here = ctx.jobs <= 1 and not ctx.options.ray
        run_asm_suite(
            [item.payload for item in items],
            self.search_config(ctx),
            model=ctx.model if here and ctx.model_spec else None,
            model_spec=ctx.model_spec,
            jobs=ctx.jobs,
            ray_address=ctx.options.ray,
            on_program=lambda i, outcome: on_row(i, stored_outcome(outcome)),
        )

    def public_row(self, row: dict) -> dict:
        return {k: v for k, v in row.items() if k != "assembly"}

    def summarize(self, rows: Sequence[dict]) -> dict:
        outcomes = [AsmOutcome(**{k: v for k, v in r.items() if k in OUTCOME_FIELDS}) for r in rows]
        return summarize_asm(outcomes) | {"sandbox": sandbox_capabilities()}

    def summary_table(self, summary: dict) -> Table:
        return format_asm_table(summary)

    def write_report(self, rows: Sequence[dict], summary: dict, out: Path) -> ReportFiles:
        return write_asm_report(list(rows), summary, str(summary.get("settings", "")), out)
