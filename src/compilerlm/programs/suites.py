"""Suites and targets: how a command-line TARGET becomes a list of programs.

TARGET is a `.c`/`.ll`/`.bc` file, a folder (a program folder, a folder of program folders, or a folder of
loose C files, each its own program), or one of the kinds in `TARGETS` (`builtin[:NAME,...]`, `dir:PATH`,
`compdb:PATH`, `supercoder:PATH`, `csmith:N[:SEED]`, `llvm-stress:N[:SEED]`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from compilerlm.errors import CompilerLMError
from compilerlm.programs.generated import csmith_programs, llvm_stress_programs
from compilerlm.programs.program import C_SUFFIXES, IR_SUFFIXES, Program, load_program_dir, single_file_program
from compilerlm.toolchain.targets import target, unusable

BUILTIN_DIR = Path(__file__).parent / "builtin"


def _is_program_dir(path: Path) -> bool:
    return (path / "program.toml").exists() or (path / "tests").is_dir()


def folder_programs(path: Path) -> list[Program]:
    """Programs in a folder: itself if it is a program folder, else its program subfolders and loose files."""
    if not path.is_dir():
        raise CompilerLMError(f"{path} is not a folder")
    if _is_program_dir(path):
        return [load_program_dir(path)]
    programs = [
        load_program_dir(sub)
        for sub in sorted(p for p in path.iterdir() if p.is_dir())
        if any(f.suffix in C_SUFFIXES + IR_SUFFIXES for f in sub.iterdir())
    ]
    programs += [single_file_program(f) for f in sorted(path.iterdir()) if f.suffix in C_SUFFIXES + IR_SUFFIXES]
    if not programs:
        raise CompilerLMError(f"{path} holds no C or IR programs (expected *.c files or program subfolders)")
    return programs


def builtin_programs(names: list[str] | None = None) -> list[Program]:
    available = {p.name: p for p in sorted(BUILTIN_DIR.iterdir()) if p.is_dir() and _is_program_dir(p)}
    if not names:
        return [load_program_dir(p) for p in available.values()]
    unknown = [n for n in names if n not in available]
    if unknown:
        raise CompilerLMError(f"no built-in program {', '.join(unknown)}; see 'compilerlm suites --programs'")
    return [load_program_dir(available[n]) for n in names]


def _count_seed(spec: str, rest: str) -> tuple[int, int]:
    parts = rest.split(":")
    try:
        count = int(parts[0])
        seed = int(parts[1]) if len(parts) > 1 else 1
    except (ValueError, IndexError) as exc:
        raise CompilerLMError(f"bad suite spec {spec!r}: expected {spec.split(':')[0]}:N[:SEED]") from exc
    if count < 1 or len(parts) > 2:
        raise CompilerLMError(f"bad suite spec {spec!r}: expected {spec.split(':')[0]}:N[:SEED] with N >= 1")
    return count, seed


@dataclass(frozen=True)
class TargetKind:
    """One kind of TARGET: how it is written (`spec`, its prefix before the colon), what it names, and how the
    text after the prefix becomes programs. `TARGETS` is the only list: `resolve_target`, `compilerlm suites`
    and every command's TARGET help are made from it, so a new kind is one entry."""

    spec: str
    description: str
    load: Callable[[str], list[Program]]
    bare: bool = False  # the prefix alone is a target too (`builtin`)

    @property
    def prefix(self) -> str:
        return self.spec.partition("[")[0].partition(":")[0]


def _compdb(rest: str) -> list[Program]:
    from compilerlm.programs.compdb import compdb_programs  # reads compile databases: loaded when one is named

    return compdb_programs(rest)


def _supercoder(rest: str) -> list[Program]:
    from compilerlm.programs.supercoder import supercoder_programs  # needs pyarrow for .parquet

    return supercoder_programs(rest)


TARGETS: list[TargetKind] = []


def register_target(kind: TargetKind) -> TargetKind:
    """Add a kind of TARGET (another package's suite, a test's); a new kind is this one call. The help of the
    commands is made when they are defined: a kind registered before the command line is imported is in it."""
    if any(k.prefix == kind.prefix for k in TARGETS):
        raise CompilerLMError(f"a TARGET kind {kind.prefix!r} is already registered")
    TARGETS.append(kind)
    return kind


for _kind in (
    TargetKind(
        "builtin[:NAME,...]",
        "C programs written for compilerlm (sorting, hashing, compression, interpreters, ...), with tests; "
        "some of them by name",
        lambda rest: builtin_programs([n for n in rest.split(",") if n]),
        bare=True,
    ),
    TargetKind(
        "dir:PATH",
        "a folder of programs: one subfolder each (*.c, optional program.toml, tests/N.in + N.out or [[tests]])",
        lambda rest: folder_programs(Path(rest)),
    ),
    TargetKind(
        "compdb:PATH",
        "a real build: every C/C++ unit of a compile_commands.json (or its build folder) with its own flags; "
        "program.toml beside it: name, ldflags, tests, [[programs]] (executables, shared libraries)",
        _compdb,
    ),
    TargetKind(
        "supercoder:PATH",
        "SuperCoder's dataset rows (verl format), a .parquet or .jsonl file or a folder of them (e.g. its val split)",
        _supercoder,
    ),
    TargetKind(
        "csmith:N[:SEED]",
        "N csmith programs from seed SEED (default 1), each checked by its -O0 checksum",
        lambda rest: csmith_programs(*_count_seed("csmith:" + rest, rest)),
    ),
    TargetKind(
        "llvm-stress:N[:SEED]",
        "N llvm-stress IR modules from seed SEED (default 1); size only, nothing to run",
        lambda rest: llvm_stress_programs(*_count_seed("llvm-stress:" + rest, rest)),
    ),
):
    register_target(_kind)


def target_help() -> str:
    """What a TARGET argument can be, for every command's help."""
    return "a .c/.ll/.bc file, a folder, or " + ", ".join(k.spec for k in TARGETS)


TARGET_HELP = target_help()


def resolve_target(target: str) -> list[Program]:
    """Turn a TARGET string (`TARGETS`, or a file or folder) into programs; errors say what was expected."""
    prefix, colon, rest = target.partition(":")
    for kind in TARGETS:
        if prefix == kind.prefix and (rest or (kind.bare and not colon)):
            return kind.load(rest)
    path = Path(target)
    if path.is_file():
        return [single_file_program(path)]
    if path.is_dir():
        return folder_programs(path)
    raise CompilerLMError(f"unknown target {target!r}: give {target_help()} (run 'compilerlm suites' to list them)")


def built_for(programs: Sequence[Program], triple: str, *, run: bool = True) -> list[Program]:
    """The programs built for `triple` (a Debian triple: `toolchain.targets`), or a one-line error when this
    machine cannot build (and, with `run`, run) for it, or a program cannot be rebuilt for it: an IR program is
    built for the triple its IR names."""
    machine = target(triple)
    if machine.is_host:
        return list(programs)
    why = unusable(machine, run=run)
    if why:
        raise CompilerLMError(why)
    for program in programs:
        if not program.is_c:
            raise CompilerLMError(
                f"{program.name} is LLVM IR, built for the triple its IR names: --target {triple} takes C programs"
            )
    return [replace(p, triple=triple) for p in programs]


def program_target(program: Program) -> str:
    """A TARGET string that resolves back to this program (`resolve_target`), so a reward worker can rebuild
    and test it: `builtin:NAME` for built-in programs (portable between machines), else its folder or file."""
    if program.units and program.root is not None:
        return f"compdb:{Path(program.root).resolve()}"
    if program.root is not None:
        root = Path(program.root).resolve()
        if root.parent == BUILTIN_DIR.resolve():
            return f"builtin:{root.name}"
        return str(root)
    return str(Path(program.sources[0]).resolve())
