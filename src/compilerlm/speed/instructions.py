"""Instruction counts of an untrusted binary, with the counting tool confined too.

perf or valgrind (as ``measure.count_instructions`` picks) runs inside the sandbox with the binary bound
read-only at /prog: a candidate's binary never runs outside ``run_tool_sandboxed``, counting included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from compilerlm.measure import MeasurementError, instruction_backend
from compilerlm.measure.instructions import counting_command, counting_tool, parse_count
from compilerlm.sandbox import Limits, run_tool_sandboxed


def count_instructions_sandboxed(
    binary: Path,
    stdin: bytes,
    limits: Limits,
    backend: str | None = None,
    *,
    args: Sequence[str] = (),
    files: Mapping[str, Path | bytes] | None = None,
    exit_code: int = 0,
) -> int:
    """User-space instructions of one run of ``binary`` with ``args`` and ``files`` in its working directory
    (perf or valgrind, as ``measure.count_instructions`` picks), with the binary and the counting tool
    confined in the sandbox; the run must end with ``exit_code``. Raises MeasurementError."""
    name = backend or instruction_backend()
    slow = 60 if name == "valgrind" else 2
    run_limits = replace(
        limits,
        wall_seconds=limits.wall_seconds * slow + 5,
        cpu_seconds=limits.cpu_seconds * slow + 5,
        address_space_bytes=max(limits.address_space_bytes, 8 << 30),  # valgrind reserves a lot
        max_processes=max(limits.max_processes, 4),
    )
    argv = counting_command(counting_tool(name), name, ["/prog", *args])
    res = run_tool_sandboxed(argv, stdin, run_limits, binary=binary, files=files)
    clean = res.ok or (res.status == "exit-code" and exit_code and res.exit_code == exit_code)
    if not clean:
        raise MeasurementError(f"counting instructions of {binary.name} failed ({res.status}: {res.detail})")
    return parse_count(res.stderr.decode(errors="replace"), name)
