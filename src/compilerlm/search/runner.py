"""Run the autotuner over many programs: here with local worker processes, or as Ray tasks on a cluster.

The unit of distributed work is a program (its modules are verified together). A Ray task gets the
program, its IR modules and everything the store already knows about them, tunes them with one local
worker, and sends back its results and new evaluations; the driver merges them into its SQLite store
as each task finishes, so an interrupted cluster run resumes per finished program like a local one.
Searches are seeded by module content, so Ray and local runs give the same results.

A local run searches a module once per run: byte-identical modules (same unoptimized IR key) of different
programs reuse the first one's search and are verified with their own program (`ModuleResult.same_ir_as`).
Ray tasks run at once on separate machines; there, identical modules share evaluations through the store
only when an earlier task has finished.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace

from compilerlm.parallel import Call, RayExecutor
from compilerlm.programs.program import Program
from compilerlm.search.tune import (
    ModuleResult,
    Proposals,
    StoredModule,
    TuneConfig,
    baseline_failure,
    broken_tests_error,
    tune_program,
)
from compilerlm.store import Store
from compilerlm.toolchain.evaluator import Evaluator, make_evaluator
from compilerlm.toolchain.module import IRModule


@dataclass(frozen=True)
class TuneJob:
    program: Program
    modules: list[IRModule]
    o3_modules: list[IRModule] | None
    proposals: dict[str, Proposals] | None = None  # a model's pipelines per module name, tried first
    broadcast: tuple[str, ...] = ()  # the suite's best pipelines, tried after the search

    def run(
        self, config: TuneConfig, evaluator: Evaluator, store: Store | None, searched: dict | None = None
    ) -> list[ModuleResult]:
        return tune_program(
            self.program,
            self.modules,
            self.o3_modules,
            config,
            evaluator,
            store,
            proposals=self.proposals,
            broadcast=self.broadcast,
            searched=searched,
        )


EVALUATION_TIMEOUT = 120.0  # seconds one evaluation may take, at least
IR_PER_SECOND_OF_TIMEOUT = 20_000  # bytes of textual IR per second of timeout: a 10 MB module gets 500 s


def evaluation_timeout(jobs: Sequence[TuneJob], least: float = EVALUATION_TIMEOUT) -> float:
    """Seconds one evaluation may take in this run: `least`, or more when a module is large enough that -Oz alone
    takes a while (an evaluation of sqlite3's amalgamation takes about 44 s on a busy machine)."""
    largest = max((len(m.ir) for job in jobs for m in job.modules), default=0)
    return max(least, largest / IR_PER_SECOND_OF_TIMEOUT)


BROADCAST_SHARE = 0.1  # of each module's budget, under `auto` on a suite of several modules


def broadcast_budget(config: TuneConfig, jobs: Sequence[TuneJob]) -> int:
    """LLM Compiler's "broadcast" step: lists that won somewhere often win elsewhere. `auto` keeps a tenth
    of each module's budget to try the other modules' winners once every module has been searched."""
    if config.strategy != "auto" or sum(len(j.modules) for j in jobs) < 2:
        return 0
    return int(config.budget * BROADCAST_SHARE)


def passes(config: TuneConfig, jobs: Sequence[TuneJob]) -> int:
    """How many times `tune_jobs` goes over the jobs (for progress bars): 2 with a broadcast step."""
    return 2 if broadcast_budget(config, jobs) else 1


def tune_jobs(
    jobs: Sequence[TuneJob],
    config: TuneConfig,
    store: Store | None = None,
    evaluator: str = "inprocess",
    workers: int = 1,
    ray_address: str | None = None,
    on_program: Callable[[TuneJob, list[ModuleResult]], None] | None = None,
    timeout: float = EVALUATION_TIMEOUT,
) -> list[ModuleResult]:
    """Results of every job's modules, in job order. `timeout`: seconds one evaluation may take, at least (larger
    modules get more: `evaluation_timeout`). With a broadcast step, a first pass searches every
    module (no verification; the second pass replays it from the store) and collects each module's best
    pipeline; the second pass searches again, tries those winners, then verifies.
    With verification on, every program's own tests are first run at the -Oz baseline: tests that fail
    there are the program's fault, not a pipeline's (CompilerLMError before any search)."""
    if config.verify:
        check_baselines(jobs)
    timeout = evaluation_timeout(jobs, timeout)
    reserve = broadcast_budget(config, jobs)
    if not reserve:
        return _run(jobs, config, store, evaluator, workers, ray_address, on_program, timeout)
    config = replace(config, broadcast=reserve)
    store = store or Store()  # the second pass must find the first pass's evaluations
    first = _run(
        jobs,
        replace(config, verify=False, minimize=False, first_pass=True),
        store,
        evaluator,
        workers,
        ray_address,
        on_program,
        timeout,
    )
    wins = Counter(r.pipeline for r in first if r.source == "search")
    gain = {r.pipeline: r.improvement for r in first}
    winners = tuple(sorted(wins, key=lambda p: (-wins[p], -gain[p])))[:reserve]
    jobs = [replace(job, broadcast=winners) for job in jobs]
    results = _run(jobs, config, store, evaluator, workers, ray_address, on_program, timeout)
    for done, searched in zip(results, first, strict=True):
        done.compiled += searched.compiled  # the second pass replays the first from the store
        done.seconds += searched.seconds
    return results


def check_baselines(jobs: Sequence[TuneJob]) -> None:
    """Raise if some program's tests fail when it is built at the -Oz baseline (one program at a time: the
    test sandbox forks, which is best done from one thread)."""
    why = {job.program.name: baseline_failure(job.program, job.modules) for job in jobs}
    failures = {name: w for name, w in why.items() if w is not None}
    if failures:
        raise broken_tests_error(failures)


def _run(
    jobs: Sequence[TuneJob],
    config: TuneConfig,
    store: Store | None,
    evaluator: str,
    workers: int,
    ray_address: str | None,
    on_program: Callable[[TuneJob, list[ModuleResult]], None] | None,
    timeout: float,
) -> list[ModuleResult]:
    if ray_address is not None:
        return _on_ray(jobs, config, store, evaluator, ray_address, on_program, timeout)
    results: list[ModuleResult] = []
    searched: dict = {}  # (content key, proposals) -> its search in this pass: identical modules are searched once
    with make_evaluator(evaluator, jobs=workers, timeout=timeout) as ev:  # type: ignore[arg-type]
        for job in jobs:
            out = job.run(config, ev, store, searched)
            if on_program:
                on_program(job, out)
            results += out
    return results


def _tune_remote(
    job: TuneJob, config: TuneConfig, evaluator: str, known: dict, timeout: float = EVALUATION_TIMEOUT
) -> tuple[list[dict], dict]:
    """Runs on a Ray worker: tune one program against a private copy of what the driver's store knows."""
    store = Store()
    store.merge(known)
    with make_evaluator(evaluator, jobs=1, timeout=timeout) as ev:  # type: ignore[arg-type]
        results = job.run(config, ev, store)
    return [asdict(r) for r in results], store.export([m.key for m in job.modules])


def _on_ray(
    jobs: Sequence[TuneJob],
    config: TuneConfig,
    store: Store | None,
    evaluator: str,
    address: str,
    on_program: Callable[[TuneJob, list[ModuleResult]], None] | None,
    timeout: float,
) -> list[ModuleResult]:
    done: dict[int, list[ModuleResult]] = {}
    calls = []
    for job in jobs:
        keys = [m.key for m in job.modules]
        known = store.export(keys, StoredModule) if store else {"evaluations": [], "results": []}
        calls.append(Call(job.program.name, (job, config, evaluator, known, timeout)))

    def finish(i: int, value: tuple[list[dict], dict]) -> None:
        rows, learned = value
        if store:
            store.merge(learned)
        done[i] = [ModuleResult(**r) for r in rows]
        if on_program:
            on_program(jobs[i], done[i])

    RayExecutor(address).run(_tune_remote, calls, finish)
    return [r for i in range(len(jobs)) for r in done[i]]
