"""Candidates from the compilers: the portfolio, then, with a budget beyond it, a local search in the flag
space around the fastest configurations and the per-function combination of its reserve."""

from __future__ import annotations

import random

from compilerlm.programs.program import Program
from compilerlm.speed.flagspace import mutate, point_of
from compilerlm.speed.hot_functions import combine_hot_functions
from compilerlm.speed.pool import CandidatePool
from compilerlm.speed.portfolio import portfolio

COMBINE_RESERVE = 6  # compilations kept for the per-function combination (at most a quarter of the extra budget)


def compiler_candidates(pool: CandidatePool, program: Program) -> None:
    """The portfolio (cut to the budget), the flag search, then the combination; what the combination does
    not use goes back to the flag search."""
    config = pool.config
    configs = list(portfolio(config.compilers))
    budget = len(configs) if config.budget is None else config.budget
    extra = max(0, budget - len(configs))
    reserve = min(COMBINE_RESERVE, max(2, extra // 4), extra) if config.combine else 0
    for cfg in configs[:budget]:
        pool.points[cfg.name] = point_of(cfg)
        pool.compiler_candidate(program, cfg)
    flag_search(pool, program, extra - reserve)
    if reserve:
        flag_search(pool, program, combine_hot_functions(pool, reserve))


def flag_search(pool: CandidatePool, program: Program, budget: int) -> None:
    """Local search in the flag space: a neighbour of one of the three fastest correct configurations so far,
    each new point compiled and judged (a repeated assembly is not judged again)."""
    rng = random.Random(f"compilerlm-flags:{pool.config.seed}:{pool.problem.name}")
    tried = set(pool.points.values())
    misses = 0
    while budget > 0 and misses < 200:
        fast = [c for c, _ in pool.judged if c.correct and c.label in pool.points and c.speedup is not None]
        fast.sort(key=lambda c: c.speedup or 0.0, reverse=True)
        parents = [pool.points[c.label] for c in fast[:3]] or sorted(tried, key=str)[:3]
        if not parents:
            return
        child = mutate(rng.choice(parents), rng, pgo_allowed=bool(pool.problem.visible))
        if child in tried:
            misses += 1
            continue
        tried.add(child)
        budget -= 1
        cfg = child.config()
        pool.points[cfg.name] = child
        pool.compiler_candidate(program, cfg)
