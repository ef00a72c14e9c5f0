"""One interface to size evaluation, two implementations: in-process (default, fast) and subprocess.

with make_evaluator("inprocess", jobs=2) as ev:
    results = ev.evaluate_many([(module, "default<Oz>"), (module, "mem2reg,instcombine")])
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Literal

from compilerlm.errors import CompilerLMError, PipelineError
from compilerlm.parallel import Call, ThreadExecutor
from compilerlm.toolchain.evaluation import ErrorKind, Evaluation, failure
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.pipelines import expand, normalize
from compilerlm.toolchain.subprocess_path import evaluate_subprocess, module_triple
from compilerlm.toolchain.workers import IsolatedPool, WorkerFailure

EvaluatorKind = Literal["inprocess", "subprocess", "lto"]
Job = tuple[IRModule, str]
OnResult = Callable[[int, Evaluation], None]


class Evaluator(ABC):
    """Compiles (module, pipeline) jobs and measures object sizes; failures come back as values."""

    name: str
    linked = False  # True: sizes are of linked executables (toolchain/lto.py), so there is no clang -O3 object

    def __init__(self, jobs: int = 1, timeout: float = 120.0) -> None:
        self.jobs = max(1, jobs)
        self.timeout = timeout

    @abstractmethod
    def evaluate_many(
        self, jobs: Sequence[Job], *, count_instructions: bool = False, on_result: OnResult | None = None
    ) -> list[Evaluation]: ...

    def evaluate(self, module: IRModule, pipeline: str, *, count_instructions: bool = False) -> Evaluation:
        return self.evaluate_many([(module, pipeline)], count_instructions=count_instructions)[0]

    def close(self) -> None:  # noqa: B027 - optional hook: only evaluators with workers override it
        """Release worker processes."""

    def __enter__(self) -> Evaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class InProcessEvaluator(Evaluator):
    """libLLVM in isolated worker processes: no process start, no re-parse, no bitcode round trip. Each module is
    optimized with clang's pipelines for its own triple and compiled on the target machine its IR records."""

    name = "inprocess"

    def __init__(self, jobs: int = 1, timeout: float = 120.0) -> None:
        super().__init__(jobs, timeout)
        self.pool = IsolatedPool("compilerlm.toolchain.inprocess:handle", self.jobs, timeout)

    def evaluate_many(
        self, jobs: Sequence[Job], *, count_instructions: bool = False, on_result: OnResult | None = None
    ) -> list[Evaluation]:
        results: list[Evaluation | None] = [None] * len(jobs)
        tasks, where = [], []
        for i, (module, pipeline) in enumerate(jobs):
            try:
                text = normalize(pipeline)
                tasks.append((module.key, module.ir, text, expand(text, module_triple(module.ir)), count_instructions))
                where.append(i)
            except PipelineError as exc:
                failed = failure(pipeline, "pipeline", str(exc))
                results[i] = failed
                if on_result:
                    on_result(i, failed)

        def finished(k: int, raw: object) -> None:
            result = _from_worker(tasks[k][2], raw)
            results[where[k]] = result
            if on_result:
                on_result(where[k], result)

        self.pool.run(tasks, finished)
        return [r for r in results if r is not None]

    def close(self) -> None:
        self.pool.close()


def _from_worker(pipeline: str, raw: object) -> Evaluation:
    if isinstance(raw, Evaluation):
        return raw
    if isinstance(raw, WorkerFailure):
        kind: ErrorKind = "timeout" if raw.kind == "timeout" else "crash"
        return failure(pipeline, kind, raw.message)
    raise CompilerLMError(f"unexpected worker result {raw!r}")


class SubprocessEvaluator(Evaluator):
    """`opt | llc` processes: the reference the fast path is tested against, and a fallback. Results reach
    `on_result` in the calling thread as each finishes."""

    name = "subprocess"

    def evaluate_many(
        self, jobs: Sequence[Job], *, count_instructions: bool = False, on_result: OnResult | None = None
    ) -> list[Evaluation]:
        def one(module: IRModule, pipeline: str) -> Evaluation:
            try:
                text = normalize(pipeline)
            except PipelineError as exc:
                return failure(pipeline, "pipeline", str(exc))
            return evaluate_subprocess(module, text, count_instructions=count_instructions, timeout=self.timeout)

        return evaluate_in_threads(jobs, one, self.jobs, on_result)  # threads: the work is waiting on opt and llc


def evaluate_in_threads(
    jobs: Sequence[Job], one: Callable[[IRModule, str], Evaluation], workers: int, on_result: OnResult | None
) -> list[Evaluation]:
    """`one(module, pipeline)` for every job on `workers` threads (for evaluators whose work is other processes);
    results in job order, each also to `on_result` in the calling thread as it finishes."""
    results: list[Evaluation] = [None] * len(jobs)  # type: ignore[list-item]

    def finished(i: int, result: Evaluation) -> None:
        results[i] = result
        if on_result:
            on_result(i, result)

    calls = [Call(f"{module.name} with {pipeline}", (module, pipeline)) for module, pipeline in jobs]
    ThreadExecutor(workers).run(one, calls, finished)
    return results


def make_evaluator(kind: EvaluatorKind = "inprocess", jobs: int = 1, timeout: float = 120.0) -> Evaluator:
    if kind == "inprocess":
        return InProcessEvaluator(jobs, timeout)
    if kind == "subprocess":
        return SubprocessEvaluator(jobs, timeout)
    if kind == "lto":
        from compilerlm.toolchain.lto import LtoEvaluator  # it builds on this module

        return LtoEvaluator(jobs, timeout)
    raise CompilerLMError(f"unknown evaluator {kind!r}: use 'inprocess' or 'subprocess'")
