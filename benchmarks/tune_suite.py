"""Geomean improvement vs -Oz (with fallback) on a suite, per strategy and budget, side by side.

Each (strategy, budget) runs the autotuner's search on every module (no verification: this measures the
search; `compilerlm tune` verifies). Budgets share one store per strategy, so a larger budget replays the
smaller one's evaluations from the cache where the seeded searches coincide; compilations per
second count real compilations.

    python benchmarks/tune_suite.py [--suite builtin] [--budgets 100,300,1000] [--strategies auto,random] [--jobs 2]
"""

from __future__ import annotations

import argparse
import math
import random
import time

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from compilerlm.programs.suites import resolve_target
from compilerlm.search.objective import Objective
from compilerlm.search.store import Store
from compilerlm.search.strategies import BUILTIN_LIBRARY, run_strategy
from compilerlm.toolchain.evaluator import make_evaluator
from compilerlm.toolchain.search_space import SEARCH_SPACE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", default="builtin")
    parser.add_argument("--budgets", default="100,300,1000")
    parser.add_argument("--strategies", default="auto,random,greedy,evolution")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--store", default=":memory:", help="SQLite file to keep (and resume) evaluations")
    args = parser.parse_args()
    budgets = [int(b) for b in args.budgets.split(",")]
    strategies = args.strategies.split(",")

    console = Console()
    modules = [m for p in resolve_target(args.suite) for m in p.modules()]
    store = Store(args.store)
    table = Table(title=f"geomean improvement vs -Oz with fallback ({len(modules)} modules)")
    table.add_column("strategy")
    for b in budgets:
        table.add_column(f"budget {b}", justify="right")
    table.add_column("compilations/s", justify="right")
    with make_evaluator("inprocess", jobs=args.jobs) as ev, Progress(console=console, transient=True) as bar:
        baselines = ev.evaluate_many([(m, "default<Oz>") for m in modules])
        oz = {m.key: r.size for m, r in zip(modules, baselines, strict=True)}
        task = bar.add_task("searching", total=len(strategies) * len(budgets) * len(modules))
        for strategy in strategies:
            row, compiled, seconds = [], 0, 0.0
            for budget in budgets:
                ratios = []
                for m in modules:
                    start = time.perf_counter()
                    obj = Objective(m, ev, budget, store)
                    run_strategy(strategy, obj, SEARCH_SPACE, random.Random(args.seed), BUILTIN_LIBRARY)
                    seconds += time.perf_counter() - start
                    compiled += obj.compiled
                    ratios.append(min(obj.best_size or oz[m.key], oz[m.key]) / oz[m.key])
                    bar.advance(task)
                row.append(f"{1 - math.exp(sum(map(math.log, ratios)) / len(ratios)):+.2%}")
            table.add_row(strategy, *row, f"{compiled / seconds:.1f}" if seconds else "-")
    console.print(table)


if __name__ == "__main__":
    main()
