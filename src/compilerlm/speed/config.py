"""The speed search's settings (`AsmSearchConfig`) and the key under which its stored outcomes are reused.

One place for every default (the command line's options take theirs from here), and one for what makes an
outcome stale: the settings, `SPEED_REVISION` and the space of compiler configurations.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

from compilerlm.speed.flagspace import CLANG_SPACE, GCC_SPACE
from compilerlm.speed.portfolio import PORTFOLIO

SPEED_REVISION = 3  # part of the stored outcomes' key: bump when the portfolio, the flag space, the search or
# the measurement changes, so that a --store rerun does not reuse outcomes made without the change
MODEL_SETTINGS = ("samples", "rounds", "temperature", "max_tokens")


@dataclass(frozen=True, kw_only=True)
class AsmSearchConfig:
    """How candidates are made and judged. ``compilers``: portfolio configuration names (None: all; ()
    none). Timing: ``runs`` interleaved pairs per visible test to choose, ``final_runs`` per test to report."""

    compilers: tuple[str, ...] | None = None
    samples: int = 4
    rounds: int = 2
    temperature: float = 0.7
    max_tokens: int = 4096
    visible: int = 3
    mutants: int = 8
    seed: int = 0
    warmups: int = 1
    runs: int = 10
    final_runs: int = 20
    instructions: bool = True
    allow_empty_output: bool = False
    protocol: str = "compilerlm"  # "supercoder": also time the reported assembly in SuperCoder's schedule
    budget: int | None = None  # compilations per program; None: the portfolio only; more: flag search
    combine: bool = True  # with a budget beyond the portfolio: hot functions from other configurations
    retime: bool = True  # time the best undecided candidates again with more runs before choosing

    def key(self, model_spec: str | None) -> str:
        """Identifies the settings whose stored outcomes a rerun may reuse. Without a model the model's settings
        change nothing, so they are left out: `asm` and `eval asm` share results whatever their model defaults.
        The protocol is left out too: it adds a timing of the chosen assembly after the search and changes
        nothing before it, so a run with another protocol reuses the search and only times (`speed.suite`)."""
        settings = {"revision": SPEED_REVISION, "space": _space_digest(), "model": model_spec, **asdict(self)}
        settings.pop("protocol")
        if model_spec is None:
            for name in MODEL_SETTINGS:
                settings.pop(name)
        return "|".join(f"{k}={v}" for k, v in settings.items())


def _space_digest() -> str:
    """What candidates the compilers can give: the portfolio and the flag space, so that adding a configuration
    or an option makes earlier stored outcomes stale without anyone remembering to bump a number."""
    return hashlib.sha256(repr((PORTFOLIO, GCC_SPACE, CLANG_SPACE)).encode()).hexdigest()[:12]
