"""Toolchain programs (gcc, clang, as, ld, llvm-mc, llc) on code we do not trust, confined like the binaries they make.

The assembler reads host files for the text it is given (``.incbin``, ``.include``, built through macros,
``.irp`` or ``.altmacro`` so that no filter can see it) and the C compiler does too (``#include``, inline
``asm(".incbin ...")`` in a dataset's C code). So every compile, assemble and link of model text or dataset
code runs in the sandbox (``run_tool_sandboxed``): the toolchain under /usr is visible, and besides it only
the run's own inputs in its working directory and the program's own folders read-only at /src/N. What a
build produces comes back by name, as regular files only.

Why a top-level module: both tracks need it (the speed track's builds in ``speed/``; llvm-mc and llc on
model text in ``tasks/common.py``), so it lives in neither of them. It cannot live in ``sandbox/`` either:
the sandbox knows nothing of programs or the toolchain (it imports only ``errors``), while this module
needs ``programs.program`` (include folders, flags) and ``toolchain`` (compiler flags, crash detection).
It sits above ``sandbox``, ``toolchain`` and ``programs`` and below ``tasks`` and ``speed``.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from compilerlm.errors import CompilerLMError, LLVMCrash, ToolTimeout
from compilerlm.programs.program import Program
from compilerlm.sandbox import Limits, run_tool_sandboxed
from compilerlm.toolchain.frontend import c_flags
from compilerlm.toolchain.run import describe_returncode, first_error_line, is_crash

BUILD_TIMEOUT = 60.0
BUILD_FILE_LIMIT = 256 << 20  # bytes an assembler/linker output may reach (a `.fill 1<<40` is a disk bomb)
BUILD_MEMORY_LIMIT = 4 << 30  # address space of gcc/as/ld (a nested `.rept` is a memory bomb)
BUILD_OUTPUT_LIMIT = 64 << 20  # bytes of stdout (``gcc -S -o -``) and of stderr a build may print


def build_limits(timeout: float = BUILD_TIMEOUT) -> Limits:
    """Limits for one confined build: its working directory holds the input and an output at the file cap."""
    return Limits(
        cpu_seconds=int(timeout) + 5,
        wall_seconds=timeout,
        address_space_bytes=BUILD_MEMORY_LIMIT,
        max_processes=32,
        open_files=256,
        file_size_bytes=BUILD_FILE_LIMIT,
        stdout_bytes=BUILD_OUTPUT_LIMIT,
        stderr_bytes=1 << 20,
        tmp_bytes=2 * BUILD_FILE_LIMIT + (64 << 20),
    )


@dataclass
class ToolRun:
    """One confined tool run. ``returncode`` is None when it did not finish (timeout, a limit, or the sandbox
    refused to run it: ``detail`` says which); ``outputs`` are the collected files, by name."""

    returncode: int | None
    stdout: str
    stderr: str
    status: str
    detail: str
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def error(self) -> str:
        """One line: the tool's own first error, else how the run ended."""
        if self.status == "timeout":
            return f"timed out ({self.detail})"
        if self.returncode is None or self.status not in ("ok", "exit-code"):
            return f"{self.status}: {self.detail}"
        return first_error_line(self.stderr) or f"exit code {self.returncode}"


def run_build(
    argv: Sequence[str],
    files: Mapping[str, Path | bytes],
    out_dir: Path,
    *,
    collect: Sequence[str] = (),
    timeout: float = BUILD_TIMEOUT,
    read_only: Sequence[Path] = (),
    env: Mapping[str, str] | None = None,
) -> ToolRun:
    """Run ``argv`` (``argv[0]`` an absolute toolchain path) confined in a directory holding ``files``; files
    matching ``collect`` land in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in collect:
        (out_dir / name).unlink(missing_ok=True)  # never mistake an old output for this run's
    res = run_tool_sandboxed(
        argv,
        limits=build_limits(timeout),
        files=files,
        collect=collect,
        collect_to=out_dir if collect else None,
        read_only=read_only,
        env=env,
    )
    code = res.exit_code if res.status in ("ok", "exit-code") else None
    outputs = {name: out_dir / name for name in res.collected}
    text = lambda b: b.decode(errors="replace")  # noqa: E731
    return ToolRun(code, text(res.stdout), text(res.stderr), res.status, res.detail, outputs)


@dataclass(frozen=True)
class SourceView:
    """A C program as a confined compiler sees it: the C file itself in the working directory (so ``.file``
    names only the file, as SuperCoder's ``temp.c`` does), its include folders read-only at /src/N, and
    flags that name them there."""

    files: dict[str, Path]
    read_only: tuple[Path, ...]
    flags: tuple[str, ...]


def source_view(program: Program, source: Path) -> SourceView:
    """How ``program``'s C file ``source`` and its include folders appear inside the sandbox (folders under
    /usr are there already; the others are copied to /src/N)."""
    folders: list[Path] = []
    includes: list[str] = []
    for d in program.include_dirs:
        folder = Path(d).resolve()
        if not folder.is_dir():
            continue
        if folder.is_relative_to("/usr"):
            includes.append(str(folder))
            continue
        if folder not in folders:
            folders.append(folder)
        includes.append(f"/src/{folders.index(folder)}")
    flags = tuple(c_flags(includes, program.defines, program.cflags))
    return SourceView({source.name: source}, tuple(folders), flags)


def run_tool_confined(
    cmd: Sequence[str], *, input: bytes = b"", timeout: float = 120.0, what: str = ""
) -> subprocess.CompletedProcess[bytes]:
    """``toolchain.run.run_tool`` for a tool reading model text on stdin (llvm-mc and llc read host files for
    ``.incbin``/``.include``, in assembly or in IR's ``module asm``): same results and errors, confined.
    A run the sandbox refuses raises CompilerLMError with the reason."""
    res = run_tool_sandboxed(cmd, input, build_limits(timeout))
    label = what or Path(cmd[0]).name
    if res.status in ("timeout", "cpu-limit"):
        raise ToolTimeout(f"{label} timed out after {timeout:g} s")
    if res.status == "sandbox-error":
        raise CompilerLMError(f"{label}: {res.detail}")
    code = -res.signal if res.signal else (res.exit_code if res.exit_code is not None else 1)
    stderr = (
        res.stderr if res.status in ("ok", "exit-code", "signal") else res.stderr + f"\nerror: {res.detail}".encode()
    )
    text = stderr.decode(errors="replace")
    if is_crash(code, text):
        raise LLVMCrash(f"{label} crashed ({describe_returncode(code)}): {first_error_line(text)}")
    return subprocess.CompletedProcess(list(cmd), code, res.stdout, stderr)
