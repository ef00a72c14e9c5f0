"""Rewards in parallel worker processes with a time limit: a reward that crashes, hangs or raises scores its
sample as failed (the reward's failure score) and the worker is replaced; training never stops for it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from compilerlm.tasks.base import RewardOutcome
from compilerlm.toolchain.workers import IsolatedPool, WorkerFailure

HANDLER = "compilerlm.train.reward_worker:handle"


class RewardPool:
    """`workers` processes scoring tasks (see reward_worker.handle); results keep task order."""

    def __init__(self, workers: int = 2, timeout: float = 300.0) -> None:
        self.pool = IsolatedPool(HANDLER, jobs=workers, timeout=timeout)

    def score(self, tasks: Sequence[dict[str, Any]], failure_score: float) -> list[RewardOutcome]:
        out = []
        for result in self.pool.map(tasks):
            if isinstance(result, WorkerFailure):
                detail = f"reward {result.kind}: {result.message}".replace("LLVM crashed", "worker died")
                out.append(RewardOutcome(failure_score, False, detail))
            else:
                out.append(result)
        return out

    def close(self) -> None:
        self.pool.close()

    def __enter__(self) -> RewardPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
