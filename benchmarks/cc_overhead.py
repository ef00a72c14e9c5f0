"""What `compilerlm cc` costs per translation unit next to `clang -Oz -c`, the compiler it stands in for.

A build pays the wrapper once per unit. Per unit of the chosen built-in programs (tuned first, so every unit
takes the tuned path: the frontend, then opt | llc with its pipeline), the three are timed side by side in
rotating order: `clang -Oz -c`, `compilerlm cc` (the installed executable: its fast start), and the same
through the full command line (`python -m compilerlm.cli cc`, what every unit paid before). Prints one table
(median milliseconds per unit, and each wrapper's ratio to clang) and the totals.

    python benchmarks/cc_overhead.py [--programs lisp,image_filter,stack_vm] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
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
from compilerlm.toolchain.locate import llvm_tool


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode(errors='replace')[-300:]}")
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--programs", default="lisp,image_filter,stack_vm")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    executable = shutil.which("compilerlm") or str(Path(sys.executable).with_name("compilerlm"))
    clang = llvm_tool("clang")
    rows = []
    with tempfile.TemporaryDirectory(prefix="cc-overhead-") as tmp:
        for name in args.programs.split(","):
            program = resolve_target(f"builtin:{name}")[0]
            tuned = Path(tmp) / f"{name}.json"
            tune = [executable, "tune", f"builtin:{name}", "--budget", "10", "--no-verify", "--json", str(tuned)]
            subprocess.run(tune, check=True, capture_output=True)
            if not json.loads(tuned.read_text())["modules"]:
                continue
            for step in program.compile_steps():
                flags = [*step.flags, str(step.source), "-c", "-o", "unit.o"]
                commands = {
                    "clang": [clang, "-Oz", *flags],
                    "cc": [executable, "cc", "--tuned", str(tuned), *flags],
                    "full": [sys.executable, "-m", "compilerlm.cli", "cc", "--tuned", str(tuned), *flags],
                }
                times: dict[str, list[float]] = {k: [] for k in commands}
                for i in range(args.repeats):
                    order = list(commands)[i % 3 :] + list(commands)[: i % 3]  # rotate: load hits all alike
                    for key in order:
                        times[key].append(timed(commands[key], Path(tmp)))
                rows.append((step.name, {k: statistics.median(v) for k, v in times.items()}))
    table = Table(title=f"compilerlm cc vs clang -Oz -c, median of {args.repeats} per unit (ms)")
    for col in ("unit", "clang -Oz -c", "compilerlm cc", "x clang", "full command line", "x clang"):
        table.add_column(col, justify="left" if col == "unit" else "right")
    for unit, t in rows:
        table.add_row(
            unit,
            f"{t['clang'] * 1e3:.0f}",
            f"{t['cc'] * 1e3:.0f}",
            f"{t['cc'] / t['clang']:.2f}",
            f"{t['full'] * 1e3:.0f}",
            f"{t['full'] / t['clang']:.2f}",
        )
    total = {k: sum(t[k] for _, t in rows) for k in ("clang", "cc", "full")}
    table.add_row(
        "all units",
        f"{total['clang'] * 1e3:.0f}",
        f"{total['cc'] * 1e3:.0f}",
        f"{total['cc'] / total['clang']:.2f}",
        f"{total['full'] * 1e3:.0f}",
        f"{total['full'] / total['clang']:.2f}",
    )
    Console().print(table)


if __name__ == "__main__":
    main()
