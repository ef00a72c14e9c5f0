"""A program: sources, build flags and tests. The unit both tracks work on."""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from compilerlm.errors import CompilerLMError
from compilerlm.programs.names import check_name, printable
from compilerlm.toolchain.frontend import c_flags, compile_c, load_ir
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.targets import HOST, Target, target

if TYPE_CHECKING:
    from compilerlm.programs.compdb import Unit

C_SUFFIXES = (".c",)
IR_SUFFIXES = (".ll", ".bc")
HIDDEN_PREFIX = "hidden-"  # tests so named are never shown to a model (the asm task's hidden tests)
OUTPUTS_SUFFIX = ".outputs"  # a declared test's expected output files: tests/NAME.outputs/FILE (bless writes them)


TEST_KEYS = {"name", "args", "stdin", "files", "stdout", "outputs", "exit_code", "timeout"}


@dataclass(frozen=True)
class TestCase:
    """One run of a program as a user runs it: command-line `args`, `stdin`, and input `files` put in a fresh
    working directory first (name -> host path, or bytes for generated inputs). Expected: standard output
    byte for byte (`expected`; None: not compared), the exit code, and every declared output file byte for
    byte (`outputs`: name -> content; None until blessed)."""

    __test__ = False  # not a pytest class

    name: str
    stdin: bytes = b""
    expected: bytes | None = b""
    args: tuple[str, ...] = ()
    files: tuple[tuple[str, Path | bytes], ...] = ()
    outputs: tuple[tuple[str, bytes | None], ...] = ()
    exit_code: int = 0
    timeout: float | None = None

    @property
    def blessed(self) -> bool:
        """Whether every expectation is known (expected outputs come from bless)."""
        return self.expected is not None and all(content is not None for _, content in self.outputs)

    @property
    def stdin_only(self) -> bool:
        """stdin in, stdout out, exit 0: what SuperCoder's rows and the classic tests/N.in can express."""
        return not (self.args or self.files or self.outputs or self.exit_code)

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.outputs)


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
    library: str = ""  # a shared library's file name: the program is that library (`-shared`, units `-fPIC`)
    driver: tuple[Unit, ...] = ()  # a library's test executable: units linked with the library, run by the tests
    triple: str = HOST.name  # the machine it is built for (`toolchain.targets`): its flags start every compile

    @property
    def machine(self) -> Target:
        """The target the program is built for: its clang flags, link flags and how its binaries run."""
        return target(self.triple)

    @property
    def link_before(self) -> tuple[str, ...]:
        """Flags ahead of the objects on every link of the program: its machine's (clang's --target)."""
        return self.machine.cflags

    @property
    def link_after(self) -> tuple[str, ...]:
        """Flags after the objects on every link: the program's own ldflags, then its machine's (lld)."""
        return (*self.ldflags, *self.machine.link_flags)

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
        if self.units:
            return [compile_c(s.source, s.name, s.flags, level, s.cwd, s.spelled) for s in self.compile_steps()]
        steps = {step.source: step for step in self.compile_steps()}
        out = []
        for src in self.sources:
            step = steps.get(src)
            out.append(compile_c(src, step.name, step.flags, level) if step else load_ir(src, self.module_name(src)))
        return out

    def compile_steps(self) -> list[CompileStep]:
        """How the build compiles each C translation unit: every way of building the program (the frontend,
        the standard recipes, the whole-program route) starts from these."""
        if self.units:  # the flags a program.toml beside the compile database adds come last
            return self._steps(self.units)
        flags = (*self.machine.cflags, *self.flags)
        return [CompileStep(self.module_name(s), s, flags) for s in self.sources if s.suffix in C_SUFFIXES]

    def driver_steps(self) -> list[CompileStep]:
        """How the build compiles a library's test executable (`driver`): not searched, never sized."""
        return self._steps(self.driver)

    def _steps(self, units: Sequence[Unit]) -> list[CompileStep]:
        machine = self.machine.cflags
        return [
            CompileStep(u.name, u.source, (*machine, *u.flags, *self.flags), u.directory, u.spelled, u.debug)
            for u in units
        ]


@dataclass(frozen=True)
class CompileStep:
    """One translation unit as the build compiles it: its flags, the folder clang runs in (`cwd`), and the source
    as the build spells it there."""

    name: str
    source: Path
    flags: tuple[str, ...]
    cwd: Path | None = None
    spelled: str = ""
    debug: tuple[str, ...] = ()  # the build's -g flags: the IR compilerlm searches has none, the shipped build has

    def command(self, compiler: str, options: Sequence[str], output: Path, debug: bool = False) -> list[str]:
        """`compiler OPTIONS FLAGS SOURCE -c -o OUTPUT`: the unit compiled to an object with `options` first (and
        the build's debug flags with `debug`, as a build that is measured to the byte must)."""
        flags = (*self.flags, *self.debug) if debug else self.flags
        return [compiler, *options, *flags, self.spelled or str(self.source), "-c", "-o", str(output)]


def _as_tuple(conf: dict, key: str, where: Path) -> tuple[str, ...]:
    value = conf.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CompilerLMError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def classic_tests(
    tests_dir: Path, declared: Collection[str] = (), root: Path | None = None
) -> list[tuple[str, Path, Path]]:
    """(name, stdin file, expected stdout file) of each `tests/N.in` not named after a `declared` test, numbers
    first: each name plain (`names.check_name`), each `.in` a regular file, both inside `root` (the program
    folder; default: the tests folder's parent) once links are followed."""
    if not tests_dir.is_dir():
        return []
    root = tests_dir.parent if root is None else root
    inputs = sorted(
        tests_dir.glob("*.in"), key=lambda p: (not p.stem.isdigit(), int(p.stem) if p.stem.isdigit() else 0, p.stem)
    )
    found = []
    for inp in inputs:
        name = check_name(inp.stem, "test name", str(tests_dir))
        if name in declared:  # the stdin file of a [[tests]] entry
            continue
        inside(root, inp, "test file", str(tests_dir))
        if not inp.is_file():
            raise CompilerLMError(f"{tests_dir}: test file {printable(inp.name)} is not a regular file")
        found.append((name, inp, inside(root, inp.with_suffix(".out"), "test file", str(tests_dir))))
    return found


def load_tests(
    tests_dir: Path, declared: Collection[str] = (), root: Path | None = None, *, blessing: bool = False
) -> tuple[TestCase, ...]:
    """`tests/N.in` + `tests/N.out` pairs (an `.in` without `.out` is an error: nothing to compare to); a pair
    named after a `declared` test (program.toml's `[[tests]]`) is that test's stdin and expected output.
    `blessing`: the expected outputs are not read (None), as bless learns them."""
    cases = []
    for name, inp, out in classic_tests(tests_dir, declared, root):
        if blessing:
            cases.append(TestCase(name=name, stdin=inp.read_bytes(), expected=None))
            continue
        if not out.is_file():
            raise CompilerLMError(
                f"test {inp} has no {out.name}; "
                f"generate it with: python -m compilerlm.programs.bless {tests_dir.parent}"
            )
        cases.append(TestCase(name=name, stdin=inp.read_bytes(), expected=out.read_bytes()))
    return tuple(cases)


def inside(folder: Path, path: Path, what: str, where: str) -> Path:
    """``path``, once it stays inside ``folder`` with every link followed: a test file that is a link to a host
    file (/etc/passwd, a key) would send that file to a model in a repair prompt. Links within the folder stay."""
    shown = printable(str(path))
    try:
        target = path.resolve()
    except (OSError, RuntimeError) as exc:  # a loop of links
        raise CompilerLMError(f"{where}: {what} {shown} cannot be followed: {printable(str(exc))}") from exc
    if target.is_relative_to(folder.resolve()):
        return path
    if Path(os.path.normpath(path.absolute())) != target:
        raise CompilerLMError(
            f"{where}: {what} {shown} is a link to {printable(str(target))}, outside the program folder; "
            "copy the file into the folder"
        )
    raise CompilerLMError(f"{where}: {what} {shown} is outside the program folder")


def _relative(folder: Path, value: object, what: str, where: str) -> Path:
    """``folder / value`` for a path program.toml gives (checked by `inside` before it is read or written)."""
    if not isinstance(value, str) or not value or "\0" in value:
        raise CompilerLMError(f"{where}: {what} must be a path relative to the program folder")
    return folder / value


def _program_file(folder: Path, value: object, what: str, where: str) -> Path:
    """A file of the program folder named in program.toml; one-line error when it is not there."""
    path = inside(folder, _relative(folder, value, what, where), what, where)
    if not path.is_file():
        raise CompilerLMError(f"{where}: {what} {printable(str(value))!r} does not exist; add the file or fix the path")
    return path.resolve()  # the file checked is the file read


def expected_paths(folder: Path, entry: dict, where: str = "program.toml") -> tuple[Path, dict[str, Path]]:
    """Where a declared test's expected stdout and output files live: `stdout` and an `outputs` table's files
    when program.toml names them, else `tests/NAME.out` and `tests/NAME.outputs/FILE` (what bless writes): an
    output file's name never meets the stdout file's (an output called `out`), nor another test's files."""
    name = check_name(entry.get("name"), "test name", where)
    tests = folder / "tests"
    stdout = _relative(folder, entry["stdout"], "stdout", where) if "stdout" in entry else tests / f"{name}.out"
    outputs_value = entry.get("outputs", [])
    if isinstance(outputs_value, dict):
        outputs = {check_name(k, "output", where): _relative(folder, v, k, where) for k, v in outputs_value.items()}
    elif isinstance(outputs_value, list):
        outputs = {check_name(o, "output", where): tests / f"{name}{OUTPUTS_SUFFIX}" / o for o in outputs_value}
    else:
        raise CompilerLMError(f"{where}: 'outputs' must be a list of file names (or a table name = file)")
    return stdout, outputs


def legacy_output_paths(folder: Path, entry: dict, where: str = "program.toml") -> dict[str, Path]:
    """Where bless wrote a declared output FILE before `tests/NAME.outputs/`: `tests/NAME.FILE`. Read only when
    the new file is not there (with a note to re-run bless, which moves it); never when it is the stdout file
    itself (an output called `out`: one of the two overwrote the other, so neither is trusted)."""
    if not isinstance(entry.get("outputs", []), list):
        return {}  # a table names its own files
    stdout, outputs = expected_paths(folder, entry, where)
    name = check_name(entry.get("name"), "test name", where)
    old = {o: folder / "tests" / f"{name}.{o}" for o in outputs}
    return {o: p for o, p in old.items() if p != stdout}


def test_entries(conf: dict, meta: Path) -> list[dict]:
    """The raw `[[tests]]` tables of a parsed program.toml (bless writes their results where they say)."""
    entries = conf.get("tests", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CompilerLMError(f"{meta}: 'tests' must be an array of tables ([[tests]])")
    return entries


def declared_tests(folder: Path, conf: dict, meta: Path, *, blessing: bool = False) -> tuple[TestCase, ...]:
    """The `[[tests]]` of program.toml: what a user writes is args, files, stdin (and which outputs, the exit
    code, a timeout); the expected stdout and output files are bless's, read from `tests/` when there (an
    output file still in the old layout, `legacy_output_paths`, is read with one note on stderr). `blessing`:
    the expectations are not read (None), as bless learns them."""
    cases: list[TestCase] = []
    legacy_read: list[str] = []
    for n, entry in enumerate(test_entries(conf, meta), 1):
        where = f"{meta}: test '{printable(str(entry.get('name', n)), limit=60)}'"
        unknown = set(entry) - TEST_KEYS
        if unknown:
            raise CompilerLMError(
                f"{where}: unknown key(s) {', '.join(sorted(unknown))}; use {', '.join(sorted(TEST_KEYS))}"
            )
        name = check_name(entry.get("name"), "test name", where)
        if any(c.name == name for c in cases):
            raise CompilerLMError(f"{where}: two tests are called {name!r}")
        args = entry.get("args", [])
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            raise CompilerLMError(f"{where}: 'args' must be a list of strings")
        stdin = _program_file(folder, entry["stdin"], "stdin", where).read_bytes() if "stdin" in entry else b""
        files_value = entry.get("files", [])
        if not isinstance(files_value, list):
            raise CompilerLMError(f"{where}: 'files' must be a list of paths")
        paths = [_program_file(folder, f, "file", where) for f in files_value]
        names = [check_name(Path(f).name, "input file", where) for f in files_value]
        files = tuple(zip(names, paths, strict=True))
        if len({f for f, _ in files}) != len(files):
            raise CompilerLMError(f"{where}: two input files have the same name")
        stdout_path, output_paths = expected_paths(folder, entry, where)
        for label, path in [("stdout", stdout_path)] + [(f"output {o!r}", p) for o, p in output_paths.items()]:
            inside(folder, path, label, where)
        if not blessing:
            for o, old in legacy_output_paths(folder, entry, where).items():
                if not output_paths[o].is_file() and inside(folder, old, f"output {o!r}", where).is_file():
                    output_paths[o] = old
                    legacy_read.append(old.name)
        exit_code = entry.get("exit_code", 0)
        timeout = entry.get("timeout")
        if not isinstance(exit_code, int) or not 0 <= exit_code <= 255:
            raise CompilerLMError(f"{where}: 'exit_code' must be an integer 0-255")
        if timeout is not None and (not isinstance(timeout, int | float) or timeout <= 0):
            raise CompilerLMError(f"{where}: 'timeout' must be a positive number of seconds")
        cases.append(
            TestCase(
                name=name,
                stdin=stdin,
                expected=stdout_path.read_bytes() if stdout_path.is_file() and not blessing else None,
                args=tuple(args),
                files=files,
                outputs=tuple(
                    (o, p.read_bytes() if p.is_file() and not blessing else None) for o, p in output_paths.items()
                ),
                exit_code=exit_code,
                timeout=float(timeout) if timeout is not None else None,
            )
        )
    if legacy_read:
        shown = ", ".join(printable(f"tests/{n}") for n in legacy_read[:3]) + (", ..." if len(legacy_read) > 3 else "")
        sys.stderr.write(
            f"compilerlm: {printable(str(folder))}: {len(legacy_read)} expected output file(s) read from the old "
            f"layout ({shown}); re-run python -m compilerlm.programs.bless on it to move them to "
            f"tests/NAME{OUTPUTS_SUFFIX}/FILE\n"
        )
    return tuple(cases)


def read_program_toml(meta: Path) -> dict:
    """A `program.toml` as a dict ({} if there is none); invalid TOML is a one-line error."""
    if not meta.exists():
        return {}
    try:
        return tomllib.loads(meta.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise CompilerLMError(f"{meta} is not valid TOML: {exc}") from exc


def program_tests(folder: Path, conf: dict, meta: Path, *, blessing: bool = False) -> tuple[TestCase, ...]:
    """A program folder's tests: `tests/N.in` + `N.out`, then the `[[tests]]` of its program.toml (`blessing`:
    without their expected results, which bless is about to learn)."""
    cases = declared_tests(folder, conf, meta, blessing=blessing)
    return load_tests(folder / "tests", {c.name for c in cases}, folder, blessing=blessing) + cases


def load_program_dir(path: Path, name: str | None = None) -> Program:
    """A program folder: `*.c` (or `*.ll`), optional `program.toml` and `tests/`."""
    sources = tuple(sorted(p for p in path.iterdir() if p.suffix in C_SUFFIXES)) or tuple(
        sorted(p for p in path.iterdir() if p.suffix in IR_SUFFIXES)
    )
    if not sources:
        raise CompilerLMError(f"{path} has no .c or .ll files; a program folder holds its sources directly")
    for source in sources:  # a source goes into prompts (the speed track shows the C code) as a test file does
        inside(path, source, "source", str(path))
    meta = path / "program.toml"
    conf = read_program_toml(meta)
    include_dirs = tuple(str((path / d).resolve()) for d in _as_tuple(conf, "include_dirs", meta))
    return Program(
        name=check_name(name or path.resolve().name, "program name", str(path)),
        sources=sources,
        include_dirs=(str(path.resolve()), *include_dirs),
        defines=_as_tuple(conf, "defines", meta),
        cflags=_as_tuple(conf, "cflags", meta),
        ldflags=_as_tuple(conf, "ldflags", meta),
        tests=program_tests(path, conf, meta),
        description=str(conf.get("description", "")),
        root=path,
    )


def single_file_program(path: Path) -> Program:
    """One C or IR file as a program without tests."""
    if path.suffix not in C_SUFFIXES + IR_SUFFIXES:
        raise CompilerLMError(f"{path}: expected a .c, .ll or .bc file")
    name = check_name(path.name, "program name", str(path))
    return Program(name=name, sources=(path,), include_dirs=(str(path.parent.resolve()),))
