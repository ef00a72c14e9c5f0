"""`compilerlm eval NAME`: score a model on a task the way the papers do — one command per registered task
with an item evaluation (flags, emulate, emulate-asm, disasm, ...: options from `eval.tasks.TaskRequest`, a call
to `eval.tasks.evaluate_task`), and `eval asm`, the speed track's search."""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from compilerlm import registry
from compilerlm.cli.asm import JOBS, BarProgress, write_results
from compilerlm.cli.common import (
    KEYWORD,
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
from compilerlm.programs.suites import TARGET_HELP
from compilerlm.tracks.speed import SuiteRequest, optimize

if TYPE_CHECKING:
    from compilerlm.tasks.base import Task


EVAL_TASK_ARGS = [
    *dataclass_options(TaskRequest),
    path_parameter("json_path", "--json", "write rows and summary as JSON here"),
    path_parameter("report_dir", "--report", "write report.md and a plot here"),
    jobs_parameter("parallel compiler workers"),
]


def run_eval_task(task: Task, json_path: Path | None = None, report_dir: Path | None = None, **options: Any) -> None:
    """`compilerlm eval TASK`: the evaluation's entry (`eval.tasks.evaluate_task`), its progress drawn, its table
    printed and its files written."""
    request = TaskRequest(**options)
    check_output_file(json_path, "--json")
    check_output_folder(report_dir, "--report")
    result = evaluate_task(task, request, StageBars())
    console.print(format_table(task, result.summary))
    if json_path:
        json_path.write_text(json.dumps(result.document(request), indent=2) + "\n")
        console.print(f"wrote {json_path}")
    if report_dir:
        written = write_task_report(task, result, report_dir)
        console.print(f"wrote {written.markdown} and {len(written.plots)} plot(s)")


def _eval_command(task: Task) -> Callable[..., None]:
    command = command_from(functools.partial(run_eval_task, task), EVAL_TASK_ARGS, task.help)
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
    """The `eval` group: one command per registered task with an item evaluation, then `eval asm`."""
    app = typer.Typer(help="Score a model on a task the way the papers do (resumable with --store).")
    for task in registry.tasks(lambda t: t.evaluable):
        app.command(task.name)(_eval_command(task))
    app.command("asm")(eval_asm)
    return app


EVAL_ASM_ARGS = [
    inspect.Parameter(
        "suite", KEYWORD, default="builtin", annotation=Annotated[str, typer.Option(help=f"TARGET: {TARGET_HELP}")]
    ),
    *dataclass_options(SuiteRequest, skip=("tests", "candidate")),
    JOBS,
    path_parameter("json_path", "--json", "write rows and summary as JSON here"),
    path_parameter("report_dir", "--report", "write report.md and plots here"),
]


def run_eval_asm(
    suite: str = "builtin", json_path: Path | None = None, report_dir: Path | None = None, **options: Any
) -> None:
    """`compilerlm eval asm`: the speed track's entry over a suite, its table printed and its files written."""
    from compilerlm.eval.speed import format_asm_table, write_asm_report

    request = SuiteRequest(**options)
    check_output_file(json_path, "--json")
    check_output_folder(report_dir, "--report")
    run = optimize(suite, request, BarProgress(request.out))
    run.doc |= {"suite": suite, "model": request.model}
    console.print(format_asm_table(run.doc["summary"]))
    write_results(run, json_path, request.out)
    if report_dir:
        written = write_asm_report(run.doc, report_dir)
        console.print(f"wrote {written[0]} and {len(written) - 1} plots")


eval_asm = command_from(
    run_eval_asm,
    EVAL_ASM_ARGS,
    """Speed track over a suite: compile rate, pass rate, speedup geomean, share faster (and SuperCoder's own
    table with --protocol supercoder). Model settings follow the paper by default (--preset supercoder).

    Example: compilerlm eval asm --suite supercoder:val.parquet --model openai:http://127.0.0.1:8000/v1#m
    """,
)
eval_asm.__name__ = "eval_asm"
