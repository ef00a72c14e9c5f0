"""The speed task (SuperCoder), named `asm`: a C program and its gcc -O3 assembly in, faster assembly out.

The track itself is `compilerlm.speed`; this module makes it a `Task`: its dataset rows are SuperCoder's verl
rows (`programs.supercoder.make_row`), one per program, with every field SuperCoder's own reward reads. The
prompt shows the C code and its gcc -O3 assembly (`reward_model.ground_truth`, fenced;
`extra_info.unoptimized_assembly`, bare, with its binary `unoptimized_compiled`); `extra_info` carries the
visible tests (`inputs`/`outputs`, as SuperCoder's rows) and the hidden ones apart
(`hidden_inputs`/`hidden_outputs`), which no prompt ever shows and every reward checks. Its reward is
`speed.rewards.score_asm`, set by `AsmRLOptions` (`train rl --task asm`'s own options). Its evaluation is a
search over a compiler portfolio and the model (`compilerlm eval asm`, `eval/speed.py`), not the item
evaluation of the size-track tasks.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compilerlm.errors import CompilerLMError
from compilerlm.parallel import ThreadExecutor
from compilerlm.programs.program import Program
from compilerlm.programs.supercoder import make_row
from compilerlm.sandbox import Limits
from compilerlm.speed.build import baseline_assembly
from compilerlm.speed.checks import split_tests
from compilerlm.speed.problem import working_baseline
from compilerlm.speed.prompt import asm_prompt_text, c_only_prompt_text
from compilerlm.speed.rewards import (
    FAILURE_SCORE,
    MEASURES,
    PROTOCOLS,
    AsmRewardConfig,
    reward_key,
    score_asm,
)
from compilerlm.tasks.base import Advance, Example, RewardOutcome, Task, content_hash


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
