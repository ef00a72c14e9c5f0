"""What `compilerlm cc` costs per translation unit next to `clang -Oz -c`, the compiler it stands in for.

A build pays the wrapper once per unit. Per unit of the chosen built-in programs (tuned first, so every unit
takes the tuned path: the frontend, then opt | llc with its pipeline), the three are timed side by side in
rotating order: `clang -Oz -c`, `compilerlm cc` (the installed executable, through the warm server its first call
starts), the same compiling in its own process (`COMPILERLM_CC_SERVER=0`), and through the full command line
(`python -m compilerlm.cli cc`, what every unit paid before). Then where cc's time
goes: Python's start with cc's imports, and its three processes (the frontend to IR, opt with the unit's pipeline,
llc) each run alone. Prints one table (median milliseconds per unit, each wrapper's ratio to clang) and the totals.

    python benchmarks/cc_overhead.py [--programs lisp,image_filter,stack_vm] [--repeats 5] [--debug]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from compilerlm.programs.suites import resolve_target
from compilerlm.toolchain.frontend import FRONTEND_FLAGS
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.pipelines import OZ_PIPELINE, expand
from compilerlm.toolchain.subprocess_path import LLC_FLAGS, OPT_FLAGS

PHASES = ("start", "frontend", "opt", "llc")


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode(errors='replace')[-300:]}")
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--programs", default="lisp,image_filter,stack_vm")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--debug", action="store_true", help="every compile with -g, as Debian builds do")
    args = ap.parse_args()
    executable = shutil.which("compilerlm") or str(Path(sys.executable).with_name("compilerlm"))
    clang = llvm_tool("clang")
    rows = []
    with tempfile.TemporaryDirectory(prefix="cc-overhead-") as tmp:
        env = {**os.environ, "COMPILERLM_CC_SERVER_IDLE": "5"}  # this run's servers end a few seconds after it
        local = {**env, "COMPILERLM_CC_SERVER": "0"}
        starts = []
        for name in args.programs.split(","):
            program = resolve_target(f"builtin:{name}")[0]
            tuned = Path(tmp) / f"{name}.json"
            tune = [executable, "tune", f"builtin:{name}", "--budget", "10", "--no-verify", "--json", str(tuned)]
            subprocess.run(tune, check=True, capture_output=True)
            if not json.loads(tuned.read_text())["modules"]:
                continue
            pipelines = {m["name"]: m["pipeline"] for m in json.loads(tuned.read_text())["modules"]}
            first = program.compile_steps()[0]  # a build's first call starts the server: timed once, apart
            starts.append(
                timed([executable, "cc", "--tuned", str(tuned), *first.flags, str(first.source), "-c"], env, Path(tmp))
            )
            for step in program.compile_steps():
                debug = ["-g"] if args.debug else []
                flags = [*step.flags, *debug, str(step.source), "-c", "-o", "unit.o"]
                front = [clang, "-Oz", *FRONTEND_FLAGS, *step.flags, *debug, str(step.source), "-o", "unit.ll"]
                passes = f"-passes={expand(pipelines.get(step.name, OZ_PIPELINE))}"
                cc = [executable, "cc", "--tuned", str(tuned), *flags]
                commands = {
                    "clang": ([clang, "-Oz", *flags], env),
                    "cc": (cc, env),  # through its warm server, started by the first call
                    "local": (cc, local),  # without a server: this process imports and compiles
                    "full": ([sys.executable, "-m", "compilerlm.cli", *cc[1:]], env),
                    # where a local cc's time goes: each of its steps alone, as it runs them
                    "start": ([sys.executable, "-c", "import compilerlm.launcher, compilerlm.toolchain.cc"], env),
                    "frontend": (front, env),
                    "opt": ([llvm_tool("opt"), *OPT_FLAGS, passes, "unit.ll", "-o", "unit.bc"], env),
                    "llc": ([llvm_tool("llc"), *LLC_FLAGS, "unit.bc", "-o", "unit.o"], env),
                }
                times: dict[str, list[float]] = {k: [] for k in commands}
                wrappers = [k for k in commands if k not in PHASES]
                for i in range(args.repeats):
                    turn = i % len(wrappers)  # rotate: load hits all alike; each phase after its input
                    for key in [*wrappers[turn:], *wrappers[:turn], *PHASES]:
                        times[key].append(timed(*commands[key], Path(tmp)))
                rows.append((step.name, {k: statistics.median(v) for k, v in times.items()}))
    table = Table(
        title=f"compilerlm cc vs clang -Oz -c{' -g' if args.debug else ''}, median of {args.repeats} per unit (ms)",
        caption="cc: through its warm server; local: COMPILERLM_CC_SERVER=0; full: python -m compilerlm.cli cc; "
        "start: Python and a local cc's imports; frontend, opt, llc: cc's three processes, each run alone",
    )
    table.add_column("unit")
    for col in ("clang -Oz -c", "cc", "x clang", "local", "x clang", "full", "x clang", *PHASES):
        table.add_column(col, justify="right")
    total = {k: sum(t[k] for _, t in rows) for k in ("clang", "cc", "local", "full", *PHASES)}
    for unit, t in [*rows, ("all units", total)]:
        ratios = [f"{t[k] * 1e3:.0f}\t{t[k] / t['clang']:.2f}" for k in ("cc", "local", "full")]
        cells = [c for r in ratios for c in r.split("\t")]
        table.add_row(unit, f"{t['clang'] * 1e3:.0f}", *cells, *(f"{t[p] * 1e3:.0f}" for p in PHASES))
    Console(width=200).print(table)
    print(f"a build's first call, which starts the server: {' / '.join(f'{t:.2f} s' for t in starts)}")


if __name__ == "__main__":
    main()
