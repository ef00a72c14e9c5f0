"""The compiler portfolio: assembly for one C program from several compiler configurations.

What a user without a model gets: gcc and clang at -O2/-O3, for this machine's CPU (``-march=native``),
with more unrolling, and with profile-guided optimisation trained on the visible tests only (hidden tests
never shape a candidate). No option that may change results (``-ffast-math`` and friends) is used: every
configuration must compute what the C program computes, and the tests check it does.

clang writes assembly for GNU as (``-fno-integrated-as``, no ``.addrsig``), so every candidate is built the
same way: ``gcc prog.s -o prog -lm``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from compilerlm.errors import CompileError, CompilerLMError, ToolMissingError
from compilerlm.programs.program import Program, TestCase
from compilerlm.toolchain.locate import llvm_tool, system_tool
from compilerlm.toolchain.run import first_error_line

COMPILE_TIMEOUT = 120.0
TRAINING_TIMEOUT = 60.0  # per visible test, for the instrumented (PGO) build


@dataclass(frozen=True)
class CompilerConfig:
    """One way to compile: ``name`` is what results report (``config``)."""

    name: str
    compiler: str  # "gcc" | "clang"
    flags: tuple[str, ...]
    pgo: bool = False


def _config(text: str) -> CompilerConfig:
    compiler, *flags = text.replace(" +pgo", "").split()
    return CompilerConfig(text, compiler, tuple(flags), pgo=text.endswith("+pgo"))


PORTFOLIO: tuple[CompilerConfig, ...] = tuple(
    _config(t)
    for t in (
        "gcc -O2",
        "gcc -O3 -march=native",
        "gcc -O3 -funroll-loops",
        "gcc -O3 -march=native -funroll-loops",
        "gcc -O3 +pgo",
        "gcc -O3 -march=native +pgo",
        "clang -O2",
        "clang -O3",
        "clang -O3 -march=native",
        "clang -O3 +pgo",
        "clang -O3 -march=native +pgo",
    )
)
CONFIG_NAMES = tuple(c.name for c in PORTFOLIO)


def portfolio(names: Sequence[str] | None = None) -> tuple[CompilerConfig, ...]:
    """The configurations named (all by default); an unknown name is an error that lists the known ones."""
    if not names:
        return PORTFOLIO
    by_name = {c.name: c for c in PORTFOLIO}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise CompilerLMError(f"unknown compiler configuration {unknown[0]!r}: choose from {', '.join(CONFIG_NAMES)}")
    return tuple(by_name[n] for n in names)


def _tool(compiler: str) -> str:
    return system_tool("gcc") if compiler == "gcc" else llvm_tool("clang")


def _run(argv: Sequence[str], cwd: Path, timeout: float, stdin: bytes = b"", env: dict | None = None) -> tuple:
    """(return code or None on timeout, stderr); the process group dies on a timeout."""
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env=env,
    )
    try:
        _, err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None, b""
    return proc.returncode, err


def _compile(config: CompilerConfig, program: Program, src: Path, args: Sequence[str], cwd: Path) -> None:
    extra = ("-fno-integrated-as", "-fno-addrsig") if config.compiler == "clang" else ()
    argv = [_tool(config.compiler), *config.flags, *extra, *program.flags, *args]
    code, err = _run(argv, cwd, COMPILE_TIMEOUT)
    if code != 0:
        why = "timed out" if code is None else first_error_line(err.decode(errors="replace"))
        raise CompileError(f"{config.name} failed on {src.name}: {why}")


def compile_assembly(program: Program, config: CompilerConfig, training: Sequence[TestCase] = ()) -> str:
    """The assembly ``config`` makes of the program's single C file. PGO builds an instrumented binary, runs
    it on ``training`` (the visible tests: the program is the user's, trusted, so these runs are limited by
    a timeout but not sandboxed; the profile must reach this disk), then compiles with the profile."""
    if len(program.sources) != 1 or not program.is_c:
        raise CompilerLMError(f"program {program.name}: the compiler portfolio takes single-file C programs")
    src = program.sources[0]
    with tempfile.TemporaryDirectory(prefix="compilerlm-cc-") as tmp:
        work = Path(tmp)
        source = work / "prog.c"  # one fixed name: profile files are named after it in both phases
        source.write_bytes(src.read_bytes())
        use: list[str] = []
        if config.pgo:
            if not training:
                raise CompileError(f"{config.name}: no visible test to train the profile on")
            use = _train_profile(program, config, source, work, training)
        _compile(config, program, source, [*use, "-S", source.name, "-o", "prog.s"], work)
        return (work / "prog.s").read_text(errors="surrogateescape")


def _train_profile(
    program: Program, config: CompilerConfig, source: Path, work: Path, training: Sequence[TestCase]
) -> list[str]:
    profile = work / "profile"
    if config.compiler == "gcc":
        gen = [f"-fprofile-generate={profile}", "-fprofile-update=single"]
        use = [f"-fprofile-use={profile}", "-fprofile-partial-training", "-Wno-missing-profile"]
    else:
        gen, use = ["-fprofile-instr-generate"], [f"-fprofile-instr-use={work / 'prog.profdata'}"]
    _compile(config, program, source, [*gen, "-c", source.name, "-o", "prog.o"], work)
    link = [_tool(config.compiler), *gen, "prog.o", "-o", "instrumented", "-lm", *program.ldflags]
    code, err = _run(link, work, COMPILE_TIMEOUT)
    if code != 0:
        raise CompileError(f"{config.name}: linking the instrumented build failed: {first_error_line(err.decode())}")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LLVM_PROFILE_FILE": str(work / "run-%p.profraw")}
    for test in training:
        code, _ = _run([str(work / "instrumented")], work, TRAINING_TIMEOUT, test.stdin, env)
        if code is None:
            raise CompileError(f"{config.name}: the instrumented build timed out on test {test.name}")
    if config.compiler == "clang":
        raws = sorted(str(p) for p in work.glob("run-*.profraw"))
        if not raws:
            raise CompileError(f"{config.name}: the instrumented build wrote no profile")
        try:
            profdata = llvm_tool("llvm-profdata")
        except ToolMissingError as exc:
            raise CompileError(f"{config.name}: {exc}") from exc
        code, err = _run([profdata, "merge", "-o", "prog.profdata", *raws], work, COMPILE_TIMEOUT)
        if code != 0:
            raise CompileError(f"{config.name}: llvm-profdata failed: {first_error_line(err.decode())}")
    return use
