"""Run an external tool with a timeout and turn its failures into one-line, fixable errors.

Starting, timing out and killing the process is `compilerlm.parallel.run_process` (own session, the whole
group killed on a timeout or an interrupt); this module adds what LLVM's tools need: a crash is LLVMCrash.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Sequence

from compilerlm.errors import LLVMCrash
from compilerlm.parallel import run_process

CRASH_MARKERS = ("PLEASE submit a bug report", "Stack dump:", "LLVM ERROR:", "Assertion `")


def first_error_line(stderr: str) -> str:
    """The most telling line of a tool's stderr: the first that says error, else the first non-empty."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for marker in ("LLVM ERROR:", "error:", "Error", "requires", "Assertion"):
        for ln in lines:
            if marker in ln:
                return ln
    return lines[0] if lines else "(no message)"


_SEVERAL_MAINS = re.compile(r"(duplicate symbol: main\b|multiple definition of [`']main')")


def link_error_line(stderr: str) -> str:
    """A failed link's telling line (the linker's error, not clang's "linker command failed"), with the fix when
    several units define `main`: a build of several programs, which program.toml must name."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip() and "linker command failed" not in ln]
    # GNU ld says where first ("in function `main':") and what on the next line
    what = [ln for ln in lines if "multiple definition of" in ln or "undefined reference to" in ln]
    line = what[0] if what else first_error_line("\n".join(lines))
    if _SEVERAL_MAINS.search(stderr):
        line += " (several units define main: name each program of the build in program.toml, [[programs]])"
    return line


def is_crash(returncode: int, stderr: str) -> bool:
    """A signal death or LLVM's crash banner: the tool broke, the input was not simply rejected."""
    return returncode < 0 or any(m in stderr for m in CRASH_MARKERS)


def describe_returncode(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


def run_tool(
    cmd: Sequence[str],
    *,
    input: bytes | None = None,
    timeout: float = 120.0,
    what: str = "",
    cwd: str | os.PathLike[str] | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run a command (in `cwd`, default the current folder; `env`, default this process's); raise ToolTimeout on
    timeout, LLVMCrash on a crash; return otherwise (caller checks rc)."""
    res = run_process(cmd, input=input, timeout=timeout, what=what or cmd[0], cwd=cwd, env=env)
    stderr = res.stderr.decode(errors="replace")
    if is_crash(res.returncode, stderr):
        raise LLVMCrash(f"{what or cmd[0]} crashed ({describe_returncode(res.returncode)}): {first_error_line(stderr)}")
    return res
