"""The speed track on a suite without a model, then an independent re-check of every reported assembly.

Runs what `compilerlm eval asm --suite SUITE` runs (the compiler portfolio, judged on visible, hidden and
mutant tests, the winner timed afresh), resuming from --store, then rebuilds each reported assembly with
`gcc x.s -o x -lm` and runs every one of the program's tests (visible and hidden) in the sandbox again,
apart from the tool's own verdicts. Prints SuperCoder's table, sources, and the re-check.

    python benchmarks/asm_suite.py [--suite builtin] [--store speed.sqlite] [--runs 10] [--jobs 1]
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from compilerlm.eval.speed import format_asm_table, run_asm_suite, single_file_c, summarize_asm
from compilerlm.programs.suites import resolve_target
from compilerlm.sandbox import run_sandboxed
from compilerlm.speed.build import build_candidate
from compilerlm.speed.search import AsmSearchConfig
from compilerlm.store import Store


def recheck(assembly: str, program, workdir: Path) -> bool:
    built = build_candidate(assembly, workdir, "recheck", program.ldflags)
    if not built.ok or built.binary is None:
        return False
    return all(run_sandboxed(built.binary, t.stdin, expected=t.expected).ok for t in program.tests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", default="builtin")
    parser.add_argument("--store", default=None, help="SQLite file to resume from (as `eval asm --store`)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()

    console = Console()
    programs, skipped = single_file_c(resolve_target(args.suite))
    # `compilerlm eval asm`'s settings without a model, so that either resumes the other's --store
    config = AsmSearchConfig(samples=1, rounds=0, temperature=0.5, runs=args.runs, final_runs=2 * args.runs)
    store = Store(args.store) if args.store else None
    with Progress(console=console) as bar:
        task = bar.add_task("portfolio", total=len(programs))
        outcomes = run_asm_suite(programs, config, store=store, jobs=args.jobs, on_program=lambda _: bar.advance(task))
        check = bar.add_task("re-check", total=len(programs))
        with tempfile.TemporaryDirectory() as tmp:
            ok = []
            for program, outcome in zip(programs, outcomes, strict=True):
                ok.append(recheck(outcome.assembly, program, Path(tmp) / program.name))
                bar.advance(check)
    console.print(format_asm_table(summarize_asm(outcomes, skipped), f"{args.suite}: compiler portfolio vs gcc -O3"))
    wins = Counter(o.config for o in outcomes if o.source == "compiler")
    table = Table(title="configurations reported (programs)")
    table.add_column("configuration")
    table.add_column("programs", justify="right")
    for name, count in wins.most_common():
        table.add_row(name, str(count))
    console.print(table)
    bad = [p.name for p, good in zip(programs, ok, strict=True) if not good]
    console.print(
        f"re-check: {sum(ok)}/{len(ok)} reported assemblies pass every test (visible and hidden)"
        + (f"; FAILED: {', '.join(bad)}" if bad else "")
    )
    best = sorted(outcomes, key=lambda o: -o.speedup)[:5]
    console.print("largest speedups: " + ", ".join(f"{o.name} {o.speedup:.2f}x ({o.config})" for o in best))


if __name__ == "__main__":
    main()
