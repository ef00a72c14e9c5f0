"""C (and IR files) to the unoptimized IR that docs/design.md defines.

Unoptimized IR is `clang -Oz -Xclang -disable-llvm-passes -emit-llvm`: functions keep `minsize
optsize`, so every pipeline, including `default<Oz>`, starts from exactly what clang -Oz would.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path

from compilerlm.errors import CompileError, CompilerLMError
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.run import first_error_line, run_tool

# -fno-crash-diagnostics: a crash of the frontend writes no reproducer (the source and a script) to /tmp
FRONTEND_FLAGS = ("-Xclang", "-disable-llvm-passes", "-emit-llvm", "-S", "-fno-crash-diagnostics")


def pinned_env() -> dict[str, str]:
    """The environment of every compile of a program's C: `__DATE__`/`__TIME__` from SOURCE_DATE_EPOCH (the build's
    own when it sets one, else 0), so that a unit gives the same IR whenever it is compiled (tune, cc, the
    standard builds) and a source that embeds its build time is still found in tune results."""
    return {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "0")}


def frontend_mode(level: str = "Oz") -> str:
    """How the IR was made, as results record it."""
    return f"clang -{level} -Xclang -disable-llvm-passes -emit-llvm"


def c_flags(
    include_dirs: Sequence[str | Path] = (), defines: Sequence[str] = (), cflags: Sequence[str] = ()
) -> list[str]:
    """Command-line flags for include directories, `-D` defines and extra flags, in clang/gcc syntax."""
    flags = [f"-I{d}" for d in include_dirs]
    flags += [d if d.startswith("-D") else f"-D{d}" for d in defines]
    return flags + list(cflags)


def compile_c(
    source: Path,
    name: str,
    flags: Sequence[str] = (),
    level: str = "Oz",
    cwd: Path | None = None,
    spelled: str = "",
) -> IRModule:
    """One C (or C++) translation unit to unoptimized IR; invalid C raises CompileError with clang's first error.

    `level` is the frontend level: "Oz" (the definition; functions get minsize) or "O3", for the -O3
    baseline as `clang -O3 -c` builds it. `cwd`: the folder clang runs in (a compile database's entry
    `directory`, which its relative paths are relative to); `spelled`: the source as the build names it (relative
    to `cwd`), so `__FILE__` and the IR's file name are what the build's own compile gives."""
    if not source.exists():
        raise CompileError(f"C source {source} does not exist")
    cmd = [llvm_tool("clang"), f"-{level}", *FRONTEND_FLAGS, *flags, spelled or str(source), "-o", "-"]
    res = run_tool(cmd, timeout=300, what=f"clang on {source.name}", cwd=cwd, env=pinned_env())
    if res.returncode != 0:
        msg = first_error_line(res.stderr.decode(errors="replace"))
        raise CompileError(f"invalid C in {source}: {msg} (fix the source, or pass include dirs/defines)")
    return IRModule(name=name, ir=res.stdout.decode(), origin=frontend_mode(level))


@functools.cache
def clang_accepts(flag: str) -> bool:
    """Whether clang takes this driver flag (a gcc-only one, e.g. `-malign-data=abi` from a gcc build's compile
    database, makes clang refuse the whole unit): probed once per flag on an empty C file."""
    cmd = [llvm_tool("clang"), "-fsyntax-only", "-x", "c", flag, "/dev/null"]
    return run_tool(cmd, timeout=60, what=f"clang {flag}").returncode == 0


def syntax_error(source: Path, flags: Sequence[str] = (), cwd: Path | None = None) -> str | None:
    """clang's first error on a translation unit (`-fsyntax-only`, the -Oz frontend's flags), or None if it
    compiles: a cheap check before a unit is taken as a module."""
    if not source.exists():
        return f"{source} does not exist"
    cmd = [llvm_tool("clang"), "-Oz", "-fsyntax-only", *flags, str(source)]
    res = run_tool(cmd, timeout=300, what=f"clang on {source.name}", cwd=cwd)
    return first_error_line(res.stderr.decode(errors="replace")) if res.returncode != 0 else None


def load_ir(path: Path, name: str | None = None) -> IRModule:
    """A `.ll` or `.bc` file as a module, checked by the real IR parser (`llvm-as`/`llvm-dis`)."""
    if not path.exists():
        raise CompilerLMError(f"IR file {path} does not exist")
    if path.suffix == ".bc":
        res = run_tool([llvm_tool("llvm-dis"), str(path), "-o", "-"], what="llvm-dis")
        if res.returncode != 0:
            raise CompileError(f"invalid bitcode in {path}: {first_error_line(res.stderr.decode(errors='replace'))}")
        text = res.stdout.decode()
    else:
        text = path.read_text(errors="replace")
    check_ir(text, str(path))
    return IRModule(name=name or path.name, ir=text, origin="file")


def check_ir(ir: str, where: str) -> None:
    """Raise CompileError naming the first parse or verifier error of textual IR."""
    res = run_tool([llvm_tool("llvm-as"), "-", "-o", "/dev/null"], input=ir.encode(), what="llvm-as")
    if res.returncode != 0:
        msg = first_error_line(res.stderr.decode(errors="replace")).removeprefix("<stdin>:")
        raise CompileError(f"invalid LLVM IR in {where}: {msg}")
