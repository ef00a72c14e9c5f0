"""Getting a source's code and building it into a compile database, or listing a TARGET's C files.

Why: real code's IR needs the flags its own build gives each file (defines from `config.h`, include paths,
generated headers), so every project is built by its own build system (`./configure && make`, CMake, or a
command from the manifest) under Bear, and compilerlm's compile-database reader turns the database into
units. Layout under the corpus folder: `src/NAME/` holds what `apt-get source` fetched (kept: a rerun does
not download again), `src/NAME/tree/` the unpacked and built tree, `src/NAME/build.log` the build's output,
`src/NAME/compile_commands.json` the database; a finished build leaves `src/NAME/.built`, so a rerun reuses
it. Configure runs outside Bear, so its test programs are not in the database.

For another machine (`corpus build --target`) the project is cross-built as Debian cross-builds a package:
`./configure --host=TRIPLE` (its checks then describe that machine: `sizeof(long)`, endianness), CMake with the
target's system and compiler, a plain Makefile with `CC=TRIPLE-gcc` (Debian's cross gcc, which `make` installs
with each target); every unit is then compiled to IR by clang with the target's flags first. A source built by a
command of its own (`build = ...`) cannot be told the machine, and is refused for a target.
"""

from __future__ import annotations

import functools
import os
import shlex
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from compilerlm.corpus.manifest import Source
from compilerlm.errors import CompilerLMError, ToolTimeout
from compilerlm.parallel import run_process
from compilerlm.programs.compdb import _units as compdb_units
from compilerlm.programs.compdb import read_entries
from compilerlm.programs.program import C_SUFFIXES
from compilerlm.programs.suites import resolve_target
from compilerlm.toolchain.targets import HOST, Target

NO_AUTOTOOLS = ("ACLOCAL=:", "AUTOMAKE=:", "AUTOCONF=:", "AUTOHEADER=:", "MAKEINFO=:")  # patched *.am: no regen
STEP_TIMEOUT = 1800  # seconds for one fetch, configure or make
BUILT = ".built"


@dataclass(frozen=True)
class Work:
    """One C translation unit to turn into unoptimized IR, with the flags and folder its build used."""

    file: str  # relative to the project: the index's `file`
    source: Path
    flags: tuple[str, ...]
    directory: Path | None = None
    spelled: str = ""


def _step(cmd: list[str], cwd: Path, log: Path, what: str, jobs: int) -> None:
    env = {**os.environ, "MAKEFLAGS": f"-j{jobs}", "LC_ALL": "C"}
    with log.open("a") as out:
        out.write(f"$ {shlex.join(cmd)}\n")
        out.flush()
        try:
            res = run_process(cmd, cwd=cwd, stdout=out, stderr=out, env=env, timeout=STEP_TIMEOUT, what=what)
        except ToolTimeout as exc:
            raise CompilerLMError(f"{exc} (log: {log})") from None
        except OSError as exc:
            raise CompilerLMError(f"{what}: {exc}") from None
    if res.returncode != 0:
        lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
        marks = ("error:", "Error:", "undefined reference", "No such file")
        errors = [line for line in lines if any(m in line for m in marks) and not line.startswith(("make", "gmake"))]
        why = (errors or lines or [""])[0 if errors else -1].strip()
        raise CompilerLMError(f"{what} failed (exit {res.returncode}): {why[:200]} (log: {log})")


def _fetch_debian(source: Source, home: Path, jobs: int) -> Path:
    """The .dsc of the package, downloaded once (`apt-get source --download-only`)."""
    found = sorted(home.glob(f"{source.package}_*.dsc"))
    if source.version:
        found = [d for d in found if d.name == f"{source.package}_{source.version.split(':')[-1]}.dsc"]
    if not found:
        for tool in ("apt-get", "dpkg-source"):
            if not shutil.which(tool):
                raise CompilerLMError(f"{source.name}: needs {tool} (a Debian system with dpkg-dev)")
        versions = [source.version] if source.version else _source_versions(source.package)
        for version in versions:  # a mirror may list a security update whose files it lacks: then try older
            spec = source.package + (f"={version}" if version else "")
            cmd = ["apt-get", "source", "--download-only", spec]
            try:
                _step(cmd, home, home / "fetch.log", f"apt-get source {spec}", jobs)
                break
            except CompilerLMError:
                if version == versions[-1]:
                    raise
        found = sorted(home.glob(f"{source.package}_*.dsc"))
        if not found:
            raise CompilerLMError(f"{source.name}: apt-get source {spec} left no .dsc in {home}")
    return found[-1]


def _source_versions(package: str) -> list[str]:
    """The source versions apt knows, newest first ([""]: let apt choose, when it lists none)."""
    res = run_process(["apt-cache", "showsrc", "--only-source", package], text=True, what="apt-cache showsrc")
    listed = [line.split(":", 1)[1].strip() for line in res.stdout.splitlines() if line.startswith("Version:")]
    if not listed:
        return [""]
    return newest_first(listed)


def newest_first(versions: list[str]) -> list[str]:
    """Debian versions in dpkg's order, newest first (`1.0-1+deb12u10` after `…u2`, before `1.0-1`)."""

    def compare(a: str, b: str) -> int:
        if a == b:
            return 0
        return -1 if run_process(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0 else 1

    return sorted(set(versions), key=functools.cmp_to_key(compare), reverse=True)


def _unpack(source: Source, home: Path, jobs: int) -> Path:
    """A fresh tree (a failed build's leftovers are removed): the Debian package unpacked with its patches,
    or the local folder copied."""
    tree = home / "tree"
    if tree.exists():
        shutil.rmtree(tree)
    if source.kind == "debian":
        dsc = _fetch_debian(source, home, jobs)
        _step(["dpkg-source", "--no-check", "-x", dsc.name, "tree"], home, home / "build.log", "dpkg-source -x", jobs)
    else:
        assert source.path is not None
        if not source.path.is_dir():
            raise CompilerLMError(f"{source.name}: local folder {source.path} does not exist")
        shutil.copytree(source.path, tree, symlinks=True)
    return tree


def cross_gcc(machine: Target) -> str:
    """Debian's cross compiler for `machine` (`TRIPLE-gcc`), or a one-line CompilerLMError naming its package."""
    gcc = f"{machine.name}-gcc"
    if shutil.which(gcc) is None:
        raise CompilerLMError(
            f"cross-building for {machine.name} needs {gcc}; "
            f"install: sudo apt-get install {' '.join(machine.packages())}"
        )
    return gcc


def _build(source: Source, tree: Path, home: Path, jobs: int, machine: Target = HOST) -> Path:
    """Build `tree` for `machine` (cross-built for another); the compile database's path."""
    log, db = home / "build.log", home / "compile_commands.json"
    if not shutil.which("bear"):
        raise CompilerLMError("the corpus builder needs bear (apt-get install bear)")
    bear = ["bear", "--output", str(db), "--"]
    cross = not machine.is_host
    if cross and source.build:
        raise CompilerLMError(
            f"{source.name}: its own build command cannot be told to build for {machine.name}; build it for the host"
        )
    gcc = cross_gcc(machine) if cross else ""
    if source.build:
        _step([*bear, "sh", "-c", source.build], tree, log, f"{source.name}: build", jobs)
    elif (tree / "configure").is_file():
        host = [f"--host={machine.name}"] if cross else []
        _step(["sh", "./configure", *host, *source.configure], tree, log, f"{source.name}: ./configure", jobs)
        _step([*bear, "make", *NO_AUTOTOOLS, *source.make], tree, log, f"{source.name}: make", jobs)
    elif (tree / "CMakeLists.txt").is_file():
        out = tree / "_corpus_build"
        system = ["-DCMAKE_SYSTEM_NAME=Linux", f"-DCMAKE_SYSTEM_PROCESSOR={machine.name.partition('-')[0]}"]
        compiler = [f"-DCMAKE_C_COMPILER={gcc}", *system] if cross else []
        cmake = ["cmake", "-S", ".", "-B", str(out), "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON", *compiler, *source.cmake]
        _step(cmake, tree, log, f"{source.name}: cmake", jobs)
        _step([*bear, "cmake", "--build", str(out)], tree, log, f"{source.name}: cmake --build", jobs)
    elif any((tree / m).is_file() for m in ("Makefile", "makefile", "GNUmakefile")):
        cc = [f"CC={gcc}"] if cross else []
        _step([*bear, "make", *cc, *source.make], tree, log, f"{source.name}: make", jobs)
    else:
        raise CompilerLMError(
            f"{source.name}: no configure, CMakeLists.txt or Makefile in the tree; give build = '...' in the manifest"
        )
    if not db.is_file():
        raise CompilerLMError(f"{source.name}: the build wrote no compile database ({db}); see {log}")
    return db


def built_database(source: Source, home: Path, jobs: int, machine: Target = HOST) -> Path:
    """The source's compile database (built for `machine`), fetching and building it unless a previous run
    finished that."""
    home.mkdir(parents=True, exist_ok=True)
    db = home / "compile_commands.json"
    if (home / BUILT).is_file() and db.is_file():
        return db
    (home / "build.log").unlink(missing_ok=True)
    tree = _unpack(source, home, jobs)
    db = _build(source, tree, home, jobs, machine)
    (home / BUILT).write_text(source.origin + "\n")
    return db


def database_work(source: Source, db: Path, tree: Path) -> tuple[list[Work], list[str]]:
    """The C units of a compile database (compilerlm's reader: flags that change the IR, first entry of a
    file compiled twice) and the reasons for entries left out; files are named relative to `tree`."""
    units, skipped = compdb_units(read_entries(db), source.name, db)
    work = []
    for unit in units:
        if unit.cxx:
            skipped.append(f"{unit.name}: C++, not C")
            continue
        file = unit.name.partition("/")[2]
        if unit.source.is_relative_to(tree):
            file = unit.source.relative_to(tree).as_posix()
        work.append(Work(file, unit.source, unit.flags, unit.directory, unit.spelled))
    return work, skipped


def target_work(source: Source) -> tuple[list[Work], list[str]]:
    """The C files of a TARGET's programs (builtin, csmith:N:SEED, dir:...), each with its program's flags."""
    work: list[Work] = []
    skipped: list[str] = []
    for program in resolve_target(source.target):
        for unit in program.units:
            work.append(Work(unit.name, unit.source, (*unit.flags, *program.flags), unit.directory, unit.spelled))
        if program.units:
            continue
        for src in program.sources:
            if src.suffix in C_SUFFIXES:
                work.append(Work(program.module_name(src), src, tuple(program.flags)))
            else:
                skipped.append(f"{program.module_name(src)}: not C source")
    return work, skipped


def source_work(source: Source, home: Path, jobs: int, machine: Target = HOST) -> tuple[list[Work], list[str]]:
    """Every C unit of a source, built first (for `machine`) where it is a package or a folder; each unit's flags
    start with the machine's, as every compile for it does (`Program.compile_steps`)."""
    if source.kind == "target":
        work, skipped = target_work(source)
    else:
        work, skipped = database_work(source, built_database(source, home, jobs, machine), home / "tree")
    return [replace(w, flags=(*machine.cflags, *w.flags)) for w in work], skipped
