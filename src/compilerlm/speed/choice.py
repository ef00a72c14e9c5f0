"""The choice among a program's judged candidates: ranked on the visible tests (faster by their intervals,
near-ties broken by instruction counts where the clock agrees), then the best few re-measured over all tests
until one holds. The re-measurement is what is reported, so the winner's luck in the choosing runs stays out of
the speedup, and the baseline is reported when no finalist holds: never slower than gcc -O3.

Instruction counts are deterministic, which is why they break near-ties on a noisy machine, but they are not
time: a candidate that runs fewer, wider vector instructions (`-march=native`) or a slow divide in place of a
few multiplies can count fewer and run slower. So a count never overrules the clock: when the counts put first
a candidate the clock had behind, the two are timed head to head (`judge.head_to_head`, more runs, nothing
else's noise in the difference), and the clock's direction from that decides. A final timing whose run times
fall in two clusters (`measure.timing.modes`: a program that takes one of two times run to run) depends on how
the runs fell; it is taken again with more runs, and the outcome names the clusters (`timing_modes`)."""

from __future__ import annotations

from dataclasses import asdict

from compilerlm.speed.judge import AsmResult, HeadToHead, count_ratio, evaluate_candidate, head_to_head
from compilerlm.speed.outcome import AsmOutcome, Candidate
from compilerlm.speed.pool import CandidatePool

MAX_FINALISTS = 3  # candidates re-measured over all tests, best first, until one holds
HEAD_TO_HEAD_FACTOR = 3  # a head-to-head's runs, in multiples of the choosing runs
MODES_FACTOR = 3  # a final timing whose run times fall in two clusters is taken again with this many times the runs


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
    by_clock = tied[0]
    tied.sort(key=lambda ca: ca[0].instructions_ratio or 0.0, reverse=True)  # stable: uncounted keep order
    if tied[0] is not by_clock and not counts_agree_with_clock(pool, by_clock, tied[0]):
        tied.remove(by_clock)
        tied.insert(0, by_clock)
    return tied + [ca for ca in faster if ca not in tied]


def counts_agree_with_clock(
    pool: CandidatePool, by_clock: tuple[Candidate, str], by_count: tuple[Candidate, str]
) -> bool:
    """Whether the clock, timing the two head to head on the visible tests, also has `by_count` ahead (its mean
    ratio above 1; an undecided head-to-head still has a direction). Measured once per pair; a head-to-head that
    cannot be made leaves the clock's order."""
    key = (by_clock[0].label, by_count[0].label)
    if key not in pool.head_to_head:
        config = pool.config
        timed = pool.problem.visible or pool.problem.tests
        runs = config.runs * HEAD_TO_HEAD_FACTOR
        found = head_to_head(pool.problem, by_clock[1], by_count[1], timed, warmups=config.warmups, runs=runs)
        pool.head_to_head[key] = found
        pool.notes.append(_head_to_head_note(by_clock[0], by_count[0], found))
    found = pool.head_to_head[key]
    return isinstance(found, HeadToHead) and found.speedup > 1.0


def _head_to_head_note(by_clock: Candidate, by_count: Candidate, found: HeadToHead | str) -> str:
    counted = f"{by_count.label} counts fewer instructions ({by_count.instructions_ratio or 0:.2f}x the baseline's"
    clock = f" against {by_clock.instructions_ratio or 0:.2f}x) but {by_clock.label} was faster on the clock"
    if isinstance(found, str):
        return f"{counted}{clock}; the head-to-head failed ({found}): the clock's order stands"
    verdict = "the count's order" if found.speedup > 1.0 else "the clock's order"
    decided = "" if found.decided else ", undecided by its interval"
    return (
        f"{counted}{clock}; head to head ({found.runs} runs per test) {by_count.label} is {found.speedup:.3f}x "
        f"[{found.low:.3f}, {found.high:.3f}] {by_clock.label}{decided}: {verdict} stands"
    )


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
        seen = _bimodal(final)
        if seen:  # a mean over two run times depends on how the runs fell: measure enough to be sure
            runs = config.final_runs * MODES_FACTOR
            final = evaluate_candidate(
                problem, asm, warmups=config.warmups, runs=runs, instructions=config.instructions
            )
            out.notes.append(
                f"{cand.label}: run times in two clusters ({seen[0]}); measured again with {runs} runs: "
                + (f"{final.speedup:.3f}x" if final.speedup is not None else "no timing")
            )
        why = _not_kept(final)
        if why:  # the next finalist is tried; the reason stays in the outcome
            out.notes.append(f"{cand.label}: {why}")
            continue
        # overfit_visible is reported, not acted on: the speedup it is ranked and reported by is the unseen
        # inputs' already, where a table of the visible answers gains nothing, and an honest speedup can differ
        # as much between inputs of other sizes
        _report(out, cand, asm, final)
        out.timing_modes = _bimodal(final) or seen  # the clusters as the reported timing saw them, else the first
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


def _bimodal(result: AsmResult) -> list[str]:
    """The timed tests whose baseline or candidate run times fell in two clusters, with where they fell."""
    return [f"{t.name}: {t.modes}" for t in result.tests if t.modes]


def _not_kept(final: AsmResult) -> str:
    """Why a finalist re-measured over all tests is not reported ("" when it is)."""
    if not final.correct:
        return f"not correct on the final check ({final.failure})"
    if final.speedup is None:
        return f"the final timing failed ({final.timing_error})"
    if final.speedup < 1.0:
        return f"re-measured over all tests at {final.speedup:.3f}x, slower than the baseline"
    return ""
