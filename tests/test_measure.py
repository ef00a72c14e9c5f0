"""Measurement: timing and instruction counts on real binaries, the 2x variant, and docs/design.md's aggregation."""

from __future__ import annotations

import json
import math
import random
import shutil
import subprocess
from dataclasses import asdict
from pathlib import Path

import pytest

from compilerlm.errors import CompilerLMError
from compilerlm.measure import (
    MeasurementError,
    ProgramResult,
    TestResult,
    TimingStats,
    compare,
    count_instructions,
    geomean,
    instruction_backend,
    local_runner,
    measure,
    quartiles,
    summarize,
)
from compilerlm.measure.timing import modes

# A dependent multiply chain: ~1 ns per iteration on current x86, so N ≈ 25 ms; WORK=2 does twice the iterations.
LOOP_C = r"""
#include <stdio.h>
int main(void) {
    unsigned long n = 0, x = 12345, acc = 0;
    if (scanf("%lu", &n) != 1) return 1;
    for (unsigned long i = 0; i < n * WORK; i++) {
        x = x * 6364136223846793005UL + 1442695040888963407UL;
        acc ^= x >> 29;
    }
    printf("%lu\n", acc);
    return 0;
}
"""
N = b"25000000"


def _builds(folder: Path, code: str, macro: str, values: dict[str, int]) -> dict[str, Path]:
    """One gcc -O2 binary of `code` per name, with `macro` defined to its value."""
    if shutil.which("gcc") is None:
        pytest.skip("gcc not installed")
    (folder / "prog.c").write_text(code)
    for name, value in values.items():
        subprocess.run(["gcc", "-O2", f"-D{macro}={value}", "-o", folder / name, folder / "prog.c"], check=True)
    return {name: folder / name for name in values}


@pytest.fixture(scope="module")
def bins(tmp_path_factory) -> dict[str, Path]:
    return _builds(tmp_path_factory.mktemp("measure"), LOOP_C, "WORK", {"loop": 1, "loop2x": 2})


# --- timing -------------------------------------------------------------------------------------------


def test_timing_stats():
    s = TimingStats.of([1.0, 2.0, 3.0, 10.0])
    assert (s.mean, s.median, s.min, s.max, s.runs) == (4.0, 2.5, 1.0, 10.0, 4)
    assert s.stdev == pytest.approx(4.0825, abs=1e-4)
    assert TimingStats.of([5.0]).stdev == 0.0


def test_local_runner_reports_how_a_run_ended(tmp_path):
    ok = local_runner(["/bin/true"], b"", 10)
    assert ok.status == "ok" and ok.exit_code == 0 and ok.wall_seconds > 0
    assert local_runner(["/bin/false"], b"", 10).status == "exit-code"
    assert local_runner([str(tmp_path / "missing")], b"", 10).status == "sandbox-error"
    assert local_runner(["/bin/sh", "-c", "kill -9 $$"], b"", 10).status == "signal"
    slow = local_runner(["/bin/sh", "-c", "sleep 30 & sleep 30"], b"", 0.3)
    assert slow.status == "timeout" and slow.wall_seconds < 5
    # stdin arrives byte for byte
    out = tmp_path / "out"
    local_runner(["/bin/sh", "-c", f"cat > {out}"], b"abc\x00def", 10)
    assert out.read_bytes() == b"abc\x00def"


def test_measure_fixed_and_adaptive(bins):
    m = measure(bins["loop"], N, warmups=1, runs=4)
    assert m.wall.runs == m.cpu.runs == len(m.wall_samples) == 4
    assert 0 < m.cpu.mean <= m.wall.mean * 1.05  # single-threaded: CPU time cannot exceed wall time
    a = measure(bins["loop"], N, warmups=0, min_runs=3, min_time=0.2, max_runs=50)
    assert 3 <= a.wall.runs < 50 and sum(a.wall_samples) >= 0.15


def test_failing_run_is_not_timed(bins):
    with pytest.raises(MeasurementError, match="false"):
        compare(bins["loop"], "/bin/false", N, warmups=1, runs=2)


def test_2x_work_is_clearly_slower(bins):
    """On CPU time, which a busy neighbour hardly moves; the wall clock's A/A noise is measured by
    benchmarks/measure_aa.py, not asserted here (a wall-clock ratio is no fact on a shared machine)."""
    c = compare(bins["loop"], bins["loop2x"], N, warmups=1, runs=10, clock="cpu")
    assert c.speedup < 0.7 and c.median_ratio < 0.7
    back = compare(bins["loop2x"], bins["loop"], N, warmups=0, runs=4, clock="cpu")
    assert back.speedup > 1.4
    wall = compare(bins["loop"], bins["loop2x"], N, warmups=0, runs=2, clock="wall")
    assert wall.clock == "wall" and wall.pairs == 2 and wall.speedup > 0


def test_checked_runner_times_only_runs_that_pass_their_test(bins):
    from compilerlm.measure import RunFailed
    from compilerlm.programs.program import TestCase
    from compilerlm.programs.testing import checked_runner, run_test

    expected = run_test(bins["loop"], TestCase("t", N, None)).stdout
    test = TestCase("t", N, expected)
    # CPU time: a plumbing check, not another noise test (wall time is covered above)
    same = compare(bins["loop"], bins["loop"], b"", 1, 4, clock="cpu", runner=checked_runner(test))
    assert 0.6 < same.speedup < 1.6 and min(same.baseline.wall_samples) >= min(same.baseline.cpu_samples) * 0.9
    with pytest.raises(RunFailed) as failed:  # loop2x prints another number: its runs are failures, not times
        compare(bins["loop"], bins["loop2x"], b"", 0, 2, clock="cpu", runner=checked_runner(test))
    assert failed.value.program == str(bins["loop2x"]) and failed.value.sample.status == "wrong-output"


# Sleeps 20 ms or 45 ms by a bit of the clock at start: two run times, as a program whose memory placement or
# frequency state holds for a whole run has; STEADY=1 always sleeps 10 ms. Same output either way.
TWO_TIMES_C = r"""
#include <stdio.h>
#include <time.h>
int main(void) {
    struct timespec t, d = {0, 0};
    clock_gettime(CLOCK_MONOTONIC, &t);
    d.tv_nsec = STEADY ? 10000000L : ((t.tv_nsec >> 10) & 1) ? 45000000L : 20000000L;
    nanosleep(&d, NULL);
    puts("done");
    return 0;
}
"""


@pytest.fixture(scope="module")
def two_times(tmp_path_factory) -> dict[str, Path]:
    return _builds(tmp_path_factory.mktemp("modes"), TWO_TIMES_C, "STEADY", {"two": 0, "steady": 1})


def test_two_clusters_of_run_times_are_found_and_noise_is_not():
    rng = random.Random(3)
    noisy = [rng.gauss(0.100, 0.003) for _ in range(30)]
    assert modes(noisy) is None  # one mode with noise
    assert modes([*noisy[:27], 0.16, 0.19, 0.25]) is None  # a few slow runs are a tail, not a mode
    two = [rng.gauss(0.110, 0.004) for _ in range(12)] + [rng.gauss(0.220, 0.008) for _ in range(8)]
    found = modes(two)
    assert found is not None and found.slow_share == pytest.approx(0.4)
    assert found.fast == pytest.approx(0.110, rel=0.05) and found.slow == pytest.approx(0.220, rel=0.05)
    assert "(60% of runs)" in found.describe() and "(40%)" in found.describe()
    assert modes(two[:5]) is None  # too few runs to tell


def test_a_program_with_two_run_times_is_reported_as_such(two_times):
    comp = compare(two_times["two"], two_times["steady"], runs=30, warmups=1)
    found = comp.baseline_modes
    assert found is not None, comp.baseline.wall_samples
    assert 0.018 < found.fast < 0.030 and 0.043 < found.slow < 0.060 and 0.15 <= found.slow_share <= 0.85
    assert "baseline runs take" in TestResult.from_comparison("t", comp).modes


def test_blocks_schedule_runs_one_side_after_the_other():
    order: list[str] = []

    def runner(argv, stdin, timeout):
        order.append(argv[0])
        return local_runner(["/bin/true"], stdin, timeout)

    c = compare(["a"], ["b"], warmups=2, runs=3, runner=runner, schedule="blocks")
    assert order == ["a"] * 5 + ["b"] * 5 and c.pairs == 3
    order.clear()
    compare(["a"], ["b"], warmups=1, runs=2, runner=runner)
    assert order == ["a", "b", "a", "b", "b", "a"]  # interleaved, the order alternating


# --- instruction counts -------------------------------------------------------------------------------


def test_instruction_counts_are_exact_and_see_2x(bins):
    backend = instruction_backend()
    a1, a2 = count_instructions(bins["loop"], N), count_instructions(bins["loop"], N)
    b = count_instructions(bins["loop2x"], N)
    print(f"\ninstructions ({backend}): loop {a1}, again {a2}, 2x {b}")
    if backend == "valgrind":
        assert a1 == a2  # a software count: exactly repeatable
    else:
        assert a1 / a2 == pytest.approx(1, abs=1e-4)  # hardware counters may drift by a few instructions
    assert a1 > 25_000_000 * 3
    assert a1 / b < 0.7
    with pytest.raises(MeasurementError, match="exit code 1"):
        count_instructions(bins["loop"], b"not a number")


def test_instruction_backend_missing(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(CompilerLMError) as err:
        instruction_backend()
    msg = str(err.value)
    assert "\n" not in msg and "apt-get install valgrind" in msg and "perf is not installed" in msg
    with pytest.raises(CompilerLMError, match="apt-get install valgrind"):
        count_instructions("/bin/true")


def test_perf_output_parsing():
    """perf's CSV format (``perf stat -x,``), checked on text because this machine's perf has no PMU."""
    from compilerlm.measure.instructions import _parse_perf

    ok = "# started on Sat Nov 21 22:33:03 2026\n\n183204,,instructions:u,414170,100.00,,\n"
    assert _parse_perf(ok) == 183204
    with pytest.raises(MeasurementError, match="not supported"):
        _parse_perf("<not supported>,,instructions:u,0,100.00,,\n")


# --- aggregation ----------------------------------------------------------------------------------------


def test_test_and_program_results():
    t = TestResult("t1", True, 2.0, 1.0, 300, 100)
    assert t.speedup == 2.0 and t.instruction_ratio == 3.0
    p = ProgramResult("p", [t, TestResult("t2", True, 1.0, 1.0, 100, 100)])
    assert p.passed and p.speedup == 1.5 and p.instruction_ratio == 2.0
    bad = ProgramResult("q", [t, TestResult("t2", False, detail="wrong output")])
    assert not bad.passed and bad.speedup == 1.0 and bad.instruction_ratio == 1.0
    assert not ProgramResult.failed("r", "compile error").passed
    assert ProgramResult("untimed", [TestResult("t", True)]).speedup is None


def test_suite_aggregation_by_hand():
    progs = [
        ProgramResult("fast", [TestResult("a", True, 4.0, 1.0, 40, 10), TestResult("b", True, 4.0, 1.0, 40, 10)]),
        ProgramResult("slow", [TestResult("a", True, 1.0, 2.0, 10, 20)]),  # 0.5
        ProgramResult("same", [TestResult("a", True, 1.0, 1.0, 10, 10)]),  # exactly 1.0: not "faster"
        ProgramResult.failed("broken", "crash"),  # counts as 1.0
        ProgramResult("mid", [TestResult("a", True, 3.0, 1.5, 20, 10), TestResult("b", True, 1.0, 1.0, 10, 10)]),
    ]  # speedups 4, 0.5, 1, 1, 1.5
    s = summarize(progs, clock="wall", instruction_backend="valgrind")
    assert s.pass_rate == 4 / 5
    assert s.speedup is not None and s.instructions is not None
    assert s.speedup.geomean == pytest.approx((4 * 0.5 * 1 * 1 * 1.5) ** (1 / 5))
    assert s.speedup.share_better == 2 / 5
    assert s.speedup.quartiles == (1.0, 1.0, 1.5)
    assert s.instructions.geomean == pytest.approx(3 ** (1 / 5))  # 4, 0.5, 1, 1, 1.5
    # JSON all the way down
    d = json.loads(json.dumps(asdict(s)))
    assert d["speedup"]["geomean"] == pytest.approx(s.speedup.geomean)
    assert d["programs"][3]["failure"] == "crash" and d["programs"][3]["speedup"] == 1.0
    assert d["clock"] == "wall" and d["instruction_backend"] == "valgrind"


def test_suite_without_instruction_counts():
    s = summarize([ProgramResult("p", [TestResult("a", True, 2.0, 1.0)]), ProgramResult.failed("q", "timeout")])
    assert s.instructions is None and s.speedup is not None and s.speedup.geomean == pytest.approx(math.sqrt(2))


def test_quartiles_and_geomean():
    assert quartiles([1, 2, 3, 4, 5]) == (2, 3, 4)
    assert quartiles([1, 2, 3, 4]) == (1.75, 2.5, 3.25)  # linear interpolation, as numpy
    assert quartiles([7.0]) == (7.0, 7.0, 7.0)
    assert geomean([2, 8]) == pytest.approx(4)
    assert geomean([1e300] * 10) == pytest.approx(1e300)  # logs: no overflow
    with pytest.raises(ValueError):
        geomean([1, 0])


@pytest.mark.parametrize(
    ("report", "backend", "expected"),
    [
        ("==7== Cachegrind\n==7== \n--7-- warning: L3\n==7== I   refs:      1,000\n", "valgrind", 1000),
        ("==7== I   refs:      1,000\n==9== I   refs:      20\n", "valgrind", 1020),  # a forked child: summed
        ("==7== I   refs:      1,000\n==7== I   refs:      20\n", "valgrind", "tampered"),  # one process twice
        ("I refs: 1\n==7== I   refs:      1,000\n", "valgrind", "tampered"),  # a line valgrind does not write
        ("==7== Cachegrind\n", "valgrind", "missing"),
        ("1234,,instructions:u,100,100.00,,\n", "perf", 1234),
        ("1234,,instructions:u,100,100.00,,\n1,,instructions:u,100,100.00,,\n", "perf", "tampered"),
        ("<not counted>,,instructions:u,0,0.00,,\n", "perf", "missing"),
    ],
)
def test_a_counters_report_holds_one_count_per_process(report, backend, expected):
    """A program under valgrind shares the tool's process and may add lines to its report, never remove the
    tool's: a second count for one process, or a line the tool does not write, is tampering."""
    from compilerlm.measure import MeasurementTampered
    from compilerlm.measure.instructions import parse_count

    if expected == "tampered":
        with pytest.raises(MeasurementTampered):
            parse_count(report, backend)
    elif expected == "missing":
        with pytest.raises(MeasurementError) as missing:
            parse_count(report, backend)
        assert not isinstance(missing.value, MeasurementTampered)
    else:
        assert parse_count(report, backend) == expected
