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
from compilerlm.programs.library import library_driver
from compilerlm.programs.names import file_name
from compilerlm.programs.program import Program
from compilerlm.programs.testing import emulator_for, run_tests
from compilerlm.sandbox import Limits
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.lto import WholeProgram
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.objsize import object_size
from compilerlm.toolchain.pipelines import OZ_PIPELINE
from compilerlm.toolchain.run import link_error_line
from compilerlm.toolchain.subprocess_path import compile_object

TEST_TIMEOUT = 20.0  # seconds per test; built-in tests take well under 1 s at -O0


@dataclass(frozen=True)
class Verification:
    verified: bool
    detail: str


def link_executable(program: Program, modules: Sequence[IRModule], pipelines: Mapping[str, str], exe: Path) -> Path:
    """`exe`: the program built with pipelines[module.name] per module (default<Oz> when absent), each object
    exactly as its size was measured, linked by clang with the program's ldflags. CompilerLMError says why
    it could not be built ("does not compile: ...", "link failed: ...")."""
    if len(modules) == 1 and isinstance(modules[0], WholeProgram):  # tune --lto: lld links it with its pipeline
        return modules[0].link(pipelines.get(modules[0].name, OZ_PIPELINE), exe)
    with tempfile.TemporaryDirectory(prefix="compilerlm-link-") as tmp:
        objects = []
        try:
            for i, module in enumerate(modules):
                obj = Path(tmp) / f"m{i}.o"
                obj.write_bytes(compile_object(module, pipelines.get(module.name, OZ_PIPELINE)))
                objects.append(str(obj))
        except CompilerLMError as exc:
            raise CompilerLMError(f"does not compile: {exc}") from exc
        command = [llvm_tool("clang"), *program.link_before, *objects, "-o", str(exe), *program.link_after]
        link = run_process([*command, "-lm"], text=True)
        if link.returncode != 0:
            raise CompilerLMError(f"link failed: {link_error_line(link.stderr)}")
    return exe


@dataclass(frozen=True)
class LinkedSizes:
    """The linked executable's allocated bytes (and `.text`) built at -Oz and with the tuned pipelines: what a
    user ships. `error` says why there are none (an IR program, a link that fails)."""

    program: str
    size_oz: int | None = None
    text_oz: int | None = None
    size: int | None = None
    text: int | None = None
    error: str = ""
    fell_back: int | None = None  # the tuned executable's bytes when it was larger than -Oz's, so -Oz ships

    @property
    def improvement(self) -> float | None:
        return 1 - self.size / self.size_oz if self.size and self.size_oz else None


def linked_sizes(
    program: Program, modules: Sequence[IRModule], pipelines: Mapping[str, str], out: Path | None = None
) -> LinkedSizes:
    """Link the program at -Oz and tuned and measure both (`toolchain.objsize`: allocated sections, `.text`);
    with `out`, the two executables stay there as `NAME` (tuned) and `NAME.Oz` (`names.file_name`: a compile
    database's program name is not checked)."""
    if not program.is_c:
        return LinkedSizes(program.name, error="IR program: nothing to link")
    with tempfile.TemporaryDirectory(prefix="compilerlm-linked-") as tmp:
        folder = out if out is not None else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        exe = folder / file_name(program.name)
        try:
            oz = object_size(link_executable(program, modules, {}, exe.with_name(f"{exe.name}.Oz")).read_bytes())
            tuned = object_size(link_executable(program, modules, pipelines, exe).read_bytes())
        except CompilerLMError as exc:
            return LinkedSizes(program.name, error=str(exc))
    return LinkedSizes(program.name, oz.size, oz.text, tuned.size, tuned.text)


def verify_program(
    program: Program, modules: Sequence[IRModule], pipelines: Mapping[str, str], timeout: float = TEST_TIMEOUT
) -> Verification:
    """Build `program` with pipelines[module.name] per module (default<Oz> when absent) and run its tests."""
    if not program.tests:
        return Verification(False, "no tests: nothing to run, size not verified")
    if not program.is_c:
        return Verification(False, "IR program: cannot be linked and run")
    with tempfile.TemporaryDirectory(prefix="compilerlm-verify-") as tmp:
        exe = Path(tmp) / "prog"
        try:
            link_executable(program, modules, pipelines, exe)
        except CompilerLMError as exc:
            return Verification(False, str(exc))
        return verify_executable(program, exe, timeout)


def verify_executable(program: Program, exe: Path, timeout: float = TEST_TIMEOUT) -> Verification:
    """Run the program's tests on a built executable (confined), stopping at the first failure; a shared
    library's tests run its driver linked with it (`programs.library`)."""
    if not program.tests:
        return Verification(False, "no tests: nothing to run, size not verified")
    if not program.library:
        return _run_tests(program, exe, timeout)
    with tempfile.TemporaryDirectory(prefix="compilerlm-driver-") as tmp:
        try:
            driver, libraries = library_driver(program, exe, Path(tmp))
        except CompilerLMError as exc:
            return Verification(False, str(exc))
        return _run_tests(program, driver, timeout, libraries)


def _run_tests(
    program: Program, exe: Path, timeout: float, libraries: Mapping[str, Path] | None = None
) -> Verification:
    limits = Limits(wall_seconds=timeout, cpu_seconds=max(1, math.ceil(timeout)))
    emulator = emulator_for(program.machine)  # a binary for another machine runs under its qemu-user
    runs = run_tests(exe, program.tests, limits, stop_at_first_failure=True, libraries=libraries, emulator=emulator)
    for n, run in enumerate(runs, 1):
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
