"""LLM Compiler's emulation and disassembly for another machine's modules: the assembly is that machine's, read
with its own comment syntax (`#` is an immediate on ARM and AArch64, not a comment), assembled by llvm-mc for its
triple, and a disassembly prompt names the machine. A target whose cross toolchain is missing is skipped."""

from __future__ import annotations

import pytest

from compilerlm.data import load_splits
from compilerlm.tasks.common import asm_parse_error, ir_to_asm, normalize_asm, optimize_to_text
from compilerlm.tasks.disasm import DISASM_PROMPT, disasm_prompt, prepare_disasm, score_disasm
from compilerlm.tasks.emulate import emulation_items, prepare_emulation, score_emulation
from compilerlm.toolchain.evaluator import SubprocessEvaluator
from compilerlm.toolchain.frontend import compile_c
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.targets import HOST, TARGETS, Target, asm_comment, unusable

ARM = ["aarch64-linux-gnu", "arm-linux-gnueabihf"]
SOURCE = (
    "int scale(int x) { return x * 7 + 100; }\nint table[4] = {1, 2, 3, 4};\nint at(int i) { return table[i & 3]; }\n"
)


def _usable(name: str) -> Target:
    t = TARGETS[name]
    why = unusable(t, run=False)
    if why:
        pytest.skip(why)
    return t


@pytest.fixture(scope="module")
def modules(tmp_path_factory) -> dict[str, IRModule]:
    folder = tmp_path_factory.mktemp("unit")
    (folder / "scale.c").write_text(SOURCE)
    return {t.name: compile_c(folder / "scale.c", "scale.c", list(t.cflags)) for t in TARGETS.values()}


def test_each_machine_reads_its_own_comments_and_keeps_its_immediates():
    assert [asm_comment(TARGETS[n].llvm_triple) for n in TARGETS] == ["#", "//", "@", "#"]
    thumb, aarch64 = TARGETS["arm-linux-gnueabihf"].llvm_triple, TARGETS["aarch64-linux-gnu"].llvm_triple
    assert normalize_asm("\tmovs\tr0, #7\t@ seven\n", thumb) == "\tmovs\tr0, #7"
    assert normalize_asm("\tmov\tw0, #7  // seven\n", aarch64) == "\tmov\tw0, #7"
    # read as x86-64's, every immediate would be a comment: two different instructions would be the same
    assert normalize_asm("\tmovs\tr0, #7\n", thumb) != normalize_asm("\tmovs\tr0, #8\n", thumb)
    assert normalize_asm("\tmovs\tr0, #7\n") == normalize_asm("\tmovs\tr0, #8\n")


@pytest.mark.parametrize("name", ARM)
def test_disassembly_of_a_targets_assembly_round_trips_and_names_the_machine(name, modules):
    machine = _usable(name)
    item = prepare_disasm(modules[name])
    assert item.error is None and item.triple == machine.llvm_triple
    assert f'target triple = "{machine.llvm_triple}"' in item.truth
    assert item.asm == ir_to_asm(item.truth) and asm_parse_error(item.asm, triple=item.triple) is None
    assert asm_parse_error(item.asm) is not None  # x86-64's assembler does not take it: it is the target's
    assert f"to LLVM-IR for {machine.llvm_triple}:" in item.prompt and item.asm in item.prompt
    perfect = score_disasm(item, f"<code>{item.truth}</code>")
    assert perfect.round_trip and perfect.exact_match and perfect.round_trip_bleu == 100.0
    # another constant is another immediate (`#` starts it here): compiles, but not to the input assembly
    other = item.truth.replace("%2, 100", "%2, 101")
    assert other != item.truth
    wrong = score_disasm(item, f"<code>{other}</code>")
    assert wrong.parses and not wrong.round_trip and 0.0 < wrong.round_trip_bleu < 100.0, wrong
    host = prepare_disasm(modules[HOST.name])
    assert host.prompt == DISASM_PROMPT.format(asm=host.asm) == disasm_prompt(host.asm)  # the released prompt


@pytest.mark.parametrize("name", ARM)
def test_emulation_of_a_targets_assembly_is_judged_by_its_assembler(name, modules):
    machine = _usable(name)
    evaluator = SubprocessEvaluator()
    (item,) = emulation_items(modules[name], per_module=1, seed=2, asm=True)
    prepare_emulation([item], evaluator)
    assert item.error is None and f'target triple = "{machine.llvm_triple}"' in item.prompt  # the code names it
    assert item.truth == ir_to_asm(optimize_to_text(modules[name].ir, item.pipeline))
    perfect = score_emulation(item, f"<code>{item.truth}</code>")
    assert perfect.exact_match and perfect.parses and perfect.bleu == 100.0
    x86 = prepare_disasm(modules[HOST.name]).asm  # valid assembly, of another machine
    other = score_emulation(item, f"<code>{x86}</code>")
    assert not other.exact_match and not other.parses and other.parse_error


def test_data_disasm_for_a_target_writes_its_machines_rows(cli, tmp_path):
    machine = _usable("aarch64-linux-gnu")
    cli("data", "disasm", "--suite", "builtin:stack_vm", "--target", machine.name, "--out", "d", check=True)
    rows = [row for split in load_splits(tmp_path / "d").values() for row in split.to_list()]
    assert rows and all(f"to LLVM-IR for {machine.llvm_triple}:" in r["prompt"] for r in rows)
    assert all(f'target triple = "{machine.llvm_triple}"' in r["completion"] for r in rows)
