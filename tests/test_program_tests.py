"""Tests as real programs are run: arguments, input files, stdin, output files, exit codes — declared in
program.toml, blessed from the -O0 build, and honoured by every consumer (tune verification, the speed track
with its mutants of input files). Real compilers, real sandbox."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from compilerlm.errors import CompilerLMError
from compilerlm.programs.program import TestCase, load_program_dir
from compilerlm.programs.testing import run_test, run_tests
from compilerlm.speed.mutants import mutated_inputs, mutated_tests

# upcase IN OUT [-n]: copies IN to OUT upper-cased (-n: also numbers the lines), prints a summary; a missing
# input is exit code 2 with a message; stdin, when given, is a prefix written before the file's text.
UPCASE = r"""
#include <ctype.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
    if (argc < 3) { printf("usage: upcase IN OUT [-n]\n"); return 1; }
    int number = argc > 3 && strcmp(argv[3], "-n") == 0;
    FILE *in = fopen(argv[1], "rb");
    if (!in) { printf("cannot open %s\n", argv[1]); return 2; }
    FILE *out = fopen(argv[2], "wb");
    if (!out) { fclose(in); return 3; }
    char prefix[256];
    size_t n = fread(prefix, 1, sizeof prefix, stdin);
    fwrite(prefix, 1, n, out);
    long chars = 0, lines = 0; int c, at_start = 1;
    while ((c = fgetc(in)) != EOF) {
        if (number && at_start) fprintf(out, "%ld: ", lines + 1);
        at_start = c == '\n';
        lines += at_start;
        fputc(toupper(c), out);
        chars++;
    }
    fclose(in); fclose(out);
    printf("%ld chars, %ld lines\n", chars, lines);
    return 0;
}
"""

TOML = """description = "upcase: args, input files, stdin, an output file, an exit code"

[[tests]]
name = "plain"
args = ["words.txt", "out.txt"]
files = ["data/words.txt"]
outputs = ["out.txt"]

[[tests]]
name = "numbered"
args = ["words.txt", "out.txt", "-n"]
stdin = "data/prefix.txt"
files = ["data/words.txt"]
outputs = ["out.txt"]

[[tests]]
name = "missing"
args = ["nothere.txt", "out.txt"]
exit_code = 2
timeout = 10
"""


def make_upcase(root: Path, toml: str = TOML) -> Path:
    root.mkdir(parents=True)
    (root / "main.c").write_text(UPCASE)
    (root / "data").mkdir()
    (root / "data" / "words.txt").write_text("alpha beta\ngamma 12\ndelta epsilon zeta\n" * 3)
    (root / "data" / "prefix.txt").write_text("# header\n")
    (root / "program.toml").write_text(toml)
    return root


def bless(folder: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "compilerlm.programs.bless", str(folder), *flags]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def build(folder: Path, out: Path, *extra: str) -> Path:
    subprocess.run(["gcc", "-O2", *extra, str(folder / "main.c"), "-o", str(out)], check=True)
    return out


@pytest.fixture(scope="module")
def upcase(tmp_path_factory) -> Path:
    folder = make_upcase(tmp_path_factory.mktemp("prog") / "upcase")
    done = bless(folder)
    assert done.returncode == 0, done.stdout + done.stderr  # a user's program: fewer than 5 tests is a warning
    assert "upcase: warning: only 3 test(s)" in done.stdout
    assert "-O3" not in done.stdout and "outside" not in done.stdout  # no timing advice unless asked
    return folder


def test_bless_writes_expected_stdout_and_output_files_from_the_O0_build(upcase):
    expected = (upcase / "data" / "words.txt").read_text().upper()
    assert (upcase / "tests" / "plain.out").read_text() == "117 chars, 9 lines\n"
    assert (upcase / "tests" / "plain.outputs" / "out.txt").read_text() == expected
    numbered = (upcase / "tests" / "numbered.outputs" / "out.txt").read_text()
    assert numbered.startswith("# header\n1: ALPHA BETA\n2: GAMMA 12\n")
    assert (upcase / "tests" / "missing.out").read_text() == "cannot open nothere.txt\n"
    assert not (upcase / "tests" / "missing.outputs").exists()  # it declares no output
    checked = bless(upcase, "--check")
    assert checked.returncode == 0 and "stale" not in checked.stdout and "differs" not in checked.stdout, checked
    (upcase / "tests" / "plain.outputs" / "out.txt").write_text("tampered\n")
    stale = bless(upcase, "--check")
    assert stale.returncode == 1
    assert "upcase/plain: expected tests/plain.outputs/out.txt missing or stale" in stale.stdout
    assert bless(upcase).stdout.count("bytes out") == 3  # re-blessed


def test_the_suite_minimum_and_timing_advice_are_asked_for(upcase):
    suite = bless(upcase, "--suite")
    assert suite.returncode == 1, suite.stdout + suite.stderr
    assert "upcase: only 3 tests (the built-in suite needs at least 5)" in suite.stdout
    assert suite.stdout.count("gcc -O3") == 3 and "clang -O3" in suite.stdout  # --suite implies --timing
    timing = bless(upcase, "--timing")
    assert timing.returncode == 0 and timing.stdout.count("gcc -O3") == 3 and "warning: only 3" in timing.stdout
    assert bless(upcase, "--check", "--suite").returncode == 1  # current, but still too few for the suite


def test_a_correct_binary_passes_and_each_way_of_being_wrong_is_named(upcase, tmp_path):
    program = load_program_dir(upcase)
    assert [t.name for t in program.tests] == ["plain", "numbered", "missing"]
    numbered = program.tests[1]
    assert numbered.args == ("words.txt", "out.txt", "-n") and numbered.stdin == b"# header\n"
    assert [name for name, _ in numbered.files] == ["words.txt"] and numbered.output_names == ("out.txt",)
    assert program.tests[2].exit_code == 2 and program.tests[2].timeout == 10.0

    good = build(upcase, tmp_path / "good")
    assert [r.status for r in run_tests(good, program.tests)] == ["ok", "ok", "ok"]

    source = (upcase / "main.c").read_text()
    variants = {
        "wrong-output-file": source.replace("fputc(toupper(c), out)", "fputc(c, out)"),
        "missing-output": source.replace('fopen(argv[2], "wb")', 'fopen("elsewhere.txt", "wb")'),
        "wrong-output": source.replace('"%ld chars, %ld lines\\n"', '"%ld chars; %ld lines\\n"'),
        "wrong-exit-code": source.replace("return 2;", "return 0;"),
    }
    for status, text in variants.items():
        (tmp_path / f"{status}.c").write_text(text)
        binary = tmp_path / status
        subprocess.run(["gcc", "-O2", str(tmp_path / f"{status}.c"), "-o", str(binary)], check=True)
        statuses = [r.status for r in run_tests(binary, program.tests)]
        assert status in statuses and "ok" in statuses, (status, statuses)


def test_declared_tests_refuse_bad_declarations_in_one_line(tmp_path):
    cases = {
        "names data/nothere.dat, which": 'files = ["data/nothere.dat"]',
        "unknown key(s) argv": 'argv = ["x"]',
        "must be a plain file name": 'outputs = ["../escape.txt"]',
        "'args' must be a list of strings": "args = [1, 2]",
        "'exit_code' must be an integer": "exit_code = -1",
        "is outside the program folder": 'stdin = "../../etc/passwd"',
    }
    for n, (message, line) in enumerate(cases.items()):
        folder = make_upcase(tmp_path / f"p{n}", f'[[tests]]\nname = "t"\n{line}\n')
        with pytest.raises(CompilerLMError) as err:
            load_program_dir(folder)
        text = str(err.value).replace("'data/nothere.dat' does not exist", "names data/nothere.dat, which")
        assert message in text and "\n" not in text, text
    folder = make_upcase(tmp_path / "dup", '[[tests]]\nname = "t"\n[[tests]]\nname = "t"\n')
    with pytest.raises(CompilerLMError, match="two tests are called 't'"):
        load_program_dir(folder)
    unblessed = load_program_dir(make_upcase(tmp_path / "fresh"))
    assert not unblessed.tests[0].blessed
    with pytest.raises(CompilerLMError, match=r"no expected output yet: run python -m compilerlm\.programs\.bless"):
        list(run_tests(build(tmp_path / "fresh", tmp_path / "fresh-bin"), unblessed.tests))


def test_mutants_vary_input_files_and_keep_stdin_only_tests_as_before(upcase):
    program = load_program_dir(upcase)
    mutants = mutated_tests(program.tests, 6, seed=3)
    assert len(mutants) == 6 and mutants == mutated_tests(program.tests, 6, seed=3)
    assert all(m.expected is None and not m.blessed for m in mutants)
    changed_files = [
        m
        for m in mutants
        if dict(m.files).get("words.txt", b"") != b"" and isinstance(dict(m.files)["words.txt"], bytes)
    ]
    assert changed_files and all(m.args in {t.args for t in program.tests} for m in mutants)
    classic = (TestCase("1", b"3 4\n", b"7\n"), TestCase("2", b"10 20\n", b"30\n"))
    assert [m.stdin for m in mutated_tests(classic, 5, seed=1)] == mutated_inputs([b"3 4\n", b"10 20\n"], 5, seed=1)


@pytest.mark.slow  # both tracks end to end: the default suite stays under 15 minutes
def test_tune_verifies_and_the_speed_track_checks_tests_with_args_and_files(upcase, tmp_path, cli):
    extra = '\n[[tests]]\nname = "extra{i}"\nargs = ["words.txt", "o{i}.txt"]\nfiles = ["data/words.txt"]\n'
    full = make_upcase(
        tmp_path / "upcase5", TOML + "".join(extra.format(i=i) + f'outputs = ["o{i}.txt"]\n' for i in range(2))
    )
    assert bless(full).returncode == 0
    out = tmp_path / "tune.json"
    done = cli("tune", str(full), "--budget", "5", "--json", str(out))
    assert done.returncode == 0, done.stderr
    [module] = json.loads(out.read_text())["modules"]
    assert module["verified"] is True

    from compilerlm.speed.judge import evaluate_candidate
    from compilerlm.speed.problem import prepare_problem

    program = load_program_dir(full)
    problem = prepare_problem(program, tmp_path / "problem", visible=3, mutants=6)
    assert problem.mutants and any(m.files for m in problem.mutants)  # the oracle judged mutated input files
    assert all(m.blessed for m in problem.mutants)
    asm = subprocess.run(["gcc", "-O1", "-S", "-o", "-", str(full / "main.c")], capture_output=True, text=True).stdout
    good = evaluate_candidate(problem, asm, runs=1, instructions=False, timed=problem.tests)
    assert good.correct and good.tests_total == len(problem.tests) + len(problem.mutants), good.failure
    assert good.speedup is not None  # timed on the tests with their args and files (checked runs)
    (tmp_path / "lower.c").write_text(UPCASE.replace("toupper(c)", "tolower(c)"))
    lower = subprocess.run(
        ["gcc", "-O1", "-S", "-o", "-", str(tmp_path / "lower.c")], capture_output=True, text=True
    ).stdout
    wrong = evaluate_candidate(problem, lower, runs=1, instructions=False)
    assert not wrong.correct and "out.txt" in wrong.failure_diff, (wrong.failure, wrong.failure_diff)
    assert run_test(problem.baseline_binary, program.tests[2]).passed  # the exit-code test, confined


def test_rows_carry_tests_with_args_and_files_and_read_back_the_same(upcase, tmp_path):
    from compilerlm.programs.supercoder import make_row, program_from_row, read_rows, write_rows

    program = load_program_dir(upcase)
    visible, hidden = program.tests[:2], program.tests[2:]
    row = make_row("upcase", "int main(void){return 0;}\n", "main:\n\tret\n", visible, hidden, "train", 0, question="")
    assert row["extra_info"]["inputs"] == [] and len(row["extra_info"]["tests"]) == 3  # none is stdin-only
    [back] = read_rows(write_rows([row], tmp_path / "rows.parquet"))
    again = program_from_row(back, 0, tmp_path / "cache")
    assert [t.name for t in again.tests] == ["plain", "numbered", "hidden-missing"]
    for mine, read in zip(program.tests, again.tests, strict=True):
        assert (read.args, read.stdin, read.expected, read.exit_code) == (
            mine.args,
            mine.stdin,
            mine.expected,
            mine.exit_code,
        )
        assert dict(read.outputs) == dict(mine.outputs)
        assert {n: c for n, c in read.files} == {n: p.read_bytes() for n, p in mine.files}
    binary = build(upcase, tmp_path / "bin")
    assert all(r.passed for r in run_tests(binary, again.tests))


@pytest.mark.slow  # the default suite stays under 15 minutes; CI runs it
def test_asm_dataset_rows_and_their_reward_honour_tests_with_args_and_files(upcase, tmp_path):
    from compilerlm.data import load_splits
    from compilerlm.data.build import DataConfig, build_dataset
    from compilerlm.registry.speed import AsmDataConfig
    from compilerlm.speed.rewards import AsmRewardConfig, score_asm

    extra = '\n[[tests]]\nname = "extra{i}"\nargs = ["words.txt", "o{i}.txt"]\nfiles = ["data/words.txt"]\n'
    folder = make_upcase(
        tmp_path / "up", TOML + "".join(extra.format(i=i) + f'outputs = ["o{i}.txt"]\n' for i in range(2))
    )
    assert bless(folder).returncode == 0
    build_dataset("asm", DataConfig(str(folder), str(tmp_path / "rows"), validation=0.0), AsmDataConfig(visible=2))
    [row] = load_splits(tmp_path / "rows")["train"].to_list()
    assert len(row["extra_info"]["tests"]) == 5 and row["extra_info"]["inputs"] == []
    asm = subprocess.run(["gcc", "-O1", "-S", "-o", "-", str(folder / "main.c")], capture_output=True, text=True).stdout
    config = AsmRewardConfig(reward="partial", runs=1, measure="instructions", mutants=2)
    right = score_asm(f"```assembly\n{asm}```", row["reward_model"]["ground_truth"], row["extra_info"], config)
    assert right.ok and right.score >= 1.0 and "correct" in right.detail, right
    (tmp_path / "lower.c").write_text(UPCASE.replace("toupper(c)", "tolower(c)"))
    lower = subprocess.run(["gcc", "-O1", "-S", "-o", "-", str(tmp_path / "lower.c")], capture_output=True, text=True)
    wrong = score_asm(f"```assembly\n{lower.stdout}```", row["reward_model"]["ground_truth"], row["extra_info"], config)
    assert wrong.ok and wrong.score < 1.0 and "tests" in wrong.detail, wrong
