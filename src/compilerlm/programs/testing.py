"""Running a program's tests on a binary: confined, each test in a fresh directory, pass = exit 0 and stdout
equal to the expected output byte for byte.

Every check of a binary against a program's tests goes through ``run_tests`` (tune verification, the speed
track's baseline and candidate checks), so a test means the same everywhere and never runs outside the
sandbox, whoever wrote the code.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from compilerlm.programs.program import TestCase
from compilerlm.sandbox import Limits, SandboxResult, run_sandboxed


@dataclass(frozen=True)
class TestRun:
    """One test of one binary; ``result.status`` is the sandbox's ("ok", "wrong-output", "timeout", ...)."""

    __test__ = False  # not a pytest class

    test: TestCase
    result: SandboxResult

    @property
    def passed(self) -> bool:
        return self.result.ok


def run_tests(
    binary: Path,
    tests: Sequence[TestCase],
    limits: Limits = Limits(),  # noqa: B008  (frozen)
    *,
    stop_at_first_failure: bool = False,
) -> Iterator[TestRun]:
    """Run ``binary`` on ``tests`` in order, confined; yields each run as it ends (a caller may stop early)."""
    for test in tests:
        run = TestRun(test, run_sandboxed(binary, test.stdin, limits, expected=test.expected))
        yield run
        if stop_at_first_failure and not run.passed:
            return
