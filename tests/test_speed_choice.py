"""The speed track's choice never lets a deterministic but wrong signal overrule the clock: instruction counts
break a near-tie only where the clock, timing the two candidates head to head, agrees; and a reported speedup
whose run times fall in two clusters says so and is measured with more runs.

Two correct candidates of one program whose counts and times disagree, as `-march=native`'s wider vectors did
on LLVM's ary3: a loop that takes `i % d` with `d` read from a volatile (one `idiv` a step) and also runs `cpuid`
each step (one instruction of hundreds of cycles, thousands in a virtual machine): fewer instructions than the
same loop with the constant 7 (a multiply and shifts), and many times slower.
The timings the choice sees are set to a near-tie (overlapping intervals), as a noisy machine leaves them; the
counts and the head-to-head are real."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from compilerlm.programs.program import Program, TestCase
from compilerlm.speed.choice import choose, ranked
from compilerlm.speed.config import AsmSearchConfig
from compilerlm.speed.pool import CandidatePool
from compilerlm.speed.problem import prepare_problem

LOOP = """#include <stdio.h>
{decl}int main(void) {{
    long n, s = 0;
    if (scanf("%ld", &n) != 1) return 1;
    for (long i = 0; i < n; i++) {{
{step}        s += i % {divisor};
    }}
    printf("%ld\\n", s);
    return 0;
}}
"""
FAST = LOOP.format(decl="", step="", divisor="7")
CPUID = (
    '        unsigned a = 0, b, c = 0, e;\n        __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(e));\n'
)
SLOW = LOOP.format(decl="static volatile long d = 7;\n", step=CPUID, divisor="d")

needs_valgrind = pytest.mark.skipif(not shutil.which("valgrind"), reason="needs valgrind to count instructions")


def _gcc(code: str, tmp: Path, *flags: str) -> str:
    (tmp / "c.c").write_text(code)
    return subprocess.run(
        ["gcc", *flags, "-S", "c.c", "-o", "-"], cwd=tmp, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def pool(tmp_path, monkeypatch) -> CandidatePool:
    """Both candidates judged (correct, timed against the baseline, the loop at -O0) on real runs."""
    monkeypatch.setenv("COMPILERLM_INSTRUCTIONS", "valgrind")
    (tmp_path / "p").mkdir()
    source = tmp_path / "p" / "loop.c"
    source.write_text(FAST)
    sums = {n: n // 7 * 21 + (n % 7) * (n % 7 - 1) // 2 for n in (30_000, 20_000, 40_000)}  # of i % 7
    tests = tuple(TestCase(str(n), f"{n}\n".encode(), f"{s}\n".encode()) for n, s in sums.items())
    program = Program("loop", (source,), tests=tests, baseline_asm=_gcc(FAST, tmp_path, "-O0"))
    problem = prepare_problem(program, tmp_path / "work", visible=2, mutants=0)
    pool = CandidatePool(problem, AsmSearchConfig(runs=3, warmups=1), None)
    for label, code in (("idiv", SLOW), ("multiply", FAST)):
        assert pool.judge(label, "given", _gcc(code, tmp_path, "-O3")).correct
    return pool


def _near_tie(pool: CandidatePool, first: str) -> None:
    """The clock's view after a noisy choosing run: `first` ahead by a little, both faster, intervals overlapping."""
    for cand, _ in pool.judged:
        ahead = cand.label == first
        cand.speedup, cand.speedup_low, cand.speedup_high = (1.50, 1.2, 1.8) if ahead else (1.45, 1.15, 1.75)


@needs_valgrind
def test_counts_that_contradict_the_clock_are_settled_head_to_head_by_the_clock(pool):
    _near_tie(pool, "multiply")  # the clock has the multiply loop ahead; the counts prefer the idiv loop
    order = [c.label for c, _ in ranked(pool)]
    counted = {c.label: c.instructions_ratio for c, _ in pool.judged}
    assert counted["idiv"] > counted["multiply"], counted  # fewer instructions: the count's first
    assert order[0] == "multiply", (order, pool.notes)  # the head-to-head on the clock agreed with the clock
    (found,) = pool.head_to_head.values()
    assert not isinstance(found, str) and found.speedup < 1.0 and found.high < 1.0, found  # idiv is slower, surely
    assert any("head to head" in n and "the clock's order stands" in n for n in pool.notes), pool.notes
    ranked(pool)
    assert len(pool.head_to_head) == 1  # measured once per pair


@needs_valgrind
def test_counts_that_agree_with_the_clock_break_the_tie_without_more_runs(pool):
    _near_tie(pool, "idiv")  # a noisy run put the idiv loop ahead: the counts agree, nothing more is measured
    assert next(c.label for c, _ in ranked(pool)) == "idiv"
    assert pool.head_to_head == {}


TWO_TIMES = """#include <stdio.h>
#include <time.h>
int main(void) {{
    long n;
    struct timespec t, d = {{0, 0}};
    if (scanf("%ld", &n) != 1) return 1;
    clock_gettime(CLOCK_MONOTONIC, &t);
    d.tv_nsec = {sleep};
    nanosleep(&d, NULL);
    printf("%ld\\n", 2 * n);
    return 0;
}}
"""


@pytest.mark.slow  # 160 timed pairs of sandboxed runs; test_measure checks the detection by default
def test_a_baseline_with_two_run_times_is_measured_again_and_said(tmp_path):
    """The gcc -O3 baseline sleeps 20 or 120 ms by a bit of the clock (as LLVM's puzzle ran 0.1 or 0.2 s), the
    candidate a steady 5 ms: the final timing finds the two clusters, takes the timing again with three times
    the runs, and the outcome names them."""
    (tmp_path / "p").mkdir()
    source = tmp_path / "p" / "sleep.c"
    source.write_text(TWO_TIMES.format(sleep="((t.tv_nsec >> 10) & 1) ? 120000000L : 20000000L"))
    tests = tuple(TestCase(str(n), f"{n}\n".encode(), f"{2 * n}\n".encode()) for n in (3, 4))
    problem = prepare_problem(Program("sleep", (source,), tests=tests), tmp_path / "work", visible=1, mutants=0)
    config = AsmSearchConfig(runs=8, warmups=1, final_runs=20, instructions=False)
    pool = CandidatePool(problem, config, None)
    assert pool.judge("steady", "given", _gcc(TWO_TIMES.format(sleep="5000000L"), tmp_path, "-O2")).faster
    out = choose(pool)
    assert out.source == "given" and out.faster, out
    assert out.timing_modes and all("baseline runs take" in m for m in out.timing_modes), out.timing_modes
    assert any("two clusters" in n and "measured again with 60 runs" in n for n in out.notes), out.notes
