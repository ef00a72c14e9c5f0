"""From a suite to a dataset folder: resolve programs, split them, build rows per task, dedup, filter by
token length, write one parquet file per split."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from compilerlm import __version__
from compilerlm.data.asm import AsmDataConfig, asm_examples, usable
from compilerlm.data.examples import Advance, Example
from compilerlm.data.files import write_splits
from compilerlm.data.llm_compiler import (
    DisasmDataConfig,
    EmulateDataConfig,
    FlagsDataConfig,
    disasm_examples,
    emulate_examples,
    flags_examples,
    module_count,
)
from compilerlm.data.splits import SPLITS, dedup, split_programs
from compilerlm.data.tokens import make_filter
from compilerlm.errors import CompilerLMError
from compilerlm.programs.program import Program
from compilerlm.programs.suites import resolve_target

Task = Literal["flags", "emulate", "disasm", "asm"]
TASKS: tuple[str, ...] = ("flags", "emulate", "disasm", "asm")


@dataclass(frozen=True)
class DataConfig:
    """What every dataset shares: the programs, the split and the token-length filter."""

    suite: str
    out: str
    validation: float = 0.1  # share of programs held out
    seed: int = 0
    tokenizer: str | None = None  # model spec whose tokenizer counts tokens (with max_tokens)
    max_tokens: int | None = None


@dataclass
class BuildReport:
    """What was written and what was left out, and why."""

    task: str
    out: str
    programs: dict[str, int]  # split -> programs
    rows: dict[str, int]  # split -> rows written
    duplicates: int = 0
    too_long: int = 0
    skipped: dict[str, str] = field(default_factory=dict)  # program -> reason (asm)
    seconds: float = 0.0


Progress = Callable[[str, int], Advance]
"""Makes a progress task: (description, total) -> advance callback."""


def _no_progress(description: str, total: int) -> Advance:
    return lambda n: None


def build_dataset(
    task: str,
    config: DataConfig,
    task_config: FlagsDataConfig | EmulateDataConfig | DisasmDataConfig | AsmDataConfig,
    progress: Progress = _no_progress,
    programs: Sequence[Program] | None = None,
) -> BuildReport:
    """Write the dataset of `task` for the suite in `config` to `config.out` (see compilerlm.data)."""
    if task not in TASKS:
        raise CompilerLMError(f"unknown data task {task!r}: choose one of {', '.join(TASKS)}")
    start = time.time()
    if hasattr(task_config, "check"):  # settings errors before any work starts
        task_config.check()
    token_filter = make_filter(config.tokenizer, config.max_tokens)  # fail early on a bad tokenizer
    programs = list(programs) if programs is not None else resolve_target(config.suite)
    if not programs:
        raise CompilerLMError(f"suite {config.suite!r} has no programs")
    skipped: dict[str, str] = {}
    if task == "asm":  # only programs that can be rows take part in the split
        skipped = {p.name: why for p in programs if (why := usable(p))}
        programs = [p for p in programs if p.name not in skipped]
        if not programs:
            raise CompilerLMError(f"no program of {config.suite!r} fits the asm task (one C file with tests)")
    split_of = split_programs([p.name for p in programs], config.validation, config.seed)
    if task == "asm":
        assert isinstance(task_config, AsmDataConfig)
        examples, failed = asm_examples(programs, split_of, task_config, progress("asm rows", len(programs)))
        skipped.update(failed)
    elif task == "flags":
        assert isinstance(task_config, FlagsDataConfig)
        examples = flags_examples(programs, task_config, progress("flags labels", module_count(programs)))
    elif task == "emulate":
        assert isinstance(task_config, EmulateDataConfig)
        examples = emulate_examples(programs, task_config, progress("emulation pairs", module_count(programs)))
    else:
        assert isinstance(task_config, DisasmDataConfig)
        examples = disasm_examples(programs, task_config, progress("disassembly pairs", module_count(programs)))

    ordered = sorted(examples, key=lambda e: SPLITS.index(split_of[e.program]))  # train first: see dedup
    kept, duplicates = dedup(ordered, key=lambda e: e.key)
    too_long = 0
    if token_filter is not None:
        count = progress("token lengths", len(kept))
        filtered: list[Example] = []
        for e in kept:
            if token_filter.keep(e.text):
                filtered.append(e)
            else:
                too_long += 1
            count(1)
        kept = filtered

    splits: dict[str, list[dict[str, Any]]] = {name: [] for name in SPLITS}
    for e in kept:
        split = split_of[e.program]
        row = e.row
        if task == "asm":
            row["extra_info"] = {**row["extra_info"], "split": split, "index": len(splits[split])}
        else:
            row["split"] = split
        splits[split].append(row)
    if not any(splits.values()):
        raise CompilerLMError(
            f"no {task} rows for suite {config.suite!r} (skipped: {len(skipped)}, duplicates: {duplicates}, "
            f"too long: {too_long}); use a larger suite, more --budget or a larger --max-tokens"
        )
    meta = {
        "version": __version__,
        "task": task,
        "config": asdict(config),
        "task_config": asdict(task_config),
        "programs": {name: sorted(p for p, s in split_of.items() if s == name) for name in SPLITS},
        "format": "asm: SuperCoder verl rows" if task == "asm" else "prompt/completion (TRL)",
    }
    write_splits(splits, Path(config.out), meta)
    return BuildReport(
        task=task,
        out=config.out,
        programs={name: sum(1 for s in split_of.values() if s == name) for name in SPLITS},
        rows={name: len(rows) for name, rows in splits.items()},
        duplicates=duplicates,
        too_long=too_long,
        skipped=skipped,
        seconds=time.time() - start,
    )
