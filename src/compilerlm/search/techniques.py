"""Search techniques: each proposes pipelines and is told how they did; one loop (`drive`) spends the budget.

After OpenTuner's design: a technique does not run its own loop or call the objective; it answers
`propose(n)` with up to n pipelines and hears `observe(batch, sizes)`. So techniques compose: `InOrder` runs
one after another (a library, then a search), `Rounds` gives each technique a fixed share of every round of
batches, and `Bandit` is a meta-technique that gives each batch to whichever technique has been finding new
bests lately (OpenTuner's area-under-the-curve bandit). Each technique registers itself under the name a user
gives (`STRATEGIES`, `tune --strategy`), with its help.

- random: LLM Compiler's labelling method — random lists of 1–50 elements, best kept.
- greedy: hill climbing from the best pipeline so far with insert/delete/replace/swap moves.
- evolution: a genetic algorithm — tournament selection, one-point crossover, mutation, elitism.
- local: edits of the best few pipelines and crosses between them.
- library: known good pipelines (the "broadcast" step).
- auto: the library, then rounds of random lists and local edits (two to one, one to two after 300 evaluations).
- bandit: the library, then the bandit over random lists and local edits. It beat `auto` on built-in programs
  at 100 evaluations but lost on held-out corpus modules at 100 and 1,000, so it is not the default (README,
  "Autotuner").
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from compilerlm.errors import CompilerLMError
from compilerlm.search.objective import Objective, Pipeline
from compilerlm.toolchain.pipelines import split_top_level

BATCH = 16
MAX_LENGTH = 50
STALLS = 50  # batches in a row that evaluate nothing new: the technique has nothing left to offer


def parse_pipeline(text: str) -> Pipeline:
    return tuple(split_top_level(text.strip())) if text.strip() else ()


@dataclass
class Context:
    """What a technique may look at: the module's search so far (best, ranked results, sizes), the elements it
    combines and the search's seeded random source."""

    obj: Objective
    space: Sequence[str]
    rng: random.Random


class Technique:
    """Proposes up to `n` pipelines (none: it has nothing more), and is told each one's size (None: failed)."""

    def propose(self, ctx: Context, n: int) -> list[Pipeline]:
        raise NotImplementedError

    def observe(self, ctx: Context, batch: Sequence[Pipeline], sizes: Sequence[int | None]) -> None:
        """Results of the technique's own last batch (the objective holds everyone's)."""


@dataclass(frozen=True)
class Registered:
    name: str
    help: str
    make: Callable[[Sequence[str]], Technique]  # from the run's library of known good pipelines


TECHNIQUES: dict[str, Registered] = {}


def register(name: str, help: str) -> Callable[[Callable[[Sequence[str]], Technique]], Callable]:
    """Name a technique (a factory taking the library) for `tune --strategy`; a new one is this one line."""

    def add(make: Callable[[Sequence[str]], Technique]) -> Callable[[Sequence[str]], Technique]:
        TECHNIQUES[name] = Registered(name, help, make)
        return make

    return add


def drive(ctx: Context, technique: Technique) -> None:
    """Batches from `technique`, evaluated, told back, until the budget is spent or it has nothing new."""
    obj, stalls = ctx.obj, 0
    while obj.remaining and stalls < STALLS:
        batch = technique.propose(ctx, min(BATCH, obj.remaining))
        if not batch:
            return
        before = obj.used
        sizes = obj.evaluate(batch)
        technique.observe(ctx, batch, sizes)
        stalls = stalls + 1 if obj.used == before else 0


# ------------------------------------------------------------------ moves on pipelines


def random_pipeline(rng: random.Random, space: Sequence[str], max_length: int = MAX_LENGTH) -> Pipeline:
    return tuple(rng.choices(space, k=rng.randint(1, max_length)))


def mutate(p: Pipeline, rng: random.Random, space: Sequence[str]) -> Pipeline:
    """One random edit: insert, delete, replace or swap."""
    items = list(p)
    move = rng.choice(("insert", "delete", "replace", "swap")) if items else "insert"
    if move == "insert" and len(items) < MAX_LENGTH:
        items.insert(rng.randint(0, len(items)), rng.choice(space))
    elif move == "delete" and len(items) > 1:
        del items[rng.randrange(len(items))]
    elif move == "replace":
        items[rng.randrange(len(items))] = rng.choice(space)
    elif move == "swap" and len(items) > 1:
        i, j = rng.sample(range(len(items)), 2)
        items[i], items[j] = items[j], items[i]
    else:
        items.append(rng.choice(space))
    return tuple(items[:MAX_LENGTH])


def crossover(a: Pipeline, b: Pipeline, rng: random.Random) -> Pipeline:
    cut_a, cut_b = rng.randint(0, len(a)), rng.randint(0, len(b))
    child = a[:cut_a] + b[cut_b:]
    return child[:MAX_LENGTH] or a


# ------------------------------------------------------------------ the techniques


class Fixed(Technique):
    """Given pipelines, in order, each once."""

    def __init__(self, pipelines: Sequence[str]) -> None:
        self.todo = deque(parse_pipeline(t) for t in pipelines)

    def propose(self, ctx: Context, n: int) -> list[Pipeline]:
        return [self.todo.popleft() for _ in range(min(n, len(self.todo)))]


class RandomLists(Technique):
    def propose(self, ctx: Context, n: int) -> list[Pipeline]:
        return [random_pipeline(ctx.rng, ctx.space) for _ in range(n)]


class HillClimb(Technique):
    """Neighbours of the current point (the best so far); now and then a step sideways to an equal-size
    neighbour, to cross plateaus."""

    def __init__(self) -> None:
        self.current: Pipeline | None = None

    def propose(self, ctx: Context, n: int) -> list[Pipeline]:
        best = ctx.obj.best
        if best is None:
            return [random_pipeline(ctx.rng, ctx.space, 10) for _ in range(n)]
        if self.current is None or ctx.obj.size_of(self.current) != ctx.obj.best_size:
            self.current = best  # someone found better: climb from there
        return [mutate(self.current, ctx.rng, ctx.space) for _ in range(n)]

    def observe(self, ctx: Context, batch: Sequence[Pipeline], sizes: Sequence[int | None]) -> None:
        equal = [p for p, s in zip(batch, sizes, strict=True) if s is not None and s == ctx.obj.best_size]
        if equal and ctx.rng.random() < 0.1:
            self.current = ctx.rng.choice(equal)


class Evolution(Technique):
    """Generations of `population`: seeded by the best results so far, then tournament selection, one-point
    crossover and mutation, the `elite` best kept."""

    def __init__(self, population: int = 24, elite: int = 3) -> None:
        self.population, self.elite = population, elite
        self.pool: list[Pipeline] = []
        self.queue: deque[Pipeline] = deque()

    def propose(self, ctx: Context, n: int) -> list[Pipeline]:
        if not self.queue:
            self.queue.extend(self._generation(ctx))
        return [self.queue.popleft() for _ in range(min(n, len(self.queue)))]

    def _generation(self, ctx: Context) -> list[Pipeline]:
        rng, obj = ctx.rng, ctx.obj
        if not self.pool:
            seeds = [p for _, p in obj.ranked(self.population)]
            self.pool = seeds + [random_pipeline(rng, ctx.space, 20) for _ in range(self.population - len(seeds))]
            return list(self.pool)
        scored = sorted(self.pool, key=lambda p: (obj.size_of(p) or 1 << 60, len(p)))
        nxt = scored[: self.elite]
        while len(nxt) < self.population:
            child = crossover(self._tournament(ctx, scored), self._tournament(ctx, scored), rng)
            if rng.random() >= 0.7:
                child = self._tournament(ctx, scored)
            nxt.append(mutate(child, rng, ctx.space) if rng.random() < 0.9 else child)
        self.pool = nxt
        return nxt

    @staticmethod
    def _tournament(ctx: Context, scored: Sequence[Pipeline], k: int = 3) -> Pipeline:
        contenders = ctx.rng.sample(list(scored), min(k, len(scored)))
        return min(contenders, key=lambda p: ctx.obj.size_of(p) or 1 << 60)


class LocalEdits(Technique):
    """Edits of the best few pipelines (one or two moves) and crosses between them."""

    def __init__(self, top: int = 4) -> None:
        self.top = top

    def propose(self, ctx: Context, n: int) -> list[Pipeline]:
        elite = [p for _, p in ctx.obj.ranked(self.top)]
        if not elite:
            return [random_pipeline(ctx.rng, ctx.space) for _ in range(n)]
        children = []
        for _ in range(n):
            child = ctx.rng.choice(elite)
            if len(elite) > 1 and ctx.rng.random() < 0.3:
                child = crossover(child, ctx.rng.choice(elite), ctx.rng)
            for _ in range(1 + (ctx.rng.random() < 0.3)):
                child = mutate(child, ctx.rng, ctx.space)
            children.append(child)
        return children


class InOrder(Technique):
    """Each technique until it has nothing more to propose, then the next."""

    def __init__(self, *parts: Technique) -> None:
        self.parts = deque(parts)

    def propose(self, ctx: Context, n: int) -> list[Pipeline]:
        while self.parts:
            batch = self.parts[0].propose(ctx, n)
            if batch:
                return batch
            self.parts.popleft()
        return []

    def observe(self, ctx: Context, batch: Sequence[Pipeline], sizes: Sequence[int | None]) -> None:
        if self.parts:
            self.parts[0].observe(ctx, batch, sizes)


class Bandit(Technique):
    """OpenTuner's area-under-the-curve bandit: each batch goes to the technique with the best credit, the
    recency-weighted share of its last proposals (within a window of `window` over all techniques) that beat
    the best size of their time, plus an exploration bonus `c * sqrt(2 ln N / n)` for one used less. Every
    technique is tried once first, in the order given."""

    def __init__(self, arms: Sequence[tuple[str, Technique]], window: int = 500, c: float = 0.05) -> None:
        self.arms = list(arms)
        self.history: deque[tuple[int, bool]] = deque(maxlen=window)  # (arm, beat the best of its time)
        self.c = c
        self.chosen = 0
        self.uses = [0] * len(self.arms)
        self.best_before: int | None = None

    def credit(self, arm: int) -> float:
        own = [won for who, won in self.history if who == arm]
        if not own:
            return 0.0
        weights = range(1, len(own) + 1)  # later uses count more: the curve's area
        auc = sum(w for w, won in zip(weights, own, strict=True) if won) / sum(weights)
        total = len(self.history)
        return auc + self.c * math.sqrt(2 * math.log(total) / len(own))

    def propose(self, ctx: Context, n: int) -> list[Pipeline]:
        untried = [i for i, used in enumerate(self.uses) if not used]
        order = untried or sorted(range(len(self.arms)), key=lambda i: -self.credit(i))
        for arm in order:  # the best arm that still has something to propose
            batch = self.arms[arm][1].propose(ctx, n)
            if batch:
                self.chosen = arm
                self.best_before = ctx.obj.best_size
                return batch
            self.uses[arm] = max(self.uses[arm], 1)
        return []

    def observe(self, ctx: Context, batch: Sequence[Pipeline], sizes: Sequence[int | None]) -> None:
        self.uses[self.chosen] += 1
        best = self.best_before
        for size in sizes:
            won = size is not None and (best is None or size < best)
            self.history.append((self.chosen, won))
            if won:
                best = size
        self.arms[self.chosen][1].observe(ctx, batch, sizes)


class Rounds(Technique):
    """A fixed schedule over techniques: rounds of batches, each round giving each technique its count of
    batches (`early` until `switch_after` evaluations are spent, then `late`), whatever the module."""

    def __init__(
        self,
        arms: Sequence[tuple[str, Technique]],
        early: Sequence[int],
        late: Sequence[int],
        switch_after: int,
    ) -> None:
        self.arms, self.early, self.late, self.switch_after = list(arms), list(early), list(late), switch_after
        self.turns: deque[int] = deque()
        self.chosen = 0

    def propose(self, ctx: Context, n: int) -> list[Pipeline]:
        for _ in range(2 * sum(self.early) + 2 * sum(self.late) + 1):  # a round and more: each arm asked
            if not self.turns:
                counts = self.early if ctx.obj.used < self.switch_after else self.late
                self.turns.extend(arm for arm, count in enumerate(counts) for _ in range(count))
            arm = self.turns.popleft()
            batch = self.arms[arm][1].propose(ctx, n)
            if batch:
                self.chosen = arm
                return batch
        return []

    def observe(self, ctx: Context, batch: Sequence[Pipeline], sizes: Sequence[int | None]) -> None:
        self.arms[self.chosen][1].observe(ctx, batch, sizes)


# ------------------------------------------ the strategies a user names (auto first: the default)


EXPLORE_UNTIL = 300  # evaluations after which auto spends more on edits of the best than on new lists


@register(
    "auto",
    "the library, then rounds of two batches of random lists and one of edits of the best few "
    f"(one and two after {EXPLORE_UNTIL} evaluations)",
)
def _auto(library: Sequence[str]) -> Technique:
    arms = [(name, TECHNIQUES[name].make(library)) for name in ("random", "local")]
    return InOrder(Fixed(library), Rounds(arms, early=(2, 1), late=(1, 2), switch_after=EXPLORE_UNTIL))


@register("bandit", "the library, then a bandit giving each batch to random lists or local edits by what pays")
def _bandit(library: Sequence[str]) -> Technique:
    # greedy and evolution as arms too measured worse at 1,000 evaluations (+4.25% against +4.43%, tune_suite)
    arms = [(name, TECHNIQUES[name].make(library)) for name in ("random", "local")]
    return InOrder(Fixed(library), Bandit(arms))


@register("random", "random lists of 1-50 elements (LLM Compiler's labelling method)")
def _random(library: Sequence[str]) -> Technique:
    return RandomLists()


@register("greedy", "hill climbing from the best so far (insert, delete, replace, swap)")
def _greedy(library: Sequence[str]) -> Technique:
    return HillClimb()


@register("evolution", "a genetic algorithm: tournaments, crossover, mutation, elitism")
def _evolution(library: Sequence[str]) -> Technique:
    return Evolution()


@register("local", "edits of the best few pipelines and crosses between them")
def _local(library: Sequence[str]) -> Technique:
    return LocalEdits()


@register("library", "only the known good pipelines (the library)")
def _library(library: Sequence[str]) -> Technique:
    return Fixed(library)


def make_technique(name: str, library: Sequence[str]) -> Technique:
    """The technique `tune --strategy NAME` runs; an unknown name is a one-line error naming the choices."""
    if name not in TECHNIQUES:
        raise CompilerLMError(f"unknown strategy {name!r}: choose one of {', '.join(TECHNIQUES)}")
    return TECHNIQUES[name].make(library)
