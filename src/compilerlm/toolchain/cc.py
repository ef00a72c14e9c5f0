"""`compilerlm cc`: a drop-in C compiler that ships what `tune` found. `make CC="compilerlm cc --tuned
tune.json"` (or CMake's `CMAKE_C_COMPILER_LAUNCHER`) builds every translation unit that tune tuned with its
tuned pipeline, and every other invocation exactly as `clang -Oz` would.

A unit is recognised by the content of its unoptimized IR (`IRModule.content_key`: the IR without the lines
that name its file), not by its path: make and CMake name files their own way, and a file that changed since
tune ran is simply not found, so it falls back to -Oz with a note on stderr. With -g the unit is recognised by
its IR without debug info and built from its IR with it: the debug sections come along, the code is tuned.
A recognised unit is compiled with `toolchain.subprocess_path.compile_object` — the very opt | llc path that
measured its size during tune — so the object is byte for byte the one tune reported (its allocated sections,
with -g).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from compilerlm.errors import CompilerLMError
from compilerlm.parallel import run_process
from compilerlm.toolchain.cc_client import USAGE, split_options
from compilerlm.toolchain.frontend import FRONTEND_FLAGS, pinned_env
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.module import IRModule, content_key
from compilerlm.toolchain.run import first_error_line
from compilerlm.toolchain.subprocess_path import compile_object

_ARG_OPTIONS = {"-o", "-MF", "-MT", "-MQ", "-x", "-include", "-I", "-D", "-U", "-isystem", "-iquote", "-idirafter"}
"""Options whose value is the next argument."""
_NOT_A_COMPILE = {"-E", "-S", "-M", "-MM", "-emit-llvm", "-fsyntax-only", "--version", "-v", "-###"}
"""Any of these makes an invocation something other than compiling one C file to an object."""
_COMPILERS = ("cc", "gcc", "clang", "c99", "c11")


@dataclass(frozen=True)
class TunedUnit:
    name: str
    pipeline: str
    size: int


@dataclass
class TunedIndex:
    """The tuned modules of one or more tune JSON files, by content key."""

    units: dict[str, TunedUnit] = field(default_factory=dict)

    @classmethod
    def load(cls, paths: Sequence[Path | str]) -> TunedIndex:
        index = cls()
        for path in map(Path, paths):
            try:
                doc = json.loads(path.read_text())
            except FileNotFoundError:
                raise CompilerLMError(f"--tuned {path}: no such file (write one with compilerlm tune --json)") from None
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise CompilerLMError(f"--tuned {path} is not a tune JSON file: {exc}") from exc
            modules = doc.get("modules") if isinstance(doc, dict) else None
            if not isinstance(modules, list):
                raise CompilerLMError(f"--tuned {path} is not a tune JSON file (no 'modules' list)")
            units = doc.get("unit_modules", [])  # tune --lto: the per-unit route's modules
            modules = modules + units if isinstance(units, list) else modules
            for m in modules:
                if not isinstance(m, dict) or not m.get("content_key"):
                    raise CompilerLMError(
                        f"--tuned {path}: module {m.get('name') if isinstance(m, dict) else m!r} has no content_key; "
                        "re-run compilerlm tune with this version"
                    )
                index.units[m["content_key"]] = TunedUnit(m["name"], m["pipeline"], int(m["size"]))
        return index


@dataclass
class Invocation:
    """A compiler command line, as far as `cc` needs to understand it."""

    args: list[str]  # as given, without -O levels
    source: Path | None = None  # the one C file, when this is a compile to an object
    output: Path | None = None
    sources: list[Path] = field(default_factory=list)  # every C file of a compile (-c) or of a compile-and-link
    link: bool = False  # C files compiled and linked in one command
    lto: bool = False  # -flto: the units are bitcode for the link's pipeline

    @property
    def codegen(self) -> tuple[str, ...]:
        """llc options for the code generation flags of the command line (what -ffunction-sections asks)."""
        return tuple(LLC_OPTIONS[a] for a in self.args if a in LLC_OPTIONS)


LLC_OPTIONS = {"-ffunction-sections": "-function-sections", "-fdata-sections": "-data-sections"}
"""Driver flags that change only code generation, and how llc spells them: a tuned unit keeps them."""
_LINK_ONLY_PREFIXES = ("-l", "-L", "-Wl,", "-fuse-ld=")
_LINK_ONLY = {"-static", "-shared", "-pie", "-no-pie", "-rdynamic", "-s"}
_LINK_ARG_OPTIONS = {"-Xlinker", "-T"}


def parse(args: Sequence[str]) -> Invocation:
    """Split a command line: drop a leading compiler (launcher mode) and -O levels; find the C files it compiles,
    and whether it also links them."""
    args = list(args)
    if args and not args[0].startswith("-") and Path(args[0]).name.split("-")[0] in _COMPILERS:
        args = args[1:]  # CMAKE_C_COMPILER_LAUNCHER puts the compiler first
    kept: list[str] = []
    sources: list[str] = []
    output = None
    compile_only = False
    other = False
    lto = False
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("-O"):
            i += 1
            continue
        kept.append(arg)
        if (arg in _ARG_OPTIONS or arg in _LINK_ARG_OPTIONS) and i + 1 < len(args):
            kept.append(args[i + 1])
            if arg == "-o":
                output = args[i + 1]
            if arg == "-x":
                other = True  # a language named by hand: leave it to clang
            i += 2
            continue
        if arg == "-c":
            compile_only = True
        elif arg in _NOT_A_COMPILE:
            other = True
        elif arg.startswith("-flto"):
            lto = True
        elif arg == "-fno-lto":
            lto = False
        elif not arg.startswith("-"):
            sources.append(arg)
        i += 1
    c_files = [Path(a) for a in sources if a.endswith(".c")]
    if other or not c_files:
        return Invocation(kept)
    if compile_only and len(sources) == 1:
        source = c_files[0]
        out = Path(output) if output else Path(source.with_suffix(".o").name)
        return Invocation(kept, source, out, [source], lto=lto)
    if compile_only and (output is not None or len(c_files) != len(sources)):
        return Invocation(kept)  # -o with several files, or other inputs with -c: clang's to judge
    return Invocation(kept, None, Path(output) if output else None, c_files, link=not compile_only, lto=lto)


def _frontend_args(inv: Invocation) -> list[str]:
    """The invocation's flags for the unoptimized-IR frontend: no -c/-o/source; dependency files as make
    expects them (named after the real output, with the real target)."""
    assert inv.source is not None and inv.output is not None
    out: list[str] = []
    skip = False
    for arg in inv.args:
        if skip:
            skip = False
            continue
        if arg == "-o":
            skip = True
            continue
        if arg == "-c" or Path(arg) == inv.source:
            continue
        out.append(arg)
    deps = {"-MD", "-MMD"} & set(out)
    if deps and "-MF" not in out:
        out += ["-MF", str(inv.output.with_suffix(".d"))]
    if deps and "-MT" not in out and "-MQ" not in out:
        out += ["-MT", str(inv.output)]
    return out


def _compile_args(inv: Invocation) -> list[str]:
    """The command's arguments that concern compiling (no inputs, no -o, no linker options): what each of its C
    files is compiled with when one command compiles several, or compiles and links."""
    out: list[str] = []
    i = 0
    while i < len(inv.args):
        arg = inv.args[i]
        if arg in _LINK_ARG_OPTIONS or arg == "-o":
            i += 2
            continue
        i += 1
        if arg == "-c" or not arg.startswith("-") or arg.startswith(_LINK_ONLY_PREFIXES) or arg in _LINK_ONLY:
            continue
        out.append(arg)
        if arg in _ARG_OPTIONS and i < len(inv.args):
            out.append(inv.args[i])
            i += 1
    return out


def _clang_oz(args: Sequence[str]) -> int:
    return run_process([llvm_tool("clang"), "-Oz", *args], stdout=None, stderr=None, env=pinned_env()).returncode


ObjectCompiler = Callable[[IRModule, str, Sequence[str]], bytes]
"""(module, pipeline, llc codegen options) -> the object file's bytes."""
FrontendRunner = Callable[[list[str]], subprocess.CompletedProcess[bytes]]
"""A clang command line writing unoptimized IR to stdout -> how the clang process would have ended."""


def _by_processes(module: IRModule, pipeline: str, codegen: Sequence[str]) -> bytes:
    return compile_object(module, pipeline, codegen=codegen)


def _frontend_process(cmd: list[str]) -> subprocess.CompletedProcess[bytes]:
    return run_process(cmd, env=pinned_env())


@dataclass(frozen=True)
class Engines:
    """How cc runs clang's frontend and then opt and code generation: as processes (`subprocess_path`, the path
    that measured the sizes during tune) by default; in process in the warm server (`cc_server.py`). The same IR
    and the same object bytes either way."""

    frontend: FrontendRunner = _frontend_process
    compile_object: ObjectCompiler = _by_processes


def run_cc(
    args: Sequence[str],
    index: TunedIndex,
    stderr: TextIO = sys.stderr,
    verbose: bool = False,
    engines: Engines = Engines(),
) -> int:
    """Compile (and link) as `args` asks; the exit code a compiler would return."""
    inv = parse(args)
    if not inv.sources:  # linking objects, preprocessing...: clang -Oz does it
        return _clang_oz(inv.args)
    if inv.lto:  # bitcode for the link: the link-time pipeline decides (tune --lto ships that as flags)
        if verbose:
            stderr.write(f"compilerlm cc: -flto: {', '.join(map(str, inv.sources))} left to the link's pipeline\n")
        return _clang_oz(inv.args)
    if inv.source is not None:
        return _compile_unit(inv, index, stderr, verbose, engines)
    common = _compile_args(inv)
    with tempfile.TemporaryDirectory(prefix="compilerlm-cc-") as tmp:
        objects: dict[str, str] = {}
        for i, source in enumerate(inv.sources):
            output = Path(tmp) / f"{i}-{source.stem}.o" if inv.link else Path(source.with_suffix(".o").name)
            unit = Invocation([*common, "-c", str(source), "-o", str(output)], source, output, [source])
            code = _compile_unit(unit, index, stderr, verbose, engines)
            if code != 0:
                return code
            objects[str(source)] = str(output)
        if not inv.link:
            return 0
        return _clang_oz([objects.get(a, a) for a in inv.args])


def _compile_unit(inv: Invocation, index: TunedIndex, stderr: TextIO, verbose: bool, engines: Engines) -> int:
    """One C file to an object: with its tuned pipeline when tune tuned it, else as clang -Oz with a note."""
    assert inv.source is not None and inv.output is not None
    clang = llvm_tool("clang")
    args = _frontend_args(inv)
    commands = [[clang, "-Oz", *FRONTEND_FLAGS, *args, str(inv.source), "-o", "-"]]
    if any(a.startswith("-g") for a in args):  # debug info changes the IR, not the code: match the IR without it
        plain = [a for a in args if not a.startswith("-g")]
        commands.append([clang, "-Oz", *FRONTEND_FLAGS, "-g0", *plain, str(inv.source), "-o", "-"])
    with ThreadPoolExecutor(len(commands)) as pool:  # side by side: a build's unit waits for one frontend's time
        front, *bare = pool.map(engines.frontend, commands)
    if front.returncode != 0:
        stderr.write(front.stderr.decode(errors="replace"))
        return front.returncode
    module = IRModule(str(inv.source), front.stdout.decode())
    key = module.content_key
    if bare and bare[0].returncode == 0:
        key = content_key(bare[0].stdout.decode())
    unit = index.units.get(key)
    if unit is None:
        stderr.write(f"compilerlm cc: {inv.source} is not in the tuned results (new or changed): compiled at -Oz\n")
        return _clang_oz(inv.args)
    try:
        obj = engines.compile_object(module, unit.pipeline, inv.codegen)
    except CompilerLMError as exc:
        stderr.write(f"compilerlm cc: {inv.source}: {first_error_line(str(exc))}\n")
        return 1
    stderr.write(front.stderr.decode(errors="replace"))  # clang's warnings, as clang -Oz would have shown them
    tmp = inv.output.with_name(f".{inv.output.name}.{os.getpid()}.tmp")
    tmp.write_bytes(obj)
    tmp.replace(inv.output)
    if verbose:
        stderr.write(f"compilerlm cc: {inv.source} as tuned module {unit.name}: {unit.pipeline} ({unit.size} bytes)\n")
    return 0


def cc_main(argv: Sequence[str], stderr: TextIO = sys.stderr) -> int:
    """`compilerlm cc`'s own option parsing (its options come first, everything after is the compiler's), so
    that it starts without the full command line: the exit code, or 1 with one line for a bad option or file."""
    tuned, verbose, rest = split_options(argv)
    try:
        if not tuned:
            raise CompilerLMError(f"--tuned FILE is required ({USAGE})")
        return run_cc(rest, TunedIndex.load(tuned), stderr=stderr, verbose=verbose)
    except CompilerLMError as exc:
        stderr.write(f"error: {exc}\n")
        return 1
