"""The item evaluation shared by every registered task that says what its items are (`Task.eval_items`: LLM
Compiler's flags, emulate, emulate-asm and disasm from IR modules; asm, SuperCoder's, from programs). The task
says what its inputs and items are, how they are answered and scored (`Task.evaluate`: by default the model
asked in batches), the store record of a row, its summary, table and report (`compilerlm.tasks.base.Task`);
this runner does the rest the same for all: the suite's front end, the model, the store and resuming.

`evaluate_task(task, TaskRequest, TaskProgress, options)` is `compilerlm eval TASK` without the printing;
`TaskRequest`'s fields carry the option help every task shares, `Task.eval_options` the task's own.

Every row is written to the store as soon as it is scored: a rerun with the same store and settings reads
finished items back (flagged `resumed`) and answers only the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rich.table import Table

from compilerlm import __version__, registry
from compilerlm.errors import CompilerLMError
from compilerlm.models import SPECS
from compilerlm.models.base import Model
from compilerlm.plots import ReportFiles
from compilerlm.programs.suites import TARGET_HELP
from compilerlm.store import Store, resumable
from compilerlm.tasks.base import Task
from compilerlm.tasks.evaluation import EvalContext, EvalItem
from compilerlm.toolchain.evaluator import Evaluator
from compilerlm.toolchain.targets import HOST, TRIPLE_HELP

OnItem = Callable[[dict], None]


@dataclass
class TaskEval:
    """Per-item rows (dicts, as results show them) and the suite summary of one task evaluation."""

    task: str
    rows: list[dict]
    summary: dict

    def document(self, request: TaskRequest) -> dict[str, object]:
        """What `compilerlm eval TASK --json` writes."""
        doc: dict[str, object] = {"version": __version__, "task": self.task, "model": request.model}
        return doc | {"suite": request.suite, "summary": self.summary, "rows": self.rows}


def evaluable(name: str | Task) -> Task:
    """The registered task `name` when it has an item evaluation; else a one-line error listing those that do."""
    if isinstance(name, Task):
        return name
    return registry.get(name, lambda t: t.evaluable, "task")


def run_task_eval(
    task: Task | str,
    model: Model | None,
    inputs: Sequence[Any],
    *,
    evaluator: Evaluator | None = None,
    store: Store | None = None,
    samples: int | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
    options: Any = None,
    seed: int = 0,
    batch_size: int = 8,
    timeout: float = 120.0,
    jobs: int = 1,
    on_item: OnItem | None = None,
) -> TaskEval:
    """Evaluate `model` on one task over `inputs` (IR modules for LLM Compiler's tasks, programs for asm); every
    row is stored as it is scored (resume by rerunning). `options` are the task's own (`Task.eval_options`; None:
    its defaults); sampling settings left None are the task's. `on_item(row)` is called for every row, resumed
    ones included, as soon as it is known."""
    runner = evaluable(task)
    ctx = _context(runner, model.spec if model else None, options, samples, temperature, max_tokens)
    ctx = replace(ctx, evaluator=evaluator, timeout=timeout, batch_size=batch_size, jobs=jobs, seed=seed)
    ctx.load = lambda: model
    items = runner.eval_items(inputs, ctx.options, seed)
    return _evaluate(runner, items, ctx, runner.eval_settings(ctx), store, on_item)


def _context(
    task: Task,
    model_spec: str | None,
    options: Any,
    samples: int | None,
    temperature: float | None,
    max_tokens: int | None,
) -> EvalContext:
    if (samples is not None and samples < 1) or (max_tokens is not None and max_tokens < 1):
        raise CompilerLMError("--samples and --max-tokens must be at least 1")
    if model_spec is None and task.needs_model:
        raise CompilerLMError(f"eval {task.name} needs a model: give --model SPEC ({SPECS})")
    if options is None and task.eval_options is not None:
        options = task.eval_options()
    return EvalContext(model_spec, task.eval_sampling(samples, temperature, max_tokens, options), options)


def _evaluate(
    runner: Task,
    items: Sequence[EvalItem],
    ctx: EvalContext,
    settings: str,
    store: Store | None,
    on_item: OnItem | None,
) -> TaskEval:
    if ctx.batch_size < 1:
        raise CompilerLMError("batch_size must be at least 1")
    shape = runner.eval_row_shape()
    rows: list[dict | None] = []
    todo: list[tuple[int, EvalItem]] = []
    for p in items:
        kind, key = runner.eval_record(settings, p)
        done = store.get_record(kind, key, shape) if store is not None else None
        if done is not None:
            resumed = {**runner.public_row(done), "resumed": True}
            rows.append(resumed)
            if on_item:
                on_item(resumed)
        else:
            rows.append(None)
            todo.append((len(rows) - 1, p))

    def scored(position: int, row: dict) -> None:
        index, p = todo[position]
        if store is not None:
            store.put_record(*runner.eval_record(settings, p), row)
        rows[index] = shown = {**runner.public_row(row), "resumed": False}
        if on_item:
            on_item(shown)

    if todo:
        runner.evaluate([p for _, p in todo], ctx, scored)
    final = [r for r in rows if r is not None]
    summary = {"task": runner.name, "settings": settings, **runner.summarize(final)}
    summary["resumed"] = sum(bool(r.get("resumed")) for r in final)
    return TaskEval(runner.name, final, summary)


# ------------------------------------------------------------------ the entry of `compilerlm eval TASK`


@dataclass(kw_only=True)
class TaskRequest:
    """What an evaluation of a suite is asked to do, whatever the task; each field's help is `compilerlm eval
    TASK`'s option help (a task's own options are its `eval_options`)."""

    model: str | None = field(
        default=None, metadata={"help": f"a model: {SPECS} (asm: optional, the compilers alone without one)"}
    )
    suite: str = field(default="builtin", metadata={"help": f"TARGET: {TARGET_HELP}"})
    limit: int | None = field(default=None, metadata={"help": "first N modules only (asm: programs)"})
    store: Path | None = field(default=None, metadata={"help": "SQLite file: answers go here; reruns resume"})
    samples: int | None = field(default=None, metadata={"help": "answers per prompt (default 1; asm: --preset's)"})
    temperature: float | None = field(
        default=None, metadata={"help": "0: greedy, as the papers evaluate (default 0; asm: --preset's)"}
    )
    max_tokens: int | None = field(
        default=None, metadata={"help": "answer token budget (default 2048; asm: --preset's)"}
    )
    triple: str = field(default=HOST.name, metadata={"help": TRIPLE_HELP, "flag": "--target"})
    jobs: int = 1  # parallel workers (the command line gives its own default and help)


class TaskProgress:
    """How far an evaluation is. This base says nothing (a library caller); the command line draws bars. `stage`
    frames a step with its size (`None`: unknown), `step` tells of one item of it done: a program through the
    front end, then an item scored."""

    @contextmanager
    def stage(self, what: str, total: int | None) -> Iterator[None]:
        yield

    def step(self) -> None:
        pass


def evaluate_task(
    task: Task | str, request: TaskRequest, progress: TaskProgress | None = None, options: Any = None
) -> TaskEval:
    """Evaluate `request.model` on `task` over the suite's items (resumed from `store`); `options` are the task's
    own (`Task.eval_options`; None: its defaults)."""
    from compilerlm.models import load_model
    from compilerlm.programs.suites import built_for, resolve_target
    from compilerlm.toolchain.evaluator import make_evaluator

    runner = evaluable(task)
    progress = progress or TaskProgress()
    ctx = _context(runner, request.model, options, request.samples, request.temperature, request.max_tokens)
    ctx.jobs = request.jobs
    programs = built_for(resolve_target(request.suite), request.triple, run=False)
    with progress.stage("compiling (-Oz front end)", len(programs)):
        inputs, skipped = runner.eval_inputs(programs, request.jobs, progress.step)
    items = runner.eval_items(inputs[: request.limit], ctx.options, ctx.seed)
    with ExitStack() as stack, make_evaluator("inprocess", jobs=request.jobs) as ev:
        spec = request.model
        ctx.evaluator = ev
        ctx.load = lambda: stack.enter_context(load_model(spec)) if spec else None
        settings = runner.eval_settings(ctx)  # a bad setting fails here, before the store is opened
        db = Store(request.store) if request.store else None
        with resumable(request.store, db), progress.stage(f"eval {runner.name}", len(items)):
            result = _evaluate(runner, items, ctx, settings, db, lambda _: progress.step())
    if skipped:
        result.summary["skipped"] = skipped
    return result


def format_table(task: Task | str, summary: dict) -> Table:
    """The task's table of a summary, for the terminal (`Task.summary_table`)."""
    return evaluable(task).summary_table(summary)


def write_task_report(task: Task | str, result: TaskEval, out_dir: Path | str) -> ReportFiles:
    """The task's report of an evaluation (`Task.write_report`): report.md and its plots in `out_dir`."""
    return evaluable(task).write_report(result.rows, result.summary, Path(out_dir))
