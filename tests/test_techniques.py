"""Search techniques (`search/techniques.py`): one propose/observe interface, one loop, registered where they are
defined; they compose: `InOrder`, `Rounds` (a fixed schedule: `auto`) and `Bandit` (the budget to what pays)."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from compilerlm.errors import CompilerLMError
from compilerlm.programs.suites import resolve_target
from compilerlm.search.objective import Objective, Pipeline
from compilerlm.search.strategies import STRATEGIES, run_strategy
from compilerlm.search.techniques import (
    TECHNIQUES,
    Bandit,
    Context,
    Fixed,
    InOrder,
    RandomLists,
    Rounds,
    Technique,
    drive,
    register,
)
from compilerlm.toolchain.search_space import SEARCH_SPACE


@pytest.fixture(scope="module")
def heap_module():
    return resolve_target("builtin:huffman")[0].modules()[0]  # huffman/heap.c, small


class Repeats(Technique):
    """A technique that never finds anything: one clean-up pass, repeated once more each time."""

    def __init__(self, element: str = "globaldce") -> None:
        self.element, self.length = element, 0

    def propose(self, ctx: Context, n: int) -> list[Pipeline]:
        self.length += n
        return [(self.element,) * (self.length - i) for i in range(n)]


def test_a_technique_registered_in_one_line_is_a_strategy_the_search_runs(heap_module, inprocess):
    """The extension recipe for a technique: a factory with `register`, and the search (`run_strategy`, what
    `tune --strategy NAME` calls) runs it with the run's library."""
    try:

        @register("twice-oz", "the library's first pipeline, then -Oz twice")
        def _twice(library: Sequence[str]) -> Technique:
            return Fixed([library[0], "default<Oz>,default<Oz>"])

        obj = Objective(heap_module, inprocess, budget=10)
        run_strategy("twice-oz", obj, SEARCH_SPACE, random.Random(0), ["default<Os>"])
        assert obj.used == 2 and set(obj.seen) == {"default<Os>", "default<Oz>,default<Oz>"}
    finally:
        TECHNIQUES.pop("twice-oz", None)
    assert "twice-oz" not in TECHNIQUES


def test_every_strategy_is_registered_and_named_in_the_help(cli):
    assert tuple(TECHNIQUES) == STRATEGIES and {"auto", "random", "greedy", "evolution", "library"} <= set(STRATEGIES)
    text = " ".join(cli("tune", "--help", check=True).stdout.replace("│", " ").split())
    for name, technique in TECHNIQUES.items():
        assert f"{name}: {technique.help}" in text
    with pytest.raises(CompilerLMError, match="unknown strategy 'annealing': choose one of auto"):
        run_strategy("annealing", None, SEARCH_SPACE, random.Random(0))  # type: ignore[arg-type]


def test_the_bandit_gives_the_budget_to_the_technique_that_finds_new_bests(heap_module, inprocess):
    obj = Objective(heap_module, inprocess, budget=320)
    bandit = Bandit([("stuck", Repeats()), ("random", RandomLists())])
    drive(Context(obj, SEARCH_SPACE, random.Random(2)), bandit)
    assert obj.used == 320
    stuck, found = bandit.uses
    assert 1 <= stuck < found, bandit.uses  # each tried, then more often the one that pays
    assert bandit.credit(1) > bandit.credit(0)


def test_in_order_runs_each_technique_until_it_has_nothing_more(heap_module, inprocess):
    obj = Objective(heap_module, inprocess, budget=20)
    drive(Context(obj, SEARCH_SPACE, random.Random(0)), InOrder(Fixed(["default<Oz>", "default<Os>"]), Repeats()))
    names = list(obj.seen)
    assert names[:2] == ["default<Oz>", "default<Os>"] and obj.used == 20
    assert all(set(n.split(",")) == {"globaldce"} for n in names[2:])


def test_auto_starts_with_the_library_and_then_searches(heap_module, inprocess):
    obj = Objective(heap_module, inprocess, budget=64)
    run_strategy("auto", obj, SEARCH_SPACE, random.Random(4), ["default<Oz>", "default<Oz>,default<Oz>"])
    assert list(obj.seen)[:2] == ["default<Oz>", "default<Oz>,default<Oz>"] and obj.used == 64
    assert len(obj.seen) == 64 and obj.best_size is not None  # then 62 pipelines of its own


class Counting(Technique):
    """Random lists, counting the batches it was asked for."""

    def __init__(self) -> None:
        self.batches = 0

    def propose(self, ctx: Context, n: int) -> list[Pipeline]:
        self.batches += 1
        return RandomLists().propose(ctx, n)


def test_rounds_give_each_technique_its_share_and_change_shares_after_the_switch(heap_module, inprocess):
    obj = Objective(heap_module, inprocess, budget=16 * 12)
    first, second = Counting(), Counting()
    rounds = Rounds([("a", first), ("b", second)], early=(2, 1), late=(1, 2), switch_after=16 * 6)
    drive(Context(obj, SEARCH_SPACE, random.Random(1)), rounds)
    assert obj.used == 16 * 12
    assert (first.batches, second.batches) == (4 + 2, 2 + 4)  # two rounds of 2:1, then two of 1:2


def test_rounds_go_on_with_the_others_when_one_has_nothing_more(heap_module, inprocess):
    obj = Objective(heap_module, inprocess, budget=40)
    rounds = Rounds([("done", Fixed(["default<Oz>"])), ("b", RandomLists())], early=(1, 1), late=(1, 1), switch_after=0)
    drive(Context(obj, SEARCH_SPACE, random.Random(1)), rounds)
    assert next(iter(obj.seen)) == "default<Oz>" and obj.used == 40
