"""Reward functions in TRL's form (`GRPOTrainer(reward_funcs=[...])`): called with the prompts, the completions
and the dataset's columns, they score every completion through the RewardPool and append each score, with
why, to a JSONL log (the reward curve)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from compilerlm.train.asm_reward import FAILURE_SCORE, AsmRewardConfig, reward_key
from compilerlm.train.flags_reward import FlagsRewardConfig
from compilerlm.train.outcome import RewardOutcome
from compilerlm.train.pool import RewardPool


def completion_text(completion: Any) -> str:
    """A completion as text: TRL passes a string, or for chat prompts a list of messages."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Sequence):
        return "".join(str(m.get("content", "")) for m in completion if isinstance(m, dict))
    return str(completion)


class PoolReward:
    """Base of the task rewards: builds one worker task per completion, scores them in parallel, logs."""

    kind = ""

    def __init__(self, pool: RewardPool, failure_score: float, log_path: Path | None = None, name: str = "") -> None:
        self.pool = pool
        self.failure_score = failure_score
        self.log_path = log_path
        self.__name__ = name or f"{self.kind}_reward"  # TRL names its reward metrics after this
        self.calls = 0
        self.history: list[dict[str, Any]] = []

    def task(self, completion: str, columns: dict[str, Any], i: int) -> dict[str, Any]:
        raise NotImplementedError

    def __call__(self, prompts: list[Any], completions: list[Any], **columns: Any) -> list[float]:
        texts = [completion_text(c) for c in completions]
        outcomes = self.pool.score([self.task(t, columns, i) for i, t in enumerate(texts)], self.failure_score)
        self._log(outcomes, texts, columns.get("trainer_state"))
        return [o.score for o in outcomes]

    def _log(self, outcomes: list[RewardOutcome], texts: list[str], state: Any) -> None:
        self.calls += 1
        step = getattr(state, "global_step", None)
        rows = [
            {"call": self.calls, "step": step, "index": i, **o.to_dict(), "completion": t[:300], "time": time.time()}
            for i, (o, t) in enumerate(zip(outcomes, texts, strict=True))
        ]
        self.history += rows
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with self.log_path.open("a") as fh:
                fh.writelines(json.dumps(r) + "\n" for r in rows)


class AsmReward(PoolReward):
    """SuperCoder rows: columns `reward_model` (ground_truth) and `extra_info` (C code, tests)."""

    kind = "asm"

    def __init__(self, pool: RewardPool, config: AsmRewardConfig, log_path: Path | None = None) -> None:
        key = reward_key(config.reward)
        super().__init__(pool, FAILURE_SCORE[key], log_path, f"asm_{key.replace('-', '_')}")
        self.config = config

    def task(self, completion: str, columns: dict[str, Any], i: int) -> dict[str, Any]:
        return {
            "kind": "asm",
            "completion": completion,
            "ground_truth": columns["reward_model"][i]["ground_truth"],
            "extra_info": columns["extra_info"][i],
            "config": self.config,
        }


class FlagsReward(PoolReward):
    """Flag-tuning rows: columns `ir`, `module`, `size_oz` and (to verify) `program_target`."""

    kind = "flags"

    def __init__(self, pool: RewardPool, config: FlagsRewardConfig, log_path: Path | None = None) -> None:
        super().__init__(pool, config.invalid, log_path, "flags_improvement")
        self.config = config

    def task(self, completion: str, columns: dict[str, Any], i: int) -> dict[str, Any]:
        def col(name: str) -> Any:
            values = columns.get(name)
            return values[i] if values is not None else None

        return {
            "kind": "flags",
            "completion": completion,
            "ir": col("ir"),
            "module": col("module") or "module",
            "size_oz": col("size_oz"),
            "program_target": col("program_target"),
            "config": self.config,
        }
