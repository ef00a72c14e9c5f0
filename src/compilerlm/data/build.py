"""From a suite to a dataset folder: resolve programs, split them, build rows per task, dedup, filter by
token length, write one parquet file per split."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from compilerlm import __version__, registry
from compilerlm.data.files import write_splits
from compilerlm.data.splits import SPLITS, dedup, split_programs
from compilerlm.data.tokens import make_filter
from compilerlm.errors import CompilerLMError
from compilerlm.programs.program import Program
from compilerlm.programs.suites import built_for, resolve_target
from compilerlm.tasks.base import Advance, Example, Task
from compilerlm.toolchain.targets import HOST


@dataclass(frozen=True)
class DataConfig:
    """What every dataset shares: the programs, the split and the token-length filter."""

    suite: str
    out: str
    validation: float = 0.1  # share of programs held out
    seed: int = 0
    tokenizer: str | None = None  # model spec whose tokenizer counts tokens (with max_tokens)
    max_tokens: int | None = None
    triple: str = HOST.name  # the machine the programs are built for (`toolchain.targets`)


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
    task: Task | str,
    config: DataConfig,
    task_config: Any,
    progress: Progress = _no_progress,
    programs: Sequence[Program] | None = None,
) -> BuildReport:
    """Write the dataset of `task` (a Task or a registered name) for the suite in `config` to `config.out`;
    `task_config` is an instance of the task's `data_config`."""
    if isinstance(task, str):
        task = registry.get(task, lambda t: t.data_config is not None, "data task")
    start = time.time()
    if not isinstance(task_config, task.data_config or ()):
        raise CompilerLMError(f"the {task.name} dataset takes a {getattr(task.data_config, '__name__', None)}")
    if hasattr(task_config, "check"):  # settings errors before any work starts
        task_config.check()
    token_filter = make_filter(config.tokenizer, config.max_tokens)  # fail early on a bad tokenizer
    programs = built_for(list(programs) if programs is not None else resolve_target(config.suite), config.triple)
    if not programs:
        raise CompilerLMError(f"suite {config.suite!r} has no programs")
    skipped = {p.name: why for p in programs if (why := task.usable(p))}  # they take no part in the split
    programs = [p for p in programs if p.name not in skipped]
    if not programs:
        reasons = "; ".join(sorted(set(skipped.values())))
        raise CompilerLMError(f"no program of {config.suite!r} fits the {task.name} task ({reasons})")
    split_of = split_programs([p.name for p in programs], config.validation, config.seed)
    advance = progress(task.progress_label, task.work_units(programs))
    examples, failed = task.examples(programs, split_of, task_config, advance)
    skipped.update(failed)

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
        splits[split].append(task.with_split(e.row, split, len(splits[split])))
    if not any(splits.values()):
        raise CompilerLMError(
            f"no {task.name} rows for suite {config.suite!r} (skipped: {len(skipped)}, duplicates: {duplicates}, "
            f"too long: {too_long}); use a larger suite, more --budget or a larger --max-tokens"
        )
    meta = {
        "version": __version__,
        "task": task.name,
        "config": asdict(config),
        "task_config": asdict(task_config),
        "programs": {name: sorted(p for p, s in split_of.items() if s == name) for name in SPLITS},
        "format": task.row_format,
    }
    write_splits(splits, Path(config.out), meta)
    return BuildReport(
        task=task.name,
        out=config.out,
        programs={name: sum(1 for s in split_of.values() if s == name) for name in SPLITS},
        rows={name: len(rows) for name, rows in splits.items()},
        duplicates=duplicates,
        too_long=too_long,
        skipped=skipped,
        seconds=time.time() - start,
    )
