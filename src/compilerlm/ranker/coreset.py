"""The pass-list library: the K pipelines that, used together (best of them, -Oz as fallback), shrink a set
of modules most.

Why greedy: the value of a set — the geomean over modules of min(1, best ratio in the set) — is submodular
in the set, so adding each time the pipeline with the largest gain is within a constant of the best set of
that size, and its order is itself a good order to try them in (LLM Compiler's broadcast list, learned).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def greedy_cover(ratios: list[list[float]] | np.ndarray, k: int, start: Sequence[int] = ()) -> list[int]:
    """Column indices, best first: each adds most to the sum of log(1 / min(1, best ratio)) over the rows
    (ratio = size / -Oz size; a failed pipeline is any ratio ≥ 1). `start`: columns already chosen (they
    lead the result), so the rest covers what they leave."""
    matrix = np.minimum(np.asarray(ratios, dtype=float), 1.0)
    if matrix.size == 0:
        return list(start)[:k]
    chosen = list(start)[:k]
    best = matrix[:, chosen].min(axis=1) if chosen else np.ones(matrix.shape[0])
    for _ in range(min(k, matrix.shape[1]) - len(chosen)):
        gains = np.log(best[:, None] / np.minimum(best[:, None], matrix)).sum(axis=0)
        gains[chosen] = -1.0
        pick = int(np.argmax(gains))
        if gains[pick] <= 0 and chosen:
            # nothing adds any more: the rest in order of how often they at least match the best
            rest = [i for i in np.argsort(matrix.mean(axis=0)) if i not in chosen]
            chosen += [int(i) for i in rest[: k - len(chosen)]]
            break
        chosen.append(pick)
        best = np.minimum(best, matrix[:, pick])
    return chosen


def cover_value(ratios: list[list[float]] | np.ndarray, columns: list[int]) -> float:
    """Geomean improvement vs -Oz of the best of `columns` per row (-Oz fallback)."""
    matrix = np.minimum(np.asarray(ratios, dtype=float), 1.0)
    if matrix.size == 0 or not columns:
        return 0.0
    return float(1 - np.exp(np.log(matrix[:, columns].min(axis=1)).mean()))
