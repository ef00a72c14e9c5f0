"""Write a program's expected results from its -O0 build, and check that its optimized builds agree.

Usage: python -m compilerlm.programs.bless TARGET... [--check] [--sanitize] [--timing] [--suite]

TARGET is a program folder (`*.c`, optional program.toml, tests), or a compile database: a build folder holding
`compile_commands.json` (with the program.toml beside it), the JSON file itself, or `compdb:PATH`. A folder
that holds both C sources and a compile database is a program folder unless its program.toml says `units`,
`[[programs]]`, `library` or `driver`; write `compdb:DIR` to mean the database.

A user writes a test's inputs only: `tests/N.in` (stdin), or a `[[tests]]` table in program.toml (args,
input files, stdin, which output files it writes, its exit code). The expected results — standard output
(`tests/N.out`, `tests/NAME.out`) and every declared output file (`tests/NAME.outputs/FILE`, so that no output
name can meet the stdout file) — come from the clang -O0 build (the oracle). The same tests then run on
optimized builds, which must agree byte for byte: a program whose results depend on the optimization level
has undefined behaviour. A program folder is built from all its `*.c` with program.toml's flags and checked
at clang -O3 and gcc -O3; a compile database's programs (one, or each `[[programs]]` table) are built unit by
unit with each unit's own flags and checked at clang -O2 and -O3, a shared library (`library`) built -shared
and its tests run through its `driver` executable. With --sanitize an ASan+UBSan build must agree too (not
for a library). Every run goes through `programs.testing.run_test`, confined like any other test.

Fewer than 5 tests is a warning. The built-in suite's rules are asked for with --suite (used for the programs
under src/compilerlm/programs/builtin): fewer than 5 tests fails, and --timing is on. --timing prints each
test's -O3 run times and marks those outside the speed track's 0.02-0.5 s band (at gcc -O3; clang -O3 for a
compile database).

An output file blessed before the `tests/NAME.outputs/` layout (`tests/NAME.FILE`) is still read, with a note,
until bless runs again: bless writes the new file and deletes the old one when it holds the same bytes and
no test reads it (else it says so and leaves it). --check writes nothing.

Exit status 0 when every test was blessed (with --check: every expected file is current) and every build
agrees; 1 otherwise. Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from compilerlm.errors import CompileError, CompilerLMError
from compilerlm.parallel import run_process
from compilerlm.programs.build import compile_objects, link_objects
from compilerlm.programs.compdb import COMPDB, compdb_programs, find_compdb
from compilerlm.programs.library import library_driver
from compilerlm.programs.names import printable
from compilerlm.programs.program import (
    CompileStep,
    Program,
    TestCase,
    classic_tests,
    expected_paths,
    legacy_output_paths,
    program_tests,
    read_program_toml,
    test_entries,
)
from compilerlm.programs.testing import emulator_for, expecting, run_test
from compilerlm.sandbox import Emulator, Limits
from compilerlm.toolchain.frontend import c_flags
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.run import first_error_line
from compilerlm.toolchain.targets import TARGETS, target, unusable

LIMITS = Limits(wall_seconds=60.0, cpu_seconds=60)
SANITIZER_LIMITS = Limits(wall_seconds=60.0, cpu_seconds=60, address_space_bytes=1 << 47)  # ASan's shadow memory
SANITIZE = ["-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"]
# LeakSanitizer stops at exit under the sandbox ("does not work under ptrace"), failing every test: leaks are not
# checked, memory errors and undefined behaviour are. Linked into the sanitizer build.
ASAN_OPTIONS_C = 'const char *__asan_default_options(void) { return "detect_leaks=0"; }\n'
SUITE_MIN_TESTS = 5  # the built-in suite's rule (--suite); a user's program with fewer gets a warning
TIMING_BAND = (0.02, 0.5)  # seconds per test at -O3: what the speed track can time (--timing)
BUILTIN_DIR = Path(__file__).parent / "builtin"
COMPDB_KEYS = {"units", "programs", "library", "driver"}  # program.toml keys only a compile database's has
JOBS = max(1, min(os.cpu_count() or 1, 8))


@dataclass(frozen=True)
class Options:
    check_only: bool = False
    sanitize: bool = False
    timing: bool = False
    suite: bool = False
    machines: tuple[str, ...] = ()  # also build for these targets (Debian triples) and run the tests under qemu


@dataclass(frozen=True)
class Expected:
    """Where one test's expected stdout and output files go, and where the old layout kept its output files."""

    stdout: Path
    outputs: dict[str, Path] = field(default_factory=dict)
    legacy: dict[str, Path] = field(default_factory=dict)


Built = tuple[Path, Mapping[str, Path] | None]  # what the tests run (an executable) and the libraries it loads


def _expected(root: Path, entries: list[dict], where: str, classic: bool) -> dict[str, Expected]:
    """Each test's `Expected`, by name: `tests/N.in`'s (with `classic`) and each `[[tests]]` entry's."""
    out: dict[str, Expected] = {}
    declared = [str(e.get("name")) for e in entries]
    if classic:
        for name, _stdin, stdout in classic_tests(root / "tests", declared, root):
            out[name] = Expected(stdout)
    for entry in entries:
        stdout, outputs = expected_paths(root, entry, where)
        out[str(entry["name"])] = Expected(stdout, outputs, legacy_output_paths(root, entry, where))
    return out


def _read_by_tests(root: Path, entries: list[dict], expected: dict[str, Expected]) -> set[Path]:
    """Every file a test reads or expects (stdin, input files, expected files): an old-layout file that is one
    of them stays where it is."""
    paths = {p for e in expected.values() for p in (e.stdout, *e.outputs.values())}
    paths |= {p.with_suffix(".in") for e in expected.values() for p in [e.stdout]}  # tests/N.in
    for entry in entries:
        named = [entry["stdin"]] if isinstance(entry.get("stdin"), str) else []
        named += [f for f in entry.get("files", []) if isinstance(f, str)]
        paths |= {root / f for f in named}
    return {p.resolve() for p in paths}


class _Files:
    """Writes the expected files (with --check: compares them); one file expected with two different contents
    (two tests naming the same `stdout` or output path in program.toml) is an error."""

    def __init__(self, root: Path, check_only: bool, read_by_tests: set[Path]) -> None:
        self.root, self.check_only, self.read_by_tests = root, check_only, read_by_tests
        self.done: dict[Path, tuple[str, bytes]] = {}

    def shown(self, path: Path) -> str:
        try:
            return printable(str(path.relative_to(self.root)))
        except ValueError:
            return printable(str(path))

    def put(self, path: Path, content: bytes, label: str, legacy: Path | None = None) -> bool:
        key = path.resolve()
        if key in self.done and self.done[key][1] != content:
            print(f"{label}: {self.shown(path)} is also {self.done[key][0]}'s expected file, with other content")
            return False
        self.done[key] = (label, content)
        if self.check_only:
            if path.is_file() and path.read_bytes() == content:
                return True
            hint = ""
            if legacy is not None and legacy.is_file() and not path.is_file():
                hint = f" ({self.shown(legacy)} is the old layout: bless without --check moves it)"
            print(f"{label}: expected {self.shown(path)} missing or stale{hint}")
            return False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        except OSError as exc:
            print(f"{label}: cannot write {self.shown(path)}: {exc.strerror or exc}")
            return False
        if legacy is not None:
            self.retire(legacy, path, content, label)
        return True

    def retire(self, old: Path, new: Path, content: bytes, label: str) -> None:
        """The old layout's `tests/NAME.FILE`, now at `new`: deleted when it holds the same bytes and no test reads
        it, else left with a line saying so. A link is left alone (never read: it may point out of the folder)."""
        if old.is_symlink() or not old.is_file() or old.resolve() in self.read_by_tests | set(self.done):
            return
        if old.read_bytes() == content:
            old.unlink()
            print(f"{label}: moved {self.shown(old)} to {self.shown(new)} (the expected-file layout)")
        else:
            print(f"{label}: {self.shown(old)} is the old layout's file and differs from the new result; delete it")


def _bless_tests(
    name: str,
    tests: Sequence[TestCase],
    expected: dict[str, Expected],
    builds: dict[str, Built],
    files: _Files,
    opts: Options,
    emulators: Mapping[str, Emulator] | None = None,
) -> bool:
    """Runs every test on the oracle build ("O0"), writes (or checks) what it produced, and runs the blessed test
    on every other build, which must pass it (a build for another machine under its emulator, `emulators`)."""
    ok = True
    oracle, oracle_libraries = builds["O0"]
    for test in tests:
        label = printable(f"{name}/{test.name}")
        ref = run_test(oracle, test, LIMITS, libraries=oracle_libraries)
        if not ref.passed:
            print(f"{label}: the -O0 build failed it ({ref.status}: {ref.detail})")
            ok = False
            continue
        blessed = expecting(test, ref)
        where = expected[test.name]
        ok &= files.put(where.stdout, ref.stdout, label)
        for output, path in where.outputs.items():
            ok &= files.put(path, ref.outputs[output], label, where.legacy.get(output))
        times: dict[str, float] = {}
        for build, (binary, libraries) in builds.items():
            if build == "O0":
                continue
            limits = SANITIZER_LIMITS if build == "asan+ubsan" else LIMITS
            run = run_test(binary, blessed, limits, libraries=libraries, emulator=(emulators or {}).get(build))
            times[build] = run.result.wall_seconds
            if not run.passed:
                why = "differs from -O0 (undefined behaviour?)" if "wrong" in run.status else run.detail
                why = (_sanitizer_report(run.result.stderr) if build == "asan+ubsan" else "") or why
                print(f"{label}: {build}: {run.status}: {why}")
                ok = False
        outputs = f", {len(where.outputs)} output file(s)" if where.outputs else ""
        if not opts.timing:
            print(f"{label}: {len(ref.stdout)} bytes out{outputs}")
            continue
        native = {
            b: t for b, t in times.items() if "-O" in b and b not in (emulators or {})
        }  # qemu's times say nothing
        timed = " ".join(f"{b.replace('-O', ' -O')} {t:.3f}s" for b, t in native.items())
        base = times.get("gcc-O3", times.get("clang-O3", 0.0))  # the speed track's baseline is gcc -O3
        low, high = TIMING_BAND
        flag = "" if low <= base <= high else f"  <-- outside {low}-{high} s"
        print(f"{label}: {timed}, {len(ref.stdout)} bytes out{outputs}{flag}")
    return ok


def _sanitizer_report(stderr: bytes) -> str:
    """The line of a sanitizer's report that says what went wrong ("" without one)."""
    lines = stderr.decode(errors="replace").splitlines()
    found = [ln for ln in lines if "ERROR: AddressSanitizer" in ln or "runtime error:" in ln]
    return printable(found[0].strip(), limit=300) if found else ""


def _enough(name: str, count: int, opts: Options) -> bool:
    """The built-in suite's minimum: an error with --suite, a warning for a user's program."""
    if count >= SUITE_MIN_TESTS:
        return True
    if opts.suite:
        print(f"{printable(name)}: only {count} tests (the built-in suite needs at least {SUITE_MIN_TESTS})")
        return False
    print(
        f"{printable(name)}: warning: only {count} test(s); more tests check more of the program "
        f"(the built-in suite asks for {SUITE_MIN_TESTS}, with --suite)"
    )
    return True


# ------------------------------------------------------------------------------------------------ program folders


def _build(
    prog: Path, conf: dict, compiler: str, flags: list[str], out: Path, what: str, extra: Sequence[str] = ()
) -> Path:
    sources = [*sorted(str(p) for p in prog.glob("*.c")), *extra]
    includes = [str(prog.resolve()), *(str((prog / d).resolve()) for d in conf.get("include_dirs", []))]
    program_flags = c_flags(includes, conf.get("defines", []), conf.get("cflags", []))
    cmd = [compiler, *flags, *program_flags, *sources, "-o", str(out), *conf.get("ldflags", []), "-lm"]
    res = run_process(cmd, text=True)
    if res.returncode != 0:
        raise CompileError(f"{printable(prog.name)}: the {what} build fails: {first_error_line(res.stderr)}")
    return out


def bless(
    prog: Path,
    check_only: bool = False,
    sanitize: bool = False,
    *,
    timing: bool = False,
    suite: bool = False,
    machines: Sequence[str] = (),
) -> bool:
    """Bless a program folder; True when every test was blessed (or is current) and every build agrees. Expected
    results come from the native -O0 build; `machines` (Debian triples) add a -Oz build for each, whose tests
    run under its qemu-user and must agree too."""
    opts = Options(check_only, sanitize, timing or suite, suite, tuple(machines))
    cross = {triple: target(triple) for triple in opts.machines}  # an unknown name fails here, before any build
    for machine in cross.values():
        if why := unusable(machine):
            raise CompilerLMError(why)
    if not prog.is_dir():
        raise CompilerLMError(
            f"{printable(str(prog))}: no such folder; give a program folder (*.c, tests) or a build folder "
            f"holding {COMPDB}"
        )
    if not any(prog.glob("*.c")):
        raise CompilerLMError(
            f"{printable(str(prog))} has no .c files: bless builds a program folder's C sources, or a compile "
            f"database's units ({COMPDB})"
        )
    name = printable(prog.resolve().name)
    meta = prog / "program.toml"
    conf = read_program_toml(meta)
    tests = program_tests(prog, conf, meta, blessing=True)
    entries = test_entries(conf, meta)
    expected = _expected(prog, entries, str(meta), classic=True)
    if prog.resolve().is_relative_to(BUILTIN_DIR.resolve()) and not suite:
        print(f"{name}: note: a built-in suite program; bless it with --suite to hold it to the suite's rules")
    if not tests:
        raise CompilerLMError(f"{name}: no tests to bless; add tests/N.in (stdin) or [[tests]] to program.toml")
    files = _Files(prog, opts.check_only, _read_by_tests(prog, entries, expected))
    with tempfile.TemporaryDirectory(prefix="compilerlm-bless-") as tmp:
        commands = {
            "O0": [llvm_tool("clang"), "-O0", "-w"],
            "clang-O3": [llvm_tool("clang"), "-O3", "-w"],
            "gcc-O3": ["gcc", "-O3", "-w"],
        }
        if opts.sanitize:
            commands["asan+ubsan"] = [llvm_tool("clang"), *SANITIZE]
        emulators: dict[str, Emulator] = {}
        for triple, machine in cross.items():
            commands[f"{triple} -Oz"] = [llvm_tool("clang"), *machine.cflags, *machine.link_flags, "-Oz", "-w"]
            if (emulator := emulator_for(machine)) is not None:
                emulators[f"{triple} -Oz"] = emulator
        asan_options = Path(tmp) / "asan-options.c"
        asan_options.write_text(ASAN_OPTIONS_C)
        builds: dict[str, Built] = {}
        for build, cmd in commands.items():
            extra = [str(asan_options)] if build == "asan+ubsan" else []
            out = _build(prog, conf, cmd[0], cmd[1:], Path(tmp) / build, build.replace("-O", " -O"), extra)
            builds[build] = (out, None)
        ok = _bless_tests(name, tests, expected, builds, files, opts, emulators)
    return _enough(name, len(tests), opts) and ok


# ---------------------------------------------------------------------------------------------- compile databases


def _compdb_build(program: Program, options: list[str], folder: Path, what: str) -> Built:
    """`program` built as its database says (each unit with its own flags and folder, `options` first), linked
    with its ldflags: the executable, or for a library the `.so` and its driver linked with it."""
    folder.mkdir(parents=True)

    def failed(step: CompileStep, why: str) -> str:
        return f"{program.name}: the {what} build fails: {step.name}: {why}"

    objects = compile_objects(program.compile_steps(), [*options, "-w"], folder, failed, jobs=JOBS)
    target = folder / (program.library or "prog")
    sanitizers = [o for o in options if o.startswith("-fsanitize") or o == "-fno-sanitize-recover=all"]
    if sanitizers:
        (folder / "asan-options.c").write_text(ASAN_OPTIONS_C)
        objects.append(folder / "asan-options.c")
    link_objects(
        objects,
        target,
        lambda why: f"{program.name}: the {what} build does not link: {why}",
        before=sanitizers,
        after=program.ldflags,
    )
    if not program.library:
        return target, None
    return library_driver(program, target, folder / "driver")


def _is_compdb(target: str) -> tuple[bool, Path]:
    """(whether TARGET means a compile database, its path)."""
    if target.startswith("compdb:"):
        return True, Path(target.removeprefix("compdb:"))
    path = Path(target)
    if path.suffix == ".json":
        return True, path  # compile_commands.json itself
    if not (path / COMPDB).is_file():
        return False, path
    if not any(path.glob("*.c")):
        return True, path
    conf = read_program_toml(path / "program.toml")
    return bool(COMPDB_KEYS & set(conf)), path


def bless_compdb(path: Path | str, opts: Options) -> bool:
    """Bless every program of a compile database (its build folder, the JSON file or `compdb:PATH`'s path)."""
    if opts.machines:
        raise CompilerLMError("bless --target takes program folders; a compile database is blessed for the host")
    db = find_compdb(Path(path))
    root = db.parent
    meta = root / "program.toml"
    conf = read_program_toml(meta)
    programs = compdb_programs(db, blessing=True)
    tables = conf.get("programs")
    per_program: dict[str, tuple[list[dict], dict[str, Expected]]] = {}
    for program in programs:
        if tables is None:
            entries = test_entries(conf, meta)
        else:
            entries = test_entries(next(t for t in tables if t.get("name") == program.name), meta)
        per_program[program.name] = (entries, _expected(root, entries, str(meta), classic=tables is None))
    every_entry = [e for entries, _ in per_program.values() for e in entries]
    every_expected = {k: v for _, expected in per_program.values() for k, v in expected.items()}
    files = _Files(root, opts.check_only, _read_by_tests(root, every_entry, every_expected))
    if not any(p.tests for p in programs):
        raise CompilerLMError(
            f"{printable(str(db))}: no tests to bless; add [[tests]] (or [[programs.tests]]) to {meta.name} beside it"
        )
    ok = True
    for program in programs:
        name = printable(program.name)
        for why in program.skipped:
            print(f"{name}: note: unit left out: {printable(why)}")
        if not program.tests:
            print(f"{name}: warning: no tests; tune will report it unverified (add [[programs.tests]])")
            continue
        levels = {"O0": ["-O0"], "clang-O2": ["-O2"], "clang-O3": ["-O3"]}
        if opts.sanitize and program.library:
            print(f"{name}: note: --sanitize builds executables only; the library is checked at -O2 and -O3")
        elif opts.sanitize:
            levels["asan+ubsan"] = SANITIZE
        with tempfile.TemporaryDirectory(prefix="compilerlm-bless-") as tmp:
            builds = {
                build: _compdb_build(program, flags, Path(tmp) / build, build.replace("-O", " -O"))
                for build, flags in levels.items()
            }
            ok &= _bless_tests(name, program.tests, per_program[program.name][1], builds, files, opts)
        ok = _enough(name, len(program.tests), opts) and ok
    return ok


def bless_target(target: str, opts: Options) -> bool:
    """A program folder or a compile database, as `_is_compdb` tells them apart."""
    database, path = _is_compdb(target)
    if database:
        return bless_compdb(path, opts)
    if (path / COMPDB).is_file():
        shown = printable(target)
        print(f"{shown}: note: blessed as a program folder (its *.c); compdb:{shown} means its {COMPDB}")
    return bless(path, opts.check_only, opts.sanitize, timing=opts.timing, suite=opts.suite, machines=opts.machines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="+", metavar="TARGET", help="a program folder or a compile database")
    parser.add_argument("--check", action="store_true", help="only check that expected outputs are current")
    parser.add_argument("--sanitize", action="store_true", help="also run an ASan+UBSan build on every test")
    parser.add_argument("--timing", action="store_true", help="print each test's -O3 run times (speed-track advice)")
    parser.add_argument(
        "--suite", action="store_true", help="the built-in suite's rules: at least 5 tests (else exit 1); --timing"
    )
    parser.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="TRIPLE",
        help=f"also build at -Oz for this machine and run every test under its qemu-user ({', '.join(TARGETS)}); "
        "repeatable",
    )
    args = parser.parse_args()
    opts = Options(args.check, args.sanitize, args.timing or args.suite, args.suite, tuple(args.target))
    results = []
    for given in args.targets:
        try:
            results.append(bless_target(given, opts))
        except (CompilerLMError, OSError) as exc:
            print(f"error: {' '.join(str(exc).splitlines())}", file=sys.stderr)
            results.append(False)
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
