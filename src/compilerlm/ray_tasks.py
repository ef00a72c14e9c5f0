"""Ray as the executor for work split by program (`--ray ADDRESS`), shared by `tune` and `eval asm`.

Ray is one backend of `compilerlm.parallel` (`RayExecutor`, next to threads and processes), so callers
switch executors without changing how results reach them; this module keeps the names it has always
offered (`connect_ray`, `run_on_ray`) for code that imports them from here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from compilerlm.parallel import Call, RayExecutor, connect_ray

__all__ = ["connect_ray", "run_on_ray"]


def run_on_ray(
    address: str,
    fn: Callable[..., Any],
    calls: Sequence[Call | tuple[str, tuple]],
    on_result: Callable[[int, Any], None],
) -> None:
    """`fn(*args)` as one Ray task per (name, args) in `calls`; `on_result(index, value)` as each finishes (in
    completion order, so the driver can store it at once). A failed task is a one-line error naming it."""
    RayExecutor(address).run(fn, calls, on_result)
