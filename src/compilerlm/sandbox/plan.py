"""What one run is, fixed in the caller before the first fork.

The stages read it after fork, so C allocates (almost) nothing once its rlimits are set; it has its own
module because the private root, the isolation step and the stages all take it.
"""

from __future__ import annotations

import ctypes
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from compilerlm.sandbox.limits import Limits
from compilerlm.sandbox.syscall_filter import InstallableFilter


@dataclass
class _Plan:
    """Everything the children need, built before fork so C allocates (almost) nothing after its rlimits.

    ``exe`` is the program's path inside the root (``/prog`` for a binary, a toolchain path for a tool);
    ``libraries`` (name -> host file) are bound read-only at ``/prog-lib/NAME`` for the binary's loader,
    ``files`` are copied into /tmp before the run, ``collect`` (patterns over /tmp's names) copied out to
    ``collect_to`` after it. ``report``: the program gets a pipe of its own at ``REPORT_FD`` (a counting
    tool's report, kept apart from the measured program's stdout and stderr). ``syscall_filter`` is None only
    when it could not be built (``filter_error`` says why): then nothing runs."""

    exe: bytes
    binary: Path | None
    base: Path
    limits: Limits
    args: tuple[bytes, ...]
    parent: int
    files: tuple[tuple[str, Path | bytes], ...] = ()
    libraries: tuple[tuple[str, Path], ...] = ()
    collect: tuple[str, ...] = ()
    collect_to: Path | None = None
    env: tuple[tuple[str, str], ...] = ()
    read_only: tuple[Path, ...] = ()
    read_only_bytes: int = 0
    report: bool = False
    syscall_filter: InstallableFilter | None = None
    filter_error: str = ""
    keyctl_nr: int = -1
    keep: list[object] = field(default_factory=list)

    def cstrings(self, items: list[bytes]) -> ctypes.Array[ctypes.c_char_p]:
        arr = (ctypes.c_char_p * (len(items) + 1))(*items, None)
        self.keep.append(arr)
        return arr


Files = Mapping[str, "Path | bytes"]
PROG_LIB = "/prog-lib"
"""Where a run's shared libraries are (`libraries`): a program under test links with `-rpath /prog-lib`."""
