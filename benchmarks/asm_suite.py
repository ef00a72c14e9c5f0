"""The speed track without a model: the fixed compiler portfolio vs the search, side by side in one run.

Variants, each run over the same programs (what `compilerlm eval asm` runs, resuming from --store):

- portfolio: the 11 fixed configurations (`eval asm`'s default);
- search, same budget: 11 compilations that start from 4 configurations (gcc and clang at -O3
  -march=native, with and without PGO) and spend the rest on the flag search and the per-function
  combination, so its wall time is close to the portfolio's;
- search, --budget: the portfolio, then the flag search and the combination up to --budget compilations;
- portfolio without re-timing: as the first, but candidates left undecided by their intervals are not timed
  again with more runs (how choices were made before), to show what the re-timing adds.

--variants picks some of them by their short names (portfolio, search11, search, no-retime).

Each reported assembly is then rebuilt and run again on every one of its program's tests (arguments, input
and output files, exit codes), apart from the tool's verdicts. With --protocol supercoder (the default) every
reported assembly is also timed as SuperCoder does (hyperfine 3 + 10 runs per test, tests clamped at 1.0,
arithmetic mean). Prints one table: per variant, wall time per program, our geomean and share faster,
SuperCoder's mean/median, and "best seen": the geomean of each program's fastest correct candidate as first
timed on its visible tests (at least 1.0) -- what a perfect choice among that variant's candidates could
report, biased upwards by taking the best of noisy timings, so it bounds what any better choice rule could
gain without new candidates; then the flags of the search's winners.

    python benchmarks/asm_suite.py [--suite builtin] [--programs N] [--budget 24] [--runs 10] [--store F]
        [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections import Counter
from dataclasses import asdict, replace
from pathlib import Path

from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table

from compilerlm.programs.suites import resolve_target
from compilerlm.programs.testing import run_tests
from compilerlm.speed.build import build_candidate
from compilerlm.speed.config import AsmSearchConfig
from compilerlm.speed.outcome import AsmOutcome
from compilerlm.speed.suite import run_asm_suite, single_file_c, summarize_asm
from compilerlm.stats import geomean
from compilerlm.store import Store

SEEDS = (
    "gcc -O3 -march=native",
    "gcc -O3 -march=native +pgo",
    "clang -O3 -march=native",
    "clang -O3 -march=native +pgo",
)


def recheck(assembly: str, program, workdir: Path) -> bool:
    built = build_candidate(assembly, workdir, "recheck", program.ldflags)
    if not built.ok or built.binary is None:
        return False
    return all(run.passed for run in run_tests(built.binary, program.tests))


def sample(programs: list, n: int | None) -> list:
    """Programs whose tests take arguments or files first (they are what the portfolio could not verify
    before), then a seeded shuffle of the rest; the first n."""
    rich = [p for p in programs if not all(t.stdin_only for t in p.tests)]
    rest = [p for p in programs if p not in rich]
    random.Random(0).shuffle(rest)
    return (rich + rest)[:n] if n else rich + rest


def best_seen(outcomes: list) -> float:
    """Geomean over programs of the fastest correct candidate's first timing (at least 1.0: the baseline)."""
    best = [
        max([1.0, *(c["speedup"] for c in o.candidates if c.get("correct") and c.get("speedup") is not None)])
        for o in outcomes
    ]
    return geomean(best)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", default="builtin")
    parser.add_argument("--programs", type=int, default=None, help="the first N of the sample (default: all)")
    parser.add_argument("--budget", type=int, default=24, help="compilations per program for the long search")
    parser.add_argument("--store", default=None, help="SQLite file to resume from (as `eval asm --store`)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--protocol", default="supercoder", choices=("supercoder", "compilerlm"))
    parser.add_argument("--variants", default="portfolio,search11,search", help="short names, comma-separated")
    parser.add_argument("--json", type=Path, default=None, help="write every variant's outcomes here")
    args = parser.parse_args()

    console = Console(width=170)
    found, skipped = single_file_c(resolve_target(args.suite))
    programs = sample(found, args.programs)
    # `compilerlm eval asm`'s settings without a model, so that either resumes the other's --store
    base = AsmSearchConfig(runs=args.runs, final_runs=2 * args.runs, protocol=args.protocol)
    every = {
        "portfolio": ("portfolio (11)", base),
        "search11": ("search, same budget (11)", replace(base, compilers=SEEDS, budget=11)),
        "search": (f"search (budget {args.budget})", replace(base, budget=args.budget)),
        "no-retime": ("portfolio (11), no re-timing", replace(base, retime=False)),
    }
    wanted = [v.strip() for v in args.variants.split(",") if v.strip()]
    if unknown := [v for v in wanted if v not in every]:
        parser.error(f"unknown variant(s) {', '.join(unknown)}: choose from {', '.join(every)}")
    variants = dict(every[v] for v in wanted)
    store = Store(args.store) if args.store else None
    results = {}
    with Progress(console=console) as bar, tempfile.TemporaryDirectory() as tmp:
        for name, config in variants.items():
            task = bar.add_task(name, total=len(programs))
            seconds: list[float] = []

            def on_program(_: int, o: AsmOutcome, t: TaskID = task, s: list[float] = seconds) -> None:
                s.append(o.seconds)
                bar.advance(t)

            outcomes = run_asm_suite(programs, config, store=store, on_program=on_program)
            ok = [recheck(o.assembly, p, Path(tmp) / name / p.name) for p, o in zip(programs, outcomes, strict=True)]
            results[name] = (outcomes, summarize_asm(outcomes, skipped), sum(seconds) / len(seconds), ok)

    table = Table(
        title=f"{args.suite}: {len(programs)} programs, speed vs gcc -O3 without a model ({time.strftime('%Y-%m-%d')})"
    )
    for col in (
        "variant",
        "s / program",
        "geomean",
        "share faster",
        "pass",
        "re-check",
        "SC mean",
        "SC median",
        "SC p25/p75",
        "best seen",
    ):
        table.add_column(col, justify="right" if col != "variant" else "left")
    for name, (judged, summary, secs, ok) in results.items():
        sc = summary.get("supercoder")
        table.add_row(
            name,
            f"{secs:.0f}",
            f"{summary['speedup_geomean']:.3f}x",
            f"{summary['share_faster']:.0%}",
            f"{summary['pass_rate']:.0%}",
            f"{sum(ok)}/{len(ok)}",
            f"{sc['speedup_mean']:.3f}x" if sc else "—",
            f"{sc['speedup_median']:.3f}x" if sc else "—",
            f"{sc['speedup_p25']:.2f}/{sc['speedup_p75']:.2f}" if sc else "—",
            f"{best_seen(judged):.3f}x",
        )
    console.print(table)
    if args.json:
        doc = {name: {"summary": summary, "seconds_per_program": secs, "rechecked": sum(ok),
                      "best_seen": best_seen(outcomes), "programs": [asdict(o) for o in outcomes]}
               for name, (outcomes, summary, secs, ok) in results.items()}  # fmt: skip
        args.json.write_text(json.dumps(doc, indent=1, default=str) + "\n")

    shown = every["search"][0] if "search" in wanted else next(iter(results))  # whose winners are listed
    outcomes = results[shown][0]
    sources = Counter(o.source for o in outcomes)
    flags = Counter(flag for o in outcomes if o.config for flag in o.config.split() if flag.startswith(("-", "+")))
    console.print(f"{shown}: winners by source: " + ", ".join(f"{k} {v}" for k, v in sources.most_common()))
    console.print("flags in its winners: " + ", ".join(f"{k} {v}" for k, v in flags.most_common(15)))
    per = sorted(outcomes, key=lambda o: -o.speedup)[:8]
    console.print("largest: " + ", ".join(f"{o.name} {o.speedup:.2f}x ({o.config or o.source})" for o in per))


if __name__ == "__main__":
    main()
