"""The search objective for one module: object size of a pipeline, cached, budgeted, with its history.

Strategies only see `evaluate(pipelines)`. Here a pipeline already tried in this search costs nothing and
is not counted; one found in the store (an earlier, interrupted run) is counted but not compiled, so a
resumed run replays the same seeded search to the same result.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from compilerlm.search.progress import SearchProgress, evaluated
from compilerlm.store import Store
from compilerlm.toolchain.evaluation import Evaluation
from compilerlm.toolchain.evaluator import Evaluator
from compilerlm.toolchain.module import IRModule

Pipeline = tuple[str, ...]


def text_of(pipeline: Pipeline) -> str:
    return ",".join(pipeline)


@dataclass
class Objective:
    module: IRModule
    evaluator: Evaluator
    budget: int
    store: Store | None = None
    seen: dict[str, Evaluation] = field(default_factory=dict)
    pipelines: dict[str, Pipeline] = field(default_factory=dict)
    used: int = 0  # evaluations counted against the budget
    compiled: int = 0  # evaluations actually compiled (not read from the store)
    best: Pipeline | None = None
    best_size: int | None = None
    trajectory: list[tuple[int, int]] = field(default_factory=list)  # (used, best size) on every improvement
    deadline: float | None = None  # time.monotonic() after which nothing new is evaluated (tune --time-budget)

    @property
    def remaining(self) -> int:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return 0
        return max(0, self.budget - self.used)

    def size_of(self, pipeline: Pipeline) -> int | None:
        result = self.seen.get(text_of(pipeline))
        return result.size if result is not None and result.ok else None

    def evaluate(self, pipelines: Sequence[Pipeline]) -> list[int | None]:
        """Sizes (None on failure) for each pipeline; new ones consume budget, as many as remain."""
        fresh: dict[str, Pipeline] = {}
        for p in pipelines:
            t = text_of(p)
            if t not in self.seen and t not in fresh and len(fresh) < self.remaining:
                fresh[t] = p
        todo: list[Pipeline] = []
        for t, p in fresh.items():
            cached = self.store.get(self.module.key, t) if self.store else None
            if cached is not None:
                self._record(p, cached)
            else:
                todo.append(p)
        if todo:
            counted, smallest = self.used, self.best_size

            def finished(_: int, result: Evaluation) -> None:  # as each evaluation of the batch ends
                nonlocal counted, smallest
                counted += 1
                if result.ok and result.size is not None and (smallest is None or result.size < smallest):
                    smallest = result.size
                evaluated(SearchProgress(self.module.name, counted, self.budget, smallest))

            results = self.evaluator.evaluate_many([(self.module, text_of(p)) for p in todo], on_result=finished)
            for p, r in zip(todo, results, strict=True):
                if self.store:
                    self.store.put(self.module.key, r)
                self.compiled += 1
                self._record(p, r)
        if fresh:
            evaluated(SearchProgress(self.module.name, self.used, self.budget, self.best_size))
        return [self.size_of(p) for p in pipelines]

    def _record(self, pipeline: Pipeline, result: Evaluation) -> None:
        self.seen[text_of(pipeline)] = result
        self.pipelines[text_of(pipeline)] = pipeline
        self.used += 1
        if (
            result.ok
            and result.size is not None  # always, when ok
            and (
                self.best_size is None
                or result.size < self.best_size
                or (result.size == self.best_size and len(pipeline) < len(self.best or ()))
            )
        ):
            improved = self.best_size is None or result.size < self.best_size
            self.best, self.best_size = pipeline, result.size
            if improved:
                self.trajectory.append((self.used, result.size))

    def ranked(self, limit: int) -> list[tuple[int, Pipeline]]:
        """The `limit` smallest distinct results, shortest pipeline first among equal sizes."""
        ok = [(r.size, self.pipelines[t]) for t, r in self.seen.items() if r.ok and r.size is not None]
        return sorted(ok, key=lambda x: (x[0], len(x[1])))[:limit]
