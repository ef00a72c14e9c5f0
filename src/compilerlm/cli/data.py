"""`compilerlm data NAME`: write a training dataset, one command per registered task that writes datasets
(a thin layer over data.build). Each command's own options are its task's `data_config` fields."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from compilerlm import registry
from compilerlm.cli.common import (
    DEFAULT_JOBS,
    KEYWORD,
    check_jobs,
    check_output_folder,
    command_from,
    dataclass_options,
    progress_bar,
)
from compilerlm.programs.names import printable
from compilerlm.programs.suites import TARGET_HELP
from compilerlm.toolchain.targets import HOST, TRIPLE_HELP

if TYPE_CHECKING:
    from compilerlm.data.build import BuildReport
    from compilerlm.tasks.base import Advance, Task

Suite = Annotated[str, typer.Option("--suite", help=f"TARGET: {TARGET_HELP}")]
Out = Annotated[str, typer.Option("--out", help="dataset folder to write (train.parquet, validation.parquet)")]
Validation = Annotated[float, typer.Option(help="share of programs held out for validation")]
Seed = Annotated[int, typer.Option(help="seed of the split (and of random pipelines / test splits)")]
Tokenizer = Annotated[str | None, typer.Option(help="model spec (hf:ID_OR_PATH) whose tokenizer counts tokens")]
MaxTokens = Annotated[int | None, typer.Option(help="drop rows longer than this many tokens (needs --tokenizer)")]
Jobs = Annotated[int, typer.Option(help="parallel processes", callback=check_jobs)]
Triple = Annotated[str, typer.Option("--target", help=TRIPLE_HELP)]

COMMON = [
    inspect.Parameter("suite", KEYWORD, annotation=Suite),
    inspect.Parameter("out", KEYWORD, annotation=Out),
]
SHARED = [  # after the task's own options, as `--help` lists them
    inspect.Parameter("validation", KEYWORD, default=0.1, annotation=Validation),
    inspect.Parameter("seed", KEYWORD, default=0, annotation=Seed),
    inspect.Parameter("tokenizer", KEYWORD, default=None, annotation=Tokenizer),
    inspect.Parameter("max_tokens", KEYWORD, default=None, annotation=MaxTokens),
    inspect.Parameter("triple", KEYWORD, default=HOST.name, annotation=Triple),
    inspect.Parameter("jobs", KEYWORD, default=DEFAULT_JOBS, annotation=Jobs),
]
PASSED_ON = ("seed", "jobs")  # shared options a task's config takes too


@contextmanager
def _progress() -> Iterator:
    with progress_bar(transient=False) as bar:

        def make(description: str, total: int) -> Advance:
            task = bar.add_task(description, total=total)
            return lambda n: bar.advance(task, n)

        yield make


def _report(report: BuildReport) -> None:
    rows = ", ".join(f"{split} {n}" for split, n in report.rows.items())
    programs = ", ".join(f"{split} {n}" for split, n in report.programs.items())
    print(f"wrote {report.task} dataset to {report.out}: rows {rows} (programs {programs})")
    print(f"dropped: {report.duplicates} duplicates, {report.too_long} over --max-tokens; {report.seconds:.1f} s")
    for name, why in sorted(report.skipped.items()):
        print(printable(f"skipped {name}: {why}"))


def _write(task: Task, options: dict[str, Any]) -> None:
    """data.build is imported here, not at startup: it pulls in most of the library."""
    from compilerlm.data.build import DataConfig, build_dataset

    shared = {p.name: options.pop(p.name) for p in COMMON + SHARED}
    config = DataConfig(**{k: v for k, v in shared.items() if k != "jobs"})
    assert task.data_config is not None
    names = {f for f in task.data_config.__dataclass_fields__}
    given = {k: shared[k] for k in PASSED_ON if k in names} | _handed_down(names)
    task_config = task.data_config(**options, **given)
    check_output_folder(config.out, "--out")
    with _progress() as progress:
        report = build_dataset(task, config, task_config, progress)
    _report(report)


def _handed_down(names: set[str]) -> dict[str, Any]:
    """A config's fields that the size track fills (`tuner`: `tracks.size.SIZE_SEARCH`, so `data flags --budget`
    tunes as `tune` does): tracks sit above the tasks, which may not import them."""
    if "tuner" not in names:
        return {}
    from compilerlm.tracks.size import SIZE_SEARCH

    return {"tuner": SIZE_SEARCH}


def make_data_app() -> typer.Typer:
    """The `data` group: one command per registered task with a dataset."""
    app = typer.Typer(
        help="Write training datasets (parquet per split, split by program): "
        + ", ".join(registry.names(lambda t: t.data_config is not None))
        + ".",
        no_args_is_help=True,
        add_completion=False,
    )
    for task in registry.tasks(lambda t: t.data_config is not None):
        assert task.data_config is not None  # the filter above
        own = dataclass_options(task.data_config, skip=PASSED_ON)

        def write(task: Task = task, **options: Any) -> None:
            _write(task, options)

        app.command(task.name)(command_from(write, COMMON + own + SHARED, task.help))
    return app
