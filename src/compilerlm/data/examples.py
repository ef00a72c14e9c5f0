"""What every dataset builder produces: a row plus what the common steps need to dedup, filter and split it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compilerlm.programs.program import Program
from compilerlm.programs.suites import BUILTIN_DIR

Advance = Callable[[float], None]
"""Progress callback: called with how many units of work just finished."""


@dataclass
class Example:
    """One dataset row. `key` is its dedup key (a hash of the input code), `text` what the token-length
    filter counts (prompt + completion for SFT rows, the prompt for RL rows)."""

    row: dict[str, Any]
    program: str
    key: str
    text: str


def program_target(program: Program) -> str:
    """A TARGET string that resolves back to this program (`resolve_target`), so a reward worker can rebuild
    and test it: `builtin:NAME` for built-in programs (portable between machines), else its folder or file."""
    if program.root is not None:
        root = Path(program.root).resolve()
        if root.parent == BUILTIN_DIR.resolve():
            return f"builtin:{root.name}"
        return str(root)
    return str(Path(program.sources[0]).resolve())
