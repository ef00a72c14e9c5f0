"""How compilerlm runs work side by side: one executor interface over items, and one way to run a child process.

Why one module. Work is split across items (programs, modules, pipelines) in three ways: threads for work
that mostly waits on child processes (clang, opt, llc), spawned processes for Python-heavy work (the speed
track), and Ray tasks on a cluster. Callers should not care which: every `Executor` takes (name, args) calls
and hands each result to `on_result(index, value)` in the caller's thread as soon as that item finishes, so
a caller stores it at once and an interrupted run resumes; `map` is the ordered form for simple uses. A
failing item stops the run with one line naming it (a `CompilerLMError` raised by the item keeps its type and
message: it is already written for the user).

The child processes those threads wait on must stop with the run. `run_process` starts every child in its
own session (process group), so on a timeout or an interrupt the whole group is killed (grandchildren too),
then reaped; and because Ctrl-C at a terminal no longer reaches a child in its own session, the threads
backend kills the groups still running when the caller is interrupted. That shared registry of live groups
is why the pools and the process helper live together.

This module sits at the bottom (it imports only `compilerlm.errors`); `toolchain.workers.IsolatedPool`
is the specialised pool for in-process LLVM (crash isolation, a per-task timeout) with the same method names.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import select
import signal
import subprocess
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from typing import IO, Any, Literal, NamedTuple

from compilerlm.errors import CompilerLMError, ToolTimeout

Backend = Literal["threads", "processes", "ray"]
OnResult = Callable[[int, Any], None]


class Call(NamedTuple):
    """One item of work: `fn(*args)`; `name` says which item in messages (a program's name, a module's)."""

    name: str
    args: tuple


# ---------------------------------------------------------------------------------------------------------
# Child processes


PIPE = subprocess.PIPE
DEVNULL = subprocess.DEVNULL
_LIVE_GROUPS: set[int] = set()  # process groups started by run_process and not yet reaped
_STOPPED_GROUPS: set[int] = set()  # ...of which kill_live_groups killed these
_GROUPS_LOCK = threading.Lock()


class ProcessesStopped(KeyboardInterrupt):
    """Raised in a thread whose child was killed because the run was interrupted (never a result)."""


def kill_group(pgid: int) -> None:
    """SIGKILL every process in group `pgid` (nothing when it is gone). Call it before the leader is reaped:
    a zombie leader keeps its group id from being reused."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def wait_exit(pid: int, timeout: float | None) -> bool:
    """Block until child `pid` exits, without reaping it, or `timeout` passes; True if it exited.
    A pidfd where the kernel has one (no polling, no signal), else a timer that kills the group."""
    if hasattr(os, "pidfd_open"):
        fd = os.pidfd_open(pid)
        try:
            return bool(select.select([fd], [], [], timeout)[0])
        finally:
            os.close(fd)
    fired = threading.Event()

    def fire() -> None:
        fired.set()
        kill_group(pid)

    timer = threading.Timer(timeout, fire) if timeout is not None else None
    if timer is not None:
        timer.start()
    try:
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    finally:
        if timer is not None:
            timer.cancel()
    return not fired.is_set()


def kill_live_groups() -> None:
    """Kill every process group `run_process` started and has not yet reaped (the threads backend calls this
    when its caller is interrupted; the threads waiting on them then raise ProcessesStopped)."""
    with _GROUPS_LOCK:
        groups = list(_LIVE_GROUPS)
        _STOPPED_GROUPS.update(groups)
    for pgid in groups:
        kill_group(pgid)


def run_process(
    cmd: Sequence[str | os.PathLike[str]],
    *,
    input: bytes | str | None = None,
    stdin: int | IO[Any] | None = None,
    stdout: int | IO[Any] | None = PIPE,
    stderr: int | IO[Any] | None = PIPE,
    timeout: float | None = None,
    cwd: str | os.PathLike[str] | None = None,
    env: dict[str, str] | None = None,
    text: bool = False,
    what: str = "",
) -> subprocess.CompletedProcess[Any]:
    """Run `cmd` in its own session and wait for it; output is captured by default, stdin is /dev/null unless
    `input` or `stdin` is given. The exit code is the caller's to judge.

    Past `timeout` seconds the whole process group is killed and reaped, then ToolTimeout says
    "`what` timed out after N s". On an interrupt (Ctrl-C, SIGTERM turned into an exception) the group is
    killed and reaped before the exception goes on. OSError (no such program) is raised as is."""
    args = [os.fspath(c) for c in cmd]
    if input is None and stdin is None:
        stdin = DEVNULL
    elif input is not None:
        stdin = PIPE
    with subprocess.Popen(
        args, stdin=stdin, stdout=stdout, stderr=stderr, cwd=cwd, env=env, text=text, start_new_session=True
    ) as proc:
        with _GROUPS_LOCK:
            _LIVE_GROUPS.add(proc.pid)
        try:
            try:
                out, err = proc.communicate(input, timeout=timeout)
            except subprocess.TimeoutExpired:
                _stop(proc)
                raise ToolTimeout(f"{what or args[0]} timed out after {timeout:g} s") from None
            except BaseException:
                _stop(proc)
                raise
        finally:
            with _GROUPS_LOCK:
                _LIVE_GROUPS.discard(proc.pid)
                stopped = proc.pid in _STOPPED_GROUPS
                _STOPPED_GROUPS.discard(proc.pid)
        if stopped:
            raise ProcessesStopped(f"{what or args[0]} was stopped: the run was interrupted")
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def _stop(proc: subprocess.Popen[Any]) -> None:
    """Kill the child's whole group (the leader is not reaped yet, so the group id is still its own), reap."""
    if proc.returncode is None:
        kill_group(proc.pid)
    with contextlib.suppress(OSError, ValueError, subprocess.TimeoutExpired):
        proc.communicate(timeout=10)  # drain what is left of the pipes; a grandchild that left the group
    if proc.returncode is None:  # ... and still holds them does not keep us waiting
        proc.kill()
        proc.wait()


# ---------------------------------------------------------------------------------------------------------
# Executors


def item_failed(name: str, exc: BaseException, prefix: str = "task for") -> CompilerLMError:
    """One line for an item that raised: its own CompilerLMError as is (with a note naming the item for
    tracebacks), anything else as "task for NAME failed: Type: message"."""
    if isinstance(exc, CompilerLMError):
        exc.add_note(f"(in {prefix} {name})")
        return exc
    first = (str(exc).strip().splitlines() or [""])[0]
    return CompilerLMError(f"{prefix} {name} failed: {type(exc).__name__}" + (f": {first}" if first else ""))


class Executor(ABC):
    """Runs `fn(*args)` for each call; `on_result(index, value)` in the caller's thread as each finishes
    (completion order). The first failing item stops the run (items not started are dropped) and is raised
    as `item_failed` describes. Executors are cheap: each `run` starts and stops its own workers."""

    backend: str
    jobs: int = 1

    @abstractmethod
    def run(self, fn: Callable[..., Any], calls: Sequence[Call | tuple[str, tuple]], on_result: OnResult) -> None: ...

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any], names: Sequence[str] | None = None) -> list[Any]:
        """`[fn(item) for item in items]`, in parallel; items are named by `names`, else their `.name`, else
        their position."""
        items = list(items)
        if names is None:
            names = [str(getattr(item, "name", None) or f"#{i}") for i, item in enumerate(items)]
        out: list[Any] = [None] * len(items)
        self.run(fn, [Call(n, (item,)) for n, item in zip(names, items, strict=True)], out.__setitem__)
        return out

    def close(self) -> None:  # noqa: B027 - nothing to release between runs; a hook for executors that keep state
        """Release what the executor holds between runs."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _serial(fn: Callable[..., Any], calls: Sequence[Call | tuple[str, tuple]], on_result: OnResult) -> None:
    for i, (name, args) in enumerate(calls):
        try:
            value = fn(*args)
        except Exception as exc:
            raise item_failed(name, exc) from exc
        on_result(i, value)


class ThreadExecutor(Executor):
    """`jobs` threads: for work that mostly waits on child processes (started with `run_process`). One job
    (or one call) runs in the caller's thread. On an interrupt, calls not started are cancelled and the child
    process groups still running are killed, so the threads return at once; a failing item lets the
    running ones finish."""

    backend = "threads"

    def __init__(self, jobs: int = 1) -> None:
        self.jobs = max(1, jobs)

    def run(self, fn: Callable[..., Any], calls: Sequence[Call | tuple[str, tuple]], on_result: OnResult) -> None:
        if self.jobs == 1 or len(calls) <= 1:
            _serial(fn, calls, on_result)
            return
        pool = ThreadPoolExecutor(min(self.jobs, len(calls)))
        try:
            _deliver({pool.submit(fn, *args): i for i, (_, args) in enumerate(calls)}, calls, on_result)
        except Exception:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            kill_live_groups()  # Ctrl-C or SIGTERM: the children the threads wait on stop, so the threads do
            pool.shutdown(wait=True)
            raise
        pool.shutdown(wait=True)


def _deliver(futures: dict[Future[Any], int], calls: Sequence[Call | tuple[str, tuple]], on_result: OnResult) -> None:
    pending = set(futures)
    while pending:
        # a timeout, so that an interrupt raised without a real signal (one sent to another thread) is seen
        done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
        for future in sorted(done, key=futures.__getitem__):
            i = futures[future]
            exc = future.exception()
            if exc is not None:
                if not isinstance(exc, Exception):
                    raise exc
                raise item_failed(calls[i][0], exc) from exc
            on_result(i, future.result())


def _process_worker_init() -> None:
    """In each worker process: SIGTERM (the executor stopping it) kills the process groups its `run_process`
    calls started, which would otherwise outlive it in their own sessions."""

    def on_term(signum: int, _frame: object) -> None:
        kill_live_groups()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)


class ProcessExecutor(Executor):
    """`jobs` spawned worker processes: for Python-heavy work. Spawn, not fork: workers start clean (no
    threads, no open model or store from this process), as the sandbox's forks need. `fn` and the args must
    pickle (a module-level function). On an interrupt or a failure, calls not started are cancelled and the
    workers are stopped, not waited for."""

    backend = "processes"

    def __init__(self, jobs: int = 1) -> None:
        self.jobs = max(1, jobs)

    def run(self, fn: Callable[..., Any], calls: Sequence[Call | tuple[str, tuple]], on_result: OnResult) -> None:
        if not calls:
            return
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(min(self.jobs, len(calls)), mp_context=context, initializer=_process_worker_init)
        try:
            _deliver({pool.submit(fn, *args): i for i, (_, args) in enumerate(calls)}, calls, on_result)
        except BaseException:
            _stop_pool(pool)
            raise
        pool.shutdown()


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and stop the workers running the rest (shutdown alone waits for them)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()


def connect_ray(address: str) -> Any:
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


class RayExecutor(Executor):
    """One Ray task per call (one CPU each, retried twice if its worker dies) on the cluster at `address`
    (`local`, `auto`, `ray://...`). A failed task is "Ray task for NAME failed: ..."; on an interrupt the
    tasks still pending are cancelled."""

    backend = "ray"

    def __init__(self, address: str, jobs: int = 1) -> None:
        self.address = address
        self.jobs = max(1, jobs)  # the cluster decides how many run at once

    def run(self, fn: Callable[..., Any], calls: Sequence[Call | tuple[str, tuple]], on_result: OnResult) -> None:
        ray = connect_ray(self.address)
        remote = ray.remote(num_cpus=1, max_retries=2)(fn)
        pending = {remote.remote(*args): i for i, (_, args) in enumerate(calls)}
        try:
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1)
                i = pending.pop(ready[0])
                try:
                    value = ray.get(ready[0])
                except ray.exceptions.RayError as exc:
                    cause = getattr(exc, "cause", None)
                    why = f"{type(cause).__name__}: {cause}" if isinstance(cause, BaseException) else str(exc)
                    raise CompilerLMError(f"Ray task for {calls[i][0]} failed: {_first_line(why)}") from exc
                on_result(i, value)
        finally:
            for ref in pending:
                with contextlib.suppress(Exception):
                    ray.cancel(ref)


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[0] if lines else "(no message)"


def make_executor(backend: Backend = "threads", jobs: int = 1, *, ray_address: str | None = None) -> Executor:
    """The executor for `backend`; `ray` needs `ray_address`."""
    if backend == "threads":
        return ThreadExecutor(jobs)
    if backend == "processes":
        return ProcessExecutor(jobs)
    if backend == "ray":
        if not ray_address:
            raise CompilerLMError("the ray backend needs an address: --ray local, --ray auto or --ray ray://HOST:PORT")
        return RayExecutor(ray_address, jobs)
    raise CompilerLMError(f"unknown executor backend {backend!r}: use 'threads', 'processes' or 'ray'")
