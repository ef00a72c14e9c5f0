"""Per-function combination: the hottest functions of the fastest candidate (by a callgrind profile on the
visible tests) taken in turn from the next fastest ones. Configurations win on different functions; splicing
(`combine`) lets one program have each function's fastest code."""

from __future__ import annotations

from compilerlm.errors import ToolMissingError
from compilerlm.measure import MeasurementError
from compilerlm.speed.choice import ranked
from compilerlm.speed.combine import SpliceError, same_code, splice
from compilerlm.speed.combine import parse as parse_asm
from compilerlm.speed.pool import CandidatePool
from compilerlm.speed.profile import function_profile

HOT_SHARE = 0.05  # a function is hot with at least this share of the instructions on the visible tests
MAX_HOT = 3


def combine_hot_functions(pool: CandidatePool, budget: int) -> int:
    """Each combination judged like any candidate and kept as the new base when faster; returns the budget it
    did not use (none is used without a profile or a second correct candidate)."""
    problem = pool.problem
    order = ranked(pool)
    correct = sorted((ca for ca in pool.judged if ca[0].correct), key=lambda ca: ca[0].speedup or 0.0, reverse=True)
    if not order or len(correct) < 2:
        return budget
    best, best_asm = order[0]
    donors = [(best, best_asm), *(ca for ca in correct if ca[1] != best_asm)]
    built = problem.build(best_asm)
    try:
        if built.binary is None:
            raise MeasurementError(f"{best.label} no longer builds: {built.error}")
        profile = function_profile(built.binary, problem.visible or problem.tests, problem.limits)
    except (MeasurementError, ToolMissingError) as exc:
        pool.notes.append(f"per-function combination skipped: {exc}")
        return budget
    own = parse_asm(best_asm).labels
    hot = [name for name, share in profile.items() if share >= HOT_SHARE and name in own][:MAX_HOT]
    for name in hot:
        for donor, donor_asm in donors[1:]:
            if budget <= 0:
                return 0
            if same_code(best_asm, donor_asm, name):
                continue
            try:
                text = splice(best_asm, donor_asm, name)
            except SpliceError as exc:
                pool.notes.append(f"{name} from {donor.label}: {exc}")
                continue
            budget -= 1
            pool.counts["combinations"] += 1
            pool.counts["compilations"] += 1
            res = pool.judge(f"{best.label} + {name} from {donor.label}", "combined", text)
            if res.correct and (res.speedup or 0.0) > (best.speedup or 0.0):
                best, best_asm = pool.judged[-1]
    return budget
