"""Whole-program size: the program as lld's full LTO optimises it, linked with a chosen link-time pipeline.

A developer who cares about size builds with `-Oz -flto` and links with lld; lld merges the bitcode of every
unit, resolves symbols, internalises what nothing outside uses, then runs one pipeline on the merged module
(`default<O2>` unless `--lto-newpm-passes` names another) and generates code with a section per function and
datum. `WholeProgram` is that merged module after internalisation (lld's `--save-temps` `.0.2.internalize.bc`,
the exact input of the pipeline), carrying the unit bitcode it came from; `LtoEvaluator` sizes a pipeline by
doing the real link with it, so the size a search reports is the executable that the shipped flags build:
cflags `-Oz -flto`, ldflags `lto_ldflags(pipeline)`. The bitcode travels with the module (bytes, not paths),
so a Ray worker can link it too.
"""

from __future__ import annotations

import hashlib
import json
import shlex
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from compilerlm.errors import CompileError, CompilerLMError, PipelineError, ToolMissingError, ToolTimeout
from compilerlm.toolchain.evaluation import Evaluation, failure
from compilerlm.toolchain.evaluator import Evaluator, Job, OnResult, evaluate_in_threads
from compilerlm.toolchain.locate import LLVM_MAJOR, llvm_tool
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.objsize import object_size
from compilerlm.toolchain.pipelines import normalize
from compilerlm.toolchain.run import first_error_line, link_error_line, run_tool

LTO_CFLAGS = ("-Oz", "-flto")
"""How every unit is compiled for the whole-program route: what `cflags` ships."""
GC_LDFLAGS = ("-Xlinker", "--gc-sections")
LTO_LIBRARY = ("lto<O2>", "lto<Oz>", "default<Oz>")
"""Where a whole-program search starts: lld's own link-time pipeline (clang gives it O2 whatever -O the build
used), at Oz, and clang's -Oz pipeline, so that no search begins behind the standard LTO build."""


LINK_OPTIONS: dict[str, tuple[str, ...]] = {
    "merge-string-tails": ("-Wl,-O2",),  # lld -O2: a string that ends another shares its bytes (C allows it)
    "icf-safe": ("-Wl,--icf=safe",),  # identical functions folded, except those whose address is taken
    "relr": ("-Wl,-z,pack-relative-relocs",),  # PIE relative relocations packed (DT_RELR: glibc 2.36 or later)
}
"""Link options that change no code's meaning and often make the linked program smaller; the whole-program
search tries each on its result (`search.whole_program.choose_link_options`) and ships those that pay."""


def link_option_flags(options: Sequence[str]) -> list[str]:
    """The flags of named `LINK_OPTIONS`, in the table's order; an unknown name is a CompilerLMError."""
    unknown = sorted(set(options) - set(LINK_OPTIONS))
    if unknown:
        raise CompilerLMError(f"unknown link option {unknown[0]!r}: choose from {', '.join(LINK_OPTIONS)}")
    return [flag for name, flags in LINK_OPTIONS.items() if name in options for flag in flags]


def lto_ldflags(pipeline: str, options: Sequence[str] = ()) -> list[str]:
    """The link flags that run `pipeline` on the merged module: lld, unused sections dropped, the pipeline as
    lld's PassBuilder parses it (wrapped in `module(...)` so that a first pass of another level still parses;
    given through -Xlinker because -Wl, would split it at its commas), then the named `LINK_OPTIONS`. The empty
    pipeline is lld at --lto-O0."""
    text = normalize(pipeline)
    passes = ["-Xlinker", f"--lto-newpm-passes=module({text})"] if text else ["-Xlinker", "--lto-O0"]
    return ["-fuse-ld=lld", *GC_LDFLAGS, *passes, *link_option_flags(options)]


@dataclass(frozen=True)
class WholeProgram(IRModule):
    """The merged, internalised module of a program (`ir`), with the unit bitcode objects it came from and the
    program's own link flags; `key` covers all three, since the same IR linked otherwise is another size."""

    objects: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)  # (file name, bitcode)
    ldflags: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        digest = hashlib.sha256(b"whole-program\0")
        digest.update(json.dumps(self.ldflags).encode())
        for name, data in self.objects:
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        digest.update(self.ir.encode())
        return digest.hexdigest()[:32]

    def link(self, pipeline: str, exe: Path, timeout: float = 120.0, options: Sequence[str] = ()) -> Path:
        """`exe`: the program linked with `pipeline` at link time and the named `LINK_OPTIONS`. CompilerLMError
        (PipelineError, ToolTimeout, LLVMCrash, CompileError) says why not."""
        flags = lto_ldflags(pipeline, options)  # checks the pipeline before anything runs
        with tempfile.TemporaryDirectory(prefix="compilerlm-lto-") as tmp:
            objects = _write_objects(self.objects, Path(tmp))
            cmd = [llvm_tool("clang"), *flags, *objects, "-o", str(exe), *self.ldflags, "-lm"]
            res = run_tool(cmd, timeout=timeout, what="the LTO link")
        if res.returncode != 0:
            raise CompileError(f"LTO link failed: {link_error_line(res.stderr.decode(errors='replace'))}")
        return exe

    def link_command(self, pipeline: str, objects: Sequence[str], exe: str) -> str:
        """The shell command line a build runs for this link (objects as the build names them)."""
        return shlex.join(["clang", *lto_ldflags(pipeline), *objects, "-o", exe, *self.ldflags, "-lm"])


def require_lld() -> str:
    """ld.lld beside clang (where `clang -fuse-ld=lld` looks first), or a one-line ToolMissingError."""
    try:
        return llvm_tool("ld.lld")
    except ToolMissingError:
        raise ToolMissingError(
            f"lld {LLVM_MAJOR} not found (whole-program builds link with it); install it with: "
            f"sudo apt-get install lld-{LLVM_MAJOR}"
        ) from None


def _write_objects(objects: Sequence[tuple[str, bytes]], folder: Path) -> list[str]:
    paths = []
    for i, (name, data) in enumerate(objects):
        path = folder / f"{i}-{Path(name).stem}.o"  # .o: clang takes it by its suffix
        path.write_bytes(data)
        paths.append(str(path))
    return paths


def merge_program(name: str, objects: Sequence[tuple[str, bytes]], ldflags: Sequence[str] = ()) -> WholeProgram:
    """The module lld's LTO would optimise for these bitcode objects: one link with `--save-temps`, its
    internalised module read back as text."""
    require_lld()
    with tempfile.TemporaryDirectory(prefix="compilerlm-merge-") as tmp:
        folder = Path(tmp)
        paths = _write_objects(objects, folder)
        exe = folder / "merged"
        cmd = [llvm_tool("clang"), "-fuse-ld=lld", "-Xlinker", "--save-temps", *paths, "-o", str(exe), *ldflags, "-lm"]
        res = run_tool(cmd, timeout=600, what="the LTO link", cwd=folder)
        if res.returncode != 0:
            raise CompileError(f"{name}: LTO link failed: {link_error_line(res.stderr.decode(errors='replace'))}")
        merged = folder / "merged.0.2.internalize.bc"
        if not merged.is_file():
            raise CompilerLMError(f"{name}: lld wrote no merged module (are the objects bitcode, built with -flto?)")
        dis = run_tool([llvm_tool("llvm-dis"), str(merged), "-o", "-"], what="llvm-dis")
        if dis.returncode != 0:
            raise CompileError(f"{name}: cannot read the merged module: {first_error_line(dis.stderr.decode())}")
    origin = "lld full LTO after symbol resolution and internalisation of clang -Oz -flto units"
    module_name = f"{name}/<whole-program>"
    # the first line names lld's temporary file: name the module instead, so that its key is the same every run
    _, _, rest = dis.stdout.decode().partition("\n")
    return WholeProgram(module_name, f"; ModuleID = '{module_name}'\n{rest}", origin, tuple(objects), tuple(ldflags))


class LtoEvaluator(Evaluator):
    """Sizes a pipeline on a `WholeProgram` by linking it with that pipeline: the executable's allocated bytes
    with `--gc-sections` (`objsize`). Links run as processes, in threads."""

    name = "lto"
    linked = True

    def evaluate_many(
        self, jobs: Sequence[Job], *, count_instructions: bool = False, on_result: OnResult | None = None
    ) -> list[Evaluation]:
        def one(module: IRModule, pipeline: str) -> Evaluation:
            if not isinstance(module, WholeProgram):
                return failure(pipeline, "invalid-ir", f"{module.name} is one unit, not a whole program (tune --lto)")
            try:
                text = normalize(pipeline)
                with tempfile.TemporaryDirectory(prefix="compilerlm-lto-eval-") as tmp:
                    size = object_size(module.link(text, Path(tmp) / "prog", self.timeout).read_bytes())
            except PipelineError as exc:
                return failure(pipeline, "pipeline", str(exc))
            except ToolTimeout as exc:
                return failure(pipeline, "timeout", str(exc))
            except CompileError as exc:
                return failure(pipeline, "codegen", str(exc))
            except CompilerLMError as exc:
                return failure(pipeline, "crash", str(exc))
            return Evaluation(pipeline=text, size=size.size, text_size=size.text)

        return evaluate_in_threads(jobs, one, self.jobs, on_result)
