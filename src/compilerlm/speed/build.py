"""Building for the speed track: the baseline assembly (``gcc -O3 -S``), the -O0 oracle, and a candidate
(``gcc x.s -o x -lm``, docs/design.md's definition of a build).

Trust: model text and dataset code are untrusted. Every gcc/as/ld run on them is confined
(``confined_tools.py``): the assembler reads host files for ``.incbin``/``.include``, however they are
spelled, and the C compiler does for ``#include``, so each sees only the toolchain and its inputs.
``forbidden_directive`` is only a fast first reject with a clear message.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from compilerlm.confined_tools import BUILD_TIMEOUT, ToolRun, run_build, source_view
from compilerlm.errors import CompileError, CompilerLMError
from compilerlm.programs.program import Program
from compilerlm.toolchain.locate import system_tool


def single_c_source(program: Program) -> Path:
    """The program's one C file; anything else is a CompilerLMError (the speed track takes single-file C)."""
    if len(program.sources) != 1 or not program.is_c:
        kinds = ", ".join(s.name for s in program.sources)
        raise CompilerLMError(
            f"program {program.name} has {len(program.sources)} source file(s) ({kinds}); the asm task takes "
            "single-file C programs (one .s file in, one out): pick a one-file program"
        )
    return program.sources[0]


def _gcc_on_source(program: Program, args: Sequence[str], out_dir: Path, collect: Sequence[str] = ()) -> ToolRun:
    """gcc on the program's single C file, confined (a dataset's C code is untrusted: ``#include`` and inline
    ``.incbin`` read host files at compile time)."""
    src = single_c_source(program)
    view = source_view(program, src)
    argv = [system_tool("gcc"), *args[:1], *view.flags, *args[1:]]
    return run_build(argv, view.files, out_dir, collect=collect, read_only=view.read_only)


def baseline_assembly(program: Program, level: str = "-O3") -> str:
    """``gcc -O3 -S`` of a single-file C program with its flags (the file alone in the build's directory, so
    ``.file`` names only the file, as SuperCoder's ``temp.c`` does, and no host path leaks into the prompt)."""
    src = single_c_source(program)
    with tempfile.TemporaryDirectory(prefix="compilerlm-baseline-") as tmp:
        run = _gcc_on_source(program, [level, "-S", src.name, "-o", "-"], Path(tmp))
    if not run.ok:
        raise CompileError(f"gcc {level} -S failed on {src}: {run.error()}")
    return run.stdout


def build_oracle(program: Program, out: Path) -> Path:
    """The program's own ``gcc -O0`` build: the trusted reference for inputs that have no expected output."""
    src = single_c_source(program)
    run = _gcc_on_source(program, ["-O0", src.name, "-o", "oracle", "-lm", *program.ldflags], out.parent, ["oracle"])
    if not run.ok or "oracle" not in run.outputs:
        raise CompileError(f"gcc -O0 failed on {src}: {run.error()}")
    if run.outputs["oracle"] != out:
        run.outputs["oracle"].replace(out)
    return out


@dataclass(frozen=True)
class BuildResult:
    """How assembling and linking one candidate went; ``error`` is one line (for reports and repair prompts)."""

    ok: bool
    binary: Path | None
    error: str = ""
    seconds: float = 0.0


_FORBIDDEN = re.compile(r"(?:^|[\s;:])\.(incbin|include)\b", re.I | re.M)
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def forbidden_directive(asm_text: str) -> str | None:
    """``.incbin``/``.include`` (outside strings): a fast first reject with a clear message. Not the defence:
    macros, ``.irp`` and quoting tricks get past any such filter, so the build itself is confined."""
    m = _FORBIDDEN.search(_STRING.sub('""', asm_text))
    return f".{m.group(1).lower()}" if m else None


def build_candidate(
    asm_text: str, workdir: Path, name: str = "candidate", ldflags: Sequence[str] = (), timeout: float = BUILD_TIMEOUT
) -> BuildResult:
    """``gcc name.s -o name -lm`` (docs/design.md's definition of a build), confined, with a timeout; the binary
    lands in ``workdir``."""
    start = time.perf_counter()
    workdir.mkdir(parents=True, exist_ok=True)
    if bad := forbidden_directive(asm_text):
        return BuildResult(False, None, f"directive {bad} is not allowed (it reads files at assembly time)")
    text = asm_text.encode(errors="surrogateescape")
    argv = [system_tool("gcc"), f"{name}.s", "-o", name, "-lm", *ldflags]
    run = run_build(argv, {f"{name}.s": text}, workdir, collect=[name], timeout=timeout)
    seconds = time.perf_counter() - start
    if run.status == "timeout":
        return BuildResult(False, None, f"assembler/linker timed out after {timeout:g} s", seconds)
    if not run.ok or name not in run.outputs:
        return BuildResult(False, None, _one_line(run.error()), seconds)
    return BuildResult(True, run.outputs[name], "", seconds)


def _one_line(msg: str) -> str:
    return msg if len(msg) <= 300 else msg[:297] + "..."
