"""The speed track end to end: compiler portfolio, `compilerlm asm` / `eval asm`, SuperCoder rows, and the
model loop (best-of-k + repair) through a tiny model served on 127.0.0.1.

The test program (tests/data/asm/squares) sums squares in a loop: gcc -O3 runs the loop, clang -O2 computes
it in closed form, so a faster correct answer is known and the speedup is far above timing noise."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compilerlm.errors import CompilerLMError
from compilerlm.programs.program import load_program_dir
from compilerlm.programs.suites import resolve_target
from compilerlm.programs.supercoder import make_row, read_rows, write_rows
from compilerlm.sandbox import run_sandboxed
from compilerlm.speed.build import baseline_assembly, build_candidate
from compilerlm.speed.checks import split_tests
from compilerlm.speed.judge import evaluate_candidate, evaluate_completion
from compilerlm.speed.portfolio import compile_assembly, portfolio
from compilerlm.speed.problem import prepare_problem
from compilerlm.speed.rewards import REWARDS

SQUARES = Path(__file__).parent / "data" / "asm" / "squares"


def squares():
    return load_program_dir(SQUARES)


def passes_every_test(asm: str, program, workdir: Path) -> bool:
    """Independent of the tool's verdict: build the assembly and run all of the program's tests."""
    built = build_candidate(asm, workdir, "check")
    assert built.ok, built.error
    return all(run_sandboxed(built.binary, t.stdin, expected=t.expected).ok for t in program.tests)


def test_portfolio_configurations_with_pgo_build_correct_assembly(tmp_path):
    program = squares()
    problem = prepare_problem(program, tmp_path / "p", mutants=2)
    plain = compile_assembly(program, portfolio(["gcc -O3 -march=native"])[0])
    for cfg in portfolio(["gcc -O3 -march=native +pgo", "clang -O3 +pgo"]):
        asm = compile_assembly(program, cfg, problem.visible)
        assert evaluate_candidate(problem, asm, runs=2).correct, cfg.name
    # the profile is really used: same flags without it give other code
    assert compile_assembly(program, portfolio(["gcc -O3 -march=native +pgo"])[0], problem.visible) != plain
    with pytest.raises(CompilerLMError, match="unknown compiler configuration 'gcc -Ofast'"):
        portfolio(["gcc -Ofast"])


MATMUL = r"""#include <stdio.h>
#define N 384
static double A[N][N], B[N][N], C[N][N];
int main(void) {
    int seed;
    if (scanf("%d", &seed) != 1) return 1;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) A[i][j] = (i * j + seed) % 7, B[i][j] = (i + j + seed) % 5;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < N; k++) s += A[i][k] * B[k][j];
            C[i][j] = s;
        }
    double t = 0;
    for (int i = 0; i < N; i++) t += C[i][i] + C[i][N - 1 - i];
    printf("%.1f\n", t);
    return 0;
}
"""
POLYHEDRAL = ("clang -O3 -march=native -mllvm -polly -mllvm -polly-vectorizer=stripmine",
              "gcc -O3 -march=native -floop-nest-optimize")  # fmt: skip


def _matmul(tmp_path: Path):

    (tmp_path / "mm").mkdir()
    (tmp_path / "mm" / "mm.c").write_text(MATMUL)
    (tmp_path / "mm" / "tests").mkdir()
    for seed in (1, 2, 3):
        (tmp_path / "mm" / "tests" / f"{seed}.in").write_text(f"{seed}\n")
    subprocess.run([sys.executable, "-m", "compilerlm.programs.bless", str(tmp_path / "mm")], check=True)
    return load_program_dir(tmp_path / "mm")


def test_the_polyhedral_loop_optimizers_are_in_the_portfolio_and_transform_a_loop_nest(tmp_path):
    """Polly (with its strip-mining vectorizer) and Graphite compile confined, like every configuration, and
    change a matrix multiply's loop nest: not the code of the same compiler without them."""
    program = _matmul(tmp_path)
    polly, graphite = portfolio(POLYHEDRAL)
    assert compile_assembly(program, polly) != compile_assembly(program, portfolio(["clang -O3 -march=native"])[0])
    assert compile_assembly(program, graphite) != compile_assembly(program, portfolio(["gcc -O3 -march=native"])[0])


@pytest.mark.slow  # two candidates judged and timed on a matrix multiply
def test_polly_makes_a_matrix_multiply_several_times_faster_and_correct(tmp_path):
    from compilerlm.speed.config import AsmSearchConfig
    from compilerlm.speed.optimize import optimize_program

    config = AsmSearchConfig(compilers=POLYHEDRAL, runs=3, final_runs=8, instructions=False, mutants=2)
    out = optimize_program(_matmul(tmp_path), config)
    assert out.correct and out.source == "compiler" and out.config == POLYHEDRAL[0], out
    assert out.faster and out.speedup > 3.0, out  # tiled and interchanged: far above timing noise


def test_asm_command_finds_faster_correct_assembly_without_a_model(cli, tmp_path):
    res = cli(
        "asm",
        str(SQUARES / "squares.c"),
        "--tests",
        str(SQUARES / "tests"),
        "--compilers",
        "gcc -O2,clang -O2",
        "--runs",
        "3",
        "--mutants",
        "2",
        "--out",
        "best.s",
        "--json",
        "out.json",
        check=True,
    )
    assert "clang -O2" in res.stdout
    doc = json.loads((tmp_path / "out.json").read_text())
    assert doc["sandbox"]["confined"] is True and doc["sandbox"]["private_root"] is True  # how it all ran
    (row,) = doc["programs"]
    assert row["source"] == "compiler" and row["config"] == "clang -O2" and row["correct"] is True
    # -O3 runs far more instructions; the wall-clock ratio is no fact on a busy machine, so only its presence
    assert row["speedup"] > 0 and row["instructions_ratio"] > 2
    assert row["tests"] == {"visible": [3], "hidden": [1], "mutant": row["tests"]["mutant"]}
    assert {c["label"] for c in row["candidates"]} == {"gcc -O2", "clang -O2"}
    summary = doc["summary"]
    assert summary["pass_rate"] == 1.0 and summary["speedup_geomean"] > 0
    # the written assembly is the reported one and passes every test, hidden included
    assert passes_every_test((tmp_path / "best.s").read_text(), squares(), tmp_path / "check")


@pytest.mark.slow  # eval asm over a suite, twice: the default suite stays under 15 minutes
def test_eval_asm_reports_a_suite_and_resumes_from_its_store(cli, tmp_path):
    suite = tmp_path / "suite"
    shutil.copytree(SQUARES, suite / "squares")
    broken = suite / "broken"  # its expected outputs are wrong: the baseline fails, the program is an error
    shutil.copytree(SQUARES, broken)
    (broken / "tests" / "1.out").write_text("42\n")
    args = ["eval", "asm", "--suite", f"dir:{suite}", "--compilers", "clang -O2", "--runs", "3", "--mutants", "2"]
    args.append("--no-instructions")
    first = cli(*args, "--store", "s.sqlite", "--json", "a.json", "--report", "rep", check=True)
    assert "pass rate" in first.stdout and "speedup, geomean" in first.stdout
    doc = json.loads((tmp_path / "a.json").read_text())
    rows = {r["name"]: r for r in doc["rows"]}
    assert rows["squares"]["source"] == "compiler" and rows["squares"]["speedup"] > 0
    assert rows["broken"]["source"] == "baseline" and "fails its own test" in rows["broken"]["error"]
    assert doc["summary"]["programs"] == 2 and doc["summary"]["pass_rate"] == 0.5 and doc["summary"]["errors"] == 1
    for name in ("report.md", "asm_speedup_histogram.png", "asm_speedup_per_program.png"):
        assert (tmp_path / "rep" / name).stat().st_size > 0
    assert "| squares | compiler | clang -O2 |" in (tmp_path / "rep" / "report.md").read_text()
    cli(*args, "--store", "s.sqlite", "--json", "b.json", check=True)
    again = json.loads((tmp_path / "b.json").read_text())
    assert [r["resumed"] for r in doc["rows"]] == [False, False] and [r["resumed"] for r in again["rows"]] == [True] * 2
    fresh = [{**r, "resumed": True} for r in doc["rows"]]
    assert again["rows"] == fresh  # taken from the store: a new timing would differ


def test_asm_commands_fail_with_one_line_on_bad_input(cli, tmp_path):
    cases = [
        (("asm", "missing.c", "--tests", "t"), "not one"),
        (("asm", str(SQUARES / "squares.c"), "--tests", str(SQUARES), "--compilers", "gcc -O2"), "holds no tests"),
        (("asm", str(SQUARES), "--compilers", "gcc -Ofast"), "unknown compiler configuration"),
        (("asm", str(SQUARES), "--compilers", "none"), "nothing makes candidates"),
        (("eval", "asm", "--suite", "supercoder:/nonexistent.jsonl"), "does not exist"),
    ]
    for args, message in cases:
        res = cli(*args)
        assert res.returncode == 1 and message in res.stderr, (args, res.stderr)
        assert "Traceback" not in res.stderr


def test_supercoder_rows_round_trip_with_their_split_and_baseline(tmp_path):
    program = squares()
    visible, hidden = program.tests[:2], program.tests[2:]
    asm = baseline_assembly(program)
    c_code = (SQUARES / "squares.c").read_text()
    row = make_row("squares", c_code, asm, visible, hidden, "val", 0, question="q", baseline_binary=b"\x7fELF")
    odd = make_row("odd", c_code, "garbage\n", visible, hidden, "val", 1, question="q")
    for path in (tmp_path / "rows.jsonl", tmp_path / "rows.parquet"):
        write_rows([row, odd], path)
        assert read_rows(path) == [row, odd]  # bytes included (jsonl: {"$bytes": base64})
        read, other = resolve_target(f"supercoder:{path}")
        assert read.name == "squares" and read.baseline_asm == asm and len(read.tests) == 4
        assert [t.expected for t in read.tests] == [t.expected for t in program.tests]
        vis, hid = split_tests(read.tests, visible=3)
        assert [t.stdin for t in vis] == [t.stdin for t in visible] and [t.stdin for t in hid] == [
            t.stdin for t in hidden
        ]
    problem = prepare_problem(read, tmp_path / "p", mutants=0)
    assert problem.baseline_source == "dataset" and problem.baseline_asm == asm
    with pytest.raises(CompilerLMError, match=r"odd: the dataset row.s own assembly \(the baseline\) does not build"):
        prepare_problem(other, tmp_path / "q", mutants=0)  # never silently replaced by the local gcc -O3
    (tmp_path / "bad.jsonl").write_text(json.dumps(row, default=list) + "\n{not json\n")
    with pytest.raises(CompilerLMError, match=r"bad.jsonl:2 is not valid JSON"):
        read_rows(tmp_path / "bad.jsonl")


def _closed_form_assembly() -> str:
    """clang -O2's assembly of the test program, without comments and unwind tables (short to teach)."""
    out = subprocess.run(
        [
            shutil.which("clang-19") or "clang",
            "-O2",
            "-fno-integrated-as",
            "-fno-addrsig",
            "-fno-asynchronous-unwind-tables",
            "-S",
            "-o",
            "-",
            str(SQUARES / "squares.c"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [ln.split("#")[0].rstrip() if "asciz" not in ln else ln for ln in out.splitlines()]
    return "".join(ln + "\n" for ln in lines if ln.strip() and not ln.lstrip().startswith((".file", ".ident")))


@pytest.mark.slow
def test_served_model_best_of_k_and_repair_loop_end_to_end(cli, tmp_path):
    from compilerlm.models import load_model
    from compilerlm.models.server import serve
    from compilerlm.speed.repair import feedback_for, repair_request

    from .tiny_model import build_tiny_model, teach

    program = squares()
    problem = prepare_problem(program, tmp_path / "p")
    broken = "```assembly\nmain:\n\tmovq $1, %rax\n\tsquare %rax\n\tret\n```"
    good = f"```assembly\n{_closed_form_assembly()}```"
    verdict = evaluate_completion(problem, broken)
    assert not verdict.compiled and "square" in verdict.compile_error
    first = problem.prompt_text()
    second = repair_request(first, broken, feedback_for(problem, verdict))
    # a verbatim copy of the baseline earns 0 under SuperCoder's reward, ours and the partial one's copy rule
    copy = evaluate_completion(problem, f"```assembly\n{problem.baseline_asm}```")
    assert copy.correct and copy.is_baseline_copy
    assert [REWARDS[name](copy) for name in ("supercoder", "hidden")] == [0.0, 0.0]

    model_dir = build_tiny_model(tmp_path / "tiny", [first, second, good], vocab_size=2048, context=8192)
    teach(model_dir, [(first, broken), (second, good)], steps=600)
    with load_model(f"hf:{model_dir}") as model, serve(model, name="tiny") as server:
        res = subprocess.run(
            [
                sys.executable,
                "-m",
                "compilerlm.cli",
                "asm",
                str(SQUARES / "squares.c"),
                "--tests",
                str(SQUARES / "tests"),
                "--model",
                f"openai:{server.url}#tiny",
                "--samples",
                "1",
                "--rounds",
                "2",
                "--temperature",
                "0",
                "--max-tokens",
                "1500",
                "--runs",
                "3",
                "--out",
                str(tmp_path / "best.s"),
                "--json",
                str(tmp_path / "out.json"),
            ],
            capture_output=True,
            text=True,
            timeout=900,
        )
    assert res.returncode == 0, res.stderr
    (row,) = json.loads((tmp_path / "out.json").read_text())["programs"]
    labels = [(c["label"], c["compiled"], c["correct"]) for c in row["candidates"]]
    # the first answer does not assemble; its repair (fed the assembler's error) is correct: no second round
    assert labels == [("sample 1", False, False), ("sample 1 repair 1", True, True)]
    assert "square" in row["candidates"][0]["failure"]
    assert row["source"] == "model" and row["sample"] == "sample 1 repair 1" and row["speedup"] > 0
    assert passes_every_test((tmp_path / "best.s").read_text(), program, tmp_path / "check")


@pytest.mark.slow
def test_asm_suite_runs_in_worker_processes_and_as_ray_tasks():
    from dataclasses import replace

    from compilerlm.speed.config import AsmSearchConfig
    from compilerlm.speed.suite import run_asm_suite

    programs = [squares(), replace(squares(), name="squares-again")]
    config = AsmSearchConfig(compilers=("clang -O2",), runs=3, final_runs=4, instructions=False, mutants=2)
    for kwargs in ({"jobs": 2}, {"ray_address": "local"}):
        outcomes = run_asm_suite(programs, config, **kwargs)
        assert [o.name for o in outcomes] == ["squares", "squares-again"], kwargs
        assert all(o.source == "compiler" and o.correct and o.speedup > 0 for o in outcomes), kwargs
