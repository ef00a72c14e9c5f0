"""A real build as a program: every C (or C++) translation unit of a `compile_commands.json` is one module.

Why: real programs are not a folder of `.c` files sharing one set of flags. Their build system knows each
file's defines, include paths, `-std` and working directory; a compile database (CMake's
`-DCMAKE_EXPORT_COMPILE_COMMANDS=ON`, `bear -- make`, `compiledb make`) writes them down. Each entry becomes a
`Unit` with the flags that change the IR (`-D`/`-U`, include paths made absolute, `-std=`, `-f*`, `-m*`, ...);
optimization levels, warnings, debug info, dependency files and outputs are dropped, since compilerlm makes
the IR at its own level (docs/design.md, "Unoptimized IR") and generates code itself. A `program.toml` beside
the database may name the program, pick units (`units`: globs on their names), add `cflags`/`defines`/
`include_dirs`, the link flags (`ldflags`) and tests (`tests/` beside it), as for a program folder.

A unit that does not compile is left out with a one-line reason (`Program.skipped`) and the rest go on;
malformed databases are one-line errors that say what to regenerate.
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass, replace
from fnmatch import fnmatch
from pathlib import Path

from compilerlm.errors import CompilerLMError
from compilerlm.parallel import Call, ThreadExecutor
from compilerlm.programs.program import Program, _as_tuple, program_tests, read_program_toml
from compilerlm.toolchain.frontend import clang_accepts, syntax_error

COMPDB = "compile_commands.json"
C_SUFFIXES = (".c", ".i")
CXX_SUFFIXES = (".cc", ".cpp", ".cxx", ".c++", ".C", ".ii")
MAKE_ONE = "make one with: cmake -DCMAKE_EXPORT_COMPILE_COMMANDS=ON, 'bear -- make' or 'compiledb make'"
BUILD_FOLDERS = ("build", "_build", "out", "obj")
CHECK_JOBS = max(1, min(os.cpu_count() or 1, 8))

PATH_OPTIONS = ("-I", "-isystem", "-iquote", "-idirafter", "-include", "-imacros", "-isysroot", "--sysroot")
MACRO_OPTIONS = ("-D", "-U")  # -DX or -D X
KEEP_WITH_VALUE = ("-x", "-target")
DROP_WITH_VALUE = {"-o", "-MF", "-MT", "-MQ", "-Xclang", "-Xpreprocessor", "-Xassembler", "-Xlinker", "-mllvm"}
DROP_WITH_VALUE |= {"--param", "-L", "-l", "-arch", "-aux-info", "-dumpbase", "-dumpdir", "-main-file-name"}
KEEP_PREFIXES = ("-std=", "-f", "-m", "--target=")
KEEP_EXACT = {"-ansi", "-pthread", "-nostdinc", "-nostdinc++", "-undef", "-trigraphs"}
DROP_F = ("-flto", "-fno-lto", "-fsyntax-only", "-fdump-", "-fdiagnostics-", "-fcolor-diagnostics", "-fmessage-length")


@dataclass(frozen=True)
class Unit:
    """One translation unit: its source, the flags that change its IR, and the folder the compiler ran in."""

    name: str  # the module's name: program/relative/path.c
    source: Path
    flags: tuple[str, ...]
    directory: Path
    cxx: bool = False
    spelled: str = ""  # the file as the database names it: clang is given that (`__FILE__` and the IR say it)


def find_compdb(path: Path) -> Path:
    """The compile_commands.json itself, or the one in a build folder."""
    if path.is_dir():
        if not (path / COMPDB).is_file():
            raise CompilerLMError(f"compdb:{path}: the folder has no {COMPDB}; {MAKE_ONE}")
        return path / COMPDB
    if not path.is_file():
        raise CompilerLMError(f"compdb:{path}: no such file or folder; give a {COMPDB} or its build folder")
    return path


def read_entries(path: Path) -> list[dict]:
    """The database's entries, each checked to have `directory`, `file` and `arguments` or `command`."""
    try:
        data = json.loads(path.read_text(errors="replace"))
    except json.JSONDecodeError as exc:
        raise CompilerLMError(
            f"{path} is not JSON ({exc.msg} at line {exc.lineno}); regenerate it ({MAKE_ONE})"
        ) from None
    if not isinstance(data, list):
        kind = type(data).__name__
        raise CompilerLMError(f"{path} is not a list of compile commands (got a JSON {kind}); {MAKE_ONE}")
    for i, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise CompilerLMError(f"{path}: entry {i} is not an object with 'directory', 'file' and 'arguments'")
        missing = [k for k in ("directory", "file") if not isinstance(entry.get(k), str)]
        if not isinstance(entry.get("arguments"), list) and not isinstance(entry.get("command"), str):
            missing.append("arguments or command")
        if missing:
            raise CompilerLMError(
                f"{path}: entry {i} has no {' and no '.join(missing)}; every entry needs 'directory', 'file' and "
                f"'arguments' (or 'command'); regenerate the database ({MAKE_ONE})"
            )
    return data


def _arguments(entry: dict, directory: Path) -> list[str]:
    args = entry["arguments"] if isinstance(entry.get("arguments"), list) else shlex.split(entry["command"])
    out: list[str] = []
    for a in map(str, args):  # response files (@file) as their contents
        rsp = directory / a[1:] if a.startswith("@") else None
        out += shlex.split(rsp.read_text()) if rsp is not None and rsp.is_file() else [a]
    return out


def _absolute(value: str, directory: Path) -> str:
    return value if os.path.isabs(value) else os.path.normpath(directory / value)


def ir_flags(args: list[str], directory: Path) -> tuple[str, ...]:
    """The flags of a compile command (compiler first, then its arguments) that change the IR."""
    out: list[str] = []
    todo = list(args[1:])
    while todo:
        a = todo.pop(0)
        if a.startswith("-Wp,"):  # preprocessor options passed through gcc's driver
            todo[:0] = a[4:].split(",")
            continue
        path_opt = next((p for p in PATH_OPTIONS if a.startswith(p)), None)  # -I dir, -Idir, --sysroot=dir
        if path_opt:
            value = a[len(path_opt) :].removeprefix("=") or (todo.pop(0) if todo else "")
            out += [path_opt, _absolute(value, directory)]
        elif a in MACRO_OPTIONS:
            out.append(a + (todo.pop(0) if todo else ""))
        elif a in KEEP_WITH_VALUE:
            out += [a, todo.pop(0) if todo else ""]
        elif a in DROP_WITH_VALUE:
            todo[:1] = []
        elif _keep(a):
            out.append(a)
        # everything else: -O levels, -W*, -g*, -c, -o, -M*, the source itself, link flags
    return tuple(out)


def _keep(arg: str) -> bool:
    """A one-token flag that changes the IR, and that clang knows (a gcc-only flag is dropped, not fatal)."""
    if arg in KEEP_EXACT or arg.startswith(MACRO_OPTIONS):
        return True
    return arg.startswith(KEEP_PREFIXES) and not arg.startswith(DROP_F) and clang_accepts(arg)


def _program_name(conf: dict, db: Path) -> str:
    folder = db.parent.resolve()
    if isinstance(conf.get("name"), str) and conf["name"]:
        return conf["name"]
    is_build = folder.name in BUILD_FOLDERS or folder.name.startswith(("build-", "cmake-build"))
    return folder.parent.name if is_build else folder.name


def _spelled(args: list[str], directory: Path, source: Path, recorded: str) -> str:
    """The source as the compile command names it (Bear records `file` absolute even when make passed
    `number.c`): `__FILE__` and the IR's file name come from that spelling."""
    for arg in args[1:]:
        if not arg.startswith("-") and Path(_absolute(arg, directory)) == source:
            return arg
    return recorded


def _units(entries: list[dict], name: str) -> tuple[list[Unit], list[str]]:
    """Units in database order, deduplicated; a file compiled again with other flags keeps its first entry."""
    found: dict[Path, tuple[tuple[str, ...], Path]] = {}
    skipped: list[str] = []
    raw: list[tuple[Path, tuple[str, ...], Path, bool, str]] = []
    for entry in entries:
        directory = Path(entry["directory"])
        args = _arguments(entry, directory)
        source = Path(_absolute(entry["file"], directory))
        cxx = source.suffix in CXX_SUFFIXES
        if source.suffix not in C_SUFFIXES + CXX_SUFFIXES:
            skipped.append(f"{source}: not a C or C++ translation unit")
            continue
        flags = ir_flags(args, directory)
        if source.suffix in C_SUFFIXES and args and "++" in Path(args[0]).name and "-x" not in flags:
            flags, cxx = ("-x", "c++", *flags), True  # g++ compiles .c files as C++
        if source in found:
            if found[source] != (flags, directory):
                skipped.append(f"{source}: compiled again with other flags; the first entry is kept")
            continue
        found[source] = (flags, directory)
        raw.append((source, flags, directory, cxx, _spelled(args, directory, source, entry["file"])))
    if not raw:
        return [], skipped
    root = Path(os.path.commonpath([str(s.parent) for s, *_ in raw]))
    units = [Unit(f"{name}/{s.relative_to(root).as_posix()}", s, f, d, cxx, spelled) for s, f, d, cxx, spelled in raw]
    return units, skipped


def _check(unit: Unit, extra: list[str]) -> str | None:
    try:
        return syntax_error(unit.source, [*unit.flags, *extra], unit.directory)
    except CompilerLMError as exc:
        return str(exc)


def compdb_program(path: Path | str, jobs: int = CHECK_JOBS) -> Program:
    """The program a compile database describes (path: the JSON file or the build folder holding it)."""
    db = find_compdb(Path(path))
    meta = db.parent / "program.toml"
    conf = read_program_toml(meta)
    name = _program_name(conf, db)
    units, skipped = _units(read_entries(db), name)
    if not units:
        kinds = sorted({Path(why.partition(":")[0]).suffix or "(none)" for why in skipped})
        raise CompilerLMError(
            f"{db} has no C or C++ translation unit (entries: {len(skipped)}, files {', '.join(kinds) or 'none'}); "
            "give the compile database of a C build"
        )
    wanted = _as_tuple(conf, "units", meta)
    if wanted:
        units = [u for u in units if any(fnmatch(u.name.partition("/")[2], g) for g in wanted)]
        if not units:
            raise CompilerLMError(f"{meta}: no unit matches units = {list(wanted)}; names are relative paths")
    include_dirs = tuple(str((db.parent / d).resolve()) for d in _as_tuple(conf, "include_dirs", meta))
    defines, cflags = _as_tuple(conf, "defines", meta), _as_tuple(conf, "cflags", meta)
    program = Program(
        name=name,
        sources=tuple(u.source for u in units),
        include_dirs=include_dirs,
        defines=defines,
        cflags=cflags,
        ldflags=_as_tuple(conf, "ldflags", meta) + (("-lstdc++",) if any(u.cxx for u in units) else ()),
        tests=program_tests(db.parent, conf, meta),
        description=str(conf.get("description", "")),
        root=db.parent,
        units=tuple(units),
    )
    reasons: list[str | None] = [None] * len(units)

    def done(i: int, why: str | None) -> None:
        reasons[i] = why

    ThreadExecutor(jobs).run(_check, [Call(u.name, (u, program.flags)) for u in units], done)
    kept = tuple(u for u, why in zip(units, reasons, strict=True) if why is None)
    skipped += [f"{u.name}: {' '.join(why.split())}" for u, why in zip(units, reasons, strict=True) if why]
    if not kept:
        raise CompilerLMError(f"{db}: no translation unit compiles; the first: {units[0].name}: {reasons[0]}")
    return replace(program, units=kept, sources=tuple(u.source for u in kept), skipped=tuple(skipped))
