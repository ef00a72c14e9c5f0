"""Isolated worker processes: an LLVM abort or hang costs one task and one worker, never the run.

`concurrent.futures.ProcessPoolExecutor` breaks the whole pool when one worker dies, and cannot say
which task killed it. Here each worker is a spawned process behind a pipe, driven by one parent thread;
a dead or hung worker is reported for exactly the task it held (with the last line LLVM printed to its
stderr, e.g. "LICM requires MemorySSA") and replaced.

Each worker's stderr goes to `compilerlm-worker-<pool id>-*.log` in the pool's `log_dir` (default: the
temporary folder, $TMPDIR); the pool removes these files when it closes, also when the run is interrupted
(`with` blocks close it on KeyboardInterrupt; the command line turns SIGTERM into one) and, for pools never
closed, at interpreter exit. Workers ignore SIGINT: on Ctrl-C in a terminal the parent decides, and a task
in flight is not reported as a crash.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import itertools
import multiprocessing as mp
import os
import queue
import signal
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from compilerlm.toolchain.run import CRASH_MARKERS, describe_returncode

STARTUP_TIMEOUT = 300.0  # seconds; the first start may build the native helper
LOG_PREFIX = "compilerlm-worker-"
_POOL_NUMBERS = itertools.count(1)
_OPEN_POOLS: weakref.WeakSet[IsolatedPool] = weakref.WeakSet()


@dataclass(frozen=True)
class WorkerFailure:
    """What a task produced when its worker died ("crash") or ran past the time limit ("timeout")."""

    kind: str
    message: str


def _worker_main(conn: Connection, handler_path: str, stderr_path: str) -> None:
    """Child process: redirect fd 2 to a file the parent can read after a crash, then serve tasks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
    err = os.open(stderr_path, os.O_WRONLY | os.O_TRUNC)
    os.dup2(err, 2)
    module_name, func_name = handler_path.rsplit(":", 1)
    module = importlib.import_module(module_name)
    handler = getattr(module, func_name)
    if hasattr(module, "prepare"):
        module.prepare()  # slow set-up (loading libLLVM) must not count against the first task's timeout
    conn.send("ready")
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        os.ftruncate(2, 0)
        os.lseek(2, 0, os.SEEK_SET)
        try:
            result = handler(task)
        except Exception as exc:
            result = WorkerFailure("error", f"{type(exc).__name__}: {exc}")
        conn.send(result)


def _crash_message(stderr_path: str) -> str:
    try:
        with open(stderr_path, errors="replace") as fh:
            lines = [ln.strip() for ln in fh.read()[-20000:].splitlines() if ln.strip()]
    except OSError:
        return ""
    for ln in lines:
        if "LLVM ERROR" in ln or "Assertion" in ln or "requires" in ln or "error" in ln.lower():
            return ln
    useful = [ln for ln in lines if not any(m in ln for m in CRASH_MARKERS) and not ln[:1].isdigit()]
    return useful[0] if useful else (lines[0] if lines else "")


class _Worker:
    def __init__(self, ctx: Any, handler_path: str, log_dir: str | None, log_prefix: str) -> None:
        self.handler_path = handler_path
        fd, self.stderr_path = tempfile.mkstemp(prefix=log_prefix, suffix=".log", dir=log_dir)
        os.close(fd)
        try:
            self.conn, child = ctx.Pipe()
            self.proc = ctx.Process(target=_worker_main, args=(child, handler_path, self.stderr_path), daemon=True)
            self.proc.start()
            child.close()
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(self.stderr_path)
            raise

    def wait_ready(self) -> None:
        try:
            started = self.conn.poll(STARTUP_TIMEOUT) and self.conn.recv() == "ready"
        except (EOFError, OSError):
            started = False
        if not started:
            detail = _crash_message(self.stderr_path)
            self.close()
            raise RuntimeError(f"worker for {self.handler_path} did not start: {detail}")

    def run(self, task: Any, timeout: float) -> tuple[Any, bool]:
        """Returns (result, worker still usable)."""
        try:
            self.conn.send(task)
            if not self.conn.poll(timeout):
                self.proc.kill()
                self.proc.join()
                return WorkerFailure("timeout", f"timed out after {timeout:g} s"), False
            return self.conn.recv(), True
        except (EOFError, OSError):
            pass
        self.proc.join(timeout=10)  # the pipe closed: the worker is dying; let it finish, then read why
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        detail = _crash_message(self.stderr_path)
        return WorkerFailure("crash", f"LLVM crashed ({describe_returncode(self.proc.exitcode or 0)}): {detail}"), False

    def close(self) -> None:
        try:
            try:
                if self.proc.is_alive():
                    self.conn.send(None)
                    self.proc.join(timeout=2)
            except (OSError, ValueError):
                pass
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join()
            with contextlib.suppress(OSError):
                self.conn.close()
        finally:
            with contextlib.suppress(OSError):
                os.unlink(self.stderr_path)


class IsolatedPool:
    """`jobs` worker processes running `handler_path` ("module:function") on tasks; `map` keeps task order,
    `run` delivers each result as it finishes.

    Not a backend of `compilerlm.parallel.Executor`, but the same method names (`run`, `map`, `close`) and the
    same delivery: what differs is what the work needs. The function is fixed per pool because workers load
    libLLVM once and keep it; a task's crash, hang or exception is a result (WorkerFailure), not an error,
    because for a search a pipeline that crashes LLVM is an answer; and every task has a time limit.

    Worker logs are `log_dir/compilerlm-worker-<ident>-*.log` (`ident`: this pool's, unique per process);
    `close` removes them all."""

    def __init__(
        self, handler_path: str, jobs: int = 1, timeout: float = 120.0, log_dir: str | os.PathLike | None = None
    ) -> None:
        self.handler_path = handler_path
        self.jobs = max(1, jobs)
        self.timeout = timeout
        self.log_dir = os.fspath(log_dir) if log_dir is not None else None
        self.ident = f"{os.getpid()}-{next(_POOL_NUMBERS)}"
        self.log_prefix = f"{LOG_PREFIX}{self.ident}-"
        self._ctx = mp.get_context("spawn")
        self._workers: list[_Worker | None] = [None] * self.jobs
        self._started: set[_Worker] = set()  # every live worker, in a slot or still starting
        self._closings = 0  # how many times `close` ran: a run in flight stops when it changes (still reusable)
        self._lock = threading.Lock()
        self._workers_lock = threading.Lock()
        _OPEN_POOLS.add(self)

    def _new_worker(self) -> _Worker:
        with self._workers_lock:
            worker = _Worker(self._ctx, self.handler_path, self.log_dir, self.log_prefix)
            self._started.add(worker)
            _OPEN_POOLS.add(self)
        try:
            worker.wait_ready()
        except BaseException:
            self._retire(worker)
            raise
        return worker

    def _retire(self, worker: _Worker) -> None:
        with self._workers_lock:
            self._started.discard(worker)
        worker.close()

    def _slot_run(self, slot: int, task: Any) -> Any:
        worker = self._workers[slot]
        if worker is None:
            worker = self._workers[slot] = self._new_worker()
        result, usable = worker.run(task, self.timeout)
        if not usable:
            self._workers[slot] = None
            self._retire(worker)
        return result

    def run(self, tasks: Sequence[Any], on_result: Callable[[int, Any], None]) -> None:
        """Run tasks on all workers; `on_result(index, result)` in this thread as each finishes (completion
        order), so a caller can store it at once. The method names and delivery are `parallel.Executor`'s;
        the function is the pool's handler, and a crash, hang or exception is a WorkerFailure result."""
        for i, result in self._completions(tasks):
            on_result(i, result)

    def imap(self, tasks: Iterable[Any], on_result: Callable[[int, Any], None] | None = None) -> Iterator[Any]:
        """Run tasks on all workers; yield results in task order (on_result sees them as they finish)."""
        ready: dict[int, Any] = {}
        next_index = 0
        for i, result in self._completions(tasks):
            if on_result is not None:
                on_result(i, result)
            ready[i] = result
            while next_index in ready:
                yield ready.pop(next_index)
                next_index += 1

    def _completions(self, tasks: Iterable[Any]) -> Iterator[tuple[int, Any]]:
        """(index, result) in completion order, in the caller's thread; one driver thread per worker slot."""
        task_list = list(tasks)
        finished: queue.Queue[tuple[int, Any]] = queue.Queue()
        pending: queue.Queue[int] = queue.Queue()
        for i in range(len(task_list)):
            pending.put(i)
        run = self._closings

        def closed() -> bool:
            return self._closings != run

        def drive(slot: int) -> None:
            while not closed():
                try:
                    i = pending.get_nowait()
                except queue.Empty:
                    return
                try:
                    result = self._slot_run(slot, task_list[i])
                except Exception as exc:
                    result = WorkerFailure("error", f"{type(exc).__name__}: {exc}")
                if closed():  # closed under us (Ctrl-C): what the killed worker "returned" is not a result
                    return
                finished.put((i, result))

        with self._lock:
            threads = [
                threading.Thread(target=drive, args=(s,), daemon=True) for s in range(min(self.jobs, len(task_list)))
            ]
        for t in threads:
            t.start()
        for _ in range(len(task_list)):
            while True:
                if closed():
                    raise RuntimeError("the worker pool was closed while tasks were running")
                try:
                    item = finished.get(timeout=1.0)
                except queue.Empty:
                    continue
                break
            if closed():
                raise RuntimeError("the worker pool was closed while tasks were running")
            yield item
        for t in threads:
            t.join()

    def map(self, tasks: Iterable[Any]) -> list[Any]:
        return list(self.imap(tasks))

    def close(self) -> None:
        """Stop every worker and remove its log (safe to call twice, and while tasks are in flight)."""
        with self._workers_lock:
            self._closings += 1
            workers, self._started = list(self._started), set()
            self._workers = [None] * self.jobs
        for worker in workers:
            worker.close()
        _OPEN_POOLS.discard(self)

    def __enter__(self) -> IsolatedPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@atexit.register
def _close_open_pools() -> None:
    """Pools never closed (no `with`, an exit mid-run): stop their workers and remove their logs."""
    for pool in list(_OPEN_POOLS):
        with contextlib.suppress(Exception):
            pool.close()
