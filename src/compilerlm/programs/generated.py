"""Generated programs for training data: csmith C programs (self-checking) and llvm-stress IR modules.

Both are made on demand, with explicit seeds, into the cache (`compilerlm.cache.cache_dir`), so a suite
spec like `csmith:20:7` names the same programs on every machine.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from compilerlm.cache import cache_dir
from compilerlm.errors import CompilerLMError, ToolMissingError, ToolTimeout
from compilerlm.parallel import run_process
from compilerlm.programs.program import Program, TestCase
from compilerlm.toolchain.locate import llvm_tool, system_tool

if TYPE_CHECKING:
    import subprocess

CSMITH_INCLUDE = "/usr/include/csmith"
CSMITH_RUN_TIMEOUT = 5.0  # seconds; csmith sometimes writes programs that barely terminate
CSMITH_OPTIONS = ("--max-funcs", "6", "--max-expr-complexity", "6")


def _oracle_output(source: Path, flags: list[str]) -> bytes | None:
    """stdout of the -O0 build, or None when the program does not finish cleanly in time."""
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(tmp) / "prog"
        build = run_process([llvm_tool("clang"), "-O0", "-w", *flags, str(source), "-o", str(exe)])
        if build.returncode != 0:
            return None
        try:  # a program that barely terminates is stopped with anything it started (its process group)
            run = run_process([exe], timeout=CSMITH_RUN_TIMEOUT, cwd=tmp)
        except ToolTimeout:
            return None
        return run.stdout if run.returncode == 0 else None


def _checked(res: subprocess.CompletedProcess[bytes]) -> None:
    """A generator that failed is a one-line error with its command and last stderr line."""
    if res.returncode != 0:
        lines = res.stderr.decode(errors="replace").strip().splitlines()
        raise CompilerLMError(
            f"{' '.join(map(str, res.args))} failed (exit code {res.returncode})" + (f": {lines[-1]}" if lines else "")
        )


def csmith_programs(count: int, seed: int = 1) -> list[Program]:
    """`count` csmith programs from consecutive seeds, skipping seeds whose program hangs or crashes.
    Each has one test: empty stdin, expected output = the -O0 build's checksum line."""
    csmith = system_tool("csmith")
    if not Path(CSMITH_INCLUDE, "csmith.h").exists():
        raise ToolMissingError(
            f"csmith headers not found in {CSMITH_INCLUDE}; install them: sudo apt-get install libcsmith-dev"
        )
    out_dir = cache_dir("csmith").absolute()  # absolute: csmith runs in a scratch folder
    out_dir.mkdir(exist_ok=True)
    flags = [f"-I{CSMITH_INCLUDE}"]
    programs: list[Program] = []
    s = seed
    while len(programs) < count:
        if s > seed + 10 * count + 20:
            raise CompilerLMError(f"csmith produced too few usable programs from seed {seed}; try another seed")
        src = out_dir / f"seed{s}.c"
        expected_file = src.with_suffix(".out")
        if not src.exists():
            tmp = src.with_suffix(".tmp")
            # csmith writes platform.info into its working directory: keep it out of the user's
            with tempfile.TemporaryDirectory(prefix="compilerlm-csmith-") as scratch:
                _checked(run_process([csmith, "--seed", str(s), *CSMITH_OPTIONS, "-o", str(tmp)], cwd=scratch))
            tmp.replace(src)
        if not expected_file.exists():
            output = _oracle_output(src, flags)
            expected_file.write_bytes(output if output is not None else b"")
        expected = expected_file.read_bytes()
        if expected:
            programs.append(
                Program(
                    name=f"csmith-{s}",
                    sources=(src,),
                    include_dirs=(CSMITH_INCLUDE,),
                    tests=(TestCase("checksum", b"", expected),),
                    description=f"csmith --seed {s}",
                )
            )
        s += 1
    return programs


def llvm_stress_programs(count: int, seed: int = 1, size: int = 100) -> list[Program]:
    """`count` random IR modules from `llvm-stress -seed S -size N` (no tests: nothing to run)."""
    out_dir = cache_dir("llvm-stress")
    out_dir.mkdir(exist_ok=True)
    programs = []
    for s in range(seed, seed + count):
        path = out_dir / f"seed{s}-size{size}.ll"
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            _checked(run_process([llvm_tool("llvm-stress"), "-seed", str(s), "-size", str(size), "-o", str(tmp)]))
            tmp.replace(path)
        programs.append(
            Program(name=f"llvm-stress-{s}", sources=(path,), description=f"llvm-stress -seed {s} -size {size}")
        )
    return programs
