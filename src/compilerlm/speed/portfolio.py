"""The compiler portfolio: assembly for one C program from several compiler configurations.

What a user without a model gets: gcc and clang at -O2/-O3, for this machine's CPU (``-march=native``),
with more unrolling, with the polyhedral loop optimizers (clang's Polly: tiling, interchange and fusion of loop
nests, with its strip-mining vectorizer; gcc's Graphite, ``-floop-nest-optimize``), and with profile-guided
optimisation trained on the visible tests only (hidden tests never shape a candidate). No option that may
change results (``-ffast-math`` and friends) is used: every configuration must compute what the C program
computes, and the tests check it does.

clang writes assembly for GNU as (``-fno-integrated-as``, no ``.addrsig``), so every candidate is built the
same way: ``gcc prog.s -o prog -lm``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from compilerlm.confined_tools import SourceView, run_build, source_view
from compilerlm.errors import CompileError, CompilerLMError, ToolMissingError
from compilerlm.programs.program import Program, TestCase
from compilerlm.sandbox import Limits, run_sandboxed
from compilerlm.toolchain.locate import llvm_tool, system_tool

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
        "clang -O3 -march=native -mllvm -polly -mllvm -polly-vectorizer=stripmine",
        "gcc -O3 -march=native -floop-nest-optimize",
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


def _compile(
    config: CompilerConfig,
    program: Program,
    view: SourceView,
    args: Sequence[str],
    work: Path,
    files: dict[str, Path],
    collect: str,
) -> Path:
    """One confined compiler run; returns the collected output or raises CompileError."""
    extra = ("-fno-integrated-as", "-fno-addrsig") if config.compiler == "clang" else ()
    argv = [_tool(config.compiler), *config.flags, *extra, *view.flags, *args]
    run = run_build(argv, files, work, collect=[collect], timeout=COMPILE_TIMEOUT, read_only=view.read_only)
    if not run.ok or collect not in run.outputs:
        raise CompileError(f"{config.name} failed on {program.sources[0].name}: {run.error()}")
    return run.outputs[collect]


def compile_assembly(program: Program, config: CompilerConfig, training: Sequence[TestCase] = ()) -> str:
    """The assembly ``config`` makes of the program's single C file. PGO builds an instrumented binary, runs
    it on ``training`` (the visible tests), then compiles with the profile. Everything runs confined: the C
    code may come from a dataset, and its instrumented build is a program like any other; the profile
    files it writes come back from the sandbox's working directory as regular files only."""
    if len(program.sources) != 1 or not program.is_c:
        raise CompilerLMError(f"program {program.name}: the compiler portfolio takes single-file C programs")
    src = program.sources[0]
    view = source_view(program, src)
    with tempfile.TemporaryDirectory(prefix="compilerlm-cc-") as tmp:
        work = Path(tmp)
        files = {"prog.c": src}  # one fixed name: profile files are named after it in both phases
        use: list[str] = []
        if config.pgo:
            if not training:
                raise CompileError(f"{config.name}: no visible test to train the profile on")
            use, profile = _train_profile(program, config, view, work, training)
            files |= profile
        out = _compile(config, program, view, [*use, "-S", "prog.c", "-o", "prog.s"], work, files, "prog.s")
        return out.read_text(errors="surrogateescape")


def _train_profile(
    program: Program, config: CompilerConfig, view: SourceView, work: Path, training: Sequence[TestCase]
) -> tuple[list[str], dict[str, Path]]:
    """(flags for the final compile, profile files it needs). gcc accumulates counts in prog.gcda across
    runs (handed back in for each); clang writes default.profraw per run, merged by llvm-profdata."""
    if config.compiler == "gcc":
        gen = ["-fprofile-generate", "-fprofile-update=single"]
        use = ["-fprofile-use", "-fprofile-partial-training", "-Wno-missing-profile"]
    else:
        gen, use = ["-fprofile-instr-generate"], ["-fprofile-instr-use=prog.profdata"]
    obj = _compile(
        config, program, view, [*gen, "-c", "prog.c", "-o", "prog.o"], work, {"prog.c": program.sources[0]}, "prog.o"
    )
    link = run_build(
        [_tool(config.compiler), *gen, "prog.o", "-o", "instrumented", "-lm", *program.ldflags],
        {"prog.o": obj},
        work,
        collect=["instrumented"],
        timeout=COMPILE_TIMEOUT,
    )
    if not link.ok or "instrumented" not in link.outputs:
        raise CompileError(f"{config.name}: linking the instrumented build failed: {link.error()}")
    limits = Limits(cpu_seconds=int(TRAINING_TIMEOUT), wall_seconds=TRAINING_TIMEOUT)
    profile: dict[str, Path] = {}
    raws: dict[str, Path] = {}
    for i, test in enumerate(training):
        out = work / f"run-{i}"
        out.mkdir()
        res = run_sandboxed(
            link.outputs["instrumented"],
            test.stdin,
            limits,
            args=test.args,
            files={**dict(test.files), **profile},
            collect=["*.gcda", "*.profraw"],
            collect_to=out,
        )
        if res.status in ("timeout", "cpu-limit", "sandbox-error"):
            raise CompileError(f"{config.name}: the instrumented build failed on test {test.name}: {res.detail}")
        if config.compiler == "gcc":
            profile = {name: out / name for name in res.collected if name.endswith(".gcda")}
        elif "default.profraw" in res.collected:
            raws[f"run-{i}.profraw"] = out / "default.profraw"
    if config.compiler == "gcc":
        return use, profile
    if not raws:
        raise CompileError(f"{config.name}: the instrumented build wrote no profile")
    try:
        profdata = llvm_tool("llvm-profdata")
    except ToolMissingError as exc:
        raise CompileError(f"{config.name}: {exc}") from exc
    merged = run_build([profdata, "merge", "-o", "prog.profdata", *sorted(raws)], raws, work, collect=["prog.profdata"])
    if not merged.ok or "prog.profdata" not in merged.outputs:
        raise CompileError(f"{config.name}: llvm-profdata failed: {merged.error()}")
    return use, {"prog.profdata": merged.outputs["prog.profdata"]}
