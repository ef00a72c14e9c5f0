"""The contract every task fulfils, so that datasets, evaluation, training and the command line treat every
task alike: they are handed a `Task` (the command line looks it up in `compilerlm.registry`) and call its
methods, never switching on a task's name.

A task is what a model is asked and how its answer is judged: its prompt, the layout of a correct answer
(the label a dataset trains on), the parser that reads an answer back, the score of an answer (for
evaluation) and its reward (for RL), and the table its evaluation reports. Parts a task does not offer are
left as they are here: `evaluable`/`trainable` say which a task has.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compilerlm.errors import CompilerLMError
from compilerlm.parallel import Call, ThreadExecutor
from compilerlm.plots import ReportFiles
from compilerlm.programs.program import Program
from compilerlm.tasks.evaluation import (
    EvalContext,
    EvalItem,
    OnRow,
    Sampling,
    answer_with_model,
    required_model,
    row_shape,
    settings_key,
)
from compilerlm.tasks.report import items_report, metrics_table
from compilerlm.toolchain.evaluator import Evaluator
from compilerlm.toolchain.module import IRModule

if TYPE_CHECKING:
    from _typeshed import DataclassInstance
    from rich.table import Table

Advance = Callable[[float], None]
"""Progress callback: called with how many units of work just finished."""


@dataclass
class Example:
    """One dataset row. `key` is its dedup key (a hash of the input code), `text` what the token-length
    filter counts (prompt + completion for SFT rows, the prompt for RL rows)."""

    row: dict[str, Any]
    program: str
    key: str
    text: str


def content_hash(*parts: str) -> str:
    """The dedup key of an example: sha256 over its input code (and whatever else makes it distinct)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode(errors="surrogateescape"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class Metric:
    """One line of a task's summary table: the summary key, its label, and how its value is shown."""

    key: str
    label: str
    kind: str = "share"  # share (as %), number (2 decimals), count

    def format(self, value: Any) -> str:
        if value is None:
            return "—"
        if self.kind == "share":
            return f"{100 * value:.2f}%"
        if self.kind == "number":
            return f"{value:.2f}"
        return str(value)


@dataclass(frozen=True)
class RewardOutcome:
    """`ok` is False when the answer could not be judged as a candidate at all (no code, invalid pipeline,
    worker crash or timeout); its score is then the reward's failure score."""

    score: float
    ok: bool
    detail: str = ""
    info: dict[str, float] = field(default_factory=dict)  # numbers a trainer may log beside the score

    def to_dict(self) -> dict:
        return asdict(self)


def module_count(programs: Sequence[Program]) -> int:
    """Work units for progress bars: one per source file (= module)."""
    return sum(len(p.sources) for p in programs)


def front_end(
    programs: Sequence[Program], jobs: int, level: str = "Oz", done: Callable[[], None] = lambda: None
) -> list[IRModule]:
    """Every program's unoptimized IR at `level` (clang processes in parallel), in program order; `done` hears
    each finished program, so a caller can show how far a large suite is."""
    per_program: list[list[IRModule]] = [[] for _ in programs]

    def kept(i: int, modules: list[IRModule]) -> None:
        per_program[i] = modules
        done()

    ThreadExecutor(max(1, jobs)).run(_modules, [Call(p.name, (p, level)) for p in programs], kept)
    return [m for modules in per_program for m in modules]


def _modules(program: Program, level: str) -> list[IRModule]:
    return program.modules(level)


def program_modules(programs: Sequence[Program], jobs: int) -> list[tuple[Program, list[IRModule]]]:
    """Unoptimized IR of every program (clang processes in parallel)."""
    return list(zip(programs, ThreadExecutor(max(1, jobs)).map(lambda p: p.modules(), programs), strict=True))


def base_row(task: str, program: Program, module: IRModule, prompt: str, completion: str) -> dict[str, Any]:
    """The columns every prompt/completion row of a size-track task starts with."""
    return {
        "task": task,
        "prompt": prompt,
        "completion": completion,
        "program": program.name,
        "module": module.name,
        "module_key": module.key,
    }


class Task:
    """Base of every task. Subclasses set the attributes and override the methods of the parts they offer."""

    name: str = ""
    track: str = ""  # "size" or "speed"
    help: str = ""  # one line: what is asked, what is answered

    # ---------------------------------------------------------------- datasets (compilerlm.data)
    # a dataclass; its fields are `compilerlm data NAME`'s own options
    data_config: type[DataclassInstance] | None = None
    row_format: str = "prompt/completion (TRL)"
    progress_label: str = "examples"

    def usable(self, program: Program) -> str | None:
        """Why a program cannot give rows (None when it can); unusable programs stay out of the split."""
        return None

    def work_units(self, programs: Sequence[Program]) -> int:
        return module_count(programs)

    def examples(
        self, programs: Sequence[Program], split_of: dict[str, str], config: Any, advance: Advance
    ) -> tuple[list[Example], dict[str, str]]:
        """(rows, skipped program -> reason) for `programs`, labelled with the task's answer layout."""
        raise CompilerLMError(f"task {self.name!r} writes no datasets")

    def with_split(self, row: dict[str, Any], split: str, index: int) -> dict[str, Any]:
        """The row as written to `split`, at position `index` there."""
        return {**row, "split": split}

    # ---------------------------------------------------------------- evaluation (compilerlm.eval.tasks)
    # a kw_only dataclass; its fields with `metadata={"help": ...}` are `compilerlm eval NAME`'s own options
    eval_options: type[DataclassInstance] | None = None
    needs_model: bool = True  # False: the evaluation has a meaning without --model (asm: the compilers alone)
    metrics: tuple[Metric, ...] = ()  # the summary table, in the paper's order
    item_columns: tuple[str, ...] = ()  # per-item columns of the report
    plot_field: str = ""  # per-item value drawn as a histogram in the report
    plot_label: str = ""
    plot_reference: tuple[float, str] | None = None  # (x, label) of a reference line
    # what `score` adds to a row (dataclasses or TypedDicts, merged): a row read back from a store is checked
    # against them before it is used (`compilerlm.shapes.record`); None: not declared, any fields are taken
    score_fields: tuple[Any, ...] | None = None

    @property
    def evaluable(self) -> bool:
        """Whether the item evaluation (`compilerlm eval NAME`) applies: the task says what its items are."""
        return type(self).eval_items is not Task.eval_items

    def eval_inputs(self, programs: Sequence[Program], jobs: int, done: Callable[[], None]) -> tuple[list, list[str]]:
        """(what the items are made from, names of the programs left out): by default every program's IR modules
        from the -Oz front end; `done` hears each program through."""
        return front_end(programs, jobs, "Oz", done), []

    def eval_items(self, inputs: Sequence[Any], options: Any, seed: int) -> list[EvalItem]:
        raise CompilerLMError(f"task {self.name!r} has no item evaluation")

    def eval_sampling(
        self, samples: int | None, temperature: float | None, max_tokens: int | None, options: Any
    ) -> Sampling:
        """The sampling asked for: each setting given, or (None) the default's."""
        default = Sampling()
        return Sampling(
            samples=default.samples if samples is None else samples,
            temperature=default.temperature if temperature is None else temperature,
            max_tokens=default.max_tokens if max_tokens is None else max_tokens,
        )

    def eval_settings(self, ctx: EvalContext) -> str:
        """What, besides the item, decides its row: the model and its sampling (a stored row is reused only
        under the same settings); a bad setting is a one-line error here, before any item is asked."""
        return settings_key(required_model(self, ctx), ctx.sampling)

    def eval_record(self, settings: str, item: EvalItem) -> tuple[str, str]:
        """(kind, key) of an item's row in the store."""
        return f"task:{self.name}", f"{settings}|{item.key}"

    def eval_row_shape(self) -> Any:
        """What a stored row must be to be used again (`compilerlm.shapes`)."""
        return row_shape(self)

    def evaluate(self, items: Sequence[EvalItem], ctx: EvalContext, on_row: OnRow) -> None:
        """Answer and score `items`, telling `on_row` each row as it is scored: by default the model path
        (`prepare`, the model asked in batches, `score`)."""
        answer_with_model(self, items, ctx, on_row)

    def prepare(self, batch: list[EvalItem], evaluator: Evaluator, timeout: float) -> None:
        """Set each item's prompt, or its `error` when it has no ground truth."""

    def score(
        self, batch: list[EvalItem], answers: list[list[str]], evaluator: Evaluator, timeout: float
    ) -> list[dict]:
        """One row of metrics per item, from its answers (all samples)."""
        raise NotImplementedError

    def summarize(self, rows: Sequence[dict]) -> dict:
        raise NotImplementedError

    def public_row(self, row: dict) -> dict:
        """A row as results show it (`--json`, the report): by default as stored."""
        return row

    def summary_table(self, summary: dict) -> Table:
        """The paper-style table of the summary, for the terminal: by default one line per metric."""
        return metrics_table(self, summary)

    def write_report(self, rows: Sequence[dict], summary: dict, out: Path) -> ReportFiles:
        """report.md and its plots in `out`: by default the metrics, a histogram of `plot_field` and the items."""
        return items_report(self, rows, summary, out)

    # ---------------------------------------------------------------- RL rewards (compilerlm.train)
    reward_columns: tuple[str, ...] = ()  # dataset columns a reward reads
    # the reward's own settings: a kw_only dataclass whose fields with `metadata={"help": ...}` are `compilerlm
    # train rl`'s options for this task (refused with any other --task); None: the reward has no settings
    rl_options: type[DataclassInstance] | None = None

    @property
    def trainable(self) -> bool:
        """Whether `compilerlm train rl --task NAME` applies: the task has a reward."""
        return type(self).score_reward is not Task.score_reward

    def reward_config(self, options: Any, seed: int = 0) -> Any:
        """The settings `score_reward` reads, from the task's RL options (an `rl_options` instance, None without
        one) and the run's seed; a bad setting is a one-line error here, before any work starts. By default the
        options themselves."""
        return options

    def reward_name(self, config: Any) -> str:
        """What TRL names the reward's metrics."""
        return f"{self.name.replace('-', '_')}_reward"

    def failure_score(self, config: Any) -> float:
        """The score of an answer that could not be judged (a crashed or timed-out worker)."""
        return 0.0

    def reward_request(self, completion: str, columns: dict[str, Any], i: int, config: Any) -> dict[str, Any]:
        """What a worker process needs to score `completion`, the answer to row `i` of the batch's `columns`."""
        return {"completion": completion, **{name: columns[name][i] for name in self.reward_columns}}

    def score_reward(self, request: dict[str, Any], config: Any) -> RewardOutcome:
        """The reward of one answer; runs in a reward worker process (`train.pool.RewardPool`)."""
        raise CompilerLMError(f"task {self.name!r} has no reward")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"
