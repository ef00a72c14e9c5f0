"""Instruction counts of an untrusted binary, with the counting tool confined too.

perf or valgrind (as ``measure.count_instructions`` picks) runs inside the sandbox with the binary bound
read-only at /prog, on one of the program's tests through ``programs.testing.run_test``: the counted run is
judged as a check is (its stdout, files and exit code must be right, or it is a failed run, not a count),
the tool's report travels on a pipe of its own that only the tool is told of, and it is read after every
process of the run is gone. A report with a second count in it was written to by the program
(MeasurementTampered).
"""

from __future__ import annotations

from pathlib import Path

from compilerlm.measure import MeasurementError, instruction_backend
from compilerlm.measure.instructions import Backend, counting_command, counting_tool, parse_count
from compilerlm.programs.program import TestCase
from compilerlm.programs.testing import Under, run_test
from compilerlm.sandbox import REPORT_FD, Limits


def counter(backend: Backend) -> Under:
    """How a counted run is made: the tool, reporting on the report pipe, and what it needs beyond the
    program's own limits (valgrind is ~50x slower and reserves address space; perf opens its counters)."""
    argv = tuple(counting_command(counting_tool(backend), backend, [], log_fd=REPORT_FD))
    if backend == "perf":
        return Under(argv, slowdown=2, max_processes=4, allow_syscalls=("perf_event_open",))
    return Under(argv, slowdown=60, address_space_bytes=8 << 30, max_processes=4)


def count_instructions_sandboxed(binary: Path, test: TestCase, limits: Limits, backend: str | None = None) -> int:
    """User-space instructions of one checked run of ``binary`` on ``test``, confined. Raises
    MeasurementTampered when the report was written to, MeasurementError when there is no count (the run did
    not pass the test: a run that fails gives no number)."""
    name: Backend = backend or instruction_backend()  # type: ignore[assignment]
    run = run_test(binary, test, limits, under=counter(name))
    if not run.passed:
        raise MeasurementError(
            f"counting instructions of {binary.name} on test {test.name}: the counted run failed its test "
            f"({run.status}: {run.detail})"
        )
    try:
        return parse_count(run.result.report.decode(errors="replace"), name)
    except MeasurementError as exc:
        raise type(exc)(f"counting instructions of {binary.name} on test {test.name}: {exc}") from exc
