"""Running a program's tests on a binary: confined, each test in a fresh working directory with its input
files, its arguments and its stdin; pass = the expected exit code, stdout equal to the expected output byte
for byte, and every declared output file written and equal byte for byte.

Every check of a binary against a program's tests goes through ``run_test``/``run_tests`` (tune
verification, the speed track's baseline, candidate and differential checks, bless), so a test means the
same everywhere and never runs outside the sandbox, whoever wrote the code. Every run that yields a number
goes through it too: a timed run (``checked_runner``) and a counted one (``run_test(..., under=...)``) are
judged exactly as a check is, from the same stdin, arguments, files and environment, so a binary cannot
tell them apart by what it sees of its own run, and a measured run with the wrong output is a failure, not
a time.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from compilerlm.errors import CompilerLMError
from compilerlm.measure import Runner, RunSample
from compilerlm.programs.program import TestCase
from compilerlm.sandbox import Emulator, Limits, SandboxResult, run_sandboxed, run_tool_sandboxed
from compilerlm.toolchain.targets import Target


@dataclass(frozen=True)
class TestRun:
    """One test of one binary. ``status`` is the sandbox's ("ok", "timeout", "signal", ...) or, for a run
    that ended as the sandbox allows but not as the test expects: "wrong-output", "wrong-exit-code",
    "missing-output", "wrong-output-file". ``outputs`` holds the declared output files the run wrote."""

    __test__ = False  # not a pytest class

    test: TestCase
    result: SandboxResult
    status: str
    detail: str = ""
    outputs: dict[str, bytes] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status == "ok"

    @property
    def stdout(self) -> bytes:
        return self.result.stdout

    def sample(self) -> RunSample:
        """The run as ``measure`` takes it: "ok" only when the test passed, else the verdict."""
        res = self.result
        return RunSample(self.status, res.exit_code, res.wall_seconds, res.cpu_seconds, self.detail)


def test_limits(test: TestCase, limits: Limits) -> Limits:
    """The limits of one run of `test`: its own timeout, when it has one, replaces the wall and CPU time."""
    if test.timeout is None:
        return limits
    return replace(limits, wall_seconds=test.timeout, cpu_seconds=max(1, int(test.timeout) + 1))


def test_files(test: TestCase) -> dict[str, Path | bytes]:
    """The files put in the test's working directory before it runs (name -> host path or content)."""
    return dict(test.files)


@dataclass(frozen=True)
class Under:
    """A tool that runs the test's binary to measure it (a counter): its command line up to the program, which
    follows as ``/prog`` and the test's arguments. The tool writes its report to the sandbox's report pipe
    (``REPORT_FD``), apart from the program's stdout, which is judged as in any check."""

    argv: tuple[str, ...]
    slowdown: float = 1.0  # how many times longer the run may take under the tool
    address_space_bytes: int = 0  # at least this much (valgrind reserves a lot)
    max_processes: int = 0
    allow_syscalls: tuple[str, ...] = ()

    def limits(self, limits: Limits) -> Limits:
        return replace(
            limits,
            wall_seconds=limits.wall_seconds * self.slowdown + 5,
            cpu_seconds=math.ceil(limits.cpu_seconds * self.slowdown) + 5,
            address_space_bytes=max(limits.address_space_bytes, self.address_space_bytes),
            max_processes=max(limits.max_processes, self.max_processes),
        )


def run_test(
    binary: Path,
    test: TestCase,
    limits: Limits = Limits(),  # noqa: B008  (frozen)
    *,
    under: Under | None = None,
    libraries: Mapping[str, Path] | None = None,
    emulator: Emulator | None = None,
) -> TestRun:
    """Run ``binary`` on one test, confined, and judge it. An unblessed expectation (None) is not compared:
        bless runs tests that way to learn them. ``under``: the run is made by a measuring tool, whose report
        comes back in ``result.report``. ``libraries``: shared libraries the binary loads from /prog-lib (a library
    under test, with the executable that drives it). ``emulator``: the binary is for another machine and runs
    under it (`emulator_for`)."""
    if under is not None and (libraries or emulator):
        raise CompilerLMError("a measured run is native and loads no library under test (run_test: under with those)")
    run_limits = test_limits(test, limits)
    with tempfile.TemporaryDirectory(prefix="compilerlm-test-") as out:
        where = {
            "files": test_files(test) or None,
            "collect": test.output_names,
            "collect_to": Path(out) if test.outputs else None,
        }
        if under is None:
            res = run_sandboxed(
                binary,
                test.stdin,
                run_limits,
                args=test.args,
                libraries=libraries,
                emulator=emulator,
                **where,  # type: ignore[arg-type]
            )
        else:
            res = run_tool_sandboxed(
                [*under.argv, "/prog", *test.args],
                test.stdin,
                under.limits(run_limits),
                binary=binary,
                report=True,
                allow_syscalls=under.allow_syscalls,
                **where,  # type: ignore[arg-type]
            )
        written = {name: (Path(out) / name).read_bytes() for name in res.collected if name in test.output_names}
    return TestRun(test, res, *_verdict(test, res, written), outputs=written)


def checked_runner(test: TestCase, limits: Limits = Limits()) -> Runner:  # noqa: B008  (frozen)
    """A ``measure`` Runner that runs ``test`` on the binary named by argv[0] and judges the run as a check
    does: its sample is "ok" only when the output is right, so a timing never includes a run that was not.
    The test fixes stdin and arguments; the runner's own ``stdin`` and the rest of argv are not used."""

    def run(argv: Sequence[str], stdin: bytes, timeout: float) -> RunSample:
        return run_test(Path(argv[0]), test, limits).sample()

    return run


def _verdict(test: TestCase, res: SandboxResult, written: dict[str, bytes]) -> tuple[str, str]:
    clean_exit = res.status == "ok" or (res.status == "exit-code" and res.exit_code is not None)
    if not clean_exit:
        return res.status, res.detail
    code = res.exit_code or 0
    if code != test.exit_code:
        return "wrong-exit-code", f"exit code {code}, expected {test.exit_code}"
    if test.expected is not None and res.stdout != test.expected:
        return "wrong-output", "standard output differs from the expected output"
    for name, content in test.outputs:
        if name not in written:
            return "missing-output", f"did not write {name}"
        if content is not None and written[name] != content:
            return "wrong-output-file", f"{name} differs from the expected file"
    return "ok", ""


def run_tests(
    binary: Path,
    tests: Sequence[TestCase],
    limits: Limits = Limits(),  # noqa: B008  (frozen)
    *,
    stop_at_first_failure: bool = False,
    libraries: Mapping[str, Path] | None = None,
    emulator: Emulator | None = None,
) -> Iterator[TestRun]:
    """Run ``binary`` on ``tests`` in order, confined; yields each run as it ends (a caller may stop early).
    A test without its expected results is refused: it would pass anything."""
    for test in tests:
        if not test.blessed:
            raise CompilerLMError(
                f"test {test.name!r} has no expected output yet: run python -m compilerlm.programs.bless on its "
                "program folder (expected results come from the -O0 build)"
            )
        run = run_test(binary, test, limits, libraries=libraries, emulator=emulator)
        yield run
        if stop_at_first_failure and not run.passed:
            return


def emulator_for(machine: Target) -> Emulator | None:
    """How the sandbox runs a binary built for `machine`: None natively, else under its qemu-user (the guest held
    to the run's memory limit as `Target.guest_space_option` and `guest_reservation` say)."""
    command = machine.emulator_command()
    if command is None:
        return None
    return Emulator(command, machine.guest_space_option, machine.guest_reservation)


def expecting(test: TestCase, run: TestRun) -> TestCase:
    """`test` with what `run` produced as its expected results (a reference binary's run: bless, the oracle)."""
    outputs = tuple((name, run.outputs.get(name)) for name in test.output_names)
    return replace(test, expected=run.stdout, outputs=outputs, exit_code=run.result.exit_code or 0)
