"""The speed (asm) task end to end with real gcc and the real sandbox: prompt, extraction, building, checking
(visible, hidden, differential mutants), timing, and the three rewards on genuinely different candidates."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from compilerlm.errors import CompilerLMError
from compilerlm.programs.program import Program
from compilerlm.programs.program import TestCase as Case
from compilerlm.speed.build import baseline_assembly, build_candidate
from compilerlm.speed.checks import split_tests
from compilerlm.speed.judge import evaluate_candidate, evaluate_completion
from compilerlm.speed.mutants import mutated_inputs
from compilerlm.speed.problem import AsmProblem, prepare_problem
from compilerlm.speed.prompt import asm_prompt, asm_prompt_text, extract_assembly, is_baseline_copy
from compilerlm.speed.rewards import hidden_test_reward, supercoder_partial_reward, supercoder_reward

SOURCE = r"""#include <stdio.h>

int main(void) {
    long n, x, sum = 0, sq = 0, mx = -1000000000;
    if (scanf("%ld", &n) != 1 || n < 0) return 1;
    for (long i = 0; i < n; i++) {
        if (scanf("%ld", &x) != 1) return 2;
        sum += x;
        sq += x * x;
        if (x > mx) mx = x;
    }
    unsigned long h = 0;
    for (unsigned long r = 0; r < 3000; r++)
        for (unsigned long i = 0; i < (unsigned long)n; i++) h = h * 31u + ((unsigned long)sum ^ r) + i;
    printf("%ld %ld %ld %lu\n", sum, sq, mx, h);
    return 0;
}
"""
INPUTS = [[1, 2, 40], [-4, 7, 0, 9, 3], [100], [8, 8, -8, 1], [1, 2, 3, 4, 5, 6], [-50, 13]]  # numbers after n
TIMING = {"warmups": 1, "runs": 5}


def _expected(xs: list[int]) -> bytes:
    """What the C program prints, computed independently (h wraps at 64 bits like the unsigned long)."""
    total = sum(xs)
    h = 0
    for r in range(3000):
        for i in range(len(xs)):
            h = (h * 31 + ((total % 2**64) ^ r) + i) % 2**64
    return f"{total} {sum(x * x for x in xs)} {max(xs, default=-1000000000)} {h}\n".encode()


def _stdin(xs: list[int]) -> bytes:
    return f"{len(xs)}\n{' '.join(map(str, xs))}\n".encode()


def _gcc_s(c_code: str, tmp: Path, level: str = "-O1") -> str:
    """Assembly of a C text, as a candidate would hand it in."""
    src = tmp / "cand.c"
    src.write_text(c_code)
    return subprocess.run(
        ["gcc", level, "-S", src.name, "-o", "-"], cwd=tmp, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(scope="module")
def program(tmp_path_factory) -> Program:
    d = tmp_path_factory.mktemp("stats")
    (d / "main.c").write_text(SOURCE)
    tests = tuple(Case(str(i + 1), _stdin(v), _expected(v)) for i, v in enumerate(INPUTS))
    return Program(name="stats", sources=(d / "main.c",), include_dirs=(str(d),), tests=tests)


@pytest.fixture(scope="module")
def problem(program, tmp_path_factory) -> AsmProblem:
    return prepare_problem(program, tmp_path_factory.mktemp("work"), visible=3, seed=1, mutants=8)


def test_prompt_holds_code_and_assembly_in_supercoder_layout(program, problem):
    messages = asm_prompt(problem.c_code, problem.baseline_asm)
    assert [m["role"] for m in messages] == ["user"]
    text = messages[0]["content"]
    assert text == asm_prompt_text(problem.c_code, problem.baseline_asm) == problem.prompt_text()
    assert text.startswith("Given the following C code and assembly code, your task is to generate highly optimized")
    assert f"```c\n{SOURCE}```" in text and f"```assembly\n{problem.baseline_asm}```" in text
    assert text.endswith("Wrap the assembly code in ```assembly``` tags.\nOptimized Assembly Code:\n")
    assert str(program.sources[0].parent) not in problem.baseline_asm  # no host path in the prompt
    assert extract_assembly(text) == problem.baseline_asm  # the prompt's own block parses back


def test_extraction_takes_the_last_assembly_block():
    answer = "First try:\n```assembly\nA\n```\nBetter:\n```c\nint x;\n```\n```Assembly  \nB1\nB2\n```\nDone."
    assert extract_assembly(answer) == "B1\nB2\n"
    assert extract_assembly("```asm\n\tret```") == "\tret\n"  # alias tag, fence glued to the last line
    assert extract_assembly("```assembly\n\tmovl $1, %eax\n\tret") == "\tmovl $1, %eax\n\tret\n"  # cut off
    assert extract_assembly("```assembly\n```") is None
    for garbage in ("", "no code at all", "```c\nint main(){}\n```", "```\n\tret\n```", "```python\nx=1\n```"):
        assert extract_assembly(garbage) is None


def test_split_tests_is_seeded_and_keeps_something_hidden(program):
    vis, hid = split_tests(program.tests, visible=3, seed=1)
    assert (vis, hid) == split_tests(program.tests, visible=3, seed=1)
    assert len(vis) == 3 and len(hid) == 3 and not {t.name for t in vis} & {t.name for t in hid}
    assert [len(p) for p in split_tests(program.tests, visible=99)] == [5, 1]
    assert [len(p) for p in split_tests(program.tests[:1], visible=3)] == [1, 0]


def test_mutants_are_deterministic_and_new():
    inputs = [_stdin(v) for v in INPUTS[:3]]
    a = mutated_inputs(inputs, 12, seed=7)
    assert a == mutated_inputs(inputs, 12, seed=7)
    assert a != mutated_inputs(inputs, 12, seed=8)
    assert len(a) == 12 and len(set(a)) == 12 and not set(a) & set(inputs)
    assert all(len(m) <= max(len(i) for i in inputs) * 3 // 2 + 64 for m in a)
    assert all(m.decode("utf-8") for m in a)  # still text


def test_problem_has_oracle_checked_mutants(problem):
    assert problem.mutants, "no mutant survived the oracle"
    visible_inputs = {t.stdin for t in problem.visible}
    for m in problem.mutants:
        assert m.stdin not in visible_inputs
        values = [int(x) for x in m.stdin.split()]
        assert m.expected == _expected(values[1 : values[0] + 1])  # the -O0 oracle is right


def test_baseline_copy_is_correct_but_earns_nothing(problem):
    copy = problem.baseline_asm.replace("\t.text\n", "\t.text\n# just a comment\n\n", 1)
    assert is_baseline_copy(copy, problem.baseline_asm)
    r = evaluate_candidate(problem, copy, **TIMING)
    assert r.compiled and r.correct and r.is_baseline_copy and r.passed == 1.0
    assert r.speedup == 1.0  # not timed: a copy is the baseline
    assert supercoder_reward(r) == hidden_test_reward(r) == supercoder_partial_reward(r) == 0.0


def test_different_correct_candidate_is_rewarded_its_measured_speedup(problem, tmp_path):
    o1 = _gcc_s(SOURCE, tmp_path, "-O1")
    assert not is_baseline_copy(o1, problem.baseline_asm)
    r = evaluate_completion(problem, f"Here you go:\n```assembly\n{o1}```\n", instructions=True, **TIMING)
    assert r.compiled and r.correct and not r.is_baseline_copy and not r.runtime_error
    assert r.counts["hidden"][0] == r.counts["hidden"][1] == 3 and r.counts["mutant"][1] == len(problem.mutants)
    assert r.speedup is not None and r.speedup > 0, r.timing_error
    # timed on every test; the speedup is the mean over the unseen ones (hidden tests and mutants)
    assert len(r.tests) == len(problem.timed_tests) and all(t.time_candidate for t in r.tests)
    unseen = [t for t in r.tests if t.kind == "unseen"]
    assert r.speedup_tests == "unseen" and len(unseen) == len(problem.hidden) + len(problem.mutants)
    assert r.speedup == pytest.approx(sum(t.speedup for t in unseen) / len(unseen))
    assert r.instructions_ratio is not None and r.instructions_ratio > 0
    expected = r.speedup if r.speedup > 1 and r.faster else 0.0  # paid only when decided by the intervals
    assert supercoder_reward(r) == hidden_test_reward(r) == expected
    assert supercoder_partial_reward(r) == (1 + 10 * r.speedup if expected else 1.0)
    assert r.program_result().passed


def test_hard_coded_visible_outputs_are_caught(problem, tmp_path):
    cases = ", ".join(f"{{{json.dumps(t.stdin.decode())}, {json.dumps(t.expected.decode())}}}" for t in problem.visible)
    cheat = (
        "#include <stdio.h>\n#include <string.h>\n"
        f"static const char *known[][2] = {{{cases}}};\n"
        "int main(void) {\n"
        "    static char buf[1 << 16];\n"
        "    buf[fread(buf, 1, sizeof buf - 1, stdin)] = 0;\n"
        "    for (unsigned i = 0; i < sizeof known / sizeof known[0]; i++)\n"
        "        if (!strcmp(buf, known[i][0])) { fputs(known[i][1], stdout); return 0; }\n"
        '    puts("0");\n    return 0;\n}\n'
    )
    r = evaluate_candidate(problem, _gcc_s(cheat, tmp_path, "-O2"), time_if="own-tests", **TIMING)
    assert r.compiled and r.visible_passed and not r.own_tests_passed and not r.correct and not r.runtime_error
    assert r.counts["visible"] == (3, 3) and r.counts["hidden"] == (0, 3)
    assert r.counts["mutant"][0] == 0 < r.counts["mutant"][1]
    assert r.failing_test and r.failure.startswith("hidden test") and "+0" in r.failure_diff
    assert hidden_test_reward(r) == 0.0
    assert supercoder_partial_reward(r) == pytest.approx(r.passed) and 0 < r.passed < 1
    # SuperCoder's own reward is gated by all of the program's own tests, hidden ones included: nothing
    assert supercoder_reward(r) == 0.0 and r.speedup is None


def test_invalid_assembly_is_a_compile_error(problem, tmp_path):
    r = evaluate_candidate(problem, "\tmovl %eax, %nosuchreg\n\tfoo bar\n")
    assert not r.compiled and not r.correct and r.compile_error and "\n" not in r.compile_error
    assert supercoder_partial_reward(r) == -1.0 and supercoder_reward(r) == hidden_test_reward(r) == 0.0
    assert supercoder_partial_reward(evaluate_completion(problem, "I cannot do that.")) == -1.0
    sneaky = build_candidate('\t.section .rodata\n\t.incbin "/etc/passwd"\n', tmp_path)
    assert not sneaky.ok and ".incbin" in sneaky.error
    assert build_candidate('\t.section .rodata\n\t.string ".incbin"\n', tmp_path).error != sneaky.error


def test_identical_candidate_texts_are_built_once(problem):
    """An answer sent again (an assembler bomb included) is not assembled again: its build is kept per problem."""
    text = "\tnot an instruction\n"
    first = problem.build(text)
    assert not first.ok and problem.build(text) is first
    builds = len(problem._builds)
    r1, r2 = (evaluate_candidate(problem, text) for _ in range(2))
    assert r1.compile_error == r2.compile_error == first.error and len(problem._builds) == builds


def test_crashing_candidate_is_a_runtime_error(problem, tmp_path):
    crash = _gcc_s("int main(void) { volatile int *p = 0; *p = 1; return 0; }\n", tmp_path)
    r = evaluate_candidate(problem, crash, **TIMING)
    assert r.compiled and not r.correct and r.runtime_error and r.speedup is None
    assert "signal" in r.failure and r.tests_passed == 0
    assert supercoder_partial_reward(r) == -0.5 and supercoder_reward(r) == hidden_test_reward(r) == 0.0


def test_multi_file_program_is_refused(tmp_path):
    a, b = tmp_path / "a.c", tmp_path / "b.c"
    a.write_text("int f(void);\nint main(void) { return f(); }\n")
    b.write_text("int f(void) { return 0; }\n")
    with pytest.raises(CompilerLMError, match="single-file"):
        baseline_assembly(Program(name="two", sources=(a, b)))
