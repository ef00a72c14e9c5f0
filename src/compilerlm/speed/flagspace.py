"""The space of compiler configurations the speed search explores beyond the fixed portfolio.

Per compiler, a few independent choices (optimisation level, target CPU, unrolling and its limits,
vectorisation, inlining limits, alignment, whole-program visibility for a single file, scheduling, the
polyhedral loop optimizer — Polly, Graphite —, PGO), each with a handful of options; a configuration is one
option per choice. Only options that keep the program's
meaning: nothing that relaxes floating point (no ``-ffast-math``, ``-fno-math-errno``, ``-ffp-contract=fast``
beyond the compiler's default), nothing that assumes the absence of undefined behaviour the default does not
already assume. Every candidate is still judged on every test, hidden ones and mutants included.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from compilerlm.speed.portfolio import CompilerConfig

Option = tuple[str, ...]  # the flags of one option; () = the compiler's default


@dataclass(frozen=True)
class Choice:
    name: str
    options: tuple[Option, ...]  # the first is what the search starts from


def _param(name: str, *values: int) -> tuple[Option, ...]:
    return ((), *(("--param", f"{name}={v}") for v in values))


GCC_SPACE: tuple[Choice, ...] = (
    Choice("level", (("-O3",), ("-O2",))),
    Choice("cpu", ((), ("-march=native",))),
    Choice("unroll", ((), ("-funroll-loops",), ("-funroll-all-loops",))),
    Choice("unroll-times", _param("max-unroll-times", 2, 4, 16)),
    Choice("vectorize", ((), ("-fno-tree-vectorize",), ("-fvect-cost-model=unlimited",), ("-fvect-cost-model=cheap",))),
    Choice(
        "inline",
        ((), ("--param", "max-inline-insns-auto=60"), ("-finline-limit=1000",), ("-fno-inline-small-functions",)),
    ),
    Choice("whole-program", ((), ("-fwhole-program",))),
    Choice("ipa", ((), ("-fipa-pta",))),
    Choice("align", ((), ("-falign-loops=32",), ("-falign-functions=32", "-falign-loops=32", "-falign-jumps=32"))),
    Choice("loops", ((), ("-fprefetch-loop-arrays",), ("-fpeel-loops", "-fsplit-loops"), ("-ftracer",))),
    Choice("schedule", ((), ("-fsched-pressure", "-fschedule-insns"))),
    Choice("gcse", ((), ("-fgcse-sm", "-fgcse-las"))),
    Choice("plt", ((), ("-fno-plt",))),
    # Graphite, the polyhedral loop nest optimizer: tiling and interchange (identity: the round trip alone)
    Choice("graphite", ((), ("-floop-nest-optimize",), ("-fgraphite-identity", "-floop-nest-optimize"))),
)
CLANG_SPACE: tuple[Choice, ...] = (
    Choice("level", (("-O3",), ("-O2",))),
    Choice("cpu", ((), ("-march=native",))),
    Choice("unroll", ((), ("-funroll-loops",), ("-fno-unroll-loops",))),
    Choice("unroll-threshold", ((), *(("-mllvm", f"-unroll-threshold={v}") for v in (150, 600, 1200)))),
    Choice("vectorize", ((), ("-fno-vectorize",), ("-fno-slp-vectorize",), ("-mllvm", "-force-vector-interleave=1"))),
    Choice("inline", ((), *(("-mllvm", f"-inline-threshold={v}") for v in (100, 500, 1000)))),
    Choice("align", ((), ("-falign-loops=32",), ("-falign-functions=32", "-falign-loops=32"))),
    Choice("loops", ((), ("-mllvm", "-enable-loop-distribute"), ("-mllvm", "-enable-unroll-and-jam"))),
    Choice("plt", ((), ("-fno-plt",))),
    # Polly, the polyhedral loop optimizer: tiling, interchange and fusion, with its strip-mining vectorizer or
    # LLVM's own, with or without tiling
    Choice(
        "polly",
        (
            (),
            ("-mllvm", "-polly", "-mllvm", "-polly-vectorizer=stripmine"),
            ("-mllvm", "-polly"),
            ("-mllvm", "-polly", "-mllvm", "-polly-tiling=false"),
        ),
    ),
)
SPACES = {"gcc": GCC_SPACE, "clang": CLANG_SPACE}


@dataclass(frozen=True)
class Point:
    """One configuration: the compiler, an option index per choice of its space, and PGO on or off."""

    compiler: str
    picks: tuple[int, ...]
    pgo: bool = False

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(f for choice, i in zip(SPACES[self.compiler], self.picks, strict=True) for f in choice.options[i])

    def config(self) -> CompilerConfig:
        name = " ".join([self.compiler, *self.flags]) + (" +pgo" if self.pgo else "")
        return CompilerConfig(name, self.compiler, self.flags, pgo=self.pgo)


def point_of(config: CompilerConfig) -> Point:
    """The point nearest a portfolio configuration (its flags matched option by option, the option with the most
    of them where several match — `-mllvm -polly` is in each Polly option —, unknown ones dropped)."""
    space = SPACES[config.compiler]
    flags = set(config.flags)
    picks = []
    for choice in space:
        matching = [i for i, option in enumerate(choice.options) if option and set(option) <= flags]
        picks.append(max(matching, key=lambda i: len(set(choice.options[i])), default=0))
    return Point(config.compiler, tuple(picks), config.pgo)


def mutate(point: Point, rng: random.Random, pgo_allowed: bool = True) -> Point:
    """A neighbour: one choice set to another of its options, or PGO switched (one move in eight)."""
    if pgo_allowed and rng.random() < 0.125:
        return Point(point.compiler, point.picks, not point.pgo)
    space = SPACES[point.compiler]
    k = rng.randrange(len(space))
    others = [i for i in range(len(space[k].options)) if i != point.picks[k]]
    picks = list(point.picks)
    picks[k] = rng.choice(others)
    return Point(point.compiler, tuple(picks), point.pgo)
