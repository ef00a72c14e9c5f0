"""verl's custom reward for the asm task: `custom_reward_function.path=<this file>`,
`custom_reward_function.name=compute_score` (see examples/verl_ppo_asm.sh).

verl calls `compute_score(data_source, solution_str, ground_truth, extra_info)` once per response; the row is
the one `compilerlm data asm` wrote (or SuperCoder's own). The problem of each row is prepared once per
process and cached. Which reward: env COMPILERLM_REWARD (supercoder | partial | hidden; default supercoder),
timing runs: COMPILERLM_REWARD_RUNS (default 3), what speed is: COMPILERLM_REWARD_MEASURE (wall | cpu |
instructions; default wall), how wall time is taken: COMPILERLM_REWARD_PROTOCOL (compilerlm: interleaved
runs; supercoder: SuperCoder's schedule, 3 warm-ups + 10 runs per side, on checked runs). A failure to judge
scores the response as failed, never raises into verl's loop. Beside "score", the returned dict carries the
reward's extra fields (``faster``, ``undecided``, ``measured_speedup``, ...), which verl logs.
"""

from __future__ import annotations

import os
from typing import Any

from compilerlm.programs.names import printable
from compilerlm.speed.rewards import FAILURE_SCORE, AsmRewardConfig, reward_key, score_asm


def _config() -> AsmRewardConfig:
    return AsmRewardConfig(
        reward=os.environ.get("COMPILERLM_REWARD", "supercoder"),
        runs=int(os.environ.get("COMPILERLM_REWARD_RUNS", "3")),
        measure=os.environ.get("COMPILERLM_REWARD_MEASURE", "wall"),
        protocol=os.environ.get("COMPILERLM_REWARD_PROTOCOL", "compilerlm"),
    )


def _plain(value: Any) -> Any:
    """verl hands columns over as numpy object arrays in places: back to plain lists and dicts."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def compute_score(
    data_source: str, solution_str: str, ground_truth: str, extra_info: dict[str, Any] | None = None, **_: Any
) -> dict[str, Any]:
    """{"score": reward, "compiled": 0/1, ...} — verl takes "score" as the reward and logs the other keys."""
    config = _config()
    key = reward_key(config.reward)
    extra_info = _plain(extra_info or {})
    if not extra_info.get("c_code"):
        return {"score": FAILURE_SCORE[key], "compiled": 0.0}
    try:
        outcome = score_asm(solution_str, str(ground_truth), extra_info, config)
    except Exception as exc:  # e.g. a row whose baseline is broken: score it failed, keep verl's loop alive
        name = extra_info.get("name", data_source)  # the row's text: escaped, it cannot drive the terminal
        print(printable(f"compilerlm reward failed for {name}: {type(exc).__name__}: {exc}"))
        return {"score": FAILURE_SCORE[key], "compiled": 0.0}
    return {"score": outcome.score, "compiled": float(outcome.ok), **outcome.info}
