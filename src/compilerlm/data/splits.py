"""Train/validation splits by program, and deduplication: the two guards against a validation score that
measures memorisation instead of skill."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from compilerlm.errors import CompilerLMError

SPLITS = ("train", "validation")
_Record = TypeVar("_Record")  # a row (dict) or an Example: whatever `key` reads


def split_programs(names: Sequence[str], validation: float = 0.1, seed: int = 0) -> dict[str, str]:
    """Program name -> "train" or "validation". Programs are ordered by a seeded hash of their name and the
    first round(validation × n) go to validation (at least one when there are two or more programs and
    validation > 0), so the split depends only on the names and the seed, not on their order."""
    if not 0.0 <= validation < 1.0:
        raise CompilerLMError(f"--validation must be in [0, 1), got {validation}")
    unique = sorted(set(names))
    if len(unique) != len(names):
        dupes = sorted({n for n in names if list(names).count(n) > 1})
        raise CompilerLMError(f"program names must be unique to split by program; repeated: {', '.join(dupes[:5])}")
    order = sorted(unique, key=lambda n: hashlib.sha256(f"{seed}:{n}".encode()).hexdigest())
    count = round(validation * len(order))
    if validation > 0 and len(order) >= 2:
        count = max(1, min(count, len(order) - 1))
    held = set(order[:count])
    return {n: "validation" if n in held else "train" for n in names}


def dedup(records: Iterable[_Record], key: Callable[[_Record], str]) -> tuple[list[_Record], int]:
    """(first record of each key, how many were dropped). Callers put train records first, so a duplicate
    of a train item in validation is the one dropped: no leak from train into validation."""
    seen: set[str] = set()
    kept: list[_Record] = []
    dropped = 0
    for record in records:
        k = key(record)
        if k in seen:
            dropped += 1
            continue
        seen.add(k)
        kept.append(record)
    return kept, dropped
