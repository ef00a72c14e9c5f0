"""The one executor interface (threads, processes, Ray) and the one process helper, on real threads and processes."""

from __future__ import annotations

import _thread
import importlib.util
import os
import threading
import time
from pathlib import Path

import pytest

from compilerlm.errors import CompileError, CompilerLMError, ToolTimeout
from compilerlm.parallel import (
    Call,
    ProcessExecutor,
    RayExecutor,
    ThreadExecutor,
    make_executor,
    run_process,
)

BACKENDS = ["threads", "processes"]


def nap(seconds: float, value: str) -> str:  # module level: the processes backend pickles it by name
    time.sleep(seconds)
    return value


def fails(kind: str) -> str:
    if kind == "value":
        raise ValueError("bad input\nsecond line of detail")
    if kind == "compile":
        raise CompileError("x.c:1: error: expected ';'")
    return kind


def _group_gone(pgid: int, within: float = 5.0) -> bool:
    """No process left in group `pgid` (killed grandchildren are zombies until init reaps them: allow that)."""
    deadline = time.monotonic() + within
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def _wait_for_file(path: Path, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text().strip()):
        assert time.monotonic() < deadline, f"{path} never written"
        time.sleep(0.05)
    return int(path.read_text())


@pytest.mark.parametrize("backend", BACKENDS)
def test_results_are_delivered_as_each_item_finishes(backend):
    """A slow first item does not hold back the others: on_result sees them in completion order, in the
    caller's thread, while the slow one still runs."""
    calls = [Call("slow", (4.0, "slow")), Call("fast", (0.0, "fast")), Call("middle", (1.5, "middle"))]
    seen: list[tuple[int, str, float, bool]] = []
    caller = threading.get_ident()
    start = time.monotonic()
    make_executor(backend, jobs=3).run(
        nap, calls, lambda i, v: seen.append((i, v, time.monotonic() - start, threading.get_ident() == caller))
    )
    assert [(i, v) for i, v, _, _ in seen] == [(1, "fast"), (2, "middle"), (0, "slow")]
    assert all(in_caller for *_, in_caller in seen)
    assert seen[0][2] < seen[2][2] - 1.0  # the fast one arrived well before the slow one finished


@pytest.mark.parametrize("backend", BACKENDS)
def test_map_keeps_item_order(backend):
    executor = make_executor(backend, jobs=2)
    assert executor.map(fails, ["c", "a", "b", "d"]) == ["c", "a", "b", "d"]
    assert executor.map(fails, []) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_failing_item_is_one_line_naming_it(backend):
    executor = make_executor(backend, jobs=2)
    with pytest.raises(CompilerLMError) as info:
        executor.run(fails, [Call("ok", ("fine",)), Call("broken.c", ("value",))], lambda i, v: None)
    assert type(info.value) is CompilerLMError
    assert str(info.value) == "task for broken.c failed: ValueError: bad input"
    # the item's own CompilerLMError is already written for the user: it keeps its type and message
    with pytest.raises(CompileError) as own:
        executor.map(fails, ["fine", "compile"], names=["a", "b"])
    assert str(own.value) == "x.c:1: error: expected ';'"
    assert own.value.__notes__ == ["(in task for b)"]  # in tracebacks only


def test_one_job_runs_in_the_callers_thread_and_failures_read_the_same():
    caller = threading.get_ident()
    assert ThreadExecutor(1).map(lambda _: threading.get_ident(), [1, 2]) == [caller, caller]
    with pytest.raises(CompilerLMError, match=r"^task for #1 failed: ValueError: bad input$"):
        ThreadExecutor(1).map(fails, ["fine", "value"])


def test_a_failing_item_stops_the_processes_backend_without_waiting_for_the_rest():
    started = time.monotonic()
    with pytest.raises(CompilerLMError, match="task for broken failed"):
        ProcessExecutor(2).run(
            _nap_or_fail, [Call("sleeper", (60.0,)), Call("broken", (-1.0,))], lambda i, v: pytest.fail("delivered")
        )
    assert time.monotonic() - started < 30  # the worker still sleeping was stopped


def _nap_or_fail(seconds: float) -> float:
    if seconds < 0:
        raise RuntimeError("boom")
    time.sleep(seconds)
    return seconds


def test_unknown_backend_and_ray_without_address_are_one_line_errors():
    with pytest.raises(CompilerLMError, match="unknown executor backend 'gpu'"):
        make_executor("gpu")  # type: ignore[arg-type]
    with pytest.raises(CompilerLMError, match="needs an address"):
        make_executor("ray")


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray is not installed")
def test_ray_backend_delivers_and_names_a_failed_task():
    executor = RayExecutor("local")
    got: dict[int, str] = {}
    executor.run(fails, [Call("a", ("x",)), Call("b", ("y",))], got.__setitem__)
    assert got == {0: "x", 1: "y"}
    with pytest.raises(CompilerLMError) as info:
        executor.map(fails, ["value"], names=["broken.c"])
    message = str(info.value)
    assert message.startswith("Ray task for broken.c failed: ") and "bad input" in message
    assert "\n" not in message


def test_run_process_returns_output_and_exit_code():
    res = run_process(["/bin/sh", "-c", "cat; echo err >&2; exit 3"], input=b"in")
    assert (res.returncode, res.stdout, res.stderr) == (3, b"in", b"err\n")
    assert run_process(["/bin/cat"], text=True).stdout == ""  # stdin is /dev/null, not the terminal


def test_a_timeout_kills_the_childs_whole_group(tmp_path):
    """`sh` starts a background sleep and waits on another: both die with the group, nothing is left."""
    pidfile = tmp_path / "pid"
    started = time.monotonic()
    with pytest.raises(ToolTimeout, match=r"^sleepers timed out after 0\.5 s$"):
        run_process(["/bin/sh", "-c", f"echo $$ > {pidfile}; sleep 100 & sleep 100"], timeout=0.5, what="sleepers")
    assert time.monotonic() - started < 10
    pgid = int(pidfile.read_text())
    assert _group_gone(pgid)


def test_an_interrupt_kills_the_groups_the_threads_wait_on(tmp_path, python_handles_sigint):
    """Ctrl-C in the caller: no child is in the terminal's process group any more, so the threads backend
    kills their groups itself; the threads return at once and nothing is delivered."""
    files = [tmp_path / "a", tmp_path / "b"]
    calls = [Call(f.name, (["/bin/sh", "-c", f"echo $$ > {f}; sleep 100 & sleep 100"],)) for f in files]
    delivered: list[int] = []

    def interrupt_when_started() -> None:
        for f in files:
            _wait_for_file(f)
        _thread.interrupt_main()

    threading.Thread(target=interrupt_when_started, daemon=True).start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        ThreadExecutor(2).run(run_process, calls, lambda i, v: delivered.append(i))
    assert time.monotonic() - started < 20
    assert delivered == []
    assert all(_group_gone(int(f.read_text())) for f in files)
