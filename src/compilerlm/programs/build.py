"""A program built as its build builds it: every translation unit compiled with its own flags in its own folder
(`CompileStep`), then one clang link. The standard builds, the whole-program bitcode, bless's oracle builds and a
library's test driver are all this, with other options; each caller words its own failure."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from compilerlm.errors import CompileError
from compilerlm.parallel import ThreadExecutor
from compilerlm.programs.program import CompileStep
from compilerlm.toolchain.frontend import pinned_env
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.run import first_error_line, link_error_line, run_tool

Failed = Callable[[str], str]  # the compiler's or linker's first error line -> the caller's one-line error


def compile_objects(
    steps: Sequence[CompileStep],
    options: Sequence[str],
    folder: Path,
    failed: Callable[[CompileStep, str], str],
    *,
    jobs: int = 1,
    debug: bool = False,
    prefix: str = "",
) -> list[Path]:
    """Each step compiled with `options` first (and its `-g` with `debug`) to `folder/PREFIXi-STEM.o`, in order;
    the first that does not compile is a CompileError worded by `failed(step, why)`."""
    clang = llvm_tool("clang")

    def one(i: int) -> Path:
        out = folder / f"{prefix}{i}-{Path(steps[i].name).stem}.o"
        command = steps[i].command(clang, options, out, debug=debug)
        res = run_tool(command, timeout=600, what="clang", cwd=steps[i].cwd, env=pinned_env())
        if res.returncode != 0:
            raise CompileError(failed(steps[i], first_error_line(res.stderr.decode(errors="replace"))))
        return out

    return ThreadExecutor(jobs).map(one, range(len(steps)), [s.name for s in steps])


def link_objects(
    objects: Sequence[Path | str],
    out: Path,
    failed: Failed,
    *,
    before: Sequence[str] = (),
    after: Sequence[str] = (),
    what: str = "the link",
) -> Path:
    """`clang BEFORE OBJECTS -o OUT AFTER -lm` (every size compilerlm reports is linked with libm); a link that
    fails is a CompileError worded by `failed(why)`."""
    cmd = [llvm_tool("clang"), *before, *map(str, objects), "-o", str(out), *after, "-lm"]
    res = run_tool(cmd, timeout=600, what=what)
    if res.returncode != 0:
        raise CompileError(failed(link_error_line(res.stderr.decode(errors="replace"))))
    return out
