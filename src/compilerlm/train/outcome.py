"""What a reward computation returns: the score and why, one line."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class RewardOutcome:
    """`ok` is False when the answer could not be judged as a candidate at all (no code, invalid pipeline,
    worker crash or timeout); its score is then the reward's failure score."""

    score: float
    ok: bool
    detail: str = ""

    def to_dict(self) -> dict:
        return asdict(self)
