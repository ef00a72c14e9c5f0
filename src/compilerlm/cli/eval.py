"""`compilerlm eval NAME`: score a model on a task the way the papers do — one command per registered task
with an item evaluation (flags, emulate, emulate-asm, disasm, ...), and `eval asm`, the speed track's search."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from compilerlm import __version__, registry
from compilerlm.cli.asm import (
    SEARCH_OPTIONS,
    AllowEmptyOpt,
    BudgetOpt,
    CompilersOpt,
    MaxTokensOpt,
    ModelOpt,
    MutantsOpt,
    PresetOpt,
    ProgramJobsOpt,
    ProtocolOpt,
    RoundsOpt,
    RunsOpt,
    SamplesOpt,
    SeedOpt,
    StoreOpt,
    TemperatureOpt,
    asm_search_config,
    run_asm,
    write_assembly,
)
from compilerlm.cli.common import (
    DEFAULT_JOBS,
    check_output_file,
    check_output_folder,
    compile_modules,
    console,
    jobs_option,
    progress_bar,
    resumable,
)
from compilerlm.models import SPECS
from compilerlm.programs.suites import TARGET_HELP

if TYPE_CHECKING:
    from compilerlm.tasks.base import Task


def _eval_task(
    task: Task,
    model: str,
    suite: str,
    limit: int | None,
    json_path: Path | None,
    report_dir: Path | None,
    store: Path | None,
    samples: int,
    temperature: float,
    max_tokens: int,
    per_module: int,
    jobs: int,
) -> None:
    from compilerlm.eval.tasks import format_table, run_task_eval, write_task_report
    from compilerlm.models import load_model
    from compilerlm.programs.suites import resolve_target
    from compilerlm.store import Store
    from compilerlm.toolchain.evaluator import make_evaluator

    check_output_file(json_path, "--json")
    check_output_folder(report_dir, "--report")
    db = Store(store) if store else None
    with resumable(store, db):
        modules = compile_modules(resolve_target(suite), jobs)[:limit]
    with (
        resumable(store, db),
        load_model(model) as lm,
        make_evaluator("inprocess", jobs=jobs) as ev,
        progress_bar() as bar,
    ):
        progress = bar.add_task(f"eval {task.name}", total=None)
        result = run_task_eval(
            task,
            lm,
            modules,
            evaluator=ev,
            store=db,
            samples=samples,
            temperature=temperature,
            max_tokens=max_tokens,
            per_module=per_module,
            on_item=lambda *_: bar.advance(progress),
        )
    console.print(format_table(task, result.summary))
    if json_path:
        doc: dict[str, object] = {"version": __version__, "task": task.name, "model": model, "suite": suite}
        doc |= {"summary": result.summary, "rows": result.rows}
        json_path.write_text(json.dumps(doc, indent=2) + "\n")
        console.print(f"wrote {json_path}")
    if report_dir:
        written = write_task_report(task, result, report_dir)
        console.print(f"wrote {written.markdown} and {len(written.plots)} plot(s)")


def _eval_command(task: Task) -> Callable[..., None]:
    def command(
        model: Annotated[str, typer.Option(help=f"a model: {SPECS}")],
        suite: Annotated[str, typer.Option(help="as TARGET for 'compilerlm size'")] = "builtin",
        limit: Annotated[int | None, typer.Option(help="first N modules only")] = None,
        json_path: Annotated[Path | None, typer.Option("--json", help="write rows and summary as JSON here")] = None,
        report_dir: Annotated[Path | None, typer.Option("--report", help="write report.md and a plot here")] = None,
        store: Annotated[Path | None, typer.Option(help="SQLite file: answers go here; reruns resume")] = None,
        samples: Annotated[int, typer.Option(help="answers per prompt")] = 1,
        temperature: Annotated[float, typer.Option(help="0: greedy, as the papers evaluate")] = 0.0,
        max_tokens: Annotated[int, typer.Option(help="answer token budget")] = 2048,
        per_module: Annotated[int, typer.Option(help="emulate: pipelines per module")] = 1,
        jobs: Annotated[int, jobs_option("parallel compiler workers")] = DEFAULT_JOBS,
    ) -> None:
        _eval_task(
            task, model, suite, limit, json_path, report_dir, store, samples, temperature, max_tokens, per_module, jobs
        )

    command.__doc__ = task.help
    return command


def make_eval_app() -> typer.Typer:
    """The `eval` group: one command per registered task with an item evaluation, then `eval asm`."""
    app = typer.Typer(help="Score a model on a task the way the papers do (resumable with --store).")
    for task in registry.tasks(lambda t: t.evaluable):
        app.command(task.name)(_eval_command(task))
    app.command("asm")(eval_asm)
    return app


def eval_asm(
    suite: Annotated[str, typer.Option(help=f"TARGET: {TARGET_HELP}")] = "builtin",
    model: ModelOpt = None,
    preset: PresetOpt = "supercoder",
    samples: SamplesOpt = None,
    rounds: RoundsOpt = None,
    temperature: TemperatureOpt = None,
    max_tokens: MaxTokensOpt = None,
    compilers: CompilersOpt = None,
    budget: BudgetOpt = None,
    limit: Annotated[int | None, typer.Option(help="first N programs only")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="write rows and summary as JSON here")] = None,
    report_dir: Annotated[Path | None, typer.Option("--report", help="write report.md and plots here")] = None,
    store: StoreOpt = None,
    jobs: ProgramJobsOpt = 1,
    ray: Annotated[str | None, typer.Option(help="run programs as Ray tasks: 'local', 'auto' or ray://...")] = None,
    runs: RunsOpt = 10,
    instructions: Annotated[bool, typer.Option(help="count instructions of the winners (perf or valgrind)")] = True,
    seed: SeedOpt = 0,
    mutants: MutantsOpt = 8,
    protocol: ProtocolOpt = "compilerlm",
    allow_empty_output: AllowEmptyOpt = False,
    out: Annotated[Path | None, typer.Option(help="write each program's reported assembly here (NAME.s)")] = None,
) -> None:
    """Speed track over a suite: compile rate, pass rate, speedup geomean, share faster (and SuperCoder's own
    table with --protocol supercoder). Model settings follow the paper by default (--preset supercoder).

    Example: compilerlm eval asm --suite supercoder:val.parquet --model openai:http://127.0.0.1:8000/v1#m
    """
    from compilerlm.eval.speed import format_asm_table, write_asm_report
    from compilerlm.programs.suites import resolve_target

    config = asm_search_config(model, compilers, **{k: v for k, v in locals().items() if k in SEARCH_OPTIONS})
    check_output_file(json_path, "--json")
    check_output_folder(report_dir, "--report")
    check_output_folder(out, "--out")
    programs = resolve_target(suite)[:limit]
    outcomes, doc = run_asm(programs, config, model, store, jobs, ray)
    doc |= {"suite": suite, "model": model}
    console.print(format_asm_table(doc["summary"]))
    if json_path:  # first: the record of every program is kept whatever happens to the assembly files
        json_path.write_text(json.dumps(doc, indent=2) + "\n")
        console.print(f"wrote {json_path}")
    write_assembly(outcomes, out)
    if report_dir:
        written = write_asm_report(doc, report_dir)
        console.print(f"wrote {written[0]} and {len(written) - 1} plots")
