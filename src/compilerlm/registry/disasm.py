"""The disassembly task (LLM Compiler FTD): assembly (x86-64's, or the module's machine's) in, LLVM IR out that
compiles back to it. Its language is `tasks/disasm.py`; this module makes it a `Task`: rows (llc's assembly of
the -Oz module in, the -Oz IR out) and items for the evaluation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from compilerlm.parallel import ThreadExecutor
from compilerlm.programs.program import Program
from compilerlm.tasks.base import Advance, Example, Metric, Task, base_row, content_hash, program_modules
from compilerlm.tasks.common import normalize_ir
from compilerlm.tasks.disasm import (
    DisasmItem,
    DisasmScore,
    disasm_completion,
    prepare_disasm,
    score_disasm,
    summarize_disasm,
)
from compilerlm.tasks.evaluation import EvalItem
from compilerlm.toolchain.evaluator import Evaluator
from compilerlm.toolchain.module import IRModule


@dataclass(frozen=True)
class DisasmDataConfig:
    jobs: int = 1


def disasm_examples(programs: Sequence[Program], config: DisasmDataConfig, advance: Advance) -> list[Example]:
    """llc's assembly of the -Oz module in, the -Oz IR it came from out."""
    pairs = program_modules(programs, config.jobs)
    flat = [(p, m) for p, mods in pairs for m in mods]

    def one(item: tuple[Program, IRModule]) -> Example | None:
        program, module = item
        prepared = prepare_disasm(module)
        advance(1)
        if prepared.truth is None:
            return None
        row = base_row("disasm", program, module, prepared.prompt, disasm_completion(prepared.truth))
        return Example(row, program.name, content_hash(normalize_ir(prepared.truth)), row["prompt"] + row["completion"])

    examples = ThreadExecutor(max(1, config.jobs)).map(one, flat, names=[m.name for _, m in flat])
    return [e for e in examples if e is not None]


class DisasmTask(Task):
    name = "disasm"
    track = "size"
    help = "Disassembly: assembly (llc's, of the -Oz module, for its machine) → the LLVM IR it came from."
    data_config = DisasmDataConfig
    progress_label = "disassembly pairs"
    metrics = (
        Metric("items", "Items", "count"),
        Metric("round_trip_share", "Round trip (IR compiles to the input assembly)"),
        Metric("round_trip_bleu_mean", "Round-trip BLEU, mean (0-100)", "number"),
        Metric("exact_match_share", "IR exact match (normalised)"),
        Metric("parse_share", "IR the real parser accepts"),
        Metric("skipped_share", "Prompts skipped by the model"),
        Metric("no_ground_truth", "Items without ground truth (left out)", "count"),
    )
    item_columns = ("round_trip", "round_trip_bleu", "exact_match", "parses", "reason")
    plot_field = "round_trip_bleu"
    plot_label = "round-trip BLEU per item (0-100)"
    score_fields = (DisasmScore,)

    def examples(
        self, programs: Sequence[Program], split_of: dict[str, str], config: Any, advance: Advance
    ) -> tuple[list[Example], dict[str, str]]:
        return disasm_examples(programs, config, advance), {}

    def eval_items(self, inputs: Sequence[IRModule], options: Any, seed: int) -> list[EvalItem]:
        return [EvalItem(DisasmItem(m).key, m) for m in inputs]

    def prepare(self, batch: list[EvalItem], evaluator: Evaluator, timeout: float) -> None:
        def one(item: EvalItem) -> None:
            item.payload = prepared = prepare_disasm(item.subject, timeout=timeout)
            item.prompt, item.error = (prepared.prompt if prepared.error is None else ""), prepared.error

        ThreadExecutor(evaluator.jobs).map(one, batch, names=[item.key for item in batch])

    def score(
        self, batch: list[EvalItem], answers: list[list[str]], evaluator: Evaluator, timeout: float
    ) -> list[dict]:
        def one(i: int) -> dict:
            texts = answers[i] or [""]
            return score_disasm(batch[i].payload, texts[0], timeout=timeout).to_dict()

        return ThreadExecutor(evaluator.jobs).map(one, range(len(batch)), names=[item.key for item in batch])

    def summarize(self, rows: Sequence[dict]) -> dict:
        return summarize_disasm(rows)
