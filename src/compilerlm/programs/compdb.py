"""A real build as a program: every C (or C++) translation unit of a `compile_commands.json` is one module.

Why: real programs are not a folder of `.c` files sharing one set of flags. Their build system knows each
file's defines, include paths, `-std` and working directory; a compile database (CMake's
`-DCMAKE_EXPORT_COMPILE_COMMANDS=ON`, `bear -- make`, `compiledb make`) writes them down. Each entry becomes a
`Unit` with the flags that change the IR and nothing else (`compdb_flags`: an allow-list of defines, include
paths made absolute, language and standard, `-f`/`-m` options; response files read within the project);
optimization levels, warnings, debug info, dependency files and outputs are dropped, since compilerlm makes
the IR at its own level (docs/design.md, "Unoptimized IR") and generates code itself, and so is every flag that
could load a plugin or write a file: a database is someone else's text. What is dropped beyond the routine is
named once on stderr. A `program.toml` beside
the database may name the program, pick units (`units`: globs on their names), add `cflags`/`defines`/
`include_dirs`, the link flags (`ldflags`) and tests (`tests/` beside it), as for a program folder; or name
several programs of the build, each in a `[[programs]]` table (`compdb_programs`).

A unit that does not compile is left out with a one-line reason (`Program.skipped`) and the rest go on;
malformed databases are one-line errors that say what to regenerate.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from dataclasses import dataclass, replace
from fnmatch import fnmatch
from pathlib import Path

from compilerlm.errors import CompilerLMError
from compilerlm.parallel import Call, ThreadExecutor
from compilerlm.programs.compdb_flags import (
    absolute,
    debug_flags,
    expand_response_files,
    is_build_folder,
    project_root,
    split_flags,
)
from compilerlm.programs.names import check_name
from compilerlm.programs.program import Program, _as_tuple, declared_tests, program_tests, read_program_toml
from compilerlm.toolchain.frontend import clang_accepts, syntax_error

COMPDB = "compile_commands.json"
C_SUFFIXES = (".c", ".i")
CXX_SUFFIXES = (".cc", ".cpp", ".cxx", ".c++", ".C", ".ii")
MAKE_ONE = "make one with: cmake -DCMAKE_EXPORT_COMPILE_COMMANDS=ON, 'bear -- make' or 'compiledb make'"
CHECK_JOBS = max(1, min(os.cpu_count() or 1, 8))

MAX_NAMED = 40  # dropped flags named on stderr per database; the rest counted


@dataclass(frozen=True)
class Unit:
    """One translation unit: its source, the flags that change its IR, and the folder the compiler ran in."""

    name: str  # the module's name: program/relative/path.c
    source: Path
    flags: tuple[str, ...]
    directory: Path
    cxx: bool = False
    spelled: str = ""  # the file as the database names it: clang is given that (`__FILE__` and the IR say it)
    debug: tuple[str, ...] = ()  # the command's -g flags: whole-program builds keep them (`CompileStep.debug`)


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


def _arguments(entry: dict, directory: Path, root: Path) -> tuple[list[str], list[str]]:
    """The entry's words with response files (@file) expanded within the project; (words, refused files)."""
    try:
        args = entry["arguments"] if isinstance(entry.get("arguments"), list) else shlex.split(entry["command"])
    except ValueError as exc:  # an unbalanced quote
        raise CompilerLMError(f"compile command for {entry['file']!r} cannot be split into words: {exc}") from None
    return expand_response_files(list(map(str, args)), directory, root)


def ir_flags(args: list[str], directory: Path) -> tuple[str, ...]:
    """The flags of a compile command (compiler first, then its arguments) that change the IR and that clang
    takes; compdb_flags.split_flags says which are allowed."""
    return unit_flags(args, directory)[0]


def unit_flags(args: list[str], directory: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(kept, dropped): the allowed flags clang takes, and the flags dropped that are worth naming (refused by
    the allow-list, or allowed but unknown to clang: a gcc-only `-malign-data=abi` makes clang refuse the
    whole unit, so it goes)."""
    kept, dropped = split_flags(args, directory)
    unknown = [f for f in kept if f.startswith(("-f", "-m", "-std=", "--target=")) and not clang_accepts(f)]
    return tuple(f for f in kept if f not in unknown), (*dropped, *(f"{f} (clang does not take it)" for f in unknown))


def _program_name(conf: dict, db: Path) -> str:
    folder = db.parent.resolve()
    if isinstance(conf.get("name"), str) and conf["name"]:
        return conf["name"]
    return folder.parent.name if is_build_folder(folder) else folder.name


def _spelled(args: list[str], directory: Path, source: Path, recorded: str) -> str:
    """The source as the compile command names it (Bear records `file` absolute even when make passed
    `number.c`): `__FILE__` and the IR's file name come from that spelling."""
    for arg in args[1:]:
        if not arg.startswith("-") and Path(absolute(arg, directory)) == source:
            return arg
    return recorded


def _units(entries: list[dict], name: str, db: Path) -> tuple[list[Unit], list[str]]:
    """Units in database order, deduplicated; a file compiled again with other flags keeps its first entry.
    The flags dropped from any entry are named once, on stderr (`name_dropped`)."""
    found: dict[Path, tuple[tuple[str, ...], Path]] = {}
    skipped: list[str] = []
    dropped: dict[str, None] = {}  # in order, once each
    raw: list[tuple[Path, tuple[str, ...], Path, bool, str, tuple[str, ...]]] = []
    root = project_root(db)
    for entry in entries:
        directory = Path(entry["directory"])
        args, refused = _arguments(entry, directory, root)
        source = Path(absolute(entry["file"], directory))
        cxx = source.suffix in CXX_SUFFIXES
        if source.suffix not in C_SUFFIXES + CXX_SUFFIXES:
            skipped.append(f"{source}: not a C or C++ translation unit")
            continue
        flags, unwanted = unit_flags(args, directory)
        dropped.update(dict.fromkeys([*refused, *unwanted]))
        if source.suffix in C_SUFFIXES and args and "++" in Path(args[0]).name and "-x" not in flags:
            flags, cxx = ("-x", "c++", *flags), True  # g++ compiles .c files as C++
        if source in found:
            if found[source] != (flags, directory):
                skipped.append(f"{source}: compiled again with other flags; the first entry is kept")
            continue
        found[source] = (flags, directory)
        raw.append((source, flags, directory, cxx, _spelled(args, directory, source, entry["file"]), debug_flags(args)))
    name_dropped(db, list(dropped))
    if not raw:
        return [], skipped
    common = Path(os.path.commonpath([str(s.parent) for s, *_ in raw]))
    units = [
        Unit(f"{name}/{s.relative_to(common).as_posix()}", s, flags, d, cxx, spelled, debug)
        for s, flags, d, cxx, spelled, debug in raw
    ]
    return units, skipped


def name_dropped(db: Path, dropped: list[str]) -> None:
    """One line on stderr naming the flags and response files a database's commands lost (docs/design.md §7):
    once per database, not per unit; unprintable characters escaped."""
    if not dropped:
        return
    shown = ", ".join(d if d.isprintable() else ascii(d) for d in (d[:200] for d in dropped[:MAX_NAMED]))
    more = f" and {len(dropped) - MAX_NAMED} more" if len(dropped) > MAX_NAMED else ""
    where = str(db) if str(db).isprintable() else ascii(str(db))
    sys.stderr.write(
        f"compilerlm: {where}: dropped from its compile commands (only defines, include paths, language, standard "
        f"and -f/-m options that change nothing but the IR are kept): {shown}{more}\n"
    )


def _check(unit: Unit, extra: list[str]) -> str | None:
    try:
        return syntax_error(unit.source, [*unit.flags, *extra], unit.directory)
    except CompilerLMError as exc:
        return str(exc)


PROGRAM_KEYS = {"name", "units", "cflags", "defines", "include_dirs", "ldflags", "tests", "description"}
PROGRAM_KEYS |= {"library", "driver"}
"""What a `[[programs]]` table of program.toml may say; what it leaves out comes from the top level."""


def compdb_program(path: Path | str, jobs: int = CHECK_JOBS) -> Program:
    """The program a compile database describes (path: the JSON file or the build folder holding it); a
    database whose program.toml names several programs is an error here (`compdb_programs` gives them all)."""
    programs = compdb_programs(path, jobs)
    if len(programs) > 1:
        raise CompilerLMError(f"compdb:{path} builds {len(programs)} programs ([[programs]] in its program.toml)")
    return programs[0]


def compdb_programs(path: Path | str, jobs: int = CHECK_JOBS, *, blessing: bool = False) -> list[Program]:
    """Every program a compile database builds. A build often links several executables from its units (giflib:
    14 tools and the library they share), and the database does not say which: program.toml names each in a
    `[[programs]]` table (its units by glob, its link flags and its tests; top-level keys are the defaults).
    Without one, the database is one program. Each unit is checked once, however many programs use it.
    `blessing`: the tests come without their expected results (bless is about to write them)."""
    db = find_compdb(Path(path))
    meta = db.parent / "program.toml"
    conf = read_program_toml(meta)
    units, skipped = _units(read_entries(db), _program_name(conf, db), db)
    if not units:
        kinds = sorted({Path(why.partition(":")[0]).suffix or "(none)" for why in skipped})
        raise CompilerLMError(
            f"{db} has no C or C++ translation unit (entries: {len(skipped)}, files {', '.join(kinds) or 'none'}); "
            "give the compile database of a C build"
        )
    tables = conf.get("programs")
    if tables is None:
        specs = [conf]
    elif not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise CompilerLMError(f"{meta}: 'programs' must be an array of tables ([[programs]]), one per program")
    else:
        own = {"name", "units", "tests", "description", "library", "driver"}
        defaults = {k: v for k, v in conf.items() if k in PROGRAM_KEYS - own}
        specs = [{**defaults, **_program_table(t, meta)} for t in tables]
        if "tests" in conf:
            raise CompilerLMError(f"{meta}: with [[programs]], each program's tests go in its [[programs.tests]]")
        names = [t["name"] for t in specs]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise CompilerLMError(f"{meta}: two [[programs]] are called {twice[0]!r}")
        tests = [str(e.get("name")) for t in specs for e in t.get("tests", []) if isinstance(e, dict)]
        shared = sorted({n for n in tests if tests.count(n) > 1})
        if shared:  # expected outputs live in one tests/ folder, by test name
            raise CompilerLMError(f"{meta}: two programs have a test called {shared[0]!r}; test names are per build")
    programs = [_program(db, meta, spec, units, skipped, tables is not None, blessing) for spec in specs]
    return _checked(programs, db, jobs)


def _program_table(table: dict, meta: Path) -> dict:
    unknown = set(table) - PROGRAM_KEYS
    if unknown:
        raise CompilerLMError(
            f"{meta}: [[programs]] has unknown key(s) {', '.join(sorted(unknown))}; "
            f"use {', '.join(sorted(PROGRAM_KEYS))}"
        )
    if not table.get("units"):
        raise CompilerLMError(f"{meta}: every [[programs]] needs 'name' and 'units' (globs on the units' paths)")
    return {**table, "name": check_name(table.get("name"), "program name", str(meta))}


def _picked(units: list[Unit], conf: dict, key: str, meta: Path, name: str) -> list[Unit]:
    """The units `conf[key]`'s globs pick (all of them when it names none), renamed into program `name`."""
    wanted = _as_tuple(conf, key, meta)
    if wanted:
        units = [u for u in units if any(fnmatch(u.name.partition("/")[2], g) for g in wanted)]
        if not units:
            raise CompilerLMError(f"{meta}: {name}: no unit matches {key} = {list(wanted)}; names are relative paths")
    return [replace(u, name=f"{name}/{u.name.partition('/')[2]}") for u in units]


def _library(conf: dict, meta: Path, name: str) -> str:
    """A `library` program's file name, checked to come with the `driver` that its tests run."""
    library = conf.get("library", "")
    if library == "":
        if "driver" in conf:
            raise CompilerLMError(f"{meta}: {name}: 'driver' is the test executable of a 'library'; name the library")
        return ""
    if not isinstance(library, str) or "/" in library or library in (".", "..") or not library.isprintable():
        raise CompilerLMError(f"{meta}: {name}: 'library' must be the shared library's file name (libfoo.so)")
    if not conf.get("driver"):
        raise CompilerLMError(
            f"{meta}: {name}: a shared library is tested through an executable that links it: name that "
            "executable's units in 'driver' (globs on the units' paths, as 'units')"
        )
    return library


def _program(
    db: Path, meta: Path, conf: dict, units: list[Unit], skipped: list[str], named: bool, blessing: bool = False
) -> Program:
    """One program of the database: the units its globs pick, its flags and its tests; for a shared library,
    also the units of the executable its tests run (`driver`), which are not the library's."""
    name = conf["name"] if named else _program_name(conf, db)
    library = _library(conf, meta, name)
    driver = _picked(units, conf, "driver", meta, name) if library else []
    units = [u for u in _picked(units, conf, "units", meta, name) if u not in driver]
    if not units:
        raise CompilerLMError(f"{meta}: {name}: every unit it picks is the driver's; 'units' names the library's")
    pic, shared = (("-fPIC",), ("-shared",)) if library else ((), ())
    include_dirs = tuple(str((db.parent / d).resolve()) for d in _as_tuple(conf, "include_dirs", meta))
    return Program(
        name=name,
        sources=tuple(u.source for u in units),
        include_dirs=include_dirs,
        defines=_as_tuple(conf, "defines", meta),
        cflags=_as_tuple(conf, "cflags", meta) + pic,
        ldflags=shared + _as_tuple(conf, "ldflags", meta) + (("-lstdc++",) if any(u.cxx for u in units) else ()),
        # tests/N.in belong to a database of one program; each of several has its own [[programs.tests]] only
        tests=(
            declared_tests(db.parent, conf, meta, blessing=blessing)
            if named
            else program_tests(db.parent, conf, meta, blessing=blessing)
        ),
        description=str(conf.get("description", "")),
        root=db.parent,
        units=tuple(units),
        skipped=tuple(skipped),
        library=library,
        driver=tuple(driver),
    )


def _checked(programs: list[Program], db: Path, jobs: int) -> list[Program]:
    """Each program without the units that do not compile (each unit with its program's flags checked once),
    named in `skipped`; a program left with none is an error."""
    checks = {(u.source, u.flags, u.directory, tuple(program.flags)): u for program in programs for u in program.units}
    keys = list(checks)
    reasons: dict[tuple, str | None] = {}

    def done(i: int, why: str | None) -> None:
        reasons[keys[i]] = why

    ThreadExecutor(jobs).run(_check, [Call(checks[k].name, (checks[k], list(k[3]))) for k in keys], done)
    out = []
    for program in programs:
        why = [reasons[(u.source, u.flags, u.directory, tuple(program.flags))] for u in program.units]
        kept = tuple(u for u, w in zip(program.units, why, strict=True) if w is None)
        failed = [f"{u.name}: {' '.join(w.split())}" for u, w in zip(program.units, why, strict=True) if w]
        if not kept:
            raise CompilerLMError(f"{db}: no translation unit of {program.name} compiles; the first: {failed[0]}")
        out.append(
            replace(program, units=kept, sources=tuple(u.source for u in kept), skipped=(*program.skipped, *failed))
        )
    return out
