"""A/A check of the measurement layer: each program timed against itself, repeatedly, to show the noise floor.

A perfect harness reports speedup 1.0 for a binary against itself; how far the numbers stray on this machine
is the smallest speedup a single comparison can claim. For each program (compiled here with gcc -O2) the
table shows the wall-clock speedup (ratio of means, docs/design.md's number) as mean and min..max over
``--reps`` comparisons, the median of per-pair ratios, the CPU-time ratio, the run-to-run spread of one
run (coefficient of variation), the instruction-count ratio (exactly 1 with valgrind), and the time one
comparison and one instruction count take.

    python benchmarks/measure_aa.py [--pairs 40] [--warmups 2] [--reps 3] [--programs alu,memory,qsort]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from compilerlm.measure import compare, count_instructions, instruction_backend

# Each program reads one size from stdin and prints a checksum, so the compiler cannot drop the work.
PROGRAMS: dict[str, tuple[str, bytes]] = {
    "alu": (  # dependent multiply chain: pure ALU, no memory traffic
        r"""#include <stdio.h>
int main(void) { unsigned long n, x = 1, a = 0; if (scanf("%lu", &n) != 1) return 1;
  for (unsigned long i = 0; i < n; i++) { x = x * 6364136223846793005UL + 1442695040888963407UL; a ^= x >> 29; }
  printf("%lu\n", a); return 0; }""",
        b"25000000",
    ),
    "memory": (  # random pointer chase over 8 MiB: cache and TLB misses, sensitive to neighbours
        r"""#include <stdio.h>
#include <stdlib.h>
int main(void) { unsigned long n, m = 1UL << 20, s = 0; if (scanf("%lu", &n) != 1) return 1;
  unsigned long *next = malloc(m * sizeof *next); unsigned long x = 88172645463325252UL;
  for (unsigned long i = 0; i < m; i++) next[i] = i;
  for (unsigned long i = m - 1; i > 0; i--) { x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    unsigned long j = x % i, t = next[i]; next[i] = next[j]; next[j] = t; }
  unsigned long p = 0; for (unsigned long i = 0; i < n; i++) { p = next[p]; s += p; }
  printf("%lu\n", s); free(next); return 0; }""",
        b"1000000",
    ),
    "qsort": (  # libc calls, indirect branches, data-dependent branches
        r"""#include <stdio.h>
#include <stdlib.h>
static int cmp(const void *a, const void *b) { int x = *(const int *)a, y = *(const int *)b; return (x > y) - (x < y); }
int main(void) { int n; if (scanf("%d", &n) != 1) return 1; int *v = malloc(n * sizeof *v); unsigned x = 7;
  for (int i = 0; i < n; i++) { x = x * 1103515245u + 12345u; v[i] = (int)(x >> 1); }
  qsort(v, n, sizeof *v, cmp); long s = 0; for (int i = 0; i < n; i += 97) s += v[i];
  printf("%ld\n", s); free(v); return 0; }""",
        b"300000",
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=40, help="timed runs per side in one comparison")
    parser.add_argument("--warmups", type=int, default=2)
    parser.add_argument("--reps", type=int, default=3, help="A/A comparisons per program")
    parser.add_argument("--programs", default=",".join(PROGRAMS))
    args = parser.parse_args()
    if shutil.which("gcc") is None:
        raise SystemExit("gcc not found; install it with: sudo apt-get install gcc")

    console = Console(width=160)
    backend = instruction_backend()
    console.print(f"instruction counts via {backend}; {args.pairs} interleaved pairs per comparison, {args.reps} reps")
    table = Table(title="A/A: each program against itself (1.000 is perfect)")
    cols = ("program", "run ms", "run CV", "wall speedup", "min..max", "median ratio", "cpu ratio")
    for col in (*cols, "instr ratio", "s/compare", "s/count"):
        table.add_column(col, justify="right")
    with tempfile.TemporaryDirectory(prefix="measure-aa-") as tmp:
        for name in args.programs.split(","):
            source, stdin = PROGRAMS[name]
            src, exe = Path(tmp) / f"{name}.c", Path(tmp) / name
            src.write_text(source)
            subprocess.run(["gcc", "-O2", "-o", exe, src], check=True)
            comps = [compare(exe, exe, stdin, args.warmups, args.pairs, seed=i) for i in range(args.reps)]
            walls = [c.speedup for c in comps]
            t = time.perf_counter()
            counts = (count_instructions(exe, stdin), count_instructions(exe, stdin))
            per_count = (time.perf_counter() - t) / 2
            table.add_row(
                name,
                f"{statistics.fmean(c.baseline.wall.mean for c in comps) * 1e3:.1f}",
                f"{statistics.fmean(c.baseline.wall.rel_stdev for c in comps):.3f}",
                f"{statistics.fmean(walls):.4f}",
                f"{min(walls):.3f}..{max(walls):.3f}",
                f"{statistics.fmean(c.median_ratio for c in comps):.4f}",
                f"{statistics.fmean(c.baseline.cpu.mean / c.candidate.cpu.mean for c in comps):.4f}",
                f"{counts[0] / counts[1]:.6f}",
                f"{statistics.fmean(c.seconds for c in comps):.1f}",
                f"{per_count:.2f}",
            )
    console.print(table)


if __name__ == "__main__":
    main()
