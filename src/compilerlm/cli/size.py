"""`compilerlm suites`, `size` and `passes`: what a TARGET can name, object sizes at the baselines (and a
pipeline), and the passes LLVM knows and the search space."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from compilerlm import __version__
from compilerlm.cli.common import (
    DEFAULT_JOBS,
    check_output_file,
    compile_modules,
    console,
    jobs_option,
    progress_bar,
    report_skipped,
    shown,
)
from compilerlm.errors import PipelineError
from compilerlm.programs.suites import TARGET_HELP


def suites(
    programs: Annotated[bool, typer.Option("--programs", help="also list the built-in programs")] = False,
) -> None:
    """List the program suites a TARGET can name.

    Example: compilerlm suites --programs
    """
    from compilerlm.programs.suites import TARGETS, builtin_programs

    table = Table(title="suites")
    table.add_column("spec")
    table.add_column("what it is")
    for s in TARGETS:
        table.add_row(s.spec, s.description)
    console.print(table)
    if programs:
        table = Table(title="built-in programs")
        for col in ("name", "files", "tests", "description"):
            table.add_column(col)
        for p in builtin_programs():
            table.add_row(shown(p.name), str(len(p.sources)), str(len(p.tests)), shown(p.description))
        console.print(table)


def size(
    target: Annotated[str, typer.Argument(help=TARGET_HELP)],
    pipeline: Annotated[
        str | None, typer.Option("--pipeline", "-p", help="also measure this opt -passes= pipeline")
    ] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="write the results as JSON here")] = None,
    evaluator: Annotated[
        str, typer.Option(help="inprocess (libLLVM, default) or subprocess (opt | llc)")
    ] = "inprocess",
    jobs: Annotated[int, jobs_option("parallel workers")] = DEFAULT_JOBS,
) -> None:
    """Object sizes per module at -O0, -Oz, -O3 (and --pipeline), per docs/design.md's definitions.

    Example: compilerlm size builtin:nbody --pipeline 'mem2reg,instcombine<no-verify-fixpoint>,simplifycfg'
    """
    from compilerlm.programs.suites import resolve_target
    from compilerlm.toolchain.baselines import DEFINITIONS, ModuleSizes, measure_modules
    from compilerlm.toolchain.evaluator import make_evaluator
    from compilerlm.toolchain.pipelines import normalize

    check_output_file(json_path, "--json")
    if pipeline is not None:
        pipeline = normalize(pipeline)
    programs = resolve_target(target)
    report_skipped(programs)
    modules = compile_modules(programs, jobs)
    o3_modules = compile_modules(programs, jobs, "O3")
    with make_evaluator(evaluator, jobs=jobs) as ev, progress_bar() as bar:  # type: ignore[arg-type]
        if pipeline is not None:
            probe = ev.evaluate(modules[0], pipeline)
            if probe.error_kind == "pipeline":
                raise PipelineError(f"bad pipeline {pipeline!r}: {probe.error}")
        task = bar.add_task("measuring", total=len(modules) * (4 if pipeline else 3))
        rows = measure_modules(ev, modules, pipeline, on_result=lambda i, r: bar.advance(task), o3_modules=o3_modules)

    table = Table(
        title=f"object size in bytes ({evaluator} evaluator)",
        caption="size: allocated sections (docs/design.md); improvement = 1 - size/size(-Oz), positive is smaller",
    )
    table.add_column("module", overflow="fold")
    for col in ("-O0", "-Oz", "-O3", *(["pipeline", "improvement"] if pipeline else []), ".text Oz", "IR Oz"):
        table.add_column(col, justify="right", no_wrap=True)
    records = []

    def cell(row: ModuleSizes, label: str) -> str:
        r = row.results[label]
        return str(r.size) if r.ok else f"[red]{r.error_kind}[/red]"

    for row in rows:
        oz = row.results["Oz"]
        extra = []
        record = {
            "name": row.name,
            "size_o0": row.size("O0"),
            "size_oz": row.size("Oz"),
            "size_o3": row.size("O3"),
            "text_oz": oz.text_size,
            "ir_instructions_oz": oz.ir_instructions,
            "errors": {k: r.error for k, r in row.results.items() if not r.ok},
        }
        if pipeline:
            p = row.results["pipeline"]
            vs = f"{1 - p.size / oz.size:+.1%}" if p.ok and p.size is not None and oz.ok and oz.size else "-"
            extra = [cell(row, "pipeline"), vs]
            record.update(size=p.size, text=p.text_size, ir_instructions=p.ir_instructions)
        baselines = [cell(row, label) for label in ("O0", "Oz", "O3")]
        table.add_row(shown(row.name), *baselines, *extra, str(oz.text_size), str(oz.ir_instructions))
        records.append(record)
    console.print(table)
    if json_path:
        doc = {
            "version": __version__,
            "evaluator": evaluator,
            "pipeline": pipeline,
            "definitions": DEFINITIONS,
            "modules": records,
        }
        json_path.write_text(json.dumps(doc, indent=2) + "\n")
        console.print(f"wrote {json_path}")


def passes(
    space: Annotated[bool, typer.Option("--space", help="only the curated code-size search space")] = False,
    excluded: Annotated[
        bool, typer.Option("--excluded", help="passes left out of the search space, with the reason")
    ] = False,
) -> None:
    """List the passes LLVM 19 knows, the code-size search space, or what was excluded and why. Column
    "pipelines": whether a pipeline may name the pass (only passes that act on the module alone; docs/design.md).

    Example: compilerlm passes --space
    """
    from compilerlm.toolchain.catalogue import pass_catalogue
    from compilerlm.toolchain.search_space import EXCLUDED, SEARCH_SPACE, outside_the_module

    if space:
        for element in SEARCH_SPACE:
            console.print(element, highlight=False)
        return
    if excluded:
        table = Table(title=f"{len(EXCLUDED)} passes outside the search space")
        for col in ("pass", "reason", "pipelines"):
            table.add_column(col)
        for name, reason in sorted(EXCLUDED.items()):
            table.add_row(name, reason, f"no: {why}" if (why := outside_the_module(name)) else "yes")
        console.print(table)
        return
    table = Table(title="passes of opt -print-passes")
    for col in ("pass", "kind", "analysis", "params", "pipelines"):
        table.add_column(col)
    for info in pass_catalogue():
        allowed = "require<…>" if info.is_analysis else ("no" if outside_the_module(info.name) else "yes")
        if info.kind.startswith("machine"):
            allowed = "no"
        table.add_row(info.name, info.kind, "yes" if info.is_analysis else "", info.params or "", allowed)
    console.print(table)
