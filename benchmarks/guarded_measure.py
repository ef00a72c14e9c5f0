"""What the guarded speed measurement costs, next to the measurement it replaced, on the built-in suite.

Guarded (this checkout): every timed and counted run is a checked run (its output judged like a test's), the
counter's report comes on a pipe of its own and is read after every process of the run is gone, each run has
a system-call filter and a fresh session keyring, and the speedup is the mean over the unseen tests (hidden
tests and differential mutants, which are timed too). Before: an earlier checkout, given as a folder (e.g.
``git archive <rev> | tar -x -C DIR``), whose timed runs were not checked and whose speedup was the mean over
the visible and hidden tests.

Per program, both trees judge the same candidate (``clang -O3 -march=native``, compiled by the tree itself)
against the same ``gcc -O3`` baseline, with the same runs, in child processes that alternate between the
trees (before, after, after, before, ...) so that machine load hits both alike. Prints one table: seconds
per program (preparing the problem, and judging the candidate: checks, timing, instruction counts), the
tests timed, and both speedups with their 95% intervals, so one can see whether an honest speedup moved by
more than its noise; then the totals.

    python benchmarks/guarded_measure.py --before DIR [--programs N] [--runs 10] [--repeats 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent.parent / "src"
CANDIDATE = "clang -O3 -march=native"
PROGRAMS = (
    "sieve",
    "nbody",
    "matmul",
    "sha256",
    "edit_distance",
    "knapsack",
    "nqueens",
    "bitcount",
    "mandelbrot",
    "base64",
    "huffman",
    "sorting",
)

# Run in a child with one tree on sys.path: prepare the problem, compile the candidate, judge it, print JSON.
CHILD = r"""
import json, statistics, sys, tempfile, time
from pathlib import Path
from compilerlm.programs.suites import resolve_target
from compilerlm.speed.judge import evaluate_candidate
from compilerlm.speed.portfolio import compile_assembly, portfolio
from compilerlm.speed.problem import prepare_problem
name, config, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
program = resolve_target(f"builtin:{name}")[0]
with tempfile.TemporaryDirectory() as tmp:
    t0 = time.perf_counter()
    problem = prepare_problem(program, Path(tmp))
    t1 = time.perf_counter()
    asm = compile_assembly(program, portfolio([config])[0], problem.visible)
    t2 = time.perf_counter()
    r = evaluate_candidate(problem, asm, runs=runs, instructions=True)
    t3 = time.perf_counter()
basis = getattr(r, "basis", r.tests)
bounds = [r.speedup_ci[t.name] for t in basis if t.name in r.speedup_ci]
print(json.dumps({
    "prepare": t1 - t0, "judge": t3 - t2, "correct": r.correct, "speedup": r.speedup,
    "low": statistics.fmean(b[0] for b in bounds) if bounds else None,
    "high": statistics.fmean(b[1] for b in bounds) if bounds else None,
    "instructions_ratio": r.instructions_ratio, "timed": len(r.tests), "failure": r.failure or r.timing_error,
}))
"""


def judge(tree: Path, name: str, runs: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, name, CANDIDATE, str(runs)], env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def mean_of(rows: list[dict], key: str) -> float | None:
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.fmean(values) if values else None


def fmt(value: float | None, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--before", type=Path, required=True, help="an earlier checkout's folder (its src/ is used)")
    ap.add_argument("--programs", type=int, default=len(PROGRAMS))
    ap.add_argument("--runs", type=int, default=10, help="interleaved pairs per test")
    ap.add_argument("--repeats", type=int, default=2, help="judgements per tree and program (alternating)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    before = args.before / "src"
    if not (before / "compilerlm").is_dir():
        sys.exit(f"--before {args.before}: no src/compilerlm there; give the folder of an earlier checkout")
    trees = {"before": before, "guarded": HERE}
    console = Console(stderr=True)
    results: dict[str, dict[str, list[dict]]] = {}
    for i, name in enumerate(PROGRAMS[: args.programs]):
        rows: dict[str, list[dict]] = {"before": [], "guarded": []}
        order = ["before", "guarded", "guarded", "before"] * args.repeats
        for label in order[: 2 * args.repeats]:
            console.print(f"[{i + 1}/{args.programs}] {name}: {label}", highlight=False)
            rows[label].append(judge(trees[label], name, args.runs))
        results[name] = rows

    table = Table(title=f"Guarded measurement vs before ({CANDIDATE} vs gcc -O3, {args.runs} pairs per test)")
    for col in ("program", "tests timed b/g", "judge s before", "judge s guarded", "x", "speedup before [95%]",
                "speedup guarded [95%]", "instr. before", "instr. guarded"):  # fmt: skip
        table.add_column(col, justify="left" if col == "program" else "right")
    totals = {"before": 0.0, "guarded": 0.0}
    for name, rows in results.items():
        b, g = rows["before"], rows["guarded"]
        errors = [r["error"] for r in b + g if "error" in r]
        if errors:
            table.add_row(name, "error", errors[0][:60], "", "", "", "", "", "")
            continue
        jb, jg = mean_of(b, "judge"), mean_of(g, "judge")
        totals["before"] += (jb or 0.0) + (mean_of(b, "prepare") or 0.0)
        totals["guarded"] += (jg or 0.0) + (mean_of(g, "prepare") or 0.0)
        table.add_row(
            name,
            f"{b[0]['timed']}/{g[0]['timed']}",
            fmt(jb, ".1f"),
            fmt(jg, ".1f"),
            fmt(jg / jb if jb and jg else None),
            f"{fmt(mean_of(b, 'speedup'), '.3f')} [{fmt(mean_of(b, 'low'))}, {fmt(mean_of(b, 'high'))}]",
            f"{fmt(mean_of(g, 'speedup'), '.3f')} [{fmt(mean_of(g, 'low'))}, {fmt(mean_of(g, 'high'))}]",
            fmt(mean_of(b, "instructions_ratio"), ".3f"),
            fmt(mean_of(g, "instructions_ratio"), ".3f"),
        )
    Console().print(table)
    n = len(results)
    Console().print(
        f"per program (prepare + judge): before {totals['before'] / n:.1f} s, guarded {totals['guarded'] / n:.1f} s "
        f"({totals['guarded'] / max(totals['before'], 1e-9):.2f}x)"
    )
    if args.json:
        args.json.write_text(json.dumps({"runs": args.runs, "candidate": CANDIDATE, "results": results}, indent=1))


if __name__ == "__main__":
    main()
