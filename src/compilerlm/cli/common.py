"""What every command shares: the consoles, --jobs and its default, the progress bar, the front end with a
progress bar, one-line errors, and the checks every command runs on its options before any work starts, so
that a finished run is never lost to a path it cannot write, and runs interrupted by Ctrl-C (or SIGTERM) say
what they kept and how to resume.

Every failure is a CompilerLMError: `main` prints it as one line and exits 1.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import os
import sys
import threading
import time
import typing
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from compilerlm.errors import CompilerLMError
from compilerlm.programs.names import printable

if TYPE_CHECKING:
    from compilerlm.programs.program import Program

# Tables are wide; when output is not a terminal (CI logs, pipes) use 120 columns rather than rich's 80.
console = Console(width=None if sys.stdout.isatty() else 120)
err_console = Console(stderr=True)

DEFAULT_JOBS = max(1, min(os.cpu_count() or 1, 8))
KEYWORD = inspect.Parameter.KEYWORD_ONLY


def shown(text: object) -> str:
    """Text for rich markup that came from outside (a program, test or module name, an error naming one): its
    control characters escaped, so it cannot drive the terminal, and its markup escaped, so ``[red]x`` shows as
    it is (and ``[/x]`` cannot stop the command)."""
    return escape(printable(str(text)))


def print_error(message: str) -> None:
    """One line on stderr: `error: message`, shown as it is (`shown`: messages name programs and tests)."""
    err_console.print(f"[bold red]error:[/bold red] {shown(message.strip())}", highlight=False, soft_wrap=True)


def check_jobs(value: int) -> int:
    """Typer callback for every --jobs option: at least one worker."""
    if value is not None and value < 1:
        raise CompilerLMError(f"--jobs must be at least 1 (got {value}); pass --jobs N with N >= 1")
    return value


def jobs_option(text: str):
    """A --jobs/-j option; values below 1 are refused with a one-line error before any work."""
    return typer.Option("--jobs", "-j", help=text, callback=check_jobs)


def jobs_parameter(text: str, default: int = DEFAULT_JOBS) -> inspect.Parameter:
    """`--jobs/-j` as a parameter of a generated command (`command_from`)."""
    return inspect.Parameter("jobs", KEYWORD, default=default, annotation=Annotated[int, jobs_option(text)])


def path_parameter(name: str, flag: str, text: str) -> inspect.Parameter:
    """An optional file or folder option (`--json`, `--report`, ...) of a generated command."""
    return inspect.Parameter(
        name, KEYWORD, default=None, annotation=Annotated[Path | None, typer.Option(flag, help=text)]
    )


class LoggedProgress(Progress):
    """A rich progress bar that, when stderr is not a terminal (CI logs, nohup, pipes: no live bar is drawn),
    prints a plain line instead at least every ``every`` seconds while a task runs (default 30,
    $COMPILERLM_PROGRESS_EVERY): when a step ends that long after the last line, and from a heartbeat thread when
    no step ends for that long (one program's search can take minutes), with a last one at the end if it printed
    any: quick commands stay quiet."""

    def __init__(self, *columns: Any, **kwargs: Any) -> None:
        super().__init__(*columns, **kwargs)
        self.every = float(os.environ.get("COMPILERLM_PROGRESS_EVERY") or 30)
        self._logged: dict[Any, float] = {}
        self._log_lock = threading.Lock()
        self._stopped = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def start(self) -> None:
        super().start()
        if not self.console.is_terminal and self.every > 0 and self._heartbeat is None:
            self._stopped.clear()
            self._heartbeat = threading.Thread(target=self._beat, name="progress-lines", daemon=True)
            self._heartbeat.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._heartbeat is not None:
            self._heartbeat.join()
            self._heartbeat = None
        super().stop()

    def _beat(self) -> None:
        """Each unfinished task's line, whenever `every` seconds passed without one."""
        while not self._stopped.wait(min(1.0, self.every / 4)):
            for task in list(self.tasks):
                if not task.finished:
                    self._log(task.id)

    def update(self, task_id: Any, **kwargs: Any) -> None:
        super().update(task_id, **kwargs)
        self._log(task_id)

    def advance(self, task_id: Any, advance: float = 1) -> None:
        super().advance(task_id, advance)
        self._log(task_id)

    def _log(self, task_id: Any) -> None:
        if self.console.is_terminal:
            return
        task = next((t for t in self.tasks if t.id == task_id), None)
        if task is None:  # removed meanwhile (the heartbeat's list was taken before)
            return
        now = time.monotonic()
        with self._log_lock:  # the heartbeat and the steps both print
            last = self._logged.get(task_id, now - (task.elapsed or 0.0))  # before any line: the task's start
            if last == math.inf or (now - last < self.every and not (task.finished and task_id in self._logged)):
                return
            self._logged[task_id] = math.inf if task.finished else now
        total = f"/{task.total:g}" if task.total else ""
        elapsed = int(task.elapsed or 0)
        self.console.print(
            f"{task.description}: {task.completed:g}{total}, {elapsed // 60}m{elapsed % 60:02d}s", highlight=False
        )


def progress_bar(transient: bool = True) -> Progress:
    """The progress bar on stderr; transient ones vanish when done. Without a terminal, plain lines."""
    return LoggedProgress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=transient,
    )


def report_skipped(programs: Sequence[Program]) -> None:
    """One line on stderr per translation unit a program left out (a compile database's unit that does not
    compile, or is not C/C++), saying why; the other units go on."""
    for program in programs:
        for why in program.skipped:
            err_console.print(f"[yellow]skipped[/yellow] {shown(why)}", highlight=False, soft_wrap=True)


def _existing_ancestor(path: Path) -> Path:
    here = path.absolute()
    while not here.exists() and here != here.parent:
        here = here.parent
    return here


def check_output_file(path: Path | str | None, option: str) -> None:
    """`path` can be written as a file: not a folder, in a folder that exists and is writable."""
    if path is None:
        return
    path = Path(path)
    if path.is_dir():
        raise CompilerLMError(f"{option} {path} is a folder; give a file path, e.g. {option} {path / 'results.json'}")
    folder = path.absolute().parent
    if not folder.exists():
        raise CompilerLMError(f"{option} {path}: folder {folder} does not exist; create it first or pick another path")
    if not folder.is_dir():
        raise CompilerLMError(f"{option} {path}: {folder} is a file, not a folder; pick another path")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise CompilerLMError(f"{option} {path} is not writable; pick a path you can write")


def check_output_folder(path: Path | str | None, option: str) -> None:
    """`path` is a folder, or can be created as one (with its missing parents)."""
    if path is None:
        return
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise CompilerLMError(
            f"{option} {path} is an existing file, not a folder; pass a folder path (it is created if missing)"
        )
    ancestor = _existing_ancestor(path)
    if not ancestor.is_dir():
        raise CompilerLMError(f"{option} {path}: {ancestor} is a file, so the folder cannot be made; pick another path")
    if not os.access(ancestor, os.W_OK):
        raise CompilerLMError(f"{option} {path}: {ancestor} is not writable; pick a folder you can write")


# ------------------------------------------------------------------ options from config dataclasses


def dataclass_options(config_type: type, skip: Collection[str] = ()) -> list[inspect.Parameter]:
    """One keyword option per field of a config dataclass that has help (`field(metadata={"help": ...})`, as
    TRL's configs do), so the help is written once: `per_module` is `--per-module`; a bool field is a flag
    (`--asm`), or `--verify/--no-verify` when it is on by default. A field without a default is required."""
    hints = typing.get_type_hints(config_type)
    params = []
    for f in dataclasses.fields(config_type):
        if f.name in skip or "help" not in f.metadata:
            continue
        name = f.metadata.get("flag", f"--{f.name.replace('_', '-')}")  # `flag`: an option named apart from its field
        default = f.default if f.default is not dataclasses.MISSING else inspect.Parameter.empty
        if hints[f.name] is bool and default is True:
            name = f"{name}/--no-{f.name.replace('_', '-')}"
        option = typer.Option(name, help=f.metadata["help"])
        params.append(inspect.Parameter(f.name, KEYWORD, default=default, annotation=Annotated[hints[f.name], option]))
    return params


def command_from(function: Callable[..., None], params: Sequence[inspect.Parameter], doc: str) -> Callable[..., None]:
    """`function(**options)` as a typer command whose options are `params` (typer reads the signature)."""

    def command(**options: Any) -> None:
        function(**options)

    command.__signature__ = inspect.Signature(list(params))  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__doc__ = doc
    return command
