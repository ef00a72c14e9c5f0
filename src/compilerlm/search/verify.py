"""Is a pipeline safe? Build the whole program with it and run the program's tests (the PassListEval idea).

A size is only worth reporting if the program still works: each module is compiled with its pipeline,
the objects are linked, and every test must print exactly the expected output and exit 0. A program
with no tests cannot be checked and is reported unverified, never silently trusted.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from compilerlm.errors import CompilerLMError
from compilerlm.parallel import run_process
from compilerlm.programs.program import Program
from compilerlm.programs.testing import run_tests
from compilerlm.sandbox import Limits
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.pipelines import OZ_PIPELINE
from compilerlm.toolchain.subprocess_path import compile_object

TEST_TIMEOUT = 20.0  # seconds per test; built-in tests take well under 1 s at -O0


@dataclass(frozen=True)
class Verification:
    verified: bool
    detail: str


def verify_program(
    program: Program, modules: Sequence[IRModule], pipelines: Mapping[str, str], timeout: float = TEST_TIMEOUT
) -> Verification:
    """Build `program` with pipelines[module.name] per module (default<Oz> when absent) and run its tests."""
    if not program.tests:
        return Verification(False, "no tests: nothing to run, size not verified")
    if not program.is_c:
        return Verification(False, "IR program: cannot be linked and run")
    with tempfile.TemporaryDirectory(prefix="compilerlm-verify-") as tmp:
        work = Path(tmp)
        objects = []
        try:
            for i, module in enumerate(modules):
                obj = work / f"m{i}.o"
                obj.write_bytes(compile_object(module, pipelines.get(module.name, OZ_PIPELINE)))
                objects.append(str(obj))
        except CompilerLMError as exc:
            return Verification(False, f"does not compile: {exc}")
        exe = work / "prog"
        link = run_process([llvm_tool("clang"), *objects, "-o", str(exe), *program.ldflags, "-lm"], text=True)
        if link.returncode != 0:
            return Verification(False, f"link failed: {link.stderr.strip().splitlines()[-1:]}")
        limits = Limits(wall_seconds=timeout, cpu_seconds=max(1, math.ceil(timeout)))
        for n, run in enumerate(run_tests(exe, program.tests, limits, stop_at_first_failure=True), 1):
            name = run.test.name
            if run.status == "sandbox-error":
                return Verification(False, f"test {name}: not run: {run.detail}")
            if run.status == "wrong-output":
                return Verification(False, f"test {name}: wrong output")
            if not run.passed:
                return Verification(False, f"test {name}: {run.status}: {run.detail}")
            if n == len(program.tests):
                return Verification(True, f"{n}/{n} tests passed")
    return Verification(False, "no tests ran")
