"""Shared fixtures: the built-in programs compiled once per session, and both evaluators."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from compilerlm.programs.suites import builtin_programs
from compilerlm.toolchain.evaluator import InProcessEvaluator, SubprocessEvaluator
from compilerlm.toolchain.module import IRModule

JOBS = min(2, os.cpu_count() or 1)


@pytest.fixture(scope="session")
def programs():
    """The built-in suite (COMPILERLM_TEST_PROGRAMS=a,b narrows it for quick local runs)."""
    names = [n for n in os.environ.get("COMPILERLM_TEST_PROGRAMS", "").split(",") if n]
    return builtin_programs(names or None)


@pytest.fixture(scope="session")
def modules(programs) -> list[IRModule]:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(JOBS) as pool:
        return [m for mods in pool.map(lambda p: p.modules(), programs) for m in mods]


@pytest.fixture(scope="session")
def inprocess():
    with InProcessEvaluator(jobs=JOBS, timeout=120) as ev:
        yield ev


@pytest.fixture(scope="session")
def subprocess_ev():
    with SubprocessEvaluator(jobs=JOBS, timeout=120) as ev:
        yield ev


@pytest.fixture
def cli(tmp_path):
    """Run the real `compilerlm` command line in a subprocess; returns CompletedProcess (text)."""
    import subprocess

    def run(*args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        res = subprocess.run(
            [sys.executable, "-m", "compilerlm.cli", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=600,
            env={**os.environ, "COLUMNS": "200"},
        )
        if check and res.returncode != 0:
            raise AssertionError(f"compilerlm {' '.join(args)} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
        return res

    return run


SMALL_C = Path(__file__).parent / "data"
