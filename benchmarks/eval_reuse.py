"""How much of the evaluation engine's work is repeated at all: the ceiling of any exact incremental engine.

An incremental engine can only save work that repeats. This replays two workloads through the in-process
engine in this process, records every evaluation's pass and code-generation time, and measures:

- prefix sharing: per evaluation, the longest prefix of top-level pipeline elements that an earlier
  evaluation of the same module ran; that prefix is re-run here to time it (what a perfect prefix snapshot
  would save, with no cost of its own);
- object-level repetition: evaluations whose module digest was new but whose object bytes were not (what a
  perfect IR canonicalisation would save in code generation; the digest already skips exact repeats);
- whether a split run is exact: a pipeline run as prefix then suffix on the same module in two pass-manager
  runs (fresh analyses at the cut, the only way to resume from a snapshot without copying the pass manager's
  cached analyses) against one run, object bytes compared.

Workloads: `auto` at --budget as `tune` runs it (the shipped ranker's proposals first, minimisation, no
verification; the settings and the model's answers from the size track, tracks.size) on --modules built-in
modules; and the label workload (the ranker's library and the built-in library, every pipeline on every one of
those modules).

    python benchmarks/eval_reuse.py [--budget 1000] [--modules 8] [--identity 300]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.progress import track
from rich.table import Table

from compilerlm.errors import PipelineError
from compilerlm.programs.program import Program
from compilerlm.programs.suites import resolve_target
from compilerlm.ranker.backend import ranker_path
from compilerlm.ranker.model import load_ranker
from compilerlm.search.runner import TuneJob
from compilerlm.search.strategies import BUILTIN_LIBRARY, parse_pipeline
from compilerlm.search.tune import tune_program
from compilerlm.toolchain.evaluation import Evaluation, failure
from compilerlm.toolchain.evaluator import Evaluator, Job, OnResult
from compilerlm.toolchain.inprocess import InProcessEngine, Trace
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.pipelines import expand, normalize
from compilerlm.tracks.size import TuneProgress, TuneRequest, ask_model, search_settings


class TracingEvaluator(Evaluator):
    """The in-process engine in this process, one evaluation at a time, every evaluation traced."""

    name = "traced"

    def __init__(self) -> None:
        super().__init__(1)
        self.engine = InProcessEngine()
        self.engine.traces = []

    def evaluate_many(
        self, jobs: Sequence[Job], *, count_instructions: bool = False, on_result: OnResult | None = None
    ) -> list[Evaluation]:
        out = []
        for i, (module, pipeline) in enumerate(jobs):
            try:
                text = normalize(pipeline)
                result = self.engine.evaluate(module.key, module.ir, text, expand(text), count_instructions)
            except PipelineError as exc:
                result = failure(pipeline, "pipeline", str(exc))
            out.append(result)
            if on_result:
                on_result(i, result)
        return out


@dataclass
class Reuse:
    evaluations: int = 0
    pass_seconds: float = 0.0
    codegen_seconds: float = 0.0
    digest_skips: int = 0
    elements: int = 0
    shared_elements: int = 0
    shared_prefix_seconds: float = 0.0
    repeated_objects: int = 0
    repeated_object_seconds: float = 0.0

    @property
    def total(self) -> float:
        return self.pass_seconds + self.codegen_seconds

    def ceiling(self, saved: float) -> float:
        return self.total / max(self.total - saved, 1e-9)


def prefix_seconds(engine: InProcessEngine, module: IRModule, prefix: str) -> float:
    with engine.copy(module.key, module.ir) as (mod, machine):
        started = time.perf_counter()
        engine.run_passes(mod, expand(prefix), machine)
        return time.perf_counter() - started


def analyse(engine: InProcessEngine, traces: Sequence[Trace], modules: dict[str, IRModule], label: str) -> Reuse:
    reuse = Reuse()
    prefixes: dict[str, set[tuple[str, ...]]] = {}
    objects: set[str] = set()
    for t in track(traces, description=f"timing shared prefixes ({label})"):
        reuse.evaluations += 1
        reuse.pass_seconds += t.pass_seconds
        reuse.codegen_seconds += t.codegen_seconds
        reuse.digest_skips += not t.object_sha
        if t.object_sha:
            if t.object_sha in objects:
                reuse.repeated_objects += 1
                reuse.repeated_object_seconds += t.codegen_seconds
            objects.add(t.object_sha)
        elements = parse_pipeline(t.pipeline)
        seen = prefixes.setdefault(t.key, set())
        shared = next((k for k in range(len(elements), 0, -1) if elements[:k] in seen), 0)
        reuse.elements += len(elements)
        reuse.shared_elements += shared
        if shared:
            # the whole pipeline seen before costs nothing already (the objective's cache)
            reuse.shared_prefix_seconds += prefix_seconds(engine, modules[t.key], ",".join(elements[:shared]))
        seen.update(elements[:k] for k in range(1, len(elements) + 1))
    return reuse


def split_identity(
    engine: InProcessEngine, traces: Sequence[Trace], modules: dict[str, IRModule], count: int, seed: int
) -> tuple[int, int]:
    """(same object, compared): each sampled pipeline with 2+ elements, cut at a random top-level boundary."""
    rng = random.Random(seed)
    candidates = [t for t in traces if len(parse_pipeline(t.pipeline)) > 1]
    same = compared = 0
    for t in track(rng.sample(candidates, min(count, len(candidates))), description="split runs vs one run"):
        elements = parse_pipeline(t.pipeline)
        cut = rng.randint(1, len(elements) - 1)
        module = modules[t.key]
        objects = []
        for parts in ([elements], [elements[:cut], elements[cut:]]):
            with engine.copy(module.key, module.ir) as (mod, machine):
                problems = [engine.run_passes(mod, expand(",".join(p)), machine) for p in parts]
                objects.append(None if any(problems) else engine.emit(mod, machine))
        if isinstance(objects[0], bytes) and isinstance(objects[1], bytes):
            compared += 1
            same += objects[0] == objects[1]
    return same, compared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", default="builtin")
    parser.add_argument("--budget", type=int, default=1000)
    parser.add_argument("--modules", type=int, default=8, help="every k-th module of the suite, this many")
    parser.add_argument("--identity", type=int, default=300, help="split runs compared with one run")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    console = Console()

    programs: list[Program] = resolve_target(args.suite)
    pairs = [(p, m) for p in programs for m in p.modules()]
    step = max(1, len(pairs) // args.modules)
    pairs = pairs[::step][: args.modules]
    modules = {m.key: m for _, m in pairs}
    ranker = load_ranker(ranker_path("default"))
    console.print(f"{len(pairs)} modules of {args.suite}; auto at budget {args.budget}, then the label workload")

    evaluator = TracingEvaluator()
    engine = evaluator.engine
    request = TuneRequest(budget=args.budget, verify=False)  # tune's auto: the shipped ranker asked first
    config, model = search_settings(request)
    jobs = [TuneJob(program, [module], None) for program, module in pairs]
    if model is not None:  # one batch, as tune asks
        jobs = ask_model(jobs, model, config.samples, request, TuneProgress())
    started = time.perf_counter()
    for job in track(jobs, description="auto"):
        tune_program(job.program, job.modules, None, config, evaluator, proposals=job.proposals)
    auto_wall = time.perf_counter() - started
    auto_traces = list(engine.traces or [])

    engine.traces, engine.objects = [], type(engine.objects)()
    label_set = list(dict.fromkeys([*ranker.pipelines, *BUILTIN_LIBRARY]))
    evaluator.evaluate_many([(m, p) for m in modules.values() for p in label_set])
    label_traces = list(engine.traces)
    engine.traces = None

    table = Table(title=f"repeated work in the evaluation engine ({len(pairs)} built-in modules, one process)")
    for col in (
        "workload",
        "evaluations",
        "passes s",
        "codegen s",
        "codegen skipped now",
        "elements in a shared prefix",
        "ceiling: prefix snapshots",
        "ceiling: + object dedup",
    ):
        table.add_column(col, justify="right")
    for label, traces in ((f"auto@{args.budget}", auto_traces), (f"label set ({len(label_set)})", label_traces)):
        r = analyse(engine, traces, modules, label)
        table.add_row(
            label,
            str(r.evaluations),
            f"{r.pass_seconds:.1f}",
            f"{r.codegen_seconds:.1f}",
            f"{r.digest_skips / max(r.evaluations, 1):.0%}",
            f"{r.shared_elements / max(r.elements, 1):.0%}",
            f"{r.ceiling(r.shared_prefix_seconds):.2f}x",
            f"{r.ceiling(r.shared_prefix_seconds + r.repeated_object_seconds):.2f}x",
        )
    console.print(table)
    console.print(f"auto wall time {auto_wall:.0f} s (passes + code generation are the rest of an evaluation's time)")
    if args.identity:
        same, compared = split_identity(engine, auto_traces, modules, args.identity, args.seed)
        console.print(
            f"prefix then suffix in two pass-manager runs (fresh analyses at the cut) gave the one-run object in "
            f"[bold]{same} of {compared}[/bold] pipelines"
        )


if __name__ == "__main__":
    main()
