"""Shorten a winning pipeline while its size stays the same: fewer passes, same object, faster builds.

First drop elements one at a time (from the end, repeatedly, until no single removal keeps the size),
then try contiguous shorter windows of what is left. Sizes come from the same cached objective, so a
candidate already seen costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from compilerlm.search.objective import Objective, Pipeline


@dataclass(frozen=True)
class Minimized:
    pipeline: Pipeline
    size: int
    length_before: int
    length_after: int
    evaluations: int


def minimize(obj: Objective, pipeline: Pipeline, size: int, max_evaluations: int = 200) -> Minimized:
    """Keep removing elements while the size does not grow; spends at most `max_evaluations` new ones."""
    start_used = obj.used
    obj.budget = max(obj.budget, obj.used + max_evaluations)
    current = pipeline
    changed = True
    while changed and obj.remaining:
        changed = False
        for i in reversed(range(len(current))):
            if len(current) == 1 or not obj.remaining:
                break
            candidate = current[:i] + current[i + 1 :]
            result = obj.evaluate([candidate])[0]
            if result is not None and result <= size:
                current, size, changed = candidate, result, True
    for width in range(1, len(current)):
        if not obj.remaining:
            break
        windows = [current[s : s + width] for s in range(len(current) - width + 1)]
        sizes = obj.evaluate(windows)
        hits = [(s, w) for s, w in zip(sizes, windows, strict=True) if s is not None and s <= size]
        if hits:
            size, current = min(hits, key=lambda h: h[0])
            break
    return Minimized(current, size, len(pipeline), len(current), obj.used - start_used)
