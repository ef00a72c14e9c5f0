"""`compilerlm suites`, `size` and `passes`: what a TARGET can name, object sizes at the baselines (and a
pipeline), and the passes LLVM knows and the search space."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from compilerlm.cli.common import (
    KEYWORD,
    check_output_file,
    command_from,
    console,
    dataclass_options,
    jobs_parameter,
    path_parameter,
    shown,
)
from compilerlm.cli.tune import BarProgress
from compilerlm.programs.suites import TARGET_HELP
from compilerlm.tracks.measure import SizeRequest, measure_target, pass_listing

if TYPE_CHECKING:
    from compilerlm.toolchain.baselines import ModuleSizes


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


SIZE_ARGS = [
    inspect.Parameter("target", KEYWORD, annotation=Annotated[str, typer.Argument(help=TARGET_HELP)]),
    inspect.Parameter(
        "pipeline",
        KEYWORD,
        default=None,
        annotation=Annotated[
            str | None, typer.Option("--pipeline", "-p", help="also measure this opt -passes= pipeline")
        ],
    ),
    path_parameter("json_path", "--json", "write the results as JSON here"),
    *dataclass_options(SizeRequest),
    jobs_parameter("parallel workers"),
]


def run_size(target: str, json_path: Path | None, **options: Any) -> None:
    """`compilerlm size`: the size track's measurement (`tracks.measure.measure_target`), its progress drawn, its
    table printed and its JSON written."""
    request = SizeRequest(**options)
    check_output_file(json_path, "--json")
    run = measure_target(target, request, BarProgress())
    table = Table(
        title=f"object size in bytes ({request.evaluator} evaluator)",
        caption="size: allocated sections (docs/design.md); improvement = 1 - size/size(-Oz), positive is smaller",
    )
    table.add_column("module", overflow="fold")
    for col in ("-O0", "-Oz", "-O3", *(["pipeline", "improvement"] if run.pipeline else []), ".text Oz", "IR Oz"):
        table.add_column(col, justify="right", no_wrap=True)

    def cell(row: ModuleSizes, label: str) -> str:
        r = row.results[label]
        return str(r.size) if r.ok else f"[red]{r.error_kind}[/red]"

    for row in run.rows:
        oz = row.results["Oz"]
        extra = []
        if run.pipeline:
            p = row.results["pipeline"]
            vs = f"{1 - p.size / oz.size:+.1%}" if p.ok and p.size is not None and oz.ok and oz.size else "-"
            extra = [cell(row, "pipeline"), vs]
        baselines = [cell(row, label) for label in ("O0", "Oz", "O3")]
        table.add_row(shown(row.name), *baselines, *extra, str(oz.text_size), str(oz.ir_instructions))
    console.print(table)
    if json_path:
        json_path.write_text(json.dumps(run.doc, indent=2) + "\n")
        console.print(f"wrote {json_path}")


size = command_from(
    run_size,
    SIZE_ARGS,
    """Object sizes per module at -O0, -Oz, -O3 (and --pipeline), per docs/design.md's definitions.

    Example: compilerlm size builtin:nbody --pipeline 'mem2reg,instcombine<no-verify-fixpoint>,simplifycfg'
    """,
)
size.__name__ = "size"


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
    listing = pass_listing(space=space, excluded=excluded)
    if space:
        for (element,) in listing.rows:
            console.print(element, highlight=False)
        return
    table = Table(title=listing.title)
    for col in listing.columns:
        table.add_column(col)
    for row in listing.rows:
        table.add_row(*row)
    console.print(table)
