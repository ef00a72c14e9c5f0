"""Runs inside an isolated worker process (toolchain.workers.IsolatedPool): one task = one answer to score.
Prepared asm problems and resolved programs stay cached in the worker between tasks."""

from __future__ import annotations

from typing import Any

from compilerlm.train.asm_reward import AsmRewardConfig, score_asm
from compilerlm.train.flags_reward import FlagsRewardConfig, score_flags
from compilerlm.train.outcome import RewardOutcome


def handle(task: dict[str, Any]) -> RewardOutcome:
    """`task["kind"]` is "asm" (completion, ground_truth, extra_info, config) or "flags" (completion, ir,
    module, size_oz, program_target, config); "echo" returns its score (for tests of the pool itself)."""
    kind = task["kind"]
    if kind == "asm":
        config: AsmRewardConfig = task["config"]
        return score_asm(task["completion"], task["ground_truth"], task["extra_info"], config)
    if kind == "flags":
        fconfig: FlagsRewardConfig = task["config"]
        return score_flags(
            task["completion"], task["ir"], task["module"], task.get("size_oz"), task.get("program_target"), fconfig
        )
    if kind == "echo":
        if task.get("sleep"):
            import time

            time.sleep(task["sleep"])
        if task.get("abort"):
            import os

            os.abort()
        return RewardOutcome(float(task["score"]), True, "echo")
    raise ValueError(f"unknown reward task kind {kind!r}")
