"""clang's frontend in process (the warm cc server's): for every command cc gives it, the very IR, dependency file,
diagnostics and exit code of the clang process, and no clang process started."""

from __future__ import annotations

import os
import resource
import subprocess
from pathlib import Path

import pytest

from compilerlm.programs.suites import resolve_target
from compilerlm.toolchain.frontend import FRONTEND_FLAGS, pinned_env
from compilerlm.toolchain.inprocess_frontend import clang_in_process
from compilerlm.toolchain.locate import llvm_tool


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    for key, value in pinned_env().items():  # what cc's server child sets before compiling
        monkeypatch.setenv(key, value)


def command(*args: str) -> list[str]:
    return [llvm_tool("clang"), "-Oz", *FRONTEND_FLAGS, *args, "-o", "-"]


def both(cmd: list[str], cwd: Path | None = None) -> tuple[subprocess.CompletedProcess[bytes], ...]:
    here = os.getcwd()
    os.chdir(cwd or here)
    try:
        inside = clang_in_process(cmd)
    finally:
        os.chdir(here)
    assert inside is not None
    return inside, subprocess.run(cmd, capture_output=True, cwd=cwd, env=pinned_env())


@pytest.mark.parametrize("debug", [(), ("-g",)])
def test_the_ir_is_the_clang_process_s_byte_for_byte(debug):
    for step in resolve_target("builtin:stack_vm")[0].compile_steps():
        inside, process = both(command(*debug, *step.flags, str(step.source)))
        assert inside.returncode == process.returncode == 0, inside.stderr
        assert inside.stdout == process.stdout and inside.stdout.startswith(b"; ModuleID"), step.name


def test_the_dependency_file_and_build_time_are_the_clang_process_s(tmp_path):
    (tmp_path / "h.h").write_text('#define WHEN __DATE__ " " __TIME__\n')
    (tmp_path / "u.c").write_text('#include "h.h"\nconst char *when(void) { return WHEN; }\n')
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        inside = clang_in_process(command("-MD", "-MF", "in.d", "-MT", "u.o", "u.c"))
    finally:
        os.chdir(here)
    process = subprocess.run(command("-MD", "-MF", "out.d", "-MT", "u.o", "u.c"), capture_output=True, cwd=tmp_path)
    assert inside is not None and inside.stdout == process.stdout
    assert b"Jan  1 1970" in inside.stdout  # SOURCE_DATE_EPOCH=0 reached the driver
    assert (tmp_path / "in.d").read_text() == (tmp_path / "out.d").read_text() != ""


@pytest.mark.parametrize(
    "source, flags",
    [
        ("int f(void) { return undeclared; }\n", ()),  # an error
        ("int f(int x) { if (x = 1) return 2; return 0; }\n", ("-Wall",)),  # a warning: exit 0, the IR
        ("int f(void) { return 0; }\n", ("-fno-such-option",)),  # the driver's error
    ],
)
def test_diagnostics_and_exit_codes_are_the_clang_process_s(tmp_path, source, flags):
    (tmp_path / "u.c").write_text(source)
    inside, process = both(command(*flags, "u.c"), cwd=tmp_path)
    assert (inside.returncode, inside.stdout, inside.stderr) == (process.returncode, process.stdout, process.stderr)
    assert inside.stderr  # each case says something


def test_no_clang_process_is_started(tmp_path):
    source = resolve_target("builtin:lisp")[0].compile_steps()[0].source
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    inside = clang_in_process(command(str(source)))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert inside is not None and inside.returncode == 0 and b"define" in inside.stdout
    assert (after.ru_utime, after.ru_stime) == (before.ru_utime, before.ru_stime)  # no child of this process ended


def test_what_only_the_driver_answers_is_left_to_a_clang_process():
    assert clang_in_process([llvm_tool("clang"), "-###", "-c", "x.c"]) is None
    assert clang_in_process([llvm_tool("clang"), "-print-resource-dir"]) is None
    assert clang_in_process(command("-mllvm", "-inline-threshold=0", "x.c")) is None  # LLVM's options are global
