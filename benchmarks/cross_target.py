"""The size track per target, side by side: what `compilerlm tune --target T` gives on a suite at each budget.

For every target of `toolchain.targets` (or those named): the suite's -Oz bytes (the sum of its modules' objects
for that machine), then `tune`'s own entry (`tracks.size.tune_target`: the ranker's proposals first, then `auto`,
verification with the programs' tests — run under qemu-user in the sandbox for another machine — with fallback to
-Oz) at each budget, one store per target so a larger budget replays a smaller one's compilations. Reported: the
geomean improvement vs -Oz per budget, the share of modules verified, the pipelines the tests rejected
(miscompiles found) and the linked executables' improvement at the largest budget.

    python benchmarks/cross_target.py [--suite builtin] [--budgets 10,100,1000] [--targets all] [--jobs 2]
        [--store PREFIX] [--json out.json]

Minimisation is off (it never changes a size). The first budget of 10 is "ranker@10": `tune`'s default model
(the shipped ranker) proposes first, as it does for a user.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from compilerlm.programs.suites import built_for, resolve_target
from compilerlm.toolchain.evaluator import make_evaluator
from compilerlm.toolchain.pipelines import OZ_PIPELINE
from compilerlm.toolchain.targets import TARGETS, unusable
from compilerlm.tracks.size import TuneRequest, tune_target


@dataclass
class TargetRow:
    """One target's line."""

    target: str
    modules: int
    oz_bytes: int
    geomeans: dict[int, float]
    verified_share: float
    miscompiles: int
    linked: float | None
    seconds: float


def oz_bytes(suite: str, triple: str, jobs: int) -> tuple[int, int]:
    """(modules, the sum of their -Oz object sizes for `triple`)."""
    modules = [m for p in built_for(resolve_target(suite), triple, run=False) for m in p.modules()]
    with make_evaluator("inprocess", jobs=jobs) as ev:
        sizes = ev.evaluate_many([(m, OZ_PIPELINE) for m in modules])
    return len(modules), sum(s.size or 0 for s in sizes)


def measure(suite: str, triple: str, budgets: list[int], jobs: int, store: str | None) -> TargetRow:
    started = time.perf_counter()
    modules, total = oz_bytes(suite, triple, jobs)
    geomeans: dict[int, float] = {}
    doc: dict = {}
    for budget in budgets:
        request = TuneRequest(
            budget=budget,
            triple=triple,
            jobs=jobs,
            minimize=False,
            store=Path(f"{store}-{triple}.sqlite") if store else None,
        )
        doc = tune_target(suite, request)
        geomeans[budget] = doc["summary"]["improvement_geomean"]
    results = doc["modules"]
    return TargetRow(
        target=triple,
        modules=modules,
        oz_bytes=total,
        geomeans=geomeans,
        verified_share=doc["summary"]["verified_share"],
        miscompiles=sum(len(m["miscompiles"]) for m in results),
        linked=doc["summary"].get("linked_improvement_geomean"),
        seconds=time.perf_counter() - started,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", default="builtin")
    parser.add_argument("--budgets", default="10,100,1000")
    parser.add_argument("--targets", default="all", help="comma-separated Debian triples, or 'all'")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--store", default=None, help="SQLite file prefix to keep (and resume) each target's runs")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    budgets = sorted(int(b) for b in args.budgets.split(","))
    names = list(TARGETS) if args.targets == "all" else args.targets.split(",")
    console = Console()
    rows: list[TargetRow] = []
    for name in names:
        why = unusable(TARGETS[name])
        if why:
            console.print(f"[yellow]skipped[/yellow] {name}: {why}")
            continue
        console.print(f"{name}: tuning {args.suite} at {', '.join(map(str, budgets))} ...")
        rows.append(measure(args.suite, name, budgets, args.jobs, args.store))

    table = Table(title=f"tune per target on {args.suite}: geomean vs -Oz with fallback, verified by the tests")
    for column in ("target", "modules", "-Oz bytes", *(f"@{b}" for b in budgets), "verified", "miscompiles"):
        table.add_column(column, justify="left" if column == "target" else "right")
    table.add_column(f"linked @{budgets[-1]}", justify="right")
    table.add_column("seconds", justify="right")
    for r in rows:
        linked = "—" if r.linked is None else f"{r.linked:+.2%}"
        gains = [f"{r.geomeans[b]:+.2%}" for b in budgets]
        table.add_row(
            r.target, str(r.modules), f"{r.oz_bytes:,}", *gains, f"{r.verified_share:.0%}", str(r.miscompiles), linked,
            f"{r.seconds:.0f}",
        )  # fmt: skip
    console.print(table)
    if args.json:
        doc = {
            "date": date.today().isoformat(),
            "machine": platform.machine(),
            "suite": args.suite,
            "budgets": budgets,
            "rows": [r.__dict__ for r in rows],
        }
        args.json.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
