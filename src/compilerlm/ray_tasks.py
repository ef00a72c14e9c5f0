"""Ray as the executor for work split by program (`--ray ADDRESS`), shared by `tune` and `eval asm`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from compilerlm.errors import CompilerLMError


def connect_ray(address: str):
    """`local` starts a Ray instance on this machine; anything else is passed to ray.init (auto, ray://...)."""
    try:
        import ray
    except ImportError as exc:
        raise CompilerLMError("--ray needs Ray: pip install 'compilerlm[ray]'") from exc
    if not ray.is_initialized():
        try:
            if address == "local":
                ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False)
            else:
                ray.init(address=address, log_to_driver=False, configure_logging=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise CompilerLMError(f"cannot connect to the Ray cluster at {address!r}: {exc}") from exc
    return ray


def run_on_ray(
    address: str,
    fn: Callable[..., Any],
    calls: Sequence[tuple[str, tuple]],
    on_result: Callable[[int, Any], None],
) -> None:
    """`fn(*args)` as one Ray task per (name, args) in `calls`; `on_result(index, value)` as each finishes (in
    completion order, so the driver can store it at once). A failed task is a one-line error naming it."""
    ray = connect_ray(address)
    remote = ray.remote(num_cpus=1, max_retries=2)(fn)
    pending = {remote.remote(*args): i for i, (_, args) in enumerate(calls)}
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        i = pending.pop(ready[0])
        try:
            value = ray.get(ready[0])
        except ray.exceptions.RayError as exc:
            raise CompilerLMError(f"Ray task for {calls[i][0]} failed: {exc}") from exc
        on_result(i, value)
