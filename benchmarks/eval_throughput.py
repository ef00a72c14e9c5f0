"""Evaluations per second: the in-process libLLVM path against the `opt | llc` subprocess chain.

Both run the same (module, pipeline) jobs on the built-in suite — the -Oz baseline and random pipelines
from the search space — with the same number of workers; results must be identical, and the table shows
evaluations per second side by side with the ratio.

    python benchmarks/eval_throughput.py [--pipelines-per-module 4] [--jobs 1] [--suite builtin]
"""

from __future__ import annotations

import argparse
import random
import time

from rich.console import Console
from rich.table import Table

from compilerlm.programs.suites import resolve_target
from compilerlm.toolchain.evaluator import make_evaluator
from compilerlm.toolchain.search_space import SEARCH_SPACE, pipeline_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", default="builtin")
    parser.add_argument("--pipelines-per-module", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    console = Console()
    modules = [m for p in resolve_target(args.suite) for m in p.modules()]
    rng = random.Random(args.seed)
    jobs = []
    for m in modules:
        jobs.append((m, "default<Oz>"))
        for _ in range(args.pipelines_per_module - 1):
            jobs.append((m, pipeline_text(rng.choices(SEARCH_SPACE, k=rng.randint(1, 50)))))
    console.print(f"{len(modules)} modules, {len(jobs)} evaluations per path, {args.jobs} worker(s) each")

    table = Table(title="size evaluations per second (built-in suite)")
    for col in ("path", "evaluations", "seconds", "eval/s", "failed"):
        table.add_column(col, justify="right")
    rates, sizes = {}, {}
    for kind in ("subprocess", "inprocess"):
        with make_evaluator(kind, jobs=args.jobs) as ev:
            ev.evaluate(modules[0], "")  # start workers outside the timing
            start = time.perf_counter()
            results = ev.evaluate_many(jobs)
            elapsed = time.perf_counter() - start
        rates[kind] = len(jobs) / elapsed
        sizes[kind] = [r.size for r in results]
        failed = sum(not r.ok for r in results)
        table.add_row(kind, str(len(jobs)), f"{elapsed:.1f}", f"{rates[kind]:.1f}", str(failed))
    console.print(table)
    same = sizes["inprocess"] == sizes["subprocess"]
    console.print(
        f"ratio in-process / subprocess: [bold]{rates['inprocess'] / rates['subprocess']:.2f}x[/bold]"
        f"   identical sizes on both paths: {'yes' if same else '[red]NO[/red]'}"
    )


if __name__ == "__main__":
    main()
