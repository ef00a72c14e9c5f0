"""A program: sources, build flags and tests. The unit both tracks work on."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from compilerlm.errors import CompilerLMError
from compilerlm.toolchain.frontend import c_flags, compile_c, load_ir
from compilerlm.toolchain.module import IRModule

if TYPE_CHECKING:
    from compilerlm.programs.compdb import Unit

C_SUFFIXES = (".c",)
IR_SUFFIXES = (".ll", ".bc")
HIDDEN_PREFIX = "hidden-"  # tests so named are never shown to a model (the asm task's hidden tests)


@dataclass(frozen=True)
class TestCase:
    """stdin in, exact stdout expected (exit code 0)."""

    name: str
    stdin: bytes
    expected: bytes


@dataclass(frozen=True)
class Program:
    """C or IR sources; every C source is one translation unit and one IR module."""

    name: str
    sources: tuple[Path, ...]
    include_dirs: tuple[str, ...] = ()
    defines: tuple[str, ...] = ()
    cflags: tuple[str, ...] = ()
    ldflags: tuple[str, ...] = ()
    tests: tuple[TestCase, ...] = ()
    description: str = ""
    root: Path | None = field(default=None, compare=False)
    baseline_asm: str | None = field(default=None, compare=False, repr=False)  # a dataset's own gcc -O3 assembly
    from_dataset: bool = field(default=False, compare=False)  # downloaded code: compiled only inside the sandbox
    units: tuple[Unit, ...] = ()  # a compile database's translation units, each with its own flags and folder
    skipped: tuple[str, ...] = field(default=(), compare=False)  # units left out, one line each: why

    @property
    def flags(self) -> list[str]:
        """Compile flags (includes, defines, extra cflags) shared by every translation unit."""
        return c_flags(self.include_dirs, self.defines, self.cflags)

    @property
    def is_c(self) -> bool:
        return bool(self.units) or all(s.suffix in C_SUFFIXES for s in self.sources)

    def module_name(self, source: Path) -> str:
        return f"{self.name}/{source.name}" if len(self.sources) > 1 or self.root else self.name

    def modules(self, level: str = "Oz") -> list[IRModule]:
        """Unoptimized IR per source file (docs/design.md's definition for C; `level="O3"` for the -O3 baseline).
        IR sources are used as they are, whatever the level. The frontend runs on the host, so a dataset's C
        code (untrusted: ``#include`` reads host files) is refused here; the speed track compiles it confined."""
        if self.from_dataset and self.is_c:
            raise CompilerLMError(
                f"program {self.name} comes from a downloaded dataset: its C code is compiled only inside the "
                "sandbox (the asm commands), never by the size track's host frontend"
            )
        if self.units:  # the flags a program.toml beside the compile database adds come last
            return [compile_c(u.source, u.name, [*u.flags, *self.flags], level, u.directory) for u in self.units]
        out = []
        for src in self.sources:
            if src.suffix in C_SUFFIXES:
                out.append(compile_c(src, self.module_name(src), self.flags, level))
            else:
                out.append(load_ir(src, self.module_name(src)))
        return out


def _as_tuple(conf: dict, key: str, where: Path) -> tuple[str, ...]:
    value = conf.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CompilerLMError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def load_tests(tests_dir: Path) -> tuple[TestCase, ...]:
    """`tests/N.in` + `tests/N.out` pairs (an `.in` without `.out` is an error: nothing to compare to)."""
    if not tests_dir.is_dir():
        return ()
    cases = []
    inputs = sorted(
        tests_dir.glob("*.in"), key=lambda p: (not p.stem.isdigit(), int(p.stem) if p.stem.isdigit() else 0, p.stem)
    )
    for inp in inputs:
        out = inp.with_suffix(".out")
        if not out.exists():
            raise CompilerLMError(
                f"test {inp} has no {out.name}; "
                f"generate it with: python -m compilerlm.programs.bless {tests_dir.parent}"
            )
        cases.append(TestCase(name=inp.stem, stdin=inp.read_bytes(), expected=out.read_bytes()))
    return tuple(cases)


def read_program_toml(meta: Path) -> dict:
    """A `program.toml` as a dict ({} if there is none); invalid TOML is a one-line error."""
    if not meta.exists():
        return {}
    try:
        return tomllib.loads(meta.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise CompilerLMError(f"{meta} is not valid TOML: {exc}") from exc


def load_program_dir(path: Path, name: str | None = None) -> Program:
    """A program folder: `*.c` (or `*.ll`), optional `program.toml` and `tests/`."""
    sources = tuple(sorted(p for p in path.iterdir() if p.suffix in C_SUFFIXES)) or tuple(
        sorted(p for p in path.iterdir() if p.suffix in IR_SUFFIXES)
    )
    if not sources:
        raise CompilerLMError(f"{path} has no .c or .ll files; a program folder holds its sources directly")
    meta = path / "program.toml"
    conf = read_program_toml(meta)
    include_dirs = tuple(str((path / d).resolve()) for d in _as_tuple(conf, "include_dirs", meta))
    return Program(
        name=name or path.name,
        sources=sources,
        include_dirs=(str(path.resolve()), *include_dirs),
        defines=_as_tuple(conf, "defines", meta),
        cflags=_as_tuple(conf, "cflags", meta),
        ldflags=_as_tuple(conf, "ldflags", meta),
        tests=load_tests(path / "tests"),
        description=str(conf.get("description", "")),
        root=path,
    )


def single_file_program(path: Path) -> Program:
    """One C or IR file as a program without tests."""
    if path.suffix not in C_SUFFIXES + IR_SUFFIXES:
        raise CompilerLMError(f"{path}: expected a .c, .ll or .bc file")
    return Program(name=path.name, sources=(path,), include_dirs=(str(path.parent.resolve()),))
