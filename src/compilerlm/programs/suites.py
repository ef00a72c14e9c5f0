"""Suites and targets: how a command-line TARGET becomes a list of programs.

TARGET is one of: a `.c`/`.ll`/`.bc` file; a folder (a program folder, a folder of program folders, or
a folder of loose C files, each its own program); `dir:PATH`; `builtin` or `builtin:NAME[,NAME]`;
`compdb:PATH` (a compile_commands.json or its build folder); `supercoder:PATH`; `csmith:N[:SEED]`;
`llvm-stress:N[:SEED]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from compilerlm.errors import CompilerLMError
from compilerlm.programs.generated import csmith_programs, llvm_stress_programs
from compilerlm.programs.program import C_SUFFIXES, IR_SUFFIXES, Program, load_program_dir, single_file_program

BUILTIN_DIR = Path(__file__).parent / "builtin"


@dataclass(frozen=True)
class SuiteInfo:
    spec: str
    description: str


SUITES = (
    SuiteInfo(
        "builtin", "C programs written for compilerlm (sorting, hashing, compression, interpreters, ...), with tests"
    ),
    SuiteInfo("builtin:NAME[,NAME]", "some of the built-in programs, by name"),
    SuiteInfo(
        "dir:PATH",
        "a folder of programs: one subfolder each (*.c, optional program.toml, tests/N.in + N.out or [[tests]])",
    ),
    SuiteInfo(
        "compdb:PATH",
        "a real build: every C/C++ unit of a compile_commands.json (or its build folder) with its own flags; "
        "program.toml beside it: name, ldflags, tests/",
    ),
    SuiteInfo(
        "supercoder:PATH",
        "SuperCoder's dataset rows (verl format), a .parquet or .jsonl file or a folder of them (e.g. its val split)",
    ),
    SuiteInfo("csmith:N[:SEED]", "N csmith programs from seed SEED (default 1), each checked by its -O0 checksum"),
    SuiteInfo("llvm-stress:N[:SEED]", "N llvm-stress IR modules from seed SEED (default 1); size only, nothing to run"),
)


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


def resolve_target(target: str) -> list[Program]:
    """Turn a TARGET string (see module docstring) into programs; errors say what was expected."""
    kind, _, rest = target.partition(":")
    if target == "builtin":
        return builtin_programs()
    if kind == "builtin" and rest:
        return builtin_programs([n for n in rest.split(",") if n])
    if kind == "dir" and rest:
        return folder_programs(Path(rest))
    if kind == "compdb" and rest:
        from compilerlm.programs.compdb import compdb_programs

        return compdb_programs(rest)
    if kind == "supercoder" and rest:
        from compilerlm.programs.supercoder import supercoder_programs

        return supercoder_programs(rest)
    if kind == "csmith" and rest:
        return csmith_programs(*_count_seed(target, rest))
    if kind == "llvm-stress" and rest:
        return llvm_stress_programs(*_count_seed(target, rest))
    path = Path(target)
    if path.is_file():
        return [single_file_program(path)]
    if path.is_dir():
        return folder_programs(path)
    raise CompilerLMError(
        f"unknown target {target!r}: give a .c/.ll file, a folder, or a suite (run 'compilerlm suites' to list them)"
    )


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
