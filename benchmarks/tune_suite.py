"""Geomean improvement vs -Oz on a suite, per strategy and budget, side by side — as `compilerlm tune` reports it.

Each (strategy, budget) runs the autotuner (`search.runner.tune_jobs`, as `compilerlm tune` does, with
`auto`'s broadcast step on the suite) on every program of the suite: search, then verification with the
program's tests (a miscompiling pipeline is discarded and the next candidate tried, -Oz last), so the numbers
are those of verified results with fallback. Minimisation is off (it never changes a size). Budgets share one
evaluation store per strategy: a larger budget replays the evaluations a smaller one made where the seeded
searches coincide, and "compilations/s" counts only real compilations over the time spent searching.

    python benchmarks/tune_suite.py [--suite builtin] [--budgets 100,300,1000] [--strategies auto,random] [--jobs 2]
"""

from __future__ import annotations

import argparse
import time

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from compilerlm.programs.suites import resolve_target
from compilerlm.search.runner import TuneJob, tune_jobs
from compilerlm.search.tune import TuneConfig
from compilerlm.stats import improvement_geomean
from compilerlm.store import Store


def geomean_improvement(results) -> float:
    return improvement_geomean(min(r.size, r.size_oz) / r.size_oz for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", default="builtin")
    parser.add_argument("--budgets", default="100,300,1000")
    parser.add_argument("--strategies", default="auto,random,greedy,evolution")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--store", default=None, help="SQLite file prefix to keep (and resume) the runs")
    parser.add_argument("--no-verify", action="store_true", help="skip the tests (sizes of unverified pipelines)")
    args = parser.parse_args()
    budgets = [int(b) for b in args.budgets.split(",")]
    strategies = args.strategies.split(",")

    console = Console()
    programs = resolve_target(args.suite)
    modules = {p.name: p.modules() for p in programs}
    count = sum(map(len, modules.values()))
    verified = "unverified" if args.no_verify else "verified"
    table = Table(title=f"geomean improvement vs -Oz, {verified}, with fallback ({count} modules)")
    table.add_column("strategy")
    for b in budgets:
        table.add_column(f"budget {b}", justify="right")
    table.add_column("better than -Oz", justify="right")
    table.add_column("miscompiles", justify="right")
    table.add_column("compilations/s", justify="right")
    jobs = [TuneJob(p, modules[p.name], None) for p in programs]
    with Progress(console=console) as bar:
        task = bar.add_task("tuning", total=len(strategies) * len(budgets) * count * 2)
        for strategy in strategies:
            store = Store(f"{args.store}-{strategy}.sqlite" if args.store else ":memory:")
            row, compiled, seconds, results = [], 0, 0.0, []
            for budget in budgets:
                config = TuneConfig(strategy, budget, args.seed, minimize=False, verify=not args.no_verify)
                bar.update(task, description=f"{strategy}, budget {budget}")
                start = time.perf_counter()
                results = tune_jobs(
                    jobs, config, store, workers=args.jobs, on_program=lambda job, out: bar.advance(task, len(out))
                )
                seconds += time.perf_counter() - start
                compiled += sum(r.compiled for r in results)
                row.append(f"{geomean_improvement(results):+.2%}")
            better = sum(r.size < r.size_oz for r in results) / len(results)
            miscompiles = sum(len(r.miscompiles) for r in results)
            table.add_row(strategy, *row, f"{better:.0%}", str(miscompiles), f"{compiled / seconds:.1f}")
    console.print(table)
    console.print("better than -Oz and miscompiles (pipelines discarded by the tests) are for the largest budget")


if __name__ == "__main__":
    main()
