"""The speed search without a model: flags and parameters beyond the portfolio, and the per-function
combination (tests/data/asm/twofuncs: f is far faster under clang, g under gcc; together they beat both)."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from compilerlm.errors import CompilerLMError
from compilerlm.measure import instruction_backend
from compilerlm.programs.program import load_program_dir
from compilerlm.sandbox import run_sandboxed
from compilerlm.speed.build import build_candidate
from compilerlm.speed.combine import SpliceError, _rename, parse, same_code, splice
from compilerlm.speed.config import AsmSearchConfig
from compilerlm.speed.flagspace import SPACES, mutate, point_of
from compilerlm.speed.optimize import optimize_program
from compilerlm.speed.portfolio import PORTFOLIO, compile_assembly, portfolio
from compilerlm.speed.profile import exclusive_instructions
from compilerlm.toolchain.locate import llvm_tool, system_tool

DATA = Path(__file__).parent / "data" / "asm"
TWO = DATA / "twofuncs"


def _passes_every_test(asm: str, program, workdir: Path) -> bool:
    built = build_candidate(asm, workdir, "check")
    assert built.ok, built.error
    return all(run_sandboxed(built.binary, t.stdin, expected=t.expected).ok for t in program.tests)


def test_renaming_touches_symbols_in_operands_only():
    mapping = {"f": "f.x", "add": "add.x", ".L3": ".L3.x"}
    assert _rename("\tcall\tf", mapping) == "\tcall\tf.x"
    assert _rename("\tadd\t$1, %eax", mapping) == "\tadd\t$1, %eax"  # a mnemonic, not the symbol `add`
    assert _rename('\t.string\t"f calls add"', mapping) == '\t.string\t"f calls add"'  # text of a string
    assert _rename("f:\t# f", mapping) == "f.x:\t# f"
    assert _rename("\t.size\tf, .-f", mapping, definitions_only=True) == "\t.size\tf.x, .-f.x"
    assert _rename("\tjmp\t.L3", mapping, definitions_only=True) == "\tjmp\t.L3"  # a reference stays
    asm = parse("\t.local\tcounter\n\t.comm\tcounter,4,4\n\t.comm\tshared,8,8\n\t.data\nx:\n\t.long 1\n")
    assert asm.writable == {"counter", "x"} and "shared" in asm.global_names


def test_splice_builds_one_program_and_refuses_to_split_static_state(tmp_path):
    program = load_program_dir(TWO)
    gcc, clang = (compile_assembly(program, c) for c in portfolio(["gcc -O3 -march=native", "clang -O3"]))
    both = splice(clang, gcc, "g")  # clang's program with gcc's g
    assert same_code(both, gcc, "g") and same_code(both, clang, "f") and not same_code(both, clang, "g")
    assert _passes_every_test(both, program, tmp_path / "both")
    with pytest.raises(SpliceError, match=r"static writable data \(a\)"):
        splice(gcc, clang, "main")  # gcc's other code (a clone of g) uses the static array too: two copies
    whole_main = splice(clang, gcc, "main")  # clang's other code leaves the statics to main: one user, one copy
    assert _passes_every_test(whole_main, program, tmp_path / "main")
    with pytest.raises(SpliceError, match="not a function of its own"):
        splice(gcc, clang, "no_such_function")


@pytest.mark.slow
def test_per_function_combination_takes_each_function_from_its_faster_compiler(tmp_path):
    program = load_program_dir(TWO)
    config = AsmSearchConfig(
        compilers=("gcc -O3 -march=native", "clang -O3"), budget=4, runs=4, final_runs=6, instructions=False, mutants=2
    )
    out = optimize_program(program, config)
    assert out.source == "combined" and out.config.startswith("clang -O3 + g from gcc"), (out.config, out.notes)
    gcc, clang = (compile_assembly(program, c) for c in portfolio(["gcc -O3 -march=native", "clang -O3"]))
    assert same_code(out.assembly, clang, "f") and same_code(out.assembly, gcc, "g")
    assert out.search["combinations"] >= 1 and out.search["compilations"] <= 4
    by_label = {c["label"]: c for c in out.candidates}
    assert by_label[out.config]["speedup"] > by_label["clang -O3"]["speedup"]  # 2x apart: far above noise
    assert _passes_every_test(out.assembly, program, tmp_path / "check")  # checked apart from the tool


@pytest.mark.slow  # the default suite stays under 15 minutes; CI runs it
def test_flag_search_explores_new_configurations_within_its_budget():
    program = load_program_dir(DATA / "squares")
    config = AsmSearchConfig(
        compilers=("gcc -O2",), budget=6, combine=False, runs=2, final_runs=2, instructions=False, mutants=2
    )
    out = optimize_program(program, config)
    labels = [c["label"] for c in out.candidates]
    assert out.search["compilations"] == 6 and len(labels) == out.search["distinct"] <= 6
    assert labels[0] == "gcc -O2" and any(label not in {c.name for c in PORTFOLIO} for label in labels)
    assert all(c["correct"] for c in out.candidates)  # every flag keeps the program's meaning here


def test_every_option_of_the_flag_space_is_accepted_by_its_compiler(tmp_path):
    src = tmp_path / "x.c"
    src.write_text("int main(void) { volatile int s = 0; for (int i = 0; i < 9; i++) s += i; return s != 36; }\n")
    tools = {"gcc": [system_tool("gcc")], "clang": [llvm_tool("clang"), "-Werror=unused-command-line-argument"]}
    for compiler, space in SPACES.items():
        for choice in space:
            for option in choice.options:
                argv = [*tools[compiler], *option, "-S", str(src), "-o", "-"]
                res = subprocess.run(argv, capture_output=True, text=True)
                assert res.returncode == 0, (compiler, choice.name, option, res.stderr)
    walk, rng = point_of(PORTFOLIO[0]), random.Random(0)
    for _ in range(20):  # a random walk stays in the space and names its flags
        walk = mutate(walk, rng)
        assert walk.config().name.startswith(walk.compiler) and walk.config().flags == walk.flags


def test_callgrind_report_gives_exclusive_instructions_per_function():
    report = "events: Ir\nfn=main\n10 5\ncfn=g\ncalls=2 3\n10 900\n11 7\nfn=g\n3 450\n+1 450\nfn=main\n12 3\n"
    assert exclusive_instructions(report) == {"main": 15, "g": 900}  # the call's 900 is g's, not main's


def test_a_bad_instruction_counter_choice_is_a_one_line_error(monkeypatch):
    monkeypatch.setenv("COMPILERLM_INSTRUCTIONS", "oprofile")
    with pytest.raises(CompilerLMError, match="choose perf or valgrind"):
        instruction_backend()


@pytest.mark.slow  # about 40 s of timed runs
def test_an_undecided_candidate_is_timed_again_before_the_choice():
    program = load_program_dir(TWO)
    clang = compile_assembly(program, portfolio(["clang -O3"])[0])  # f far faster: several times gcc -O3 overall
    config = AsmSearchConfig(compilers=(), runs=3, final_runs=4, instructions=False, mutants=2)

    def noisy(_name, cand):  # what ten runs on a busy machine can leave: faster on average, the interval reaching 1
        cand.speedup, cand.speedup_low, cand.speedup_high = 1.05, 0.97, 1.13

    out = optimize_program(program, config, on_candidate=noisy, given=[("mine.s", clang)])
    assert out.source == "given" and out.faster, out.notes
    assert any(n.startswith("mine.s: undecided at 1.050x, timed again with 9 runs") for n in out.notes), out.notes
    assert out.notes[-1].endswith(", faster") and out.candidates[0]["speedup"] > 2  # the new timing replaced it

    def marginal(_name, cand):  # too small a gain to spend runs on: stays undecided, the baseline is reported
        cand.speedup, cand.speedup_low, cand.speedup_high = 1.01, 0.95, 1.07

    out = optimize_program(program, config, on_candidate=marginal, given=[("mine.s", clang)])
    assert out.source == "baseline" and not any("timed again" in n for n in out.notes), out.notes
