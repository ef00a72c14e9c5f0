"""Which functions a program's tests execute: "verified" must mean the tests ran the code.

A module whose functions no test calls passes every test whatever its pipeline did to it, so its size would be
reported as verified with nothing checked. The program is built once more from the same unoptimized IR with
LLVM's IR-level instrumentation (`opt -passes=pgo-instr-gen,instrprof`, linked with clang's profile runtime),
its tests run confined as always (each writes `default.profraw` in its own working directory, collected), and
`llvm-profdata` says each function's entry count. Local functions are told apart by their module's
`source_filename`, as the instrumentation names them (`file.c;name`).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from compilerlm.errors import CompilerLMError
from compilerlm.programs.library import library_driver
from compilerlm.programs.program import Program
from compilerlm.programs.testing import test_files, test_limits
from compilerlm.sandbox import Limits, run_sandboxed
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.run import first_error_line, link_error_line, run_tool
from compilerlm.toolchain.subprocess_path import LLC_FLAGS, OPT_FLAGS

INSTRUMENT = "pgo-instr-gen,instrprof"
_DEFINE = re.compile(r'^define [^@]*@("(?:[^"\\]|\\.)*"|[-\w.$]+)\(', re.MULTILINE)
_SOURCE = re.compile(r'^source_filename = "((?:[^"\\]|\\.)*)"', re.MULTILINE)
_LOCAL = re.compile(r"^define (?:internal|private) ")


@dataclass(frozen=True)
class ModuleCoverage:
    """Of a module's defined functions, how many some test entered."""

    functions: int
    executed: int

    @property
    def reached(self) -> bool:
        """Whether any test ran its code (a module without functions has no code to run: it counts as reached)."""
        return self.executed > 0 or self.functions == 0

    def note(self) -> str:
        return f"no test executes its code (0 of {self.functions} functions)"


def defined_functions(module: IRModule) -> list[str]:
    """The names the instrumentation gives the module's function definitions (`file;name` for local ones)."""
    source = _SOURCE.search(module.ir)
    prefix = source.group(1) if source else module.name
    out = []
    for line in module.ir.splitlines():
        if not line.startswith("define "):
            continue
        found = _DEFINE.match(line)
        if found is None:
            continue
        name = found.group(1).strip('"')
        out.append(f"{prefix};{name}" if _LOCAL.match(line) else name)
    return out


def _instrumented_object(module: IRModule, folder: Path, i: int) -> Path:
    opt = run_tool(
        [llvm_tool("opt"), *OPT_FLAGS, f"-passes={INSTRUMENT}", "-", "-o", "-"],
        input=module.ir.encode(),
        timeout=600,
        what="opt (instrumentation)",
    )
    if opt.returncode != 0:
        raise CompilerLMError(f"{module.name}: instrumentation failed: {first_error_line(opt.stderr.decode())}")
    obj = folder / f"m{i}.o"
    llc = run_tool([llvm_tool("llc"), *LLC_FLAGS, "-", "-o", str(obj)], input=opt.stdout, timeout=600, what="llc")
    if llc.returncode != 0:
        raise CompilerLMError(f"{module.name}: instrumented build failed: {first_error_line(llc.stderr.decode())}")
    return obj


def executed_functions(profdata: Path) -> set[str]:
    """The functions some run entered (`llvm-profdata show --covered`: one name a line)."""
    res = run_tool([llvm_tool("llvm-profdata"), "show", "--covered", str(profdata)], what="llvm-profdata")
    if res.returncode != 0:
        raise CompilerLMError(f"llvm-profdata show failed: {first_error_line(res.stderr.decode())}")
    return {line.strip() for line in res.stdout.decode(errors="replace").splitlines() if line.strip()}


def module_coverage(
    program: Program,
    modules: Sequence[IRModule],
    limits: Limits = Limits(),  # noqa: B008  (frozen)
) -> dict[str, ModuleCoverage]:
    """Per module name, how many of its functions the program's tests enter. CompilerLMError when the
    instrumented program cannot be built or no test writes a profile."""
    with tempfile.TemporaryDirectory(prefix="compilerlm-coverage-") as tmp:
        folder = Path(tmp)
        objects = [str(_instrumented_object(m, folder, i)) for i, m in enumerate(modules)]
        exe = folder / "prog"
        link = run_tool(
            [llvm_tool("clang"), "-fprofile-instr-generate", *objects, "-o", str(exe), *program.ldflags, "-lm"],
            timeout=600,
            what="the instrumented link",
        )
        if link.returncode != 0:
            raise CompilerLMError(f"instrumented link failed: {link_error_line(link.stderr.decode())}")
        libraries = None
        if program.library:  # the tests run the driver, with the instrumented library
            exe, libraries = library_driver(program, exe, folder / "driver")
        raws = []
        for i, test in enumerate(program.tests):
            out = folder / f"run-{i}"
            out.mkdir()
            files = test_files(test) or None
            run_sandboxed(
                exe,
                test.stdin,
                test_limits(test, limits),
                args=test.args,
                files=files,
                collect=["default.profraw"],
                collect_to=out,
                libraries=libraries,
            )
            if (out / "default.profraw").is_file():
                raws.append(str(out / "default.profraw"))
        if not raws:
            raise CompilerLMError("no test of the instrumented program wrote a profile")
        merged = folder / "merged.profdata"
        res = run_tool([llvm_tool("llvm-profdata"), "merge", "-o", str(merged), *raws], what="llvm-profdata")
        if res.returncode != 0:
            raise CompilerLMError(f"llvm-profdata merge failed: {first_error_line(res.stderr.decode())}")
        executed = executed_functions(merged)
    out_map = {}
    for module in modules:
        names = defined_functions(module)
        out_map[module.name] = ModuleCoverage(len(names), sum(n in executed for n in names))
    return out_map
