"""SuperCoder's timing protocol: the real ``hyperfine``, 3 warm-ups and 10 runs per test, baseline and candidate
timed one after the other, the mean of each compared.

hyperfine runs inside the sandbox like every other tool that runs a candidate (the binary bound at /prog), and
feeds the test's stdin through the shell as SuperCoder's own script does (``/prog < input``); hyperfine
subtracts the shell's own start-up time.
"""

from __future__ import annotations

import json
import shlex
import tempfile
from dataclasses import replace
from pathlib import Path

from compilerlm.measure import MeasurementError
from compilerlm.programs.program import TestCase
from compilerlm.programs.testing import test_files
from compilerlm.sandbox import Limits, run_tool_sandboxed
from compilerlm.toolchain.locate import system_tool

WARMUPS = 3
RUNS = 10
_STDIN = ".hyperfine-stdin"  # the test's stdin, as a file in the working directory
_REPORT = ".hyperfine.json"


def hyperfine_mean(binary: Path, test: TestCase, limits: Limits, warmups: int = WARMUPS, runs: int = RUNS) -> float:
    """Mean wall seconds of ``binary`` on ``test`` over ``runs`` hyperfine runs after ``warmups``, confined.
    Raises MeasurementError (ToolMissingError when hyperfine is not installed)."""
    tool = system_tool("hyperfine")
    command = " ".join(["/prog", *(shlex.quote(a) for a in test.args), "<", _STDIN])
    argv = [tool, "--warmup", str(warmups), "--runs", str(runs), "--style", "none", "--export-json", _REPORT]
    if test.exit_code:  # the test expects this exit status: not a failed run
        argv.append("--ignore-failure")
    argv.append(command)
    runs_total = warmups + runs + 1
    run_limits = replace(
        limits,
        wall_seconds=limits.wall_seconds * runs_total + 10,
        cpu_seconds=limits.cpu_seconds * runs_total + 10,
        max_processes=max(limits.max_processes, 8),  # hyperfine, its shell, the program
    )
    files = {**test_files(test), _STDIN: test.stdin}
    with tempfile.TemporaryDirectory(prefix="compilerlm-hyperfine-") as out:
        res = run_tool_sandboxed(
            argv,
            b"",
            run_limits,
            binary=binary,
            files=files,
            collect=[_REPORT],
            collect_to=Path(out),
        )
        report = Path(out) / _REPORT
        if not res.ok or not report.is_file():
            said = res.stderr.decode(errors="replace").strip().splitlines()
            raise MeasurementError(
                f"hyperfine failed on test {test.name} ({res.status}: {said[-1] if said else res.detail})"
            )
        try:
            return float(json.loads(report.read_text())["results"][0]["mean"])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise MeasurementError(f"hyperfine wrote an unreadable report for test {test.name}: {exc}") from exc
