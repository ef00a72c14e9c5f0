"""Bad input gives a clear failure with the reason; an LLVM abort or hang costs one evaluation, not the run."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
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
    assert normalize("-passes=globalopt,function(dce)") == "globalopt,function(dce)"
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


# ---------------------------------------------------------------- interrupted runs, output paths, stores


def _one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def _rows(store: Path) -> int:
    """Rows in a compilerlm store (0 while the run that writes it has not created its tables yet)."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(store)) as db:
        try:
            return sum(
                db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("evaluations", "results", "records")
            )
        except sqlite3.OperationalError:
            return 0


def _start_cli(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "compilerlm.cli", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


def _wait_for(condition, proc: subprocess.Popen[str], timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"exited early ({proc.returncode}): {proc.communicate()}"
        assert time.monotonic() < deadline, "timed out waiting for the run to make progress"
        time.sleep(0.2)


def _worker_logs(folder: Path) -> list[Path]:
    return sorted(folder.glob("compilerlm-worker-*.log"))


@pytest.mark.slow
def test_ctrl_c_in_tune_exits_130_says_what_was_kept_and_rerun_resumes(cli, tmp_path):
    store = tmp_path / "s.sqlite"
    tmp = tmp_path / "tmp"  # TMPDIR of the run: its worker logs land here, nowhere else
    tmp.mkdir()
    args = ("tune", "builtin:mandelbrot", "--budget", "150", "-j", "2", "--store", "s.sqlite", "--json", "t.json")
    proc = _start_cli(tmp_path, *args, env={"TMPDIR": str(tmp)})
    try:
        _wait_for(lambda: store.exists() and _rows(store) > 0, proc)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, (out, err)
    line = _one_line(err)
    found = re.fullmatch(
        r"interrupted: (\d+) results kept in s\.sqlite \(.*\); run the same command again with --store s\.sqlite "
        r"to resume",
        line,
    )
    assert found, line
    kept = _rows(store)
    assert int(found.group(1)) == kept > 0
    assert not (tmp_path / "t.json").exists()
    assert _worker_logs(tmp) == []
    # the same command again: it reads back what the first run kept instead of compiling it
    cli(*args, check=True)
    summary = json.loads((tmp_path / "t.json").read_text())["summary"]
    assert summary["compiled_total"] <= summary["evaluations_total"] - kept, summary
    assert _rows(store) > kept


@pytest.mark.slow
def test_sigterm_removes_the_worker_logs(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = _start_cli(tmp_path, "tune", "builtin:mandelbrot", "--budget", "100000", "-j", "2", env={"TMPDIR": str(tmp)})
    try:
        _wait_for(lambda: len(_worker_logs(tmp)) == 2, proc)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 143, (out, err)
    assert "nothing was kept (no --store)" in _one_line(err)
    assert _worker_logs(tmp) == []


def test_pool_removes_its_logs_when_closed_and_on_ctrl_c(tmp_path, python_handles_sigint):
    import _thread
    import threading

    from compilerlm.toolchain.workers import IsolatedPool

    with IsolatedPool("tests.worker_handlers:handle", jobs=2, timeout=30.0, log_dir=tmp_path) as pool:
        assert pool.map([("echo", 1), ("echo", 2)]) == [1, 2]
        logs = list(tmp_path.glob(f"{pool.log_prefix}*.log"))
        assert len(logs) == 2 and all(pool.ident in p.name for p in logs)
    assert list(tmp_path.glob(f"{pool.log_prefix}*")) == []

    started = time.monotonic()
    with (
        pytest.raises(KeyboardInterrupt),
        IsolatedPool("tests.worker_handlers:handle", jobs=1, timeout=60.0, log_dir=tmp_path) as pool,
    ):
        threading.Timer(1.0, _thread.interrupt_main).start()
        pool.map([("sleep", 30)])
    assert time.monotonic() - started < 20  # the busy worker was stopped, not waited for
    assert list(tmp_path.glob(f"{pool.log_prefix}*")) == []


def test_output_paths_are_checked_before_any_work(cli, tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "file.txt").write_text("keep me\n")
    cases = [
        (("size", "builtin:nbody", "--json", "folder"), "--json folder is a folder"),
        (("tune", "builtin:nbody", "--store", "s.sqlite", "--json", "folder"), "--json folder is a folder"),
        (("tune", "builtin:nbody", "--store", "s.sqlite", "--json", "missing/t.json"), "does not exist"),
        (("tune", "builtin:nbody", "--store", "s.sqlite", "--out", "file.txt"), "--out file.txt is an existing file"),
        (("tune", "builtin:nbody", "--store", "s.sqlite", "--export-library", "folder"), "is a folder"),
        (("asm", "builtin:nbody", "--store", "s.sqlite", "--json", "missing/a.json"), "does not exist"),
        (("eval", "asm", "--store", "s.sqlite", "--report", "file.txt"), "--report file.txt is an existing file"),
        (("eval", "flags", "--model", "hf:none", "--store", "s.sqlite", "--json", "folder"), "is a folder"),
        (("report", "t.json", "--out", "file.txt"), "--out file.txt is an existing file"),
        (("data", "disasm", "--suite", "builtin:nbody", "--out", "file.txt"), "--out file.txt is an existing file"),
        (("tune", "builtin:nbody", "--store", "folder"), "--store folder is a folder"),
    ]
    for args, needle in cases:
        res = cli(*args)
        assert res.returncode == 1, (args, res.stdout, res.stderr)
        assert needle in _one_line(res.stderr), (args, res.stderr)
        assert not (tmp_path / "s.sqlite").exists(), args  # refused before the store was even opened
    assert (tmp_path / "file.txt").read_text() == "keep me\n"


def test_eval_options_are_checked_before_any_work(cli, tmp_path):
    """The shared options against the task (a size-track task needs a model; asm does not) and a task's own."""
    cases = [
        (("eval", "flags", "--store", "s.sqlite"), "eval flags needs a model: give --model SPEC"),
        (("eval", "emulate", "--model", "hf:none", "--per-module", "0", "--store", "s.sqlite"), "--per-module"),
        (("eval", "asm", "--preset", "fast", "--store", "s.sqlite"), "unknown --preset 'fast'"),
        (("eval", "asm", "--protocol", "hyperfine", "--store", "s.sqlite"), "unknown --protocol 'hyperfine'"),
        (("eval", "asm", "--compilers", "none", "--store", "s.sqlite"), "nothing makes candidates"),
        (("eval", "flags", "--per-module", "2"), "No such option: --per-module"),
    ]
    for args, needle in cases:
        res = cli(*args)
        assert res.returncode != 0 and needle in res.stderr, (args, res.stderr)
        assert "Traceback" not in res.stderr, args
        assert not (tmp_path / "s.sqlite").exists(), args  # refused before the store was even opened


def test_jobs_below_one_is_a_one_line_error(cli):
    for args in [
        ("size", "builtin:nbody", "--jobs", "0"),
        ("size", "builtin:nbody", "--jobs", "-3"),
        ("eval", "flags", "--model", "hf:none", "--jobs", "0"),
        ("tune", "builtin:nbody", "-j", "0"),
        ("eval", "asm", "-j", "0"),
        ("data", "disasm", "--suite", "builtin:nbody", "--out", "d", "--jobs", "0"),
    ]:
        res = cli(*args)
        assert res.returncode == 1, (args, res.stderr)
        assert "--jobs must be at least 1" in _one_line(res.stderr), (args, res.stderr)


def test_store_of_another_version_or_program_is_refused_and_left_unchanged(cli, tmp_path):
    import sqlite3

    from compilerlm.store import SCHEMA_VERSION, Store

    def make(name: str, script: str) -> Path:
        with contextlib.closing(sqlite3.connect(tmp_path / name)) as db:
            db.executescript(script)
        return tmp_path / name

    foreign = make("app.sqlite", "CREATE TABLE users (id INTEGER, name TEXT); INSERT INTO users VALUES (1, 'a');")
    newer = make("newer.sqlite", "CREATE TABLE records (kind TEXT, key TEXT, data TEXT); PRAGMA user_version = 99;")
    older = make("older.sqlite", "CREATE TABLE results (run_key TEXT, module TEXT, result TEXT);")  # no 'data'
    for path, needle in [
        (foreign, "SQLite database of something else (tables: users), not a compilerlm store"),
        (newer, "schema version 99"),
        (older, "schema version 0"),
    ]:
        before = path.read_bytes()
        res = cli("tune", "builtin:nbody", "--budget", "1", "--store", path.name)
        assert res.returncode == 1, (path, res.stderr)
        line = _one_line(res.stderr)
        assert needle in line and "new --store path" in line, line
        assert path.read_bytes() == before
    # a new store records its version; a store of this schema written before versions were recorded is adopted
    Store(tmp_path / "new.sqlite").close()
    legacy = make("legacy.sqlite", "CREATE TABLE results (run_key TEXT, module TEXT, data TEXT);")
    Store(legacy).close()
    for path in (tmp_path / "new.sqlite", legacy):
        with contextlib.closing(sqlite3.connect(path)) as db:
            assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


@pytest.mark.slow
def test_full_disk_says_so_and_keeps_what_was_written(cli, tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(small)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.decode().strip()}")
    try:
        res = cli("tune", "builtin:mandelbrot", "--budget", "100000", "-j", "2", "--store", "small/s.sqlite")
        copy = tmp_path / "copy"
        shutil.copytree(small, copy)  # read it where there is room (opening a WAL store writes its -shm file)
    finally:
        subprocess.run(["umount", str(small)], check=True)
    assert res.returncode == 1, (res.stdout, res.stderr)
    line = _one_line(res.stderr)
    assert "small/s.sqlite is full" in line and "run the same command again" in line, line
    kept = _rows(copy / "s.sqlite")
    assert kept > 0 and f"the {kept} results written before are kept" in line, (kept, line)


def _broken_program(folder: Path) -> Path:
    """A correct C program whose expected outputs are wrong: its tests fail whatever the pipeline."""
    (folder / "tests").mkdir(parents=True)
    (folder / "main.c").write_text(
        '#include <stdio.h>\nint main(void) {\n  long n, s = 0;\n  if (scanf("%ld", &n) != 1) return 1;\n'
        '  for (long i = 1; i <= n; i++) s += i * i;\n  printf("%ld\\n", s);\n  return 0;\n}\n'
    )
    for name, stdin, expected in (("1", "10\n", "42\n"), ("2", "3\n", "14\n")):
        (folder / "tests" / f"{name}.in").write_text(stdin)
        (folder / "tests" / f"{name}.out").write_text(expected)
    return folder


def test_tune_says_when_the_programs_own_tests_fail_at_the_baseline(cli, tmp_path):
    _broken_program(tmp_path / "broken")
    res = cli("tune", "broken", "--budget", "5", "--json", "t.json")
    assert res.returncode == 1, (res.stdout, res.stderr)
    line = _one_line(res.stderr)
    assert "the program's own tests fail at the baseline build: broken: test 1: wrong output" in line, line
    assert "miscompile" not in res.stdout + res.stderr
    assert cli("tune", "broken", "--budget", "5", "--no-verify").returncode == 0  # nothing to check: it runs


def test_tune_program_blames_no_pipeline_when_the_baseline_fails(tmp_path, inprocess):
    from compilerlm.programs.suites import resolve_target
    from compilerlm.search.tune import TuneConfig, tune_program

    [program] = resolve_target(str(_broken_program(tmp_path / "broken")))
    [result] = tune_program(program, program.modules(), None, TuneConfig(strategy="random", budget=20), inprocess)
    assert result.miscompiles == [] and result.pipeline == "default<Oz>" and result.source == "Oz"
    assert not result.verified and result.verification == "test 1: wrong output"


def test_asm_on_a_program_whose_baseline_fails_its_tests_exits_nonzero(cli, tmp_path):
    _broken_program(tmp_path / "broken")
    res = cli("asm", "broken", "--compilers", "gcc -O2", "--runs", "2", "--json", "a.json")
    assert res.returncode == 1, (res.stdout, res.stderr)
    assert "broken: the gcc -O3 assembly (the baseline) fails its own test 1" in _one_line(res.stderr)
    (row,) = json.loads((tmp_path / "a.json").read_text())["programs"]  # the record is written all the same
    assert row["source"] == "baseline" and "fails its own test" in row["error"]


def test_csmith_leaves_no_platform_info_in_the_working_directory(cli, tmp_path, monkeypatch):
    cache = tmp_path / "cache"  # a fresh cache: csmith must really run
    monkeypatch.setenv("COMPILERLM_CACHE", str(cache))
    cli("size", "csmith:1", "--evaluator", "subprocess", "--jobs", "1", check=True)
    assert (cache / "csmith" / "seed1.c").exists()
    assert not (tmp_path / "platform.info").exists()
    assert not (cache / "csmith" / "platform.info").exists()


def test_usage_errors_are_short_with_exit_code_2(cli):
    """No command, an unknown command, a group without its subcommand: click's usage message, no traceback."""
    for args, needle in [((), "Usage"), (("nosuch",), "No such command"), (("eval",), "Missing command")]:
        res = cli(*args)
        assert res.returncode == 2, (args, res.stderr)
        assert needle in res.stdout + res.stderr and "Traceback" not in res.stderr, (args, res.stderr)
