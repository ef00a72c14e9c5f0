"""`compilerlm cc`: a drop-in C compiler for make and CMake that ships what `tune` found (toolchain/cc.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

CONTEXT = {"allow_extra_args": True, "ignore_unknown_options": True, "allow_interspersed_args": False}


def cc(
    ctx: typer.Context,
    tuned: Annotated[list[Path], typer.Option(help="tune JSON file(s) (compilerlm tune --json); repeatable")],
    verbose: Annotated[bool, typer.Option("--cc-verbose", help="say on stderr which units were tuned")] = False,
) -> None:
    """Compile like clang -Oz, but every translation unit found in the tune results with its tuned pipeline.

    Example: make CC="compilerlm cc --tuned tune.json"
    (CMake: -DCMAKE_C_COMPILER_LAUNCHER="compilerlm;cc;--tuned;tune.json")
    """
    from compilerlm.toolchain.cc import TunedIndex, run_cc

    code = run_cc(ctx.args, TunedIndex.load(tuned), verbose=verbose)
    raise typer.Exit(code)
