"""`compilerlm eval NAME`: score a model on a task the way the papers do — one command per registered task
with an item evaluation (flags, emulate, emulate-asm, disasm, asm, ...): the options every task shares from
`eval.tasks.TaskRequest`, the task's own from its `eval_options`, and one call to `eval.tasks.evaluate_task`."""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from compilerlm import registry
from compilerlm.cli.common import (
    check_output_file,
    check_output_folder,
    command_from,
    console,
    dataclass_options,
    jobs_parameter,
    path_parameter,
    progress_bar,
)
from compilerlm.eval.tasks import TaskProgress, TaskRequest, evaluate_task, format_table, write_task_report

if TYPE_CHECKING:
    from compilerlm.tasks.base import Task


EVAL_TASK_ARGS = [
    *dataclass_options(TaskRequest),
    path_parameter("json_path", "--json", "write rows and summary as JSON here"),
    path_parameter("report_dir", "--report", "write report.md and a plot here"),
    jobs_parameter("parallel workers (compiler workers; asm: programs side by side, noisier timing)"),
]


def run_eval_task(task: Task, json_path: Path | None = None, report_dir: Path | None = None, **options: Any) -> None:
    """`compilerlm eval TASK`: the evaluation's entry (`eval.tasks.evaluate_task`), its progress drawn, its table
    printed and its files written."""
    own = {p.name for p in _own_options(task)}
    request = TaskRequest(**{k: v for k, v in options.items() if k not in own})
    task_options = task.eval_options(**{k: v for k, v in options.items() if k in own}) if task.eval_options else None
    check_output_file(json_path, "--json")
    check_output_folder(report_dir, "--report")
    result = evaluate_task(task, request, StageBars(), task_options)
    console.print(format_table(task, result.summary))
    if json_path:
        json_path.write_text(json.dumps(result.document(request), indent=2) + "\n")
        console.print(f"wrote {json_path}")
    if report_dir:
        written = write_task_report(task, result, report_dir)
        console.print(f"wrote {written.markdown} and {len(written.plots)} plot(s)")


def _own_options(task: Task) -> list[inspect.Parameter]:
    """The task's own options (its `eval_options` fields with help)."""
    return dataclass_options(task.eval_options) if task.eval_options is not None else []


def _eval_command(task: Task) -> Callable[..., None]:
    command = command_from(functools.partial(run_eval_task, task), [*EVAL_TASK_ARGS, *_own_options(task)], task.help)
    command.__name__ = task.name
    return command


class StageBars(TaskProgress):
    """An evaluation's stages as bars that vanish when done (plain lines where stderr is not a terminal)."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.task: Any = None

    @contextmanager
    def stage(self, what: str, total: int | None) -> Iterator[None]:
        with progress_bar() as bar:
            self.bar, self.task = bar, bar.add_task(what, total=total)
            try:
                yield
            finally:
                self.bar = None

    def step(self) -> None:
        if self.bar is not None:
            self.bar.advance(self.task)


def make_eval_app() -> typer.Typer:
    """The `eval` group: one command per registered task with an item evaluation."""
    app = typer.Typer(help="Score a model on a task the way the papers do (resumable with --store).")
    for task in registry.tasks(lambda t: t.evaluable):
        app.command(task.name)(_eval_command(task))
    return app
