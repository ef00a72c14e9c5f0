"""`compilerlm asm`: assembly faster than gcc -O3 for one program (or a TARGET) — the speed track's entry
(`tracks.speed.optimize`), its progress drawn (a bar that checks `--out` once the programs are known), its table
printed, and the JSON and the assembly written."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

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
    shown,
)
from compilerlm.errors import CompilerLMError
from compilerlm.programs.suites import TARGET_HELP
from compilerlm.tracks.speed import AsmProgress, AsmRequest, AsmRun, assembly_file, compiler_names, optimize

if TYPE_CHECKING:
    from compilerlm.programs.program import Program
    from compilerlm.speed.outcome import AsmOutcome

JOBS = jobs_parameter("programs side by side (timing gets noisier)", default=AsmRequest.jobs)
ASM_ARGS = [
    inspect.Parameter(
        "program",
        KEYWORD,
        default="",
        annotation=Annotated[str, typer.Argument(help=f"a C file (with --tests DIR), or a TARGET: {TARGET_HELP}")],
    ),
    *dataclass_options(AsmRequest, skip=("limit", "ray")),
    JOBS,
    path_parameter("json_path", "--json", "write the results as JSON here"),
    inspect.Parameter(
        "list_compilers",
        KEYWORD,
        default=False,
        annotation=Annotated[bool, typer.Option("--list-compilers", help="print the compiler portfolio")],
    ),
]


def run_asm(program: str = "", json_path: Path | None = None, list_compilers: bool = False, **options: Any) -> None:
    """`compilerlm asm`: the speed track's entry, its progress drawn, its table printed and its files written."""
    if list_compilers:
        for name in compiler_names():
            console.print(name, highlight=False)
        return
    if not program:
        raise CompilerLMError("give a PROGRAM: a C file with --tests DIR, or a program folder")
    request = AsmRequest(**options)
    check_output_file(json_path, "--json")
    run = optimize(program, request, BarProgress(request.out))
    console.print(asm_table(run.outcomes))
    write_results(run, json_path, request.out)
    if run.failure:  # e.g. the program's own baseline fails its tests: nothing could be measured
        raise CompilerLMError(run.failure)


asm = command_from(
    run_asm,
    ASM_ARGS,
    """Assembly faster than gcc -O3 that passes every test: a compiler portfolio and/or a model, verified.

    Example: compilerlm asm prog.c --tests tests/ --out prog.s --json prog.json
    """,
)
asm.__name__ = "asm"


class BarProgress(AsmProgress):
    """An asm run's progress as a bar (plain lines where stderr is not a terminal). Once the programs are known,
    and before any work, it checks that `--out` can be written as what it will be: a .s file or a folder."""

    def __init__(self, out: Path | None) -> None:
        self.out = out
        self.bar: Any = None
        self.task: Any = None

    def resolved(self, programs: Sequence[Program]) -> None:
        if self.out is not None and assembly_file(self.out, len(programs)):
            check_output_folder(self.out.parent, "--out")
            check_output_file(self.out if self.out.parent.exists() else None, "--out")
        else:
            check_output_folder(self.out, "--out")

    @contextmanager
    def running(self, total: int) -> Iterator[None]:
        with progress_bar() as bar:
            self.bar, self.task = bar, bar.add_task("asm", total=total)
            try:
                yield
            finally:
                self.bar = None

    def program_done(self, outcome: AsmOutcome) -> None:
        if self.bar is not None:
            self.bar.advance(self.task)


def asm_table(outcomes: Sequence[AsmOutcome]) -> Table:
    """One row per program: what was reported, whether it is correct, its speedup and instruction ratio."""
    table = Table(title="assembly vs gcc -O3")
    for col in ("program", "source", "config / sample", "correct", "speedup", "instructions"):
        table.add_column(col)
    for o in outcomes:
        inst = "—" if o.instructions_ratio is None else f"{o.instructions_ratio:.3f}x"
        note = f" ({o.error})" if o.error else ""
        cells = (o.name, o.source + note, o.config or o.sample or "")
        table.add_row(*map(shown, cells), str(o.correct), f"{o.speedup:.3f}x", inst)
    return table


def write_results(run: AsmRun, json_path: Path | None, out: Path | None) -> None:
    """The JSON first, so the record of every program is kept whatever happens to the assembly files; then them."""
    if json_path:
        json_path.write_text(json.dumps(run.doc, indent=2) + "\n")
        console.print(f"wrote {json_path}")
    if run.write_assembly(out):
        console.print(f"wrote {out}")
