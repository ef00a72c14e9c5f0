"""Re-timing before the choice: candidates faster on average but undecided by their intervals are timed again,
independently and with more runs. On a noisy machine ten runs leave real gains undecided, and a fresh
measurement of the few best is also free of the bias of having been chosen as the best of many."""

from __future__ import annotations

from compilerlm.speed.judge import evaluate_candidate
from compilerlm.speed.pool import CandidatePool

UNDECIDED_RETIMED = 2  # candidates faster on average but not by their intervals, timed again with more runs
UNDECIDED_MIN_SPEEDUP = 1.02  # below this mean a re-timing is not worth its runs
RETIME_FACTOR = 3  # the re-timing's runs, in multiples of the choosing runs


def retime_undecided(pool: CandidatePool) -> None:
    """Candidates that are faster on average than everything faster by its intervals, but whose own interval
    still reaches 1, are timed again with `RETIME_FACTOR` times the runs; the new timing replaces the old."""
    config, problem = pool.config, pool.problem
    faster = [c.speedup or 0.0 for c, _ in pool.judged if c.faster]
    floor = max([UNDECIDED_MIN_SPEEDUP, *faster])
    undecided = [
        (c, a) for c, a in pool.judged if c.correct and c.speedup is not None and c.speedup >= floor and not c.faster
    ]
    undecided.sort(key=lambda ca: ca[0].speedup or 0.0, reverse=True)
    for cand, asm in undecided[:UNDECIDED_RETIMED]:
        res = evaluate_candidate(
            problem,
            asm,
            warmups=config.warmups,
            runs=config.runs * RETIME_FACTOR,
            timed=problem.visible or problem.tests,
            tag="candidate",
        )
        before = cand.speedup or 0.0
        if not res.correct or res.speedup is None:
            pool.notes.append(
                f"{cand.label}: re-timing an undecided {before:.3f}x failed ({res.failure or res.timing_error})"
            )
            continue
        cand.speedup = res.speedup
        cand.speedup_low, cand.speedup_high = res.interval()
        decided = "faster" if (cand.speedup_low or 0.0) > 1.0 else "still undecided"
        pool.notes.append(
            f"{cand.label}: undecided at {before:.3f}x, timed again with {config.runs * RETIME_FACTOR} runs: "
            f"{cand.speedup:.3f}x, {decided}"
        )
