"""Checks every command runs on its options before any work starts, so that a finished run is never lost
to a path it cannot write, and runs interrupted by Ctrl-C (or SIGTERM) say what they kept and how to resume.

Every failure is a CompilerLMError: the command line prints it as one line and exits 1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from compilerlm.errors import CompilerLMError, Interrupted

if TYPE_CHECKING:
    from compilerlm.search.store import Store


def check_jobs(value: int) -> int:
    """Typer callback for every --jobs option: at least one worker."""
    if value is not None and value < 1:
        raise CompilerLMError(f"--jobs must be at least 1 (got {value}); pass --jobs N with N >= 1")
    return value


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


def interrupted_message(store_path: Path | str | None, db: Store | None) -> str:
    """One line: what the store kept and how to resume (or that nothing was kept without --store)."""
    if store_path is None or db is None:
        return "interrupted: nothing was kept (no --store); pass --store FILE to make a run resumable"
    try:
        kept = db.kept()
    except Exception:  # a store that cannot be read now (disk gone): still say how to resume
        kept = {}
    parts = [f"{n} {what}" for what, n in kept.items() if n]
    total = sum(kept.values())
    return (
        f"interrupted: {total} results kept in {store_path} ({', '.join(parts) or 'none yet'}); "
        f"run the same command again with --store {store_path} to resume"
    )


@contextmanager
def resumable(store_path: Path | str | None, db: Store | None) -> Iterator[None]:
    """Turn Ctrl-C (KeyboardInterrupt) or SIGTERM during a run writing to `db` into `Interrupted`: one line
    saying what was kept and how to resume, exit code 130 (143 for SIGTERM). Cleanup (`with` blocks, worker
    pools) has run by the time the message is printed."""
    try:
        yield
    except KeyboardInterrupt as exc:
        raise Interrupted(interrupted_message(store_path, db), getattr(exc, "exit_code", 130)) from None
