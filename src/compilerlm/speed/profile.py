"""Where a binary spends its instructions, per function: valgrind's callgrind on the visible tests, confined.

The per-function combination uses it to pick the functions worth taking from another configuration. The
binary runs inside the sandbox at /prog (callgrind too); its report comes back as a regular file.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from compilerlm.measure import MeasurementError
from compilerlm.programs.program import TestCase
from compilerlm.programs.testing import test_files, test_limits
from compilerlm.sandbox import Limits, run_tool_sandboxed
from compilerlm.toolchain.locate import system_tool

_REPORT = ".callgrind.out"


def exclusive_instructions(text: str) -> Counter[str]:
    """Instructions per function, callees excluded, from a callgrind report written with
    ``--compress-strings=no --compress-pos=no`` (a cost line after ``calls=`` is the callee's: skipped)."""
    costs: Counter[str] = Counter()
    function, after_call = "", False
    for line in text.splitlines():
        if line.startswith("fn="):
            function, after_call = line[3:].strip(), False
        elif line.startswith("calls="):
            after_call = True
        elif line[:1].isdigit() or line[:1] in "+-*":
            if not after_call and function:
                fields = line.split()
                if len(fields) >= 2 and fields[-1].isdigit():
                    costs[function] += int(fields[-1])
            after_call = False
    return costs


def function_profile(binary: Path, tests: Sequence[TestCase], limits: Limits) -> dict[str, float]:
    """Share of the user-space instructions spent in each function over ``tests`` (summing to 1 over all of
    them, libraries included). Raises MeasurementError (ToolMissingError without valgrind)."""
    tool = system_tool("valgrind")
    argv = [tool, "--tool=callgrind", f"--callgrind-out-file={_REPORT}", "--compress-strings=no", "--compress-pos=no"]
    total: Counter[str] = Counter()
    for test in tests:
        run_limits = test_limits(test, limits)
        run_limits = replace(
            run_limits,
            wall_seconds=run_limits.wall_seconds * 100 + 10,
            cpu_seconds=run_limits.cpu_seconds * 100 + 10,
            address_space_bytes=max(run_limits.address_space_bytes, 8 << 30),
            max_processes=max(run_limits.max_processes, 4),
        )
        with tempfile.TemporaryDirectory(prefix="compilerlm-profile-") as out:
            res = run_tool_sandboxed(
                [*argv, "/prog", *test.args],
                test.stdin,
                run_limits,
                binary=binary,
                files=test_files(test) or None,
                collect=[_REPORT],
                collect_to=Path(out),
            )
            report = Path(out) / _REPORT
            if res.status in ("timeout", "cpu-limit", "sandbox-error") or not report.is_file():
                raise MeasurementError(
                    f"profiling {binary.name} on test {test.name} failed ({res.status}: {res.detail})"
                )
            total += exclusive_instructions(report.read_text(errors="replace"))
    whole = sum(total.values())
    return {name: cost / whole for name, cost in total.most_common()} if whole else {}
