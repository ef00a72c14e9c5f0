"""The isolated worker pool: order kept, a crash or hang costs exactly one task."""

from __future__ import annotations

from compilerlm.toolchain.workers import IsolatedPool, WorkerFailure


def test_results_in_order_and_failures_isolated():
    tasks = [("echo", 1), ("abort", 0), ("echo", 2), ("sleep", 5), ("echo", 3), ("raise", 0)]
    with IsolatedPool("tests.worker_handlers:handle", jobs=2, timeout=1.0) as pool:
        results = pool.map(tasks)
    assert results[0] == 1 and results[2] == 2 and results[4] == 3
    assert isinstance(results[1], WorkerFailure) and results[1].kind == "crash"
    assert "SIGABRT" in results[1].message and "about to abort" in results[1].message
    assert isinstance(results[3], WorkerFailure) and results[3].kind == "timeout"
    assert isinstance(results[5], WorkerFailure) and results[5].kind == "error" and "boom" in results[5].message
