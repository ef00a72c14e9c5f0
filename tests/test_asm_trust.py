"""What a speed-track result can be trusted for: a winner keeps its place when a secondary measurement fails,
a dataset row is timed against its own baseline (never a silent substitute), SuperCoder's protocol times in
its schedule on checked runs, weak checks are said, and results are reused across commands.

The program is tests/data/asm/squares (a loop gcc -O3 keeps; a closed form is far faster), so the winner is
known and far above timing noise."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from compilerlm.programs.program import Program, TestCase, load_program_dir
from compilerlm.programs.suites import resolve_target
from compilerlm.programs.supercoder import write_rows
from compilerlm.speed.config import AsmSearchConfig
from compilerlm.speed.optimize import optimize_program
from compilerlm.toolchain.locate import llvm_tool

SQUARES = Path(__file__).parent / "data" / "asm" / "squares"
FAST = ["--runs", "3", "--mutants", "2"]  # every test, mutants included, is timed: few keep it quick

# squares.c with a first line that is a no-op natively and an illegal instruction under valgrind
VALGRIND_TRAP = "#include <valgrind/valgrind.h>\n" + (SQUARES / "squares.c").read_text().replace(
    "int main(void) {\n", "int main(void) {\n    if (RUNNING_ON_VALGRIND)\n        __builtin_trap();\n", 1
)


def _assembly(c_code: str, tmp: Path, compiler: str, *flags: str) -> str:
    src = tmp / "cand.c"
    src.write_text(c_code)
    return subprocess.run(
        [compiler, *flags, "-S", src.name, "-o", "-"], cwd=tmp, capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.slow  # an asm run with a candidate that traps under valgrind
def test_winner_keeps_its_place_when_valgrind_cannot_count_it(cli, tmp_path, monkeypatch):
    """clang -O2 turns the loop into a closed form (far faster than gcc -O3), and this candidate traps under
    valgrind: counting fails, the winner and its timing stand, and the reason is in the JSON."""
    if not Path("/usr/include/valgrind/valgrind.h").is_file() or not shutil.which("valgrind"):
        pytest.skip("needs valgrind and its header (apt-get install valgrind)")
    monkeypatch.setenv("COMPILERLM_INSTRUCTIONS", "valgrind")
    monkeypatch.setenv("COMPILERLM_PROGRESS_EVERY", "0")
    trap = tmp_path / "trap.s"
    trap.write_text(_assembly(VALGRIND_TRAP, tmp_path, llvm_tool("clang"), "-O2", "-fno-integrated-as", "-fno-addrsig"))
    res = cli(
        "asm", str(SQUARES), "--compilers", "gcc -O2", "--candidate", str(trap), *FAST,
        "--out", "best.s", "--json", "out.json", check=True,
    )  # fmt: skip
    (row,) = json.loads((tmp_path / "out.json").read_text())["programs"]
    assert row["source"] == "given" and row["config"] == "trap.s", row
    assert row["speedup"] > 0 and row["speedup_ci"]  # timed, and kept
    assert row["instructions_ratio"] is None and "counting instructions" in row["instructions_error"]
    assert (tmp_path / "best.s").read_text() == trap.read_text()
    assert "asm: 1/1" in res.stderr  # not a terminal: progress comes as plain lines


def _released_row(c_code: str, shown: str, timed: str | None, tests: list[TestCase]) -> dict:
    """A row in the layout of SuperCoder's released dataset (its documented schema): the prompt's assembly fenced
    in `ground_truth`, the timed baseline in `unoptimized_assembly`, no hidden tests of its own."""
    question = f"Given the following C code and assembly code, ...\n```c\n{c_code}```\n```assembly\n{shown}```\n"
    extra = {
        "split": "val",
        "index": 7,
        "c_code": c_code,
        "question": question,
        "c_only_question": "Given the following C code, ...",
        "answer": f"```assembly\n{shown}```",
        "inputs": [t.stdin.decode() for t in tests],
        "outputs": [t.expected.decode() for t in tests],
    }
    if timed is not None:
        extra |= {"unoptimized_assembly": timed, "unoptimized_compiled": b"\x7fELF..."}
    return {
        "data_source": "supercoder",
        "prompt": [{"role": "user", "content": question}],
        "ability": "code",
        "reward_model": {"style": "rule", "ground_truth": f"```assembly\n{shown.rstrip()}```"},  # fence glued on
        "extra_info": extra,
    }


@pytest.mark.slow
def test_released_rows_are_timed_against_their_own_baseline_or_refused(tmp_path):
    program = load_program_dir(SQUARES)
    c_code = (SQUARES / "squares.c").read_text()
    o1, o2 = (_assembly(c_code, tmp_path, "gcc", level) for level in ("-O1", "-O2"))
    rows = [
        _released_row(c_code, o2, o1, list(program.tests)),  # SuperCoder times unoptimized_assembly: -O1 here
        _released_row(c_code, o2, None, list(program.tests)),  # only the prompt's (fenced) assembly
        _released_row(c_code, o2, "\tthis is not assembly\n", list(program.tests)),
    ]
    write_rows(rows, tmp_path / "rows.parquet")
    timed, shown_only, broken = resolve_target(f"supercoder:{tmp_path / 'rows.parquet'}")
    assert len(timed.tests) == len(program.tests)  # every test of the row is used
    config = AsmSearchConfig(compilers=("clang -O2",), runs=5, final_runs=5, instructions=False, mutants=2)
    out = optimize_program(timed, config)
    assert out.baseline_source == "dataset" and out.source == "compiler" and not out.error
    assert optimize_program(shown_only, config).baseline_source == "dataset"
    from compilerlm.speed.problem import prepare_problem

    assert prepare_problem(timed, tmp_path / "a", mutants=0).baseline_asm == o1
    assert prepare_problem(shown_only, tmp_path / "b", mutants=0).baseline_asm.strip() == o2.strip()
    refused = optimize_program(broken, config)  # never replaced by the local gcc -O3
    assert refused.source == "baseline" and "dataset row's own assembly (the baseline) does not build" in refused.error


@pytest.mark.slow
def test_supercoder_protocol_times_in_its_schedule_and_prints_both_tables(cli, tmp_path):
    suite = tmp_path / "suite"
    shutil.copytree(SQUARES, suite / "squares")
    shutil.copytree(SQUARES, suite / "squares2")
    (suite / "squares2" / "tests" / "4.in").unlink()
    (suite / "squares2" / "tests" / "4.out").unlink()
    res = cli(
        "eval", "asm", "--suite", f"dir:{suite}", "--compilers", "clang -O2", "--protocol", "supercoder",
        "--no-instructions", *FAST, "--json", "out.json", check=True,
    )  # fmt: skip
    assert "metric (compilerlm)" in res.stdout and "metric (SuperCoder)" in res.stdout
    doc = json.loads((tmp_path / "out.json").read_text())
    theirs = doc["summary"]["supercoder"]
    assert set(theirs) == {"compile_rate", "pass_rate", "speedup_mean", "speedup_median", "speedup_p25", "speedup_p75"}
    assert theirs["compile_rate"] == theirs["pass_rate"] == 1.0
    assert theirs["speedup_p25"] <= theirs["speedup_median"] <= theirs["speedup_p75"]
    for row in doc["rows"]:
        measured = row["supercoder"]
        unseen = row["tests"]["hidden"][0] + row["tests"]["mutant"][0]
        assert len(measured["tests"]) == unseen and not measured["error"]  # every unseen test, checked runs
        assert "checked runs" in measured["timer"]
        assert all(base > 0 and cand > 0 for base, cand in measured["tests"].values())
        assert measured["speedup"] >= 1.0  # clamped per test
    assert theirs["speedup_mean"] == pytest.approx(sum(r["supercoder"]["speedup"] for r in doc["rows"]) / 2)


@pytest.mark.slow  # two asm runs
def test_another_protocol_reuses_the_search_and_only_times(cli, tmp_path):
    """The protocol changes only the timing after the search: `--protocol supercoder` with the store of an earlier
    run reuses its search (the same candidates, timed as they were) and adds SuperCoder's timing; a run with the
    default protocol again shows ours alone."""
    args = ("asm", str(SQUARES), "--compilers", "clang -O2", "--no-instructions", *FAST, "--store", "s.sqlite")
    cli(*args, "--json", "ours.json", check=True)
    cli(*args, "--protocol", "supercoder", "--json", "theirs.json", check=True)
    cli(*args, "--json", "again.json", check=True)
    (ours,), (theirs,), (again,) = (
        json.loads((tmp_path / f).read_text())["programs"] for f in ("ours.json", "theirs.json", "again.json")
    )
    assert ours["source"] == "compiler"  # clang's closed form: a reported assembly to time
    assert theirs["candidates"] == ours["candidates"] and theirs["speedup"] == ours["speedup"]  # not searched again
    assert not ours["supercoder"] and theirs["supercoder"]["speedup"] >= 1.0 and not theirs["supercoder"]["error"]
    assert "checked runs" in theirs["supercoder"]["timer"]
    assert again["candidates"] == ours["candidates"] and not again["supercoder"]


def _silent_program(tmp_path: Path, expected: bytes) -> Program:
    src = tmp_path / "silent.c"
    body = f'fputs("{expected.decode()}", stdout);'
    src.write_text(f"#include <stdio.h>\nint main(void) {{ {body} return 0; }}\n")
    tests = (TestCase("1", b"", expected), TestCase("2", b"", expected))
    return Program(name="silent", sources=(src,), include_dirs=(str(tmp_path),), tests=tests)


def test_weak_checks_are_said_and_empty_expected_output_is_refused(tmp_path):
    config = AsmSearchConfig(compilers=("gcc -O2",), runs=2, final_runs=2, instructions=False, mutants=2)
    refused = optimize_program(_silent_program(tmp_path, b""), config)
    assert "every test expects empty output" in refused.error and "--allow-empty-output" in refused.error
    allowed = optimize_program(_silent_program(tmp_path, b""), replace(config, allow_empty_output=True))
    assert not allowed.error and any("expect empty output" in w for w in allowed.weak_checks)
    printing = optimize_program(_silent_program(tmp_path, b"hello"), config)  # reads no input at all
    assert not printing.error
    assert "every test runs the same input" in printing.weak_checks
    assert any(w.startswith("every test and mutant expects the same output") for w in printing.weak_checks)
    assert "1 visible test" in printing.weak_checks  # two tests: one shown, one hidden


@pytest.mark.slow  # eval asm then asm: the default suite stays under 15 minutes
def test_asm_reuses_what_eval_asm_stored_with_its_own_defaults(cli, tmp_path):
    suite = tmp_path / "suite"
    shutil.copytree(SQUARES, suite / "squares")
    common = ["--compilers", "clang -O2", "--no-instructions", *FAST, "--store", "s.sqlite"]
    cli("eval", "asm", "--suite", f"dir:{suite}", *common, "--json", "a.json", check=True)
    cli("asm", str(suite / "squares"), *common, "--json", "b.json", check=True)
    evaluated = json.loads((tmp_path / "a.json").read_text())["rows"]
    again = json.loads((tmp_path / "b.json").read_text())["programs"]
    assert again == [{k: v for k, v in r.items() if k != "resumed"} for r in evaluated]  # from the store
