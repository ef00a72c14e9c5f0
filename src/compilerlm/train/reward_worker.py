"""Runs inside an isolated worker process (toolchain.workers.IsolatedPool): one request = one answer to score,
by the task that sent it (`Task.score_reward`). What a task prepares for its rows (asm problems, resolved
programs) stays cached in the worker between requests."""

from __future__ import annotations

from typing import Any

from compilerlm.tasks.base import RewardOutcome, Task


def handle(request: dict[str, Any]) -> RewardOutcome:
    """`request`: {"task": the Task, "config": what its `reward_config` made of its RL options, "request": what
    `Task.reward_request` made}."""
    task = request["task"]
    if not isinstance(task, Task):
        raise TypeError(f"a reward request names no task: {task!r}")
    return task.score_reward(request["request"], request["config"])
