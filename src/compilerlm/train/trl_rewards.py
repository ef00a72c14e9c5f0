"""Reward functions in TRL's form (`GRPOTrainer(reward_funcs=[...])`): called with the prompts, the completions
and the dataset's columns, they score every completion through the RewardPool and append each score, with
why, to a JSONL log (the reward curve)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from compilerlm.tasks.base import RewardOutcome, Task
from compilerlm.train.pool import RewardPool


def completion_text(completion: Any) -> str:
    """A completion as text: TRL passes a string, or for chat prompts a list of messages."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Sequence):
        return "".join(str(m.get("content", "")) for m in completion if isinstance(m, dict))
    return str(completion)


class TaskReward:
    """The reward of a task (`Task.score_reward`) in TRL's form: one worker request per completion, scored in
    parallel, each score logged with why."""

    def __init__(self, pool: RewardPool, task: Task, config: Any, log_path: Path | None = None) -> None:
        self.pool = pool
        self.task = task
        self.config = config
        self.failure_score = task.failure_score(config)
        self.log_path = log_path
        self.__name__ = task.reward_name(config)  # TRL names its reward metrics after this
        self.calls = 0
        self.history: list[dict[str, Any]] = []

    def __call__(self, prompts: list[Any], completions: list[Any], **columns: Any) -> list[float]:
        texts = [completion_text(c) for c in completions]
        requests = [
            {"task": self.task, "config": self.config, "request": self.task.reward_request(t, columns, i, self.config)}
            for i, t in enumerate(texts)
        ]
        outcomes = self.pool.score(requests, self.failure_score)
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
