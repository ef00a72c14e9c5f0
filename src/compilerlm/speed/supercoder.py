"""SuperCoder's own timing of the reported assembly (`--protocol supercoder`), beside ours: hyperfine's schedule
on checked runs, each unseen test's speedup clamped below at 1.0, their arithmetic mean — so a table can be
compared with the paper's as it aggregates."""

from __future__ import annotations

import statistics
from typing import Any

from compilerlm.speed.judge import evaluate_candidate
from compilerlm.speed.outcome import AsmOutcome
from compilerlm.speed.problem import AsmProblem

SUPERCODER_TIMER = "checked runs in hyperfine's schedule (3 warm-ups + 10 runs per side and test); unseen tests"


def supercoder_timing(problem: AsmProblem, outcome: AsmOutcome) -> dict[str, Any]:
    """The reported assembly timed as SuperCoder evaluates, on checked runs: hyperfine's schedule (3 warm-ups
    and 10 runs of the baseline, then of the candidate) on each test, each unseen test's speedup clamped
    below at 1.0, their mean; 1.0 when the baseline is reported or the timing fails (with the reason)."""
    if outcome.source == "baseline":
        return {"speedup": 1.0, "tests": {}, "error": ""}
    unseen = problem.hidden + problem.mutants
    res = evaluate_candidate(problem, outcome.assembly, protocol="supercoder", timed=unseen or None)
    if not res.correct or res.speedup is None:
        return {"speedup": 1.0, "tests": {}, "error": res.failure or res.timing_error}
    tests = {t.name: [t.time_baseline, t.time_candidate] for t in res.basis}
    clamped = [max(1.0, t.speedup or 1.0) for t in res.basis]
    return {"speedup": statistics.fmean(clamped), "tests": tests, "error": "", "timer": SUPERCODER_TIMER}
