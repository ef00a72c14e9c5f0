"""Programs and suites: the built-in suite meets its brief, and every kind of TARGET loads."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from compilerlm.errors import CompilerLMError
from compilerlm.programs.suites import BUILTIN_DIR, builtin_programs, resolve_target
from compilerlm.programs.testing import run_tests
from compilerlm.toolchain.locate import llvm_tool

DATA = Path(__file__).parent / "data"


def test_builtin_suite_meets_the_brief():
    programs = builtin_programs()
    assert len(programs) >= 40
    assert sum(len(p.sources) > 1 for p in programs) >= 5, "some programs must be multi-file"
    for p in programs:
        lines = sum(len(s.read_text().splitlines()) for s in p.sources)
        lines += sum(len(h.read_text().splitlines()) for h in p.root.glob("*.h"))
        assert 50 <= lines <= 2000, (p.name, lines)
        assert len(p.tests) >= 5, p.name
        assert p.description, p.name
        assert all(t.expected for t in p.tests), p.name


def _build_o0(program, exe: Path) -> None:
    cmd = [
        llvm_tool("clang"),
        "-O0",
        "-w",
        *program.flags,
        *map(str, program.sources),
        "-o",
        str(exe),
        *program.ldflags,
        "-lm",
    ]
    subprocess.run(cmd, check=True, capture_output=True)


@pytest.mark.slow
def test_expected_outputs_come_from_the_o0_build():
    for program in builtin_programs():
        with tempfile.TemporaryDirectory() as tmp:
            exe = Path(tmp) / "prog"
            _build_o0(program, exe)
            for run in run_tests(exe, program.tests):  # args, files, outputs and exit codes as declared
                assert run.passed, (program.name, run.test.name, run.status, run.detail)


def test_program_folder_and_dir_suite(tmp_path):
    prog = tmp_path / "suite" / "echoer"
    (prog / "tests").mkdir(parents=True)
    (prog / "main.c").write_text(
        '#include <stdio.h>\n#include "util.h"\n'
        "int main(void){int c;while((c=getchar())!=EOF)putchar(twice(c)/2);return 0;}\n"
    )
    (prog / "util.h").write_text("int twice(int x);\n")
    (prog / "util.c").write_text('#include "util.h"\nint twice(int x){return 2*x;}\n')
    (prog / "program.toml").write_text('description = "echo"\ndefines = ["UNUSED=1"]\n')
    (prog / "tests" / "1.in").write_text("hi\n")
    (prog / "tests" / "1.out").write_text("hi\n")
    programs = resolve_target(f"dir:{tmp_path / 'suite'}")
    assert [p.name for p in programs] == ["echoer"]
    p = programs[0]
    assert [s.name for s in p.sources] == ["main.c", "util.c"]
    assert p.tests[0].stdin == b"hi\n" and "-DUNUSED=1" in p.flags
    assert [m.name for m in p.modules()] == ["echoer/main.c", "echoer/util.c"]
    (prog / "tests" / "2.in").write_text("x")
    with pytest.raises(CompilerLMError, match=r"has no 2\.out"):
        resolve_target(str(prog))
    (prog / "program.toml").write_text("description = [unclosed")
    with pytest.raises(CompilerLMError, match=r"not valid TOML"):
        resolve_target(str(prog))


def test_folder_of_loose_c_files_and_single_files():
    programs = resolve_target(str(DATA / "cfiles"))
    assert sorted(p.name for p in programs) == ["calc.c", "crc.c", "matrix.c"]
    assert resolve_target(str(DATA / "cfiles" / "crc.c"))[0].modules()[0].name == "crc.c"


def test_builtin_by_name():
    assert [p.name for p in resolve_target("builtin:nbody")] == ["nbody"]
    with pytest.raises(CompilerLMError, match="no built-in program"):
        resolve_target("builtin:nope")


def test_csmith_programs_are_self_checking():
    if not shutil.which("csmith"):
        pytest.skip("csmith is not installed (make installs it)")
    programs = resolve_target("csmith:2:11")
    assert len(programs) == 2
    for p in programs:
        assert p.tests[0].expected.startswith(b"checksum = ")
        assert p.modules()[0].ir.startswith("; ModuleID")
    assert [p.name for p in resolve_target("csmith:2:11")] == [p.name for p in programs]  # seeds are stable


def test_llvm_stress_modules_evaluate(inprocess, subprocess_ev):
    programs = resolve_target("llvm-stress:3:5")
    modules = [m for p in programs for m in p.modules()]
    assert len(modules) == 3
    fast = inprocess.evaluate_many([(m, "default<Oz>") for m in modules])
    slow = subprocess_ev.evaluate_many([(m, "default<Oz>") for m in modules])
    assert [r.size for r in fast] == [r.size for r in slow]
    assert all(r.ok for r in fast)


@pytest.mark.parametrize("spec", ["csmith:0", "csmith:x", "llvm-stress:1:2:3", "dir:/no/such/dir"])
def test_bad_suite_specs(spec):
    with pytest.raises(CompilerLMError):
        resolve_target(spec)


def test_builtin_dir_is_packaged():
    assert (BUILTIN_DIR / "nbody" / "main.c").exists()
