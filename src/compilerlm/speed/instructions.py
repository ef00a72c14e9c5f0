"""Instruction counts of an untrusted binary, with the counting tool confined too.

perf or valgrind (as ``measure.count_instructions`` picks) runs inside the sandbox with the binary bound
read-only at /prog: a candidate's binary never runs outside ``run_tool_sandboxed``, counting included.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

from compilerlm.errors import ToolMissingError
from compilerlm.measure import MeasurementError, instruction_backend
from compilerlm.sandbox import Limits, run_tool_sandboxed


def _counting_argv(backend: str) -> list[str]:
    """perf or valgrind on /prog (the binary, bound read-only). Both report on stderr, which the candidate
    shares, so the count is the tool's last report line: printed after the candidate has exited."""
    tool = shutil.which(backend)
    if tool is None:
        raise ToolMissingError(f"'{backend}' not found; install it with: sudo apt-get install {backend}")
    if backend == "perf":
        return [tool, "stat", "-x,", "-e", "instructions:u", "--", "/prog"]
    return [tool, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", "/prog"]


_PERF_LINE = re.compile(r"^\s*(\d+),[^,\n]*,instructions", re.M)
_VALGRIND_LINE = re.compile(r"^==\d+==\s+I\s+refs:\s+([\d,]+)\s*$", re.M)


def count_instructions_sandboxed(binary: Path, stdin: bytes, limits: Limits, backend: str | None = None) -> int:
    """User-space instructions of one run of ``binary`` (perf or valgrind, as ``measure.count_instructions``
    picks), with the binary and the counting tool confined in the sandbox. Raises MeasurementError."""
    name = backend or instruction_backend()
    slow = 60 if name == "valgrind" else 2
    run_limits = replace(
        limits,
        wall_seconds=limits.wall_seconds * slow + 5,
        cpu_seconds=limits.cpu_seconds * slow + 5,
        address_space_bytes=max(limits.address_space_bytes, 8 << 30),  # valgrind reserves a lot
        max_processes=max(limits.max_processes, 4),
    )
    res = run_tool_sandboxed(_counting_argv(name), stdin, run_limits, binary=binary)
    if not res.ok:
        raise MeasurementError(f"counting instructions of {binary.name} failed ({res.status}: {res.detail})")
    text = res.stderr.decode(errors="replace")
    found = (_PERF_LINE if name == "perf" else _VALGRIND_LINE).findall(text)
    if not found:
        raise MeasurementError(f"no instruction count from {name}: {text.strip()[-200:]!r}")
    return int(found[-1].replace(",", ""))
