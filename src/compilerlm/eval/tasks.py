"""The item evaluation shared by every task that turns IR modules into prompts (the registry's `evaluable`
ones: LLM Compiler's flags, emulate, emulate-asm, disasm). The task says what an item is, its prompt, its
score and its summary table (`compilerlm.tasks.base.Task`); this runner does the rest the same for all.

`evaluate_task(task, TaskRequest, TaskProgress)` is `compilerlm eval TASK` without the printing: it owns the
suite's front end, the model, the evaluator and the store; `TaskRequest`'s fields carry the option help.

Every item is built from the modules, asked of the model in batches, scored with the real tools and written to
the store as soon as it is scored: a rerun with the same store and settings reads finished items back
(flagged `resumed`) and asks the model only for the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypedDict

from pydantic import Discriminator, Tag
from rich.table import Table

from compilerlm import __version__, registry
from compilerlm.errors import CompilerLMError
from compilerlm.eval.report import ReportFiles, pyplot, save_figure
from compilerlm.models import SPECS
from compilerlm.models.base import Model
from compilerlm.parallel import Call, ThreadExecutor
from compilerlm.programs.names import printable
from compilerlm.programs.program import Program
from compilerlm.shapes import record
from compilerlm.store import Store, resumable
from compilerlm.tasks.base import EvalItem, Task
from compilerlm.toolchain.evaluator import Evaluator
from compilerlm.toolchain.module import IRModule

OnItem = Callable[[dict], None]


@dataclass
class TaskEval:
    """Per-item rows (dicts, as stored) and the suite summary of one task evaluation."""

    task: str
    rows: list[dict]
    summary: dict

    def document(self, request: TaskRequest) -> dict[str, object]:
        """What `compilerlm eval TASK --json` writes."""
        doc: dict[str, object] = {"version": __version__, "task": self.task, "model": request.model}
        return doc | {"suite": request.suite, "summary": self.summary, "rows": self.rows}


class TaskRow(TypedDict):
    """The fields `run_task_eval` writes in every row, beside the task's own (`row_shape`)."""

    task: str
    key: str
    module: str
    settings: str
    error: str | None  # why the item has no ground truth (then the row has no score)
    skipped: str | None
    prompt_tokens: int | None
    answers: list[str]


class _Unscored(TypedDict):
    error: str


class _Scored(TypedDict):
    error: None


def row_shape(task: Task) -> Any:
    """What a stored row of `task` must be to be used again: an item without ground truth (its `error` says why),
    or a scored one with the task's `score_fields` (any fields, when the task does not declare them)."""
    extra = "allow" if task.score_fields is None else "forbid"
    scored = record(f"scored {task.name} row", TaskRow, _Scored, *(task.score_fields or ()), extra=extra)
    unscored = record(f"{task.name} row without ground truth", TaskRow, _Unscored)
    annotated: Any = Annotated  # subscripted with classes built at run time (`record`), for pydantic
    members = annotated[scored, Tag("scored row")] | annotated[unscored, Tag("row without ground truth")]
    return annotated[members, Discriminator(_row_kind)]


def _row_kind(row: Any) -> str:
    """Which member of `row_shape` a row is checked as: the one without ground truth when it names an error."""
    return "row without ground truth" if isinstance(row, dict) and row.get("error") is not None else "scored row"


def evaluable(name: str | Task) -> Task:
    """The registered task `name` when it has an item evaluation; else a one-line error listing those that do."""
    if isinstance(name, Task):
        return name
    return registry.get(name, lambda t: t.evaluable, "task")


def settings_key(model: Model, samples: int, temperature: float, max_tokens: int) -> str:
    """What, besides the item, decides an answer: the model and the sampling settings."""
    return f"{model.spec or type(model).__name__}|n={samples}|t={temperature:g}|max={max_tokens}"


def run_task_eval(
    task: Task | str,
    model: Model,
    modules: Sequence[IRModule],
    *,
    evaluator: Evaluator,
    store: Store | None = None,
    samples: int = 1,
    temperature: float = 0.0,
    max_tokens: int = 2048,
    per_module: int = 1,
    seed: int = 0,
    batch_size: int = 8,
    timeout: float = 120.0,
    on_item: OnItem | None = None,
) -> TaskEval:
    """Evaluate `model` on one task over `modules`; every row is stored as it is scored (resume by rerunning).

    Row keys: task, key (item), module, settings, skipped (why the model gave no answer), error (why the item
    has no ground truth), resumed, prompt_tokens, answers (the raw texts), then the task's own metrics.
    `on_item(row)` is called for every row, resumed ones included, as soon as it is known."""
    if samples < 1 or per_module < 1 or batch_size < 1:
        raise CompilerLMError("samples, per_module and batch_size must be at least 1")
    runner = evaluable(task)
    name = runner.name
    settings = settings_key(model, samples, temperature, max_tokens)
    kind, shape = f"task:{name}", row_shape(runner)
    rows: list[dict | None] = []
    todo: list[tuple[int, EvalItem]] = []
    for p in runner.eval_items(modules, per_module, seed):
        record_key = f"{settings}|{p.key}"
        done = store.get_record(kind, record_key, shape) if store is not None else None
        if done is not None:
            resumed = {**done, "resumed": True}
            rows.append(resumed)
            if on_item:
                on_item(resumed)
        else:
            rows.append(None)
            todo.append((len(rows) - 1, p))

    for start in range(0, len(todo), batch_size):
        chunk = todo[start : start + batch_size]
        batch = [p for _, p in chunk]
        runner.prepare(batch, evaluator, timeout)
        ready = [p for p in batch if p.error is None]
        prompts = [p.prompt for p in ready]
        completions = (
            model.generate(prompts, n=samples, temperature=temperature, max_tokens=max_tokens) if prompts else []
        )
        if len(completions) != len(ready):
            raise CompilerLMError(f"model {settings} returned {len(completions)} completions for {len(ready)} prompts")
        scores = runner.score(ready, [list(c.texts) for c in completions], evaluator, timeout) if ready else []
        answered = {id(p): (c, score) for p, c, score in zip(ready, completions, scores, strict=True)}
        for index, p in chunk:
            row: dict = {"task": name, "key": p.key, "module": p.module.name, "settings": settings}
            if p.error is not None:
                row.update(error=p.error, skipped=None, prompt_tokens=None, answers=[])
            else:
                c, score = answered[id(p)]
                skipped = c.skipped or (None if c.texts else "no answer")
                row.update(error=None, skipped=skipped, prompt_tokens=c.prompt_tokens, answers=list(c.texts))
                row.update(score)
            if store is not None:
                store.put_record(kind, f"{settings}|{p.key}", row)
            scored = {**row, "resumed": False}
            rows[index] = scored
            if on_item:
                on_item(scored)

    final = [r for r in rows if r is not None]
    summary = {"task": name, "settings": settings, **runner.summarize(final)}
    summary["resumed"] = sum(bool(r.get("resumed")) for r in final)
    return TaskEval(name, final, summary)


# ------------------------------------------------------------------ the entry of `compilerlm eval TASK`


@dataclass(kw_only=True)
class TaskRequest:
    """What an evaluation of a suite is asked to do; each field's help is `compilerlm eval TASK`'s option help."""

    model: str = field(metadata={"help": f"a model: {SPECS}"})
    suite: str = field(default="builtin", metadata={"help": "as TARGET for 'compilerlm size'"})
    limit: int | None = field(default=None, metadata={"help": "first N modules only"})
    store: Path | None = field(default=None, metadata={"help": "SQLite file: answers go here; reruns resume"})
    samples: int = field(default=1, metadata={"help": "answers per prompt"})
    temperature: float = field(default=0.0, metadata={"help": "0: greedy, as the papers evaluate"})
    max_tokens: int = field(default=2048, metadata={"help": "answer token budget"})
    per_module: int = field(default=1, metadata={"help": "emulate: pipelines per module"})
    jobs: int = 1  # parallel compiler workers (the command line gives its own default and help)


class TaskProgress:
    """How far an evaluation is. This base says nothing (a library caller); the command line draws bars. `stage`
    frames a step with its size (`None`: unknown), `step` tells of one item of it done: a program through the
    front end, then an item scored."""

    @contextmanager
    def stage(self, what: str, total: int | None) -> Iterator[None]:
        yield

    def step(self) -> None:
        pass


def evaluate_task(task: Task | str, request: TaskRequest, progress: TaskProgress | None = None) -> TaskEval:
    """Evaluate `request.model` on `task` over the suite's modules (`run_task_eval`, resumed from `store`)."""
    from compilerlm.models import load_model
    from compilerlm.programs.suites import resolve_target
    from compilerlm.toolchain.evaluator import make_evaluator

    runner = evaluable(task)
    progress = progress or TaskProgress()
    db = Store(request.store) if request.store else None
    with resumable(request.store, db):
        programs = resolve_target(request.suite)
        with progress.stage("compiling (-Oz front end)", len(programs)):
            modules = front_end(programs, request.jobs, "Oz", progress.step)[: request.limit]
    with (
        resumable(request.store, db),
        load_model(request.model) as lm,
        make_evaluator("inprocess", jobs=request.jobs) as ev,
        progress.stage(f"eval {runner.name}", None),
    ):
        return run_task_eval(
            runner,
            lm,
            modules,
            evaluator=ev,
            store=db,
            samples=request.samples,
            temperature=request.temperature,
            max_tokens=request.max_tokens,
            per_module=request.per_module,
            on_item=lambda _: progress.step(),
        )


def front_end(
    programs: Sequence[Program], jobs: int, level: str = "Oz", done: Callable[[], None] = lambda: None
) -> list[IRModule]:
    """Every program's unoptimized IR at `level` (clang processes in parallel), in program order; `done` hears
    each finished program, so a caller can show how far a large suite is."""
    per_program: list[list[IRModule]] = [[] for _ in programs]

    def kept(i: int, modules: list[IRModule]) -> None:
        per_program[i] = modules
        done()

    ThreadExecutor(jobs).run(_modules, [Call(p.name, (p, level)) for p in programs], kept)
    return [m for modules in per_program for m in modules]


def _modules(program: Program, level: str) -> list[IRModule]:
    return program.modules(level)


# ------------------------------------------------------------------ tables and reports


def summary_lines(task: Task | str, summary: dict) -> list[tuple[str, str]]:
    """(label, formatted value) for each metric of the task, in the paper's order."""
    return [(m.label, m.format(summary.get(m.key))) for m in evaluable(task).metrics]


def format_table(task: Task | str, summary: dict) -> Table:
    """The paper-style table of one task's summary, for the terminal."""
    task = evaluable(task)
    table = Table(title=f"{task.name} — {summary.get('settings', '')}".rstrip(" —"))
    table.add_column("metric")
    table.add_column("value", justify="right")
    for label, value in summary_lines(task, summary):
        table.add_row(label, value)
    return table


def write_task_report(task: Task | str, result: TaskEval, out_dir: Path | str) -> ReportFiles:
    """report.md (summary table, settings, per-item results) and one histogram PNG of the per-item metric."""
    task = evaluable(task)
    name = task.name
    plt = pyplot()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    field = task.plot_field
    values = [float(r[field]) for r in result.rows if r.get(field) is not None and not r.get("error")]
    plot = out / f"{name}_histogram.png"
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(values or [0.0], bins=20, color="#4c72b0", edgecolor="white")
    if task.plot_reference is not None:
        x, label = task.plot_reference
        ax.axvline(x, color="black", linestyle="--", linewidth=1, label=label)
        ax.legend()
    ax.set_xlabel(task.plot_label or field)
    ax.set_ylabel("items")
    ax.set_title(f"{name}: {len(values)} items")
    save_figure(plt, fig, plot)

    lines = [f"# LLM Compiler task: {name}", "", f"Model and sampling: `{result.summary.get('settings', '')}`", ""]
    lines += ["| metric | value |", "|---|---:|"]
    lines += [f"| {label} | {value} |" for label, value in summary_lines(task, result.summary)]
    lines += ["", f"![{name} histogram]({plot.name})", "", "## Items", ""]
    lines += _item_table(task.item_columns, result.rows)
    lines += ["", "Definitions: sizes are object-file bytes of allocated sections with contents (compilerlm's"]
    lines += ["docs/design.md); every answer was checked with the real LLVM 19 tools (opt, llc, llvm-as, llvm-mc)."]
    markdown = out / "report.md"
    markdown.write_text("\n".join(lines) + "\n")
    return ReportFiles(markdown=markdown, plots=[plot])


def _item_table(cols: Sequence[str], rows: Sequence[dict]) -> list[str]:
    lines = ["| module | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for r in rows:
        cells = [_cell(r.get(c)) for c in cols]
        if r.get("error"):
            cells = [f"no ground truth: {_cell(r['error'])}"] + [""] * (len(cols) - 1)
        elif r.get("skipped") and cells:
            cells[-1] = f"skipped: {_cell(r['skipped'])}"
        module = printable(str(r.get("module", ""))).replace("|", "\\|")  # a name: shown whole, never obeyed
        lines.append(f"| {module} | " + " | ".join(cells) + " |")
    return lines


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    text = "" if value is None else str(value)
    text = printable(text.replace("\n", " ")).replace("|", "\\|")
    return text if len(text) <= 80 else text[:77] + "..."
