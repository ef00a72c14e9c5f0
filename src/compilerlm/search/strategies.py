"""The strategies `tune --strategy` names and what they start from: the registered search techniques
(`techniques.py`), the built-in library of known good pipelines, and `--library` files.

`auto` (the library, then fixed rounds of random lists and local edits) is the default;
`benchmarks/tune_suite.py` compares it with the others, and with an earlier tree's `auto`, side by side.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from compilerlm.errors import CompilerLMError, PipelineError
from compilerlm.search.objective import Objective
from compilerlm.search.techniques import TECHNIQUES, Context, drive, make_technique, parse_pipeline
from compilerlm.toolchain.pipelines import normalize

SEARCH_REVISION = 4  # part of a run's key: stored results of an older search are not reused as this one's

# Pipelines worth trying on any module before searching: clang's levels, repeated -Oz (it often shrinks
# further), and -Oz followed by clean-ups that remove what it leaves behind.
BUILTIN_LIBRARY: tuple[str, ...] = (
    "default<Oz>",
    "default<Oz>,default<Oz>",
    "default<Os>",
    "default<Oz>,mergefunc,globaldce",
    "default<Oz>,function(simplifycfg<switch-range-to-icmp;switch-to-lookup;hoist-common-insts;sink-common-insts>)",
    "default<Oz>,function(instcombine<no-verify-fixpoint>,simplifycfg),globaldce",
    "default<Oz>,cgscc(inline),default<Oz>",
    "function(sroa<modify-cfg>,early-cse<memssa>),default<Oz>",
)


def read_library(path: Path) -> tuple[str, ...]:
    """A `--library` file: one pipeline a line, `#` starts a comment line. The file may come from anyone, so
    it is checked before any work: UTF-8 text, and every pipeline one that acts on the module alone
    (`pipelines.normalize`); the first bad line is one error naming it. Lines are kept as written (the run's
    key hashes them)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise CompilerLMError(f"library file {path} does not exist") from None
    except IsADirectoryError:
        raise CompilerLMError(f"library file {path} is a folder; give a file of pipelines, one a line") from None
    except UnicodeDecodeError as exc:
        line_number = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise CompilerLMError(
            f"library file {path} is not UTF-8 text (line {line_number}, byte {exc.start}); give one pipeline a line"
        ) from None
    except OSError as exc:
        raise CompilerLMError(f"library file {path} cannot be read: {exc.strerror or exc}") from None
    pipelines = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            try:
                normalize(line)
            except PipelineError as exc:
                raise PipelineError(f"library file {path} line {number}: {exc}") from None
            pipelines.append(line.strip())
    return tuple(pipelines)


STRATEGIES = tuple(TECHNIQUES)
"""The names `tune --strategy` takes, each with its help in `TECHNIQUES`."""
STRATEGY_HELP = "; ".join(f"{t.name}: {t.help}" for t in TECHNIQUES.values())


def run_strategy(
    name: str,
    obj: Objective,
    space: Sequence[str],
    rng: random.Random,
    library: Sequence[str] = BUILTIN_LIBRARY,
) -> None:
    """Spend what is left of `obj`'s budget with the strategy `name` (`techniques.make_technique`)."""
    drive(Context(obj, space, rng), make_technique(name, library))


__all__ = [
    "BUILTIN_LIBRARY",
    "SEARCH_REVISION",
    "STRATEGIES",
    "STRATEGY_HELP",
    "parse_pipeline",
    "read_library",
    "run_strategy",
]
