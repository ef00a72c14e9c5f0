"""The compiler-emulation tasks (LLM Compiler): IR and a pass list in, what the real `opt -p '…'` prints out
(`emulate`), or what `llc` then emits (`emulate-asm`). Their language is `tasks/emulate.py`; this module makes
them `Task`s: rows labelled by the real tools for random pipelines, and items for the evaluation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict

from compilerlm.errors import CompilerLMError
from compilerlm.parallel import ThreadExecutor
from compilerlm.programs.program import Program
from compilerlm.tasks.base import Advance, Example, Metric, Task, base_row, content_hash, program_modules
from compilerlm.tasks.common import normalize_ir
from compilerlm.tasks.emulate import (
    EmulationItem,
    EmulationScore,
    emulate_completion,
    emulation_items,
    prepare_emulation,
    score_emulation,
    summarize_emulation,
)
from compilerlm.tasks.evaluation import EvalItem
from compilerlm.toolchain.evaluator import Evaluator, make_evaluator
from compilerlm.toolchain.module import IRModule


def check_per_module(per_module: int) -> None:
    if per_module < 1:
        raise CompilerLMError(f"--per-module must be at least 1, got {per_module}")


@dataclass(frozen=True)
class EmulateDataConfig:
    per_module: int = field(default=4, metadata={"help": "random pipelines (1-50 passes) per module"})
    asm: bool = field(default=False, metadata={"help": "label with llc's assembly instead of opt's IR"})
    seed: int = 0
    jobs: int = 1

    def check(self) -> None:
        check_per_module(self.per_module)


@dataclass(frozen=True, kw_only=True)
class EmulateEvalOptions:
    """`compilerlm eval emulate`'s (and emulate-asm's) own options."""

    per_module: int = field(default=1, metadata={"help": "random pipelines (1-50 passes) per module"})

    def __post_init__(self) -> None:
        check_per_module(self.per_module)


def emulate_examples(programs: Sequence[Program], config: EmulateDataConfig, advance: Advance) -> list[Example]:
    """Random pipelines per module; the label is what the real opt (and llc) print for them."""
    config.check()
    out: list[Example] = []
    pairs = program_modules(programs, config.jobs)
    with make_evaluator("inprocess", jobs=config.jobs) as ev:
        for program, mods in pairs:
            for module in mods:
                items = emulation_items(module, per_module=config.per_module, seed=config.seed, asm=config.asm)
                prepare_emulation(items, ev)
                for item in items:
                    if item.truth is None or item.error:
                        continue
                    completion = emulate_completion(item.truth, item.true_instructions, item.true_size, asm=item.asm)
                    row = base_row("emulate-asm" if item.asm else "emulate", program, module, item.prompt, completion)
                    row["pipeline"] = item.pipeline
                    key = content_hash(normalize_ir(module.ir), item.pipeline, "asm" if item.asm else "ir")
                    out.append(Example(row, program.name, key, item.prompt + completion))
                advance(1)
    return out


class EmulateExtras(TypedDict):
    """What `EmulateTask.score` adds to a row beside the answer's EmulationScore."""

    pipeline: str
    true_size: int | None
    exact_match_any: NotRequired[bool]  # with several samples


class EmulateTask(Task):
    """`asm=False`: predict opt's IR; `asm=True`: predict llc's assembly of it (rows: `data emulate --asm`)."""

    track = "size"
    progress_label = "emulation pairs"
    eval_options = EmulateEvalOptions
    metrics = (
        Metric("items", "Items", "count"),
        Metric("exact_match_share", "Exact match (normalised)"),
        Metric("bleu_corpus", "BLEU, corpus (0-100)", "number"),
        Metric("bleu_mean", "BLEU, mean per item (0-100)", "number"),
        Metric("parse_share", "Answers the real parser accepts"),
        Metric("size_error_mean", "Stated binary size, mean relative error"),
        Metric("size_stated_share", "Answers that state a binary size"),
        Metric("instruction_error_mean", "Stated instruction count, mean relative error"),
        Metric("skipped_share", "Prompts skipped by the model"),
        Metric("no_ground_truth", "Items without ground truth (left out)", "count"),
    )
    item_columns = ("pipeline", "exact_match", "bleu", "parses", "size_error")
    plot_field = "bleu"
    plot_label = "BLEU per item (0-100)"
    score_fields = (EmulationScore, EmulateExtras)

    def __init__(self, asm: bool = False) -> None:
        self.asm = asm
        self.name = "emulate-asm" if asm else "emulate"
        if asm:
            self.help = "Compiler emulation, assembly variant: predict llc's assembly after opt."
        else:
            self.help = "Compiler emulation: IR + a random pipeline → what the real opt (or llc) prints."
            self.data_config = EmulateDataConfig

    def examples(
        self, programs: Sequence[Program], split_of: dict[str, str], config: Any, advance: Advance
    ) -> tuple[list[Example], dict[str, str]]:
        return emulate_examples(programs, config, advance), {}

    def eval_items(self, inputs: Sequence[IRModule], options: EmulateEvalOptions, seed: int) -> list[EvalItem]:
        return [
            EvalItem(item.key, m, item)
            for m in inputs
            for item in emulation_items(m, per_module=options.per_module, seed=seed, asm=self.asm)
        ]

    def prepare(self, batch: list[EvalItem], evaluator: Evaluator, timeout: float) -> None:
        items: list[EmulationItem] = [p.payload for p in batch]
        prepare_emulation(items, evaluator, timeout=timeout)
        for p, item in zip(batch, items, strict=True):
            p.prompt, p.error = item.prompt, item.error

    def score(
        self, batch: list[EvalItem], answers: list[list[str]], evaluator: Evaluator, timeout: float
    ) -> list[dict]:
        def one(i: int) -> dict:
            item: EmulationItem = batch[i].payload
            texts = answers[i] or [""]
            row = score_emulation(item, texts[0]).to_dict()
            if len(texts) > 1:
                row["exact_match_any"] = any(score_emulation(item, t).exact_match for t in texts)
            row["pipeline"] = item.pipeline
            row["true_size"] = item.true_size
            return row

        return ThreadExecutor(evaluator.jobs).map(one, range(len(batch)), names=[item.key for item in batch])

    def summarize(self, rows: Sequence[dict]) -> dict:
        return summarize_emulation(rows)
