"""The `compilerlm` command: builds the typer app from one module per command group and runs it (`main`).

Each command is a thin layer over the library; errors print as one line. The groups: `size` (suites, size,
passes), `tune` (tune, report), `asm`, `serve`, `eval` (eval flags|emulate|emulate-asm|disasm|asm), `data`
and `train`; `common` holds what they share. Nothing below this package imports it.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from compilerlm import __version__
from compilerlm.cli import asm, cc, serve, size, tune
from compilerlm.cli.common import console, err_console, print_error
from compilerlm.cli.corpus import corpus_app
from compilerlm.cli.data import make_data_app
from compilerlm.cli.eval import make_eval_app
from compilerlm.cli.train import make_train_app
from compilerlm.errors import CompilerLMError, Interrupted, Terminated
from compilerlm.programs.names import printable


def version_callback(value: bool) -> None:
    if value:
        console.print(f"compilerlm {__version__}")
        raise typer.Exit()


def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="print the version")
    ] = False,
) -> None:
    """compilerlm: smaller and faster compiled code, verified by the real compiler."""


def build_app() -> typer.Typer:
    """The command, its `data`, `eval` and `train` groups made from the task registry as it stands now."""
    app = typer.Typer(
        help="compilerlm: smaller and faster compiled code with search and language models, verified by the real "
        "compiler.",
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode="rich",
    )
    # `compilerlm --help` lists the commands in this order, then the groups.
    app.command()(size.suites)
    app.command()(size.size)
    app.command()(tune.tune)
    app.command()(asm.asm)
    app.command()(serve.serve)
    app.command()(tune.report)
    app.command()(size.passes)
    app.command(context_settings=cc.CONTEXT)(cc.cc)
    app.add_typer(make_eval_app(), name="eval")
    app.add_typer(make_data_app(), name="data")
    app.add_typer(make_train_app(), name="train")
    app.add_typer(corpus_app, name="corpus")
    app.callback()(_main)
    return app


app = build_app()


_TERMINATED: list[int] = []  # SIGTERM received (commands without a store exit 143, not typer's 130)


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM: unwind like Ctrl-C (worker pools close, temporary files go), then exit 143."""
    _TERMINATED.append(signum)
    raise Terminated()


def _no_core_files() -> None:
    """LLVM crashing on a strange pipeline is a recorded failure of that candidate; it must not also leave a core
    file in the user's folder. Children (opt, llc, workers) inherit the limit."""
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (0, hard))


def main() -> None:
    """Entry point: run the app; a CompilerLMError becomes one line on stderr and exit code 1 (an interrupted
    run: 130 after Ctrl-C, 143 after SIGTERM, with what the store kept and how to resume)."""
    import errno
    import signal

    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminate)
    _no_core_files()
    try:
        code = app(standalone_mode=False)
    except Interrupted as exc:
        err_console.print(printable(str(exc)), highlight=False, soft_wrap=True, markup=False)
        sys.exit(exc.exit_code)
    except CompilerLMError as exc:
        print_error(str(exc))
        sys.exit(1)
    except KeyboardInterrupt as exc:
        err_console.print("interrupted")
        sys.exit(getattr(exc, "exit_code", 130))
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", getattr(exc, "code", 0))
        sys.exit(code or 0)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        where = f" writing {exc.filename}" if exc.filename else ""
        print_error(
            f"the disk is full{where}; free some space and run the command again (results already in --store are kept)"
        )
        sys.exit(1)
    except Exception as exc:  # usage errors: typer carries its own copies of click's classes, so go by name
        kinds = {cls.__name__ for cls in type(exc).__mro__}
        if "ClickException" in kinds:
            exc.show()  # type: ignore[attr-defined]
            sys.exit(getattr(exc, "exit_code", 2))
        if "Abort" in kinds:
            sys.exit(130)
        raise
    if isinstance(code, int) and code:  # typer returns the exit code (130: Ctrl-C outside a run with a store)
        if code == 130:
            err_console.print("interrupted")
        sys.exit(Terminated.exit_code if code == 130 and _TERMINATED else code)
