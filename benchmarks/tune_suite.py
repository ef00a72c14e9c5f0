"""Geomean improvement vs -Oz on a suite, per strategy and budget, side by side — as `compilerlm tune` reports it.

Each (strategy, budget) runs the autotuner (`search.runner.tune_jobs`, as `compilerlm tune` does, with
`auto`'s broadcast step on the suite) on every program of the suite: search, then verification with the
program's tests (a miscompiling pipeline is discarded and the next candidate tried, -Oz last), so the numbers
are those of verified results with fallback. Minimisation is off (it never changes a size). Budgets share one
evaluation store per strategy: a larger budget replays the evaluations a smaller one made where the seeded
searches coincide, and "compilations/s" counts only real compilations over the time spent searching.

    python benchmarks/tune_suite.py [--suite builtin] [--budgets 100,300,1000] [--strategies auto,random] [--jobs 2]
        [--before DIR [--before-strategies auto]]

`--before DIR` runs the same measurement with an earlier tree (`git archive COMMIT | tar -x -C DIR`) in a child
process, its rows beside this tree's: a change to a strategy is judged on the same machine, the same hour.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

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


@dataclass
class Row:
    """One strategy's line: geomean per budget, and at the largest budget the share better than -Oz, the
    pipelines the tests rejected, compilations per second of search."""

    strategy: str
    geomeans: list[float]
    better: float
    miscompiles: int
    rate: float


def measure(args: argparse.Namespace, strategy: str, budgets: list[int], on_done=None) -> Row:
    """`strategy` on the suite at each budget, as `compilerlm tune` runs it (one store: larger budgets replay)."""
    programs = resolve_target(args.suite)
    jobs = [TuneJob(p, p.modules(), None) for p in programs]
    store = Store(f"{args.store}-{strategy}.sqlite" if args.store else ":memory:")
    geomeans, compiled, seconds, results = [], 0, 0.0, []
    for budget in budgets:
        config = TuneConfig(strategy=strategy, budget=budget, seed=args.seed, minimize=False, verify=not args.no_verify)
        start = time.perf_counter()
        results = tune_jobs(jobs, config, store, workers=args.jobs, on_program=on_done)
        seconds += time.perf_counter() - start
        compiled += sum(r.compiled for r in results)
        geomeans.append(geomean_improvement(results))
    better = sum(r.size < r.size_oz for r in results) / len(results)
    miscompiles = sum(len(r.miscompiles) for r in results)
    return Row(strategy, geomeans, better, miscompiles, compiled / seconds if seconds else 0.0)


def measure_before(args: argparse.Namespace, strategy: str, budgets: list[int]) -> Row:
    """The same measurement with an earlier tree's `compilerlm` (`--before DIR`: its src first on the path), in
    a child process running this script."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "row.json"
        cmd = [sys.executable, __file__, "--suite", args.suite, "--budgets", ",".join(map(str, budgets))]
        cmd += ["--strategies", strategy, "--jobs", str(args.jobs), "--seed", str(args.seed), "--json-out", str(out)]
        cmd += ["--no-verify"] if args.no_verify else []
        env = {**os.environ, "PYTHONPATH": str(Path(args.before).resolve() / "src")}
        subprocess.run(cmd, env=env, check=True)
        row = Row(**json.loads(out.read_text()))
    row.strategy = f"{strategy} (before)"
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", default="builtin")
    parser.add_argument("--budgets", default="100,300,1000")
    parser.add_argument("--strategies", default="auto,random,greedy,evolution")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--store", default=None, help="SQLite file prefix to keep (and resume) the runs")
    parser.add_argument("--no-verify", action="store_true", help="skip the tests (sizes of unverified pipelines)")
    parser.add_argument("--before", help="an earlier tree (git archive of a commit): its strategies run beside")
    parser.add_argument("--before-strategies", default="auto", help="which strategies to run with --before")
    parser.add_argument("--json-out", help=argparse.SUPPRESS)  # a child of --before: one row as JSON
    args = parser.parse_args()
    budgets = [int(b) for b in args.budgets.split(",")]
    strategies = args.strategies.split(",")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(asdict(measure(args, strategies[0], budgets))))
        return

    console = Console()
    count = sum(len(p.modules()) for p in resolve_target(args.suite))
    verified = "unverified" if args.no_verify else "verified"
    table = Table(title=f"geomean improvement vs -Oz, {verified}, with fallback ({count} modules)")
    table.add_column("strategy")
    for b in budgets:
        table.add_column(f"budget {b}", justify="right")
    table.add_column("better than -Oz", justify="right")
    table.add_column("miscompiles", justify="right")
    table.add_column("compilations/s", justify="right")
    rows = []
    with Progress(console=console) as bar:
        task = bar.add_task("tuning", total=len(strategies) * len(budgets) * count * 2)
        for strategy in strategies:
            bar.update(task, description=strategy)
            rows.append(measure(args, strategy, budgets, lambda job, out: bar.advance(task, len(out))))
            if args.before and strategy in args.before_strategies.split(","):
                bar.update(task, description=f"{strategy} (before)")
                rows.append(measure_before(args, strategy, budgets))
    for row in rows:
        cells = [f"{g:+.2%}" for g in row.geomeans]
        table.add_row(row.strategy, *cells, f"{row.better:.0%}", str(row.miscompiles), f"{row.rate:.1f}")
    console.print(table)
    console.print("better than -Oz and miscompiles (pipelines discarded by the tests) are for the largest budget")


if __name__ == "__main__":
    main()
