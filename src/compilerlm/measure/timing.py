"""Hyperfine-style timing of whole program runs, made for busy machines.

Clock: each run is timed with ``time.perf_counter_ns`` from just before the child is spawned until its
exit is seen (a pidfd turns readable): wall clock, the quantity docs/design.md's speedup is defined on, spawn
included as in hyperfine. Reaping it with ``os.wait4`` then gives the child's own user+system CPU time
(rusage), kept alongside because it hardly moves when other processes compete for the cores, while wall
time does: a run that shares its core with a busy neighbour takes up to twice as long. ``compare``
reports the wall clock by default; ``clock="cpu"`` switches every number to CPU time.

Noise: ``compare`` interleaves baseline and candidate runs in pairs whose order alternates (AB BA AB
…), so slow drift in machine load hits both sides equally, and a per-pair ratio is available for a
paired bootstrap. The reported speedup is the ratio of means (docs/design.md: "mean of repeated runs");
the median of per-pair ratios and a 95% interval of the ratio of means are given next to it so a reader
can tell a real difference from noise: the paired bootstrap's, widened to the Student-t interval of the
pairs' log ratios where that is wider (a few pairs, where a bootstrap is overconfident).

Modes: a program whose runs take one of two times (a cache or page placement that holds for a whole run, a
frequency state) has a mean that depends on how the runs fell, and an interval that hides it. ``modes`` finds
two clusters in one side's run times (``Comparison.baseline_modes``/``candidate_modes``), so a caller can say
so and measure more.
"""

from __future__ import annotations

import math
import os
import random
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from compilerlm.errors import CompilerLMError
from compilerlm.parallel import kill_group, wait_exit

Command = Sequence[str | os.PathLike[str]]
Clock = Literal["wall", "cpu"]
Schedule = Literal["interleaved", "blocks"]


class MeasurementError(CompilerLMError):
    """A run that was meant to be timed did not finish cleanly (non-zero exit, signal, timeout)."""


class RunFailed(MeasurementError):
    """A measured run that did not end as its check demands (the runner's verdict: wrong output, crash,
    timeout). ``program`` is argv[0] of the run, so a caller can tell whose run failed: a candidate that
    passes its checks and then fails while measured is not correct, whatever made it."""

    def __init__(self, program: str, sample: RunSample) -> None:
        super().__init__(f"{program}: run failed while measured ({sample.status}: {sample.detail})")
        self.program, self.sample = program, sample


class MeasurementTampered(MeasurementError):
    """A measuring tool's report that the measured program could have written (two reports where the tool
    writes one, or lines the tool does not write): the number is not a result, and the program is suspect."""


@dataclass(frozen=True)
class RunSample:
    """One finished run as a runner reports it; ``status`` is "ok" only for a clean exit 0 (else a sandbox
    status name: "exit-code", "signal", "timeout", "sandbox-error", …)."""

    status: str
    exit_code: int | None
    wall_seconds: float
    cpu_seconds: float
    detail: str = ""


class Runner(Protocol):
    """Runs ``argv`` once with ``stdin`` and returns its timing; output is discarded."""

    def __call__(self, argv: Sequence[str], stdin: bytes, timeout: float) -> RunSample: ...


def local_runner(argv: Sequence[str], stdin: bytes, timeout: float) -> RunSample:
    """Run a trusted binary directly: stdin from a temporary file, stdout/stderr to /dev/null.

    Stdin comes from a file rather than a pipe so that the parent does no work while the child runs
    (nothing to feed, nothing to drain); the clock then measures only spawn + run + exit. The child gets
    its own session (process group), killed after every run, so nothing it started outlives the run.
    Not ``parallel.run_process``, whose pipes and reaping would cost precision: the exit is seen on a pidfd
    without reaping (``parallel.wait_exit``), the group is killed while the zombie leader still holds its id
    (``parallel.kill_group``), and ``wait4`` then reaps it with its rusage.
    Statuses use the sandbox's names.
    """
    with tempfile.TemporaryFile() as fin:
        fin.write(stdin)
        fin.seek(0)
        start = time.perf_counter_ns()
        try:
            proc = subprocess.Popen(
                list(argv), stdin=fin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
            )
        except OSError as exc:
            return RunSample("sandbox-error", None, 0.0, 0.0, f"cannot start: {exc}")
        exited = False
        try:
            exited = wait_exit(proc.pid, timeout)
        finally:
            end = time.perf_counter_ns()
            # the exited leader is a zombie until wait4, so its group id cannot be reused yet: kill stragglers
            # (and everything on a timeout or an interrupt), then reap
            kill_group(proc.pid)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen from waiting again
    timed_out = not exited
    wall = (end - start) / 1e9
    cpu = usage.ru_utime + usage.ru_stime
    code = proc.returncode
    if timed_out:
        return RunSample("timeout", None, wall, cpu, f"killed after {timeout:g} s")
    if code < 0:
        return RunSample("signal", None, wall, cpu, f"killed by {signal.Signals(-code).name}")
    if code != 0:
        return RunSample("exit-code", code, wall, cpu, f"exit code {code}")
    return RunSample("ok", 0, wall, cpu)


@dataclass(frozen=True)
class TimingStats:
    """Summary of repeated runs, in seconds."""

    mean: float
    median: float
    stdev: float
    min: float
    max: float
    runs: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> TimingStats:
        if not samples:
            raise ValueError("no samples")
        return cls(
            mean=statistics.fmean(samples),
            median=statistics.median(samples),
            stdev=statistics.stdev(samples) if len(samples) > 1 else 0.0,
            min=min(samples),
            max=max(samples),
            runs=len(samples),
        )

    @property
    def rel_stdev(self) -> float:
        """Coefficient of variation: stdev / mean."""
        return self.stdev / self.mean if self.mean else math.nan


@dataclass(frozen=True)
class Measurement:
    """Repeated runs of one command: stats for both clocks and the raw samples."""

    wall: TimingStats
    cpu: TimingStats
    wall_samples: tuple[float, ...]
    cpu_samples: tuple[float, ...]

    def stats(self, clock: Clock) -> TimingStats:
        return self.wall if clock == "wall" else self.cpu

    def samples(self, clock: Clock) -> tuple[float, ...]:
        return self.wall_samples if clock == "wall" else self.cpu_samples


MIN_MODE_RUNS = 3  # runs in the smaller cluster, at least
MIN_MODE_SHARE = 0.15  # of all runs in the smaller cluster, at least
MIN_MODE_GAP = 0.10  # the slower cluster at least this much slower (relative)
MODE_SEPARATION = 4.0  # the clusters' distance in pooled standard deviations (of log times), at least


@dataclass(frozen=True)
class Modes:
    """Two clusters of one command's run times: their medians (seconds) and the slower cluster's share of runs."""

    fast: float
    slow: float
    slow_share: float

    def describe(self) -> str:
        return f"{self.fast:.4g} s ({1 - self.slow_share:.0%} of runs) or {self.slow:.4g} s ({self.slow_share:.0%})"


def modes(samples: Sequence[float]) -> Modes | None:
    """Two modes in run times, or None. The log times, sorted, are split where the two sides' summed squared
    deviations are least (Otsu's threshold); the split counts when each side holds at least `MIN_MODE_RUNS` runs
    and `MIN_MODE_SHARE` of them, and the sides' means lie `MODE_SEPARATION` pooled standard deviations and
    `MIN_MODE_GAP` apart: a long tail or a few slow runs are not a second mode, two run times that alternate are."""
    logs = sorted(math.log(x) for x in samples if x > 0)
    n = len(logs)
    least = max(MIN_MODE_RUNS, math.ceil(MIN_MODE_SHARE * n))
    if n < 2 * least:
        return None

    def spread(part: Sequence[float]) -> float:
        centre = statistics.fmean(part)
        return sum((x - centre) ** 2 for x in part)

    k = min(range(least, n - least + 1), key=lambda i: spread(logs[:i]) + spread(logs[i:]))
    fast, slow = logs[:k], logs[k:]
    gap = statistics.fmean(slow) - statistics.fmean(fast)
    pooled = math.sqrt((spread(fast) + spread(slow)) / (n - 2))
    if gap < math.log1p(MIN_MODE_GAP) or gap < MODE_SEPARATION * pooled:
        return None
    return Modes(math.exp(statistics.median(fast)), math.exp(statistics.median(slow)), len(slow) / n)


@dataclass(frozen=True)
class Comparison:
    """Baseline against candidate, interleaved. ``speedup`` (ratio of means) is the reported number."""

    clock: Clock
    speedup: float  # baseline.mean / candidate.mean on ``clock``: docs/design.md's definition
    median_ratio: float  # median over pairs of baseline_i / candidate_i: a robust cross-check
    ci_low: float  # 95% paired-bootstrap interval of the ratio of means
    ci_high: float
    rel_se: float  # delta-method relative standard error of ``speedup``
    baseline: Measurement
    candidate: Measurement
    seconds: float  # wall time spent on the whole comparison, warm-ups included
    baseline_modes: Modes | None = None  # two clusters in the baseline's run times on ``clock`` (``modes``)
    candidate_modes: Modes | None = None

    @property
    def pairs(self) -> int:
        return self.baseline.wall.runs


def _argv(cmd: Command) -> list[str]:
    if isinstance(cmd, str | os.PathLike):
        return [os.fspath(cmd)]
    return [os.fspath(a) for a in cmd]


def _run_ok(runner: Runner, argv: list[str], stdin: bytes, timeout: float) -> RunSample:
    sample = runner(argv, stdin, timeout)
    if sample.status != "ok":
        raise RunFailed(argv[0], sample)
    return sample


@dataclass(frozen=True)
class _Stop:
    """When to stop measuring: a fixed count, or adaptive (enough runs, enough time, precise enough)."""

    runs: int | None
    min_runs: int
    max_runs: int
    min_time: float
    max_time: float
    max_rel_se: float | None = None

    def done(self, n: int, spent: float, rel_se: Callable[[], float] | None = None) -> bool:
        if self.runs is not None:
            return n >= self.runs
        if n >= self.max_runs or (n >= self.min_runs and spent >= self.max_time):
            return True
        if n < self.min_runs or spent < self.min_time:
            return False
        return self.max_rel_se is None or rel_se is None or rel_se() <= self.max_rel_se


def ratio_rel_se(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Relative standard error of mean(xs)/mean(ys) for paired samples (delta method).

    Cheap enough to evaluate after every pair, so adaptive runs can stop once the speedup is precise.
    """
    n = len(xs)
    if n < 3:
        return math.inf
    r = statistics.fmean(xs) / statistics.fmean(ys)
    resid = [x - r * y for x, y in zip(xs, ys, strict=True)]
    return statistics.stdev(resid) / statistics.fmean(ys) / math.sqrt(n) / r


def measure(
    cmd: Command,
    stdin: bytes = b"",
    *,
    warmups: int = 3,
    runs: int | None = None,
    min_runs: int = 10,
    max_runs: int = 200,
    min_time: float = 3.0,
    max_time: float = 60.0,
    timeout: float = 60.0,
    runner: Runner = local_runner,
) -> Measurement:
    """Time one command: ``warmups`` untimed runs, then ``runs`` timed ones, or, when ``runs`` is None,
    at least ``min_runs`` and ``min_time`` seconds of measuring (at most ``max_runs`` / ``max_time``).

    Any failing run raises MeasurementError: the time of a crash says nothing about the program.
    """
    argv = _argv(cmd)
    stop = _Stop(runs, min_runs, max_runs, min_time, max_time)
    for _ in range(warmups):
        _run_ok(runner, argv, stdin, timeout)
    walls: list[float] = []
    cpus: list[float] = []
    t0 = time.perf_counter()
    while not stop.done(len(walls), time.perf_counter() - t0):
        s = _run_ok(runner, argv, stdin, timeout)
        walls.append(s.wall_seconds)
        cpus.append(s.cpu_seconds)
    return Measurement(TimingStats.of(walls), TimingStats.of(cpus), tuple(walls), tuple(cpus))


def compare(
    baseline_cmd: Command,
    candidate_cmd: Command,
    stdin: bytes = b"",
    warmups: int = 3,
    runs: int | None = None,
    *,
    clock: Clock = "wall",
    min_runs: int = 10,
    max_runs: int = 200,
    min_time: float = 3.0,
    max_time: float = 60.0,
    max_rel_se: float | None = None,
    timeout: float = 60.0,
    runner: Runner = local_runner,
    bootstrap: int = 2000,
    seed: int = 0,
    schedule: Schedule = "interleaved",
) -> Comparison:
    """Time baseline and candidate interleaved in pairs (order alternating AB, BA, …) on the same stdin.

    ``runs`` is the number of pairs (each side gets that many timed runs). None means adaptive: at least
    ``min_runs`` pairs and ``min_time`` seconds (both sides together), and, if ``max_rel_se`` is given,
    until the relative standard error of the speedup on ``clock`` is at most that; never more than
    ``max_runs`` pairs or ``max_time`` seconds. Warm-ups are interleaved too. ``schedule="blocks"`` runs as
    hyperfine does when it times one command after the other (SuperCoder's protocol): the baseline's
    warm-ups and ``runs`` runs, then the candidate's; pairs are then formed by run index.
    """
    a, b = _argv(baseline_cmd), _argv(candidate_cmd)
    start = time.perf_counter()
    samples: dict[tuple[str, Clock], list[float]] = {(s, c): [] for s in "ab" for c in ("wall", "cpu")}
    xs, ys = samples["a", clock], samples["b", clock]

    def timed(side: str, argv: list[str]) -> None:
        s = _run_ok(runner, argv, stdin, timeout)
        samples[side, "wall"].append(s.wall_seconds)
        samples[side, "cpu"].append(s.cpu_seconds)

    if schedule == "blocks":
        if runs is None:
            raise ValueError("the blocks schedule takes a fixed number of runs")
        for side, argv in (("a", a), ("b", b)):
            for _ in range(warmups):
                _run_ok(runner, argv, stdin, timeout)
            for _ in range(runs):
                timed(side, argv)
    else:
        stop = _Stop(runs, min_runs, max_runs, min_time, max_time, max_rel_se)
        for _ in range(warmups):
            _run_ok(runner, a, stdin, timeout)
            _run_ok(runner, b, stdin, timeout)
        t0 = time.perf_counter()
        while not stop.done(len(xs), time.perf_counter() - t0, lambda: ratio_rel_se(xs, ys)):
            order = (("a", a), ("b", b)) if len(xs) % 2 == 0 else (("b", b), ("a", a))
            for side, argv in order:
                timed(side, argv)
    base, cand = (
        Measurement(
            TimingStats.of(samples[s, "wall"]),
            TimingStats.of(samples[s, "cpu"]),
            tuple(samples[s, "wall"]),
            tuple(samples[s, "cpu"]),
        )
        for s in "ab"
    )
    lo, hi = bootstrap_ratio_ci(xs, ys, resamples=bootstrap, seed=seed)
    t_lo, t_hi = log_ratio_t_interval(xs, ys)
    lo, hi = min(lo, t_lo), max(hi, t_hi)  # with few pairs a bootstrap is too narrow; the t interval is not
    return Comparison(
        clock=clock,
        speedup=_ratio(statistics.fmean(xs), statistics.fmean(ys)),
        median_ratio=statistics.median(_ratio(x, y) for x, y in zip(xs, ys, strict=True)),
        ci_low=lo,
        ci_high=hi,
        rel_se=ratio_rel_se(xs, ys),
        baseline=base,
        candidate=cand,
        seconds=time.perf_counter() - start,
        baseline_modes=modes(xs),
        candidate_modes=modes(ys),
    )


def _ratio(x: float, y: float) -> float:
    return x / y if y > 0 else math.inf


def log_ratio_t_interval(xs: Sequence[float], ys: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """Student-t interval of the geometric mean of the pairs' ratios x/y: honest about how little three pairs
    say (a bootstrap of three resamples only ten distinct sets), so that a reward on a few runs does not call
    noise faster. One pair, or a ratio that is not positive, says nothing: (0, inf)."""
    n = len(xs)
    if n < 2 or n != len(ys) or min(*xs, *ys) <= 0:
        return 0.0, math.inf
    from scipy.stats import t as student_t  # here: importing scipy.stats takes a second every command would pay

    logs = [math.log(x / y) for x, y in zip(xs, ys, strict=True)]
    centre = statistics.fmean(logs)
    half = float(student_t.ppf((1 + level) / 2, n - 1)) * statistics.stdev(logs) / math.sqrt(n)
    return math.exp(centre - half), math.exp(centre + half)


def bootstrap_ratio_ci(
    xs: Sequence[float], ys: Sequence[float], *, level: float = 0.95, resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile interval of mean(xs)/mean(ys), resampling whole pairs (runs were taken side by side).

    Seeded, so the same samples always give the same interval.
    """
    n = len(xs)
    if n != len(ys) or n == 0:
        raise ValueError("need paired samples")
    if n == 1 or resamples <= 0:
        r = _ratio(statistics.fmean(xs), statistics.fmean(ys))
        return r, r
    rng = random.Random(seed)
    idx = range(n)
    ratios = sorted(
        _ratio(sum(xs[i] for i in pick), sum(ys[i] for i in pick))
        for pick in (rng.choices(idx, k=n) for _ in range(resamples))
    )
    tail = (1 - level) / 2
    return ratios[int(tail * (resamples - 1))], ratios[math.ceil((1 - tail) * (resamples - 1))]
