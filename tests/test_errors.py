"""Bad input gives a clear failure with the reason; an LLVM abort or hang costs one evaluation, not the run."""

from __future__ import annotations

from pathlib import Path

import pytest

from compilerlm.errors import CompileError, PipelineError
from compilerlm.toolchain.evaluator import InProcessEvaluator
from compilerlm.toolchain.frontend import compile_c, load_ir
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.pipelines import normalize, split_top_level


def test_invalid_c_names_the_error(tmp_path):
    bad = tmp_path / "bad.c"
    bad.write_text("int main(void) { return undeclared_thing; }\n")
    with pytest.raises(CompileError, match=r"invalid C in .*bad.c.*undeclared_thing"):
        compile_c(bad, "bad.c")


def test_invalid_ir_names_the_line(tmp_path):
    bad = tmp_path / "bad.ll"
    bad.write_text("define i32 @f() {\n  ret i64 0\n}\n")
    with pytest.raises(CompileError, match=r"invalid LLVM IR in .*bad.ll.*2:"):
        load_ir(bad)


def test_invalid_ir_is_a_recorded_failure_on_both_paths(inprocess, subprocess_ev):
    module = IRModule("broken", "define i32 @f() {\n  ret i64 0\n}\n")
    for ev in (inprocess, subprocess_ev):
        result = ev.evaluate(module, "default<Oz>")
        assert result.error_kind == "invalid-ir", (ev.name, result)
        with pytest.raises(CompileError):
            result.raise_for_error("broken")


@pytest.mark.parametrize(
    ("pipeline", "message"),
    [("mem2reg,no-such-pass", "no-such-pass"), ("mem2reg,,dce", "empty pass name"), ("loop-mssa(licm", "unclosed")],
)
def test_bad_pipelines_name_the_problem(modules, inprocess, subprocess_ev, pipeline, message):
    for ev in (inprocess, subprocess_ev):
        result = ev.evaluate(modules[0], pipeline)
        assert result.error_kind == "pipeline", (ev.name, result)
        assert message in result.error


def test_normalize_accepts_common_spellings():
    assert normalize("opt -passes='mem2reg, dce'") == "mem2reg,dce"
    assert normalize("-passes=a,b") == "a,b"
    with pytest.raises(PipelineError, match="commas"):
        normalize("mem2reg dce")
    assert split_top_level("a,b(c,d),e<x;y>") == ["a", "b(c,d)", "e<x;y>"]


def test_llvm_abort_is_contained_and_reported(modules, inprocess, subprocess_ev):
    # A bare function-level licm aborts inside LLVM ("LICM requires MemorySSA"): the worker dies, the
    # evaluation records why, and the next evaluation on the same evaluator works.
    for ev in (inprocess, subprocess_ev):
        crashed = ev.evaluate(modules[0], "function(licm)")
        assert crashed.error_kind == "crash", (ev.name, crashed)
        assert "LICM requires MemorySSA" in crashed.error
        after = ev.evaluate(modules[0], "default<Oz>")
        assert after.ok, after


def test_hang_is_a_timeout_not_a_stuck_run(modules):
    big = max(modules, key=lambda m: len(m.ir))
    with InProcessEvaluator(jobs=1, timeout=0.05) as ev:
        results = ev.evaluate_many([(big, "default<O3>,default<O3>"), (big, "")])
    assert results[0].error_kind == "timeout"
    assert "timed out" in results[0].error


def test_missing_llvm_gives_install_hint(monkeypatch, tmp_path):
    from compilerlm.errors import ToolMissingError
    from compilerlm.toolchain import locate

    locate.llvm_bin_dir.cache_clear()
    monkeypatch.setenv("COMPILERLM_LLVM_BIN", str(tmp_path))
    try:
        with pytest.raises(ToolMissingError, match="apt-get install clang-19 llvm-19"):
            locate.llvm_tool("opt")
    finally:
        monkeypatch.delenv("COMPILERLM_LLVM_BIN")
        locate.llvm_bin_dir.cache_clear()


def test_empty_c_file_is_a_valid_empty_module(tmp_path, inprocess):
    empty = tmp_path / "empty.c"
    empty.write_text("")
    module = compile_c(empty, "empty.c")
    result = inprocess.evaluate(module, "default<Oz>")
    assert result.ok and result.size == 0


def test_cli_errors_are_one_line_with_nonzero_exit(cli, tmp_path):
    bad = Path(tmp_path) / "bad.c"
    bad.write_text("int main(void) { return x; }\n")
    for args, needle in [
        ((str(bad),), "invalid C"),
        (("builtin:nbody", "--pipeline", "mem2reg,bogus-pass"), "bogus-pass"),
        (("no/such/target",), "unknown target"),
        (("builtin:no_such_program",), "no built-in program"),
        (("csmith:abc",), "bad suite spec"),
    ]:
        res = cli("size", *args)
        assert res.returncode == 1, (args, res.stdout, res.stderr)
        lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and needle in lines[0], (args, res.stderr)
