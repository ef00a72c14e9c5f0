"""verl's custom reward for the asm task: `custom_reward_function.path=<this file>`,
`custom_reward_function.name=compute_score` (see examples/verl_ppo_asm.sh).

verl calls `compute_score(data_source, solution_str, ground_truth, extra_info)` once per response; the row is
the one `compilerlm data asm` wrote (or SuperCoder's own). The problem of each row is prepared once per
process and cached. The reward is the asm task's (`registry.speed.AsmTask`), with its `train rl` options
(`AsmRLOptions`) read from the environment, as verl passes no arguments: COMPILERLM_REWARD (`--reward`:
supercoder | partial | hidden; default supercoder), COMPILERLM_REWARD_RUNS (`--timing-runs`, default 3),
COMPILERLM_REWARD_MEASURE (`--measure`: wall | cpu | instructions; default wall), COMPILERLM_REWARD_PROTOCOL
(`--timing-protocol`; compilerlm: interleaved runs; supercoder: SuperCoder's schedule, 3 warm-ups + 10 runs per
side, on checked runs). A failure to judge scores the response as failed, never raises into verl's loop.
Beside "score", the returned dict carries the reward's extra fields (``faster``, ``undecided``,
``measured_speedup``, ...), which verl logs.
"""

from __future__ import annotations

import os
import typing
from typing import Any

from compilerlm import registry
from compilerlm.programs.names import printable
from compilerlm.registry.speed import AsmRLOptions

ENVIRONMENT = {
    "reward": "COMPILERLM_REWARD",
    "timing_runs": "COMPILERLM_REWARD_RUNS",
    "measure": "COMPILERLM_REWARD_MEASURE",
    "timing_protocol": "COMPILERLM_REWARD_PROTOCOL",
}
"""The asm task's RL options -> the variables that set them for verl (unset or empty: the option's default)."""


def options_from_environment() -> AsmRLOptions:
    """The asm task's RL options as the environment sets them, each converted to its field's type."""
    types = typing.get_type_hints(AsmRLOptions)
    given = {name: types[name](os.environ[var]) for name, var in ENVIRONMENT.items() if os.environ.get(var)}
    return AsmRLOptions(**given)


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
    task = registry.get("asm")
    config = task.reward_config(options_from_environment())  # a bad setting raises: every score would be wrong
    failed = {"score": task.failure_score(config), "compiled": 0.0}
    extra_info = _plain(extra_info or {})
    if not extra_info.get("c_code"):
        return failed
    request = {"completion": solution_str, "ground_truth": str(ground_truth), "extra_info": extra_info}
    try:
        outcome = task.score_reward(request, config)
    except Exception as exc:  # e.g. a row whose baseline is broken: score it failed, keep verl's loop alive
        name = extra_info.get("name", data_source)  # the row's text: escaped, it cannot drive the terminal
        print(printable(f"compilerlm reward failed for {name}: {type(exc).__name__}: {exc}"))
        return failed
    return {"score": outcome.score, "compiled": float(outcome.ok), **outcome.info}
