"""Progress inside one module's search. A whole program or an amalgamation takes seconds to a minute per
evaluation, so a search of hundreds is a long time without a finished module to show; whoever shows progress
(the command line) listens here and hears of every evaluation. A context variable, not a parameter through
every layer: the search runs in the caller's thread, and nothing but the display cares."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class SearchProgress:
    module: str
    used: int  # evaluations counted against the budget so far
    budget: int
    best_size: int | None


Listener = Callable[[SearchProgress], None]
_listener: ContextVar[Listener | None] = ContextVar("compilerlm_search_listener", default=None)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Within the block, `listener` hears of each evaluation of every search run in this context."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def evaluated(progress: SearchProgress) -> None:
    listener = _listener.get()
    if listener is not None:
        listener(progress)
