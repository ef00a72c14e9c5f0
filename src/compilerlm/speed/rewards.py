"""Reward functions for the speed (asm) task: one module, used by evaluation and RL training alike.

Each takes an ``AsmResult`` (``speed/judge.py``) and returns a float, so the number a training run
optimises is the number an evaluation reports. Three are offered:

- ``supercoder_reward``: SuperCoder's default (docs/design.md, "Interfaces that must match the outside world").
- ``supercoder_partial_reward``: the shaped variant with penalties and partial credit.
- ``hidden_test_reward``: ours; the default made hard to game (hidden tests and differential mutants).

All three give a verbatim copy of the baseline 0: copying is always available, so it must earn nothing.
All three pay a speedup only when it is decided: faster by the timed tests' 95% intervals (an instruction
ratio, deterministic, needs only to be above 1). On a busy machine an undecided speedup is noise, and a
policy trained on noise learns to be lucky; ``score_asm`` says which happened in its extra fields.

``score_asm`` is the reward of one answer to one SuperCoder row, as RL training (TRL's GRPO, verl) asks for it:
build the row's program, prepare it once per process (baseline, oracle, hidden tests, mutants), then judge the
answer in the sandbox and apply one of ``REWARDS``.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from compilerlm.errors import CompilerLMError
from compilerlm.programs.supercoder import program_from_row
from compilerlm.speed.judge import AsmResult, evaluate_completion
from compilerlm.speed.problem import AsmProblem, prepare_problem
from compilerlm.tasks.base import RewardOutcome


class RewardInput(Protocol):
    """The fields of ``AsmResult`` the rewards read (any object with them will do, e.g. in tests)."""

    compiled: bool
    correct: bool
    own_tests_passed: bool
    runtime_error: bool
    is_baseline_copy: bool
    speedup: float | None
    faster: bool

    @property
    def passed(self) -> float: ...


def supercoder_reward(result: RewardInput) -> float:
    """SuperCoder's default reward (arXiv 2505.11480; docs/design.md): the mean speedup over the tests when the
    candidate compiles, passes all its tests and is faster than the baseline, else 0. A verbatim copy of the
    baseline earns 0.

    "Its tests" are the tests SuperCoder has for a program, i.e. the dataset row's ``inputs``/``outputs``:
    here the program's own tests, visible and hidden; the differential mutants do not gate it (that is
    ``hidden_test_reward``). Evaluate with ``time_if="own-tests"`` to time candidates that fail a mutant.
    The speedup is the judge's: over the unseen tests, and paid only when decided (``faster``)."""
    if result.is_baseline_copy or not result.compiled or not result.own_tests_passed or result.speedup is None:
        return 0.0
    return result.speedup if result.faster and result.speedup > 1.0 else 0.0


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
    if result.speedup is not None and result.faster and result.speedup > 1.0:
        return 1.0 + scale * result.speedup
    return 1.0


def hidden_test_reward(result: RewardInput) -> float:
    """Ours (compilerlm): ``supercoder_reward`` with correctness on everything we hold, i.e. the visible
    tests, the hidden tests (never shown in a prompt) and the differential mutants judged by the program's
    own -O0 build. The speedup when correct and faster, else 0; a verbatim copy of the baseline earns 0.
    docs/design.md's Safety section: hidden tests are checked before a result counts as correct."""
    if result.is_baseline_copy or not result.compiled or not result.correct or result.speedup is None:
        return 0.0
    return result.speedup if result.faster and result.speedup > 1.0 else 0.0


REWARDS: dict[str, Callable[[RewardInput], float]] = {
    "supercoder": supercoder_reward,
    "supercoder-partial": supercoder_partial_reward,
    "hidden": hidden_test_reward,
}
"""By name, for command-line options and training configs."""


# ------------------------------------------------------------------ the reward of one answer to one row

REWARD_NAMES = {"supercoder": "supercoder", "partial": "supercoder-partial", "hidden": "hidden"}
"""Command-line names -> keys of REWARDS (the full keys are accepted too)."""

MEASURES = ("wall", "cpu", "instructions")
"""What a reward's "speedup" is a ratio of (AsmRewardConfig.measure)."""

PROTOCOLS = ("compilerlm", "supercoder")
"""How wall-clock speed is timed (AsmRewardConfig.protocol)."""

FAILURE_SCORE = {"supercoder": 0.0, "supercoder-partial": -1.0, "hidden": 0.0}
"""Score of an answer that could not be judged (worker crash or timeout): what a non-compiling answer gets."""


def reward_key(name: str) -> str:
    """The REWARDS key for a command-line reward name; a one-line error for unknown names."""
    key = REWARD_NAMES.get(name, name)
    if key not in REWARDS:
        raise CompilerLMError(f"unknown asm reward {name!r}: choose one of {', '.join(REWARD_NAMES)}")
    return key


@dataclass(frozen=True)
class AsmRewardConfig:
    """How answers are judged. Timing runs per test (`warmups`, `runs`) are fewer than evaluation's default:
    RL needs many rewards, and the speedup only has to rank answers of one prompt. ``measure`` is what
    "speedup" means: "wall" (SuperCoder's), "cpu" time, or "instructions" (the ratio of user-space
    instructions retired, perf or valgrind: deterministic, for shared or noisy machines). ``protocol``
    "supercoder" times wall clock in SuperCoder's schedule (hyperfine's: 3 warm-ups and 10 runs per side
    and test, on checked runs; ``warmups`` and ``runs`` do not apply); "compilerlm" interleaves baseline and
    candidate runs."""

    reward: str = "supercoder"
    measure: str = "wall"
    protocol: str = "compilerlm"
    warmups: int = 1
    runs: int = 3
    visible: int = 3  # tests treated as visible when a row has no hidden ones of its own
    mutants: int = 8
    seed: int = 0


_PROBLEMS: dict[str, AsmProblem] = {}
_BROKEN: dict[str, str] = {}
_ROOT: list[Path] = []


def _workroot() -> Path:
    """A private folder per process (two reward workers never share files), removed at exit."""
    if not _ROOT:
        root = Path(tempfile.mkdtemp(prefix=f"compilerlm-reward-{os.getpid()}-"))
        atexit.register(shutil.rmtree, root, True)
        _ROOT.append(root)
    return _ROOT[0]


def _row_key(ground_truth: str, extra_info: Mapping[str, Any], config: AsmRewardConfig) -> str:
    text = json.dumps(
        [ground_truth, dict(extra_info), config.visible, config.mutants, config.seed], sort_keys=True, default=_digest
    )
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _digest(value: Any) -> str:
    """JSON for the bytes in a row (``unoptimized_compiled``)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return hashlib.sha256(bytes(value)).hexdigest()
    raise TypeError(f"{type(value).__name__} in a row is not JSON")


def problem_for(ground_truth: str, extra_info: Mapping[str, Any], config: AsmRewardConfig) -> AsmProblem:
    """The prepared problem of a row, built on first use in this process and kept for every later sample."""
    key = _row_key(ground_truth, extra_info, config)
    if key in _BROKEN:  # a row whose program or baseline does not work fails the same way every time
        raise CompilerLMError(_BROKEN[key])
    if key not in _PROBLEMS:
        row = {"reward_model": {"ground_truth": ground_truth}, "extra_info": dict(extra_info)}
        root = _workroot()
        try:
            program = program_from_row(row, 0, root / "programs")
            _PROBLEMS[key] = prepare_problem(
                program, root / "problems" / key, visible=config.visible, seed=config.seed, mutants=config.mutants
            )
        except CompilerLMError as exc:
            _BROKEN[key] = str(exc)
            raise
    return _PROBLEMS[key]


def score_asm(
    completion: str, ground_truth: str, extra_info: Mapping[str, Any], config: AsmRewardConfig = AsmRewardConfig()
) -> RewardOutcome:
    """The reward `config.reward` of one answer (the last ```assembly block is the candidate)."""
    key = reward_key(config.reward)
    if config.measure not in MEASURES:
        raise CompilerLMError(f"unknown speed measure {config.measure!r}: choose one of {', '.join(MEASURES)}")
    if config.protocol not in PROTOCOLS:
        raise CompilerLMError(f"unknown timing protocol {config.protocol!r}: choose one of {', '.join(PROTOCOLS)}")
    problem = problem_for(ground_truth, extra_info, config)
    time_if = "own-tests" if key == "supercoder" else "correct"  # SuperCoder's reward: its own tests gate it
    by_count = config.measure == "instructions"
    result = evaluate_completion(
        problem,
        completion,
        warmups=config.warmups,
        runs=1 if by_count else config.runs,
        clock="cpu" if config.measure == "cpu" else "wall",
        instructions=by_count,
        time_if=time_if,
        protocol="supercoder" if config.protocol == "supercoder" and config.measure == "wall" else "interleaved",
    )
    if by_count and result.speedup is not None:  # a count is deterministic: above 1 is decided
        ratio = result.instructions_ratio
        result = replace(result, speedup=ratio, faster=ratio is not None and ratio > 1.0)
    score = float(REWARDS[key](result))
    if not result.compiled:
        detail = result.failure
    elif result.is_baseline_copy:
        detail = "copy of the baseline"
    elif result.failure:
        detail = f"{result.tests_passed}/{result.tests_total} tests: {result.failure}"
    else:
        why = result.timing_error or result.instructions_error
        decided = "faster" if result.faster else "undecided (not faster by its intervals): paid nothing"
        detail = f"correct, speedup {result.speedup:.3f}, {decided}" if result.speedup else f"correct ({why})"
    return RewardOutcome(score, result.compiled, detail, info=_reward_info(result))


def _reward_info(result: AsmResult) -> dict[str, float]:
    """Numbers a trainer logs beside the score (verl's extra fields): whether the speedup was decided, the
    speedup measured either way, and the overfit flag."""
    measured = result.speedup is not None and not result.is_baseline_copy
    return {
        "correct": float(result.correct),
        "measured_speedup": float(result.speedup) if measured and result.speedup is not None else 0.0,
        "faster": float(measured and result.faster),
        "undecided": float(measured and not result.faster),
        "overfit_visible": float(result.overfit_visible),
    }
