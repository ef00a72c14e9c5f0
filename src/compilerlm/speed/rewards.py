"""Reward functions for the speed (asm) task: one module, used by evaluation and RL training alike.

Each takes an ``AsmResult`` (``speed/judge.py``) and returns a float, so the number a training run
optimises is the number an evaluation reports. Three are offered:

- ``supercoder_reward``: SuperCoder's default (docs/design.md, "Interfaces that must match the outside world").
- ``supercoder_partial_reward``: the shaped variant with penalties and partial credit.
- ``hidden_test_reward``: ours; the default made hard to game (hidden tests and differential mutants).

All three give a verbatim copy of the baseline 0: copying is always available, so it must earn nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class RewardInput(Protocol):
    """The fields of ``AsmResult`` the rewards read (any object with them will do, e.g. in tests)."""

    compiled: bool
    correct: bool
    visible_passed: bool
    runtime_error: bool
    is_baseline_copy: bool
    speedup: float | None

    @property
    def passed(self) -> float: ...


def supercoder_reward(result: RewardInput) -> float:
    """SuperCoder's default reward (arXiv 2505.11480; docs/design.md): the mean speedup over the tests when the
    candidate compiles, passes all its tests and is faster than the baseline (speedup > 1), else 0. A
    verbatim copy of the baseline earns 0.

    "Its tests" are the tests SuperCoder has for a program, i.e. the dataset row's ``inputs``/``outputs``:
    here the visible tests. Hidden tests and mutants do not count (that is ``hidden_test_reward``), so a
    candidate that hard-codes the visible outputs can score here; evaluate with ``time_if="visible"`` to
    reproduce SuperCoder's numbers (the default only times fully correct candidates)."""
    if result.is_baseline_copy or not result.compiled or not result.visible_passed or result.speedup is None:
        return 0.0
    return result.speedup if result.speedup > 1.0 else 0.0


def supercoder_partial_reward(result: RewardInput, scale: float = 10.0) -> float:
    """The shaped reward after SuperCoder's correctness-guided variant: compile error -1, runtime
    error -0.5, otherwise the fraction of tests passed when not all pass, correct but not faster 1, faster
    ``1 + 10 × speedup``. (Read literally, so there is a step from 1 to 11 at speedup 1; ``scale`` is the 10.)

    Choices made here: "compile error" includes an answer with no assembly block; "runtime error" means any
    test crashed, exited non-zero or hit a time/memory/output limit (wrong output alone is not one);
    tests and "correct" are all checked tests (visible, hidden, mutants), so hard-coded visible outputs
    earn only their fraction; a correct candidate whose timing failed counts as not faster; a verbatim
    copy of the baseline earns 0 (docs/design.md's rule, else copying is a free 1)."""
    if not result.compiled:
        return -1.0
    if result.runtime_error:
        return -0.5
    if not result.correct:
        return result.passed
    if result.is_baseline_copy:
        return 0.0
    if result.speedup is not None and result.speedup > 1.0:
        return 1.0 + scale * result.speedup
    return 1.0


def hidden_test_reward(result: RewardInput) -> float:
    """Ours (compilerlm): ``supercoder_reward`` with correctness on everything we hold, i.e. the visible
    tests, the hidden tests (never shown in a prompt) and the differential mutants judged by the program's
    own -O0 build. The speedup when correct and faster, else 0; a verbatim copy of the baseline earns 0.
    docs/design.md's Safety section: hidden tests are checked before a result counts as correct."""
    if result.is_baseline_copy or not result.compiled or not result.correct or result.speedup is None:
        return 0.0
    return result.speedup if result.speedup > 1.0 else 0.0


REWARDS: dict[str, Callable[[RewardInput], float]] = {
    "supercoder": supercoder_reward,
    "supercoder-partial": supercoder_partial_reward,
    "hidden": hidden_test_reward,
}
"""By name, for command-line options and training configs."""
