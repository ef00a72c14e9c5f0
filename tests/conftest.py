"""Shared fixtures: the built-in programs compiled once per session, and both evaluators."""

from __future__ import annotations

import os
import signal
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


TINY_CORPUS = [
    "[INST] Tell me how to optimize this LLVM-IR for object file size:\n\n<code>{ir}</code> [/INST]",
    "[INST] Disassemble this code to LLVM-IR:\n\n<code>{asm}</code> [/INST]",
    "[INST] Give the LLVM-IR for the following code when optimized using opt -p '{passes}':\n\n<code>{ir}</code>"
    "\n\nThe input code has instruction count {n} and binary size {b} bytes. [/INST]",
    "; ModuleID = 'add.c'\nsource_filename = \"add.c\"\n"
    "define dso_local i32 @add(i32 noundef %a, i32 noundef %b) #0 {\nentry:\n"
    "  %a.addr = alloca i32, align 4\n  store i32 %a, ptr %a.addr, align 4\n"
    "  %0 = load i32, ptr %a.addr, align 4\n  %add = add nsw i32 %0, %b\n  ret i32 %add\n}\n"
    "attributes #0 = { minsize noinline nounwind optsize uwtable }\n",
    "define i64 @sum(ptr %p, i64 %n) {\nentry:\n  br label %loop\nloop:\n"
    "  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]\n  %acc = phi i64 [ 0, %entry ], [ %acc.next, %loop ]\n"
    "  %gep = getelementptr inbounds i64, ptr %p, i64 %i\n  %v = load i64, ptr %gep, align 8\n"
    "  %acc.next = add i64 %acc, %v\n  %i.next = add nuw i64 %i, 1\n  %done = icmp eq i64 %i.next, %n\n"
    "  br i1 %done, label %exit, label %loop\nexit:\n  ret i64 %acc.next\n}\n",
    "add:\n\tleal\t(%rdi,%rsi), %eax\n\tretq\nsum:\n\txorl\t%eax, %eax\n\ttestq\t%rsi, %rsi\n\tje\t.LBB1_2\n"
    ".LBB1_1:\n\taddq\t(%rdi), %rax\n\taddq\t$8, %rdi\n\tdecq\t%rsi\n\tjne\t.LBB1_1\n.LBB1_2:\n\tretq\n",
    "Binary size: 42 bytes\nopt -p 'module(default<Oz>)'\n-passes=instcombine,simplifycfg,mem2reg,sroa,gvn,licm\n"
    "module(function(instcombine<no-verify-fixpoint>),globaldce,strip-dead-prototypes)",
]


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A tiny random transformers model (Llama shape, byte-level BPE trained on IR/assembly-like text, context
    4096) saved to a directory: load it with `load_model(f"hf:{dir}")`. Shared by the whole session, so a test
    that changes it (`tests.tiny_model.teach` trains in place) must work on a copy (shutil.copytree)."""
    from .tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"), TINY_CORPUS)


@pytest.fixture
def python_handles_sigint():
    """`_thread.interrupt_main()` (a Ctrl-C simulated in the test process) does nothing unless Python's own SIGINT
    handler is installed, and Python leaves SIGINT ignored when it starts ignored (a suite run as a background job
    of a script: `pytest ... &`). Each test that simulates Ctrl-C starts from Python's handler, and the session
    gets back what it had."""
    saved = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, saved)
