"""The choice among a program's judged candidates: ranked on the visible tests (faster by their intervals,
near-ties broken by instruction counts), then the best few re-measured over all tests until one holds. The
re-measurement is what is reported, so the winner's luck in the choosing runs stays out of the speedup, and
the baseline is reported when no finalist holds: never slower than gcc -O3."""

from __future__ import annotations

from dataclasses import asdict

from compilerlm.speed.judge import AsmResult, count_ratio, evaluate_candidate
from compilerlm.speed.outcome import AsmOutcome, Candidate
from compilerlm.speed.pool import CandidatePool

MAX_FINALISTS = 3  # candidates re-measured over all tests, best first, until one holds


def ranked(pool: CandidatePool) -> list[tuple[Candidate, str]]:
    """Correct candidates that are faster by their confidence intervals (the mean lower bound over the
    visible tests above 1), fastest first; near-ties with the fastest (overlapping intervals) are
    ordered by instruction count when counting is on, the deterministic signal on a noisy machine."""
    faster = [(c, a) for c, a in pool.judged if c.faster]
    faster.sort(key=lambda ca: ca[0].speedup or 0.0, reverse=True)
    if not faster or not pool.config.instructions:
        return faster
    top = faster[0][0]
    tied = [ca for ca in faster[:MAX_FINALISTS] if (ca[0].speedup_high or 0.0) >= (top.speedup_low or 0.0)]
    if len(tied) < 2:
        return faster
    timed = pool.problem.visible or pool.problem.tests
    for cand, asm in tied:
        if cand.label not in pool.counted:  # once per candidate, whether or not it can be counted
            pool.counted.add(cand.label)
            cand.instructions_ratio, why = count_ratio(pool.problem, asm, timed)
            if why:
                pool.notes.append(f"{cand.label}: no instruction count to break the near-tie ({why})")
    tied.sort(key=lambda ca: ca[0].instructions_ratio or 0.0, reverse=True)  # stable: uncounted keep order
    return tied + [ca for ca in faster if ca not in tied]


def best(pool: CandidatePool) -> tuple[Candidate, str] | None:
    """The candidate ranked first, if any is faster by its intervals."""
    order = ranked(pool)
    return order[0] if order else None


def choose(pool: CandidatePool) -> AsmOutcome:
    """The program's outcome: the first finalist that holds over all tests, or the baseline."""
    problem, config = pool.problem, pool.config
    out = AsmOutcome(
        name=problem.name,
        correct=any(c.correct for c, _ in pool.judged),
        compiled=any(c.compiled for c, _ in pool.judged),
        source="baseline",
        config=None,
        sample=None,
        speedup=1.0,
        instructions_ratio=1.0 if config.instructions else None,
        baseline_source=problem.baseline_source,
        tests={
            k: [len(v)]
            for k, v in (("visible", problem.visible), ("hidden", problem.hidden), ("mutant", problem.mutants))
        },
        weak_checks=list(problem.weak_checks),
        notes=list(pool.notes),
        search=dict(pool.counts),
        assembly=problem.baseline_asm,
    )
    for cand, asm in ranked(pool)[:MAX_FINALISTS]:
        final = evaluate_candidate(
            problem, asm, warmups=config.warmups, runs=config.final_runs, instructions=config.instructions
        )
        why = _not_kept(final)
        if why:  # the next finalist is tried; the reason stays in the outcome
            out.notes.append(f"{cand.label}: {why}")
            continue
        # overfit_visible is reported, not acted on: the speedup it is ranked and reported by is the unseen
        # inputs' already, where a table of the visible answers gains nothing, and an honest speedup can differ
        # as much between inputs of other sizes
        _report(out, cand, asm, final)
        break
    out.candidates = [asdict(c) for c, _ in pool.judged]
    return out


def _report(out: AsmOutcome, cand: Candidate, asm: str, final: AsmResult) -> None:
    """``out`` reports ``cand``, as its final timing measured it."""
    out.source = cand.source
    out.config = cand.label if cand.source != "model" else None
    out.sample = cand.label if cand.source == "model" else None
    out.speedup = final.speedup or 1.0
    out.instructions_ratio = final.instructions_ratio
    out.instructions_error = final.instructions_error
    out.speedup_ci = {k: list(v) for k, v in final.speedup_ci.items()}
    out.faster = final.faster
    out.speedup_tests = final.speedup_tests
    out.speedup_visible, out.speedup_unseen = final.speedup_visible, final.speedup_unseen
    out.overfit_visible = final.overfit_visible
    out.assembly = asm


def _not_kept(final: AsmResult) -> str:
    """Why a finalist re-measured over all tests is not reported ("" when it is)."""
    if not final.correct:
        return f"not correct on the final check ({final.failure})"
    if final.speedup is None:
        return f"the final timing failed ({final.timing_error})"
    if final.speedup < 1.0:
        return f"re-measured over all tests at {final.speedup:.3f}x, slower than the baseline"
    return ""
