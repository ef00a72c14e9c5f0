"""The LLM Compiler tasks on real tools: prompts byte for byte, lenient parsing, scoring by opt/llc/llvm-as, and the
evaluation runner with a real (tiny) transformers model, store and resume."""

from __future__ import annotations

import math
import shutil

import pytest

from compilerlm.errors import CompilerLMError
from compilerlm.eval.tasks import format_table, run_task_eval, write_task_report
from compilerlm.programs.suites import resolve_target
from compilerlm.registry.emulate import EmulateEvalOptions
from compilerlm.store import Store
from compilerlm.tasks.common import (
    bleu_stats,
    code_tokens,
    corpus_bleu,
    corpus_bleu_from_stats,
    extract_code,
    ir_to_asm,
    normalize_asm,
    normalize_ir,
    optimize_to_text,
    sentence_bleu,
)
from compilerlm.tasks.disasm import disasm_prompt, prepare_disasm, score_disasm, summarize_disasm
from compilerlm.tasks.emulate import (
    emulate_prompt,
    emulation_items,
    prepare_emulation,
    sample_pipelines,
    score_emulation,
    summarize_emulation,
)
from compilerlm.tasks.flags import flags_prompt, parse_flags_answer, score_flags, summarize_flags
from compilerlm.toolchain.evaluator import SubprocessEvaluator
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.objsize import count_ir_instructions
from compilerlm.toolchain.pipelines import split_top_level
from compilerlm.toolchain.search_space import SEARCH_SPACE

# A minimal module: short enough for the tiny model's context and to teach it answers in well under a second.
ADD = IRModule("tiny/add.ll", "define i32 @add(i32 %a, i32 %b) {\n  %s = add i32 %a, %b\n  ret i32 %s\n}\n")


@pytest.fixture(scope="module")
def heap() -> IRModule:
    """huffman/heap.c: a small real translation unit, unoptimized as docs/design.md defines it."""
    (program,) = resolve_target("builtin:huffman")
    return next(m for m in program.modules() if m.name.endswith("heap.c"))


@pytest.fixture(scope="module")
def evaluator():
    with SubprocessEvaluator(jobs=2, timeout=120) as ev:
        yield ev


# --- prompts --------------------------------------------------------------------------------------------


def test_prompts_match_llm_compiler_layout():
    ir, asm = "define void @f() {\n  ret void\n}\n", "f:\n\tretq\n"
    assert flags_prompt(ir) == (
        "[INST] Tell me how to optimize this LLVM-IR for object file size:\n\n"
        "<code>define void @f() {\n  ret void\n}\n</code> [/INST]"
    )
    assert disasm_prompt(asm) == "[INST] Disassemble this code to LLVM-IR:\n\n<code>f:\n\tretq\n</code> [/INST]"
    assert emulate_prompt(ir, "globalopt,function(sroa<modify-cfg>)", 1, 16) == (
        "[INST] Give the LLVM-IR for the following code when optimized using opt -p "
        "'globalopt,function(sroa<modify-cfg>)':\n\n<code>define void @f() {\n  ret void\n}\n</code>\n\n"
        "The input code has instruction count 1 and binary size 16 bytes. [/INST]"
    )
    assert emulate_prompt(ir, "globaldce", 7, 99, asm=True) == (
        "[INST] Give the assembly for the following code when optimized using opt -p 'globaldce':\n\n"
        "<code>define void @f() {\n  ret void\n}\n</code>\n\n"
        "The input code has instruction count 7 and binary size 99 bytes. [/INST]"
    )


# --- reading answers, normalising, BLEU ----------------------------------------------------------------------


def test_extract_code_blocks_tolerates_missing_close_and_fences():
    assert extract_code("a <code>one</code> b <code>two</code>") == "two"
    assert extract_code("a <code>one</code> b <code>two</code>", "first") == "one"
    assert extract_code("size 3 bytes:\n<code>define void @f() {\n  ret") == "define void @f() {\n  ret"
    assert extract_code("```llvm\nret void\n```") == "ret void\n"
    assert extract_code("no code at all") is None


def test_normalisation_drops_only_what_carries_no_meaning():
    ir = (
        "; ModuleID = 'x.c'\nsource_filename = \"x.c\"\n\n"
        "; Function Attrs: nounwind\ndefine i32 @f(i32 %a) #0 !dbg !7 {\n"
        "  %s = add i32 %a, 1, !tbaa !5   \n  call void @g(ptr @.str) #2 ; a call\n  ret i32 %s\n}\n"
        '@.str = constant [6 x i8] c"a #1;\\22\\00"\n'
        "attributes #0 = { nounwind }\n!5 = !{!6}\n"
    )
    assert normalize_ir(ir) == (
        "define i32 @f(i32 %a) {\n  %s = add i32 %a, 1\n  call void @g(ptr @.str)\n  ret i32 %s\n}\n"
        '@.str = constant [6 x i8] c"a #1;\\22\\00"'
    )
    # an instruction that differs is still a difference
    assert normalize_ir(ir) != normalize_ir(ir.replace("add i32 %a, 1", "add i32 %a, 2"))
    asm = '\t.text\n\t.file\t"x.c"\nf:                # @f\n# %bb.0:\n\tretq\n\n\t.ident\t"clang"\n\t.asciz\t"#x"\n'
    assert normalize_asm(asm) == '\t.text\nf:\n\tretq\n\t.asciz\t"#x"'


def test_bleu_over_code_tokens():
    assert code_tokens("movl\t-4(%rsp), %eax") == ["movl", "-", "4", "(", "%rsp", ")", ",", "%eax"]
    text = "  %s = add i32 %a, %b\n  ret i32 %s\n  %t = mul i32 %s, %s\n"
    assert sentence_bleu(text, text) == 100.0
    assert 0.0 < sentence_bleu(text.replace("mul", "sub"), text) < 100.0
    assert sentence_bleu("", text) == 0.0
    hyps, refs = [text, text.replace("add", "sub")], [text, text]
    assert corpus_bleu(hyps, refs) == pytest.approx(
        corpus_bleu_from_stats([bleu_stats(h, r) for h, r in zip(hyps, refs, strict=True)])
    )
    assert 0.0 < corpus_bleu(hyps, refs) < 100.0


# --- flags ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "pipeline", "size"),
    [
        ("Run opt -p 'module(default<Oz>)' to get object file size of 812 bytes:\n\n<code>define i32 @f()</code>",
         "module(default<Oz>)", 812),
        ('opt -passes="function(mem2reg), globaldce" gives binary size 40 bytes', "function(mem2reg),globaldce", 40),
        ("-passes=function(sroa<modify-cfg>),globalopt", "function(sroa<modify-cfg>),globalopt", None),
        ("--passes='globaldce' </s>", "globaldce", None),
        ("Run passes -sroa -mem2reg -simplifycfg to reduce size", "sroa,mem2reg,simplifycfg", None),
        ("`function(instcombine<no-verify-fixpoint>), globaldce`",
         "function(instcombine<no-verify-fixpoint>),globaldce", None),
        ("-p 'globalopt' <code>define void @f() {\n  call void @g() ; -p 'wrong'", "globalopt", None),
    ],
)  # fmt: skip
def test_parse_flags_answer_layouts(answer, pipeline, size):
    parsed = parse_flags_answer(answer)
    assert (parsed.pipeline, parsed.predicted_size, parsed.error) == (pipeline, size, None)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("", "empty answer"),
        ("   </s>", "empty answer"),
        ("I cannot help with that!", "no pass list"),
        ("<code>define void @f() {\n  ret void", "no pass list"),
        ("-p 'a,,b'", "empty pass name"),
        ("-p 'inline(gvn'", "unclosed bracket"),
    ],
)
def test_parse_flags_answer_rejects_garbage(answer, reason):
    parsed = parse_flags_answer(answer)
    assert parsed.pipeline is None
    assert reason in parsed.error and "\n" not in parsed.error


def test_score_flags_validates_with_real_opt_and_llc(heap, evaluator):
    size_oz = evaluator.evaluate(heap, "default<Oz>").size
    mem2reg = evaluator.evaluate(heap, "function(mem2reg)").size
    assert size_oz and mem2reg and mem2reg != size_oz

    oz = score_flags(heap, ["Run opt -p 'default<Oz>' to get binary size 1 bytes"], evaluator, size_oz)
    assert (oz.valid, oz.size, oz.ratio, oz.ratio_fallback, oz.predicted_size) == (True, size_oz, 1.0, 1.0, 1)

    small = score_flags(heap, ["-passes=function(mem2reg)"], evaluator, size_oz)
    assert small.valid and small.size == mem2reg and small.ratio == mem2reg / size_oz
    assert small.ratio_fallback == min(1.0, mem2reg / size_oz)

    bad = score_flags(heap, ["-p 'function(mem2reg),nosuchpass'"], evaluator, size_oz)
    assert not bad.valid and bad.ratio == 1.0 and bad.size is None
    assert bad.reason.startswith("pipeline:") and "nosuchpass" in bad.reason

    garbage = score_flags(heap, ["The weather is nice."], evaluator, size_oz)
    assert not garbage.valid and garbage.pipeline is None and "no pass list" in garbage.reason

    # several samples: the smallest valid answer counts
    best = score_flags(heap, ["garbage!", "-p 'function(mem2reg)'", "-p 'default<Oz>'"], evaluator, size_oz)
    assert best.valid and best.size == min(size_oz, mem2reg) and len(best.per_answer) == 3
    assert [a.valid for a in best.per_answer] == [False, True, True]

    skipped = {**garbage.to_dict(), "skipped": "prompt longer than the context"}
    summary = summarize_flags([oz.to_dict(), small.to_dict(), bad.to_dict(), garbage.to_dict(), skipped])
    r = mem2reg / size_oz
    assert summary["modules"] == 5
    assert summary["improvement_zero_shot"] == pytest.approx(1 - r ** (1 / 5))
    assert summary["improvement_fallback"] == pytest.approx(1 - min(r, 1.0) ** (1 / 5))
    assert summary["better_share"] == (0.2 if r < 1 else 0.0)
    assert summary["worse_share"] == (0.2 if r > 1 else 0.0)
    assert summary["invalid_share"] == 0.4  # bad and garbage; the skipped prompt is not counted as invalid
    assert summary["skipped_share"] == 0.2


# --- emulation -----------------------------------------------------------------------------------------------------


def test_emulation_pipelines_are_seeded_and_from_the_search_space(heap):
    pipelines = sample_pipelines(heap.key, 20, seed=3)
    assert pipelines == sample_pipelines(heap.key, 20, seed=3)
    assert pipelines != sample_pipelines(heap.key, 20, seed=4)
    assert pipelines != sample_pipelines(ADD.key, 20, seed=3)
    lengths = [len(split_top_level(p)) for p in pipelines]
    assert min(lengths) >= 1 and max(lengths) <= 50 and len(set(lengths)) > 5
    assert all(e in SEARCH_SPACE for p in pipelines for e in split_top_level(p))


@pytest.mark.parametrize("asm", [False, True], ids=["ir", "asm"])
def test_emulation_scores_the_real_output_perfectly(heap, evaluator, asm):
    (item,) = emulation_items(heap, per_module=1, seed=1, asm=asm)
    prepare_emulation([item], evaluator)
    assert item.error is None and item.truth
    input_size = evaluator.evaluate(heap, "").size
    assert item.prompt == emulate_prompt(heap.ir, item.pipeline, count_ir_instructions(heap.ir), input_size, asm=asm)
    out_ir = optimize_to_text(heap.ir, item.pipeline)
    assert item.truth == (ir_to_asm(out_ir) if asm else out_ir)
    assert item.true_size == evaluator.evaluate(heap, item.pipeline).size

    stated = f"The {'assembly' if asm else 'LLVM-IR'} has instruction count {item.true_instructions} and binary size"
    perfect = score_emulation(item, f" {stated} {item.true_size} bytes:\n\n<code>{item.truth}</code>")
    assert perfect.exact_match and perfect.bleu == 100.0 and perfect.parses
    assert perfect.size_error == 0.0 and perfect.instruction_error == 0.0

    cut = item.truth.rfind("\n", 0, len(item.truth) // 2) + 4  # mid-line, as the token limit cuts
    truncated = score_emulation(item, f"<code>{item.truth[:cut]}")  # and no closing tag
    assert not truncated.exact_match and not truncated.parses and truncated.parse_error
    assert 0.0 < truncated.bleu < 100.0 and truncated.size_error is None

    garbage = score_emulation(item, f"binary size {2 * item.true_size} bytes <code>no idea</code>")
    assert not garbage.exact_match and not garbage.parses and garbage.bleu < truncated.bleu
    assert garbage.size_error == pytest.approx(1.0)

    summary = summarize_emulation([perfect.to_dict(), truncated.to_dict(), {**garbage.to_dict(), "skipped": "x"}])
    assert summary["exact_match_share"] == pytest.approx(1 / 3) and summary["parse_share"] == pytest.approx(1 / 3)
    assert summary["size_error_mean"] == pytest.approx(0.5) and summary["skipped_share"] == pytest.approx(1 / 3)
    assert 0.0 < summary["bleu_corpus"] < 100.0


# --- disassembly ---------------------------------------------------------------------------------------------


def test_disassembly_round_trip(heap):
    item = prepare_disasm(heap)
    assert item.error is None
    assert item.truth == optimize_to_text(heap.ir, "default<Oz>") and item.asm == ir_to_asm(item.truth)
    assert item.prompt == disasm_prompt(item.asm)

    truth = score_disasm(item, f"<code>{item.truth}</code>")
    assert truth.round_trip and truth.exact_match and truth.parses and truth.round_trip_bleu == 100.0

    garbage = score_disasm(item, "<code>this is not IR</code>")
    assert not garbage.round_trip and not garbage.parses and garbage.round_trip_bleu == 0.0
    assert garbage.reason.startswith("does not parse")

    o0 = score_disasm(item, f"<code>{heap.ir}</code>")  # valid IR, but not what -Oz made
    assert o0.parses and not o0.round_trip and not o0.exact_match
    assert 0.0 < o0.round_trip_bleu < 100.0 and o0.reason == "compiles to different assembly"

    summary = summarize_disasm([truth.to_dict(), garbage.to_dict(), o0.to_dict()])
    assert summary["round_trip_share"] == pytest.approx(1 / 3) and summary["parse_share"] == pytest.approx(2 / 3)
    assert summary["round_trip_bleu_mean"] == pytest.approx((100.0 + o0.round_trip_bleu) / 3)


# --- store records ---------------------------------------------------------------------------------------------


def test_store_records_round_trip(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    store.put_record("task:flags", "a", {"x": 1})
    store.put_record("task:flags", "b", {"x": 2})
    store.put_record("task:disasm", "a", {"y": 3})
    store.close()
    store = Store(tmp_path / "s.sqlite")
    assert store.get_record("task:flags", "a") == {"x": 1} and store.get_record("task:flags", "zz") is None
    assert store.records("task:flags") == [{"x": 1}, {"x": 2}]
    assert store.records("task:disasm") == [{"y": 3}]


# --- the runner, with a real tiny transformers model ---------------------------------------------------------


@pytest.fixture(scope="module")
def taught_model_dir(tiny_model_dir, tmp_path_factory):
    """The session's tiny model, taught LLM Compiler-style answers for ADD: -Oz flags and the exact disassembly."""
    from .tiny_model import teach

    path = shutil.copytree(tiny_model_dir, tmp_path_factory.mktemp("taught") / "model")
    truth = prepare_disasm(ADD).truth
    pairs = [
        (flags_prompt(ADD.ir), " Run opt -p 'default<Oz>' to get object file size of 16 bytes"),
        (prepare_disasm(ADD).prompt, f" <code>{truth}</code>"),
    ]
    assert teach(path, pairs) < 0.05
    return path


def test_runner_scores_stores_and_resumes(taught_model_dir, heap, evaluator, tmp_path):
    from compilerlm.models import load_model

    store = Store(tmp_path / "tasks.sqlite")
    seen: list[dict] = []
    with load_model(f"hf:{taught_model_dir}") as model:
        first = run_task_eval(
            "flags", model, [ADD, heap], evaluator=evaluator, store=store, max_tokens=48, on_item=seen.append
        )
        add, big = first.rows
        assert not add["resumed"] and add["valid"] and add["pipeline"] == "default<Oz>" and add["ratio"] == 1.0
        assert add["predicted_size"] == 16 and add["answers"] == [
            " Run opt -p 'default<Oz>' to get object file size of 16 bytes"
        ]
        assert big["skipped"] and "context" in big["skipped"] and not big["valid"]  # heap.c is longer than 4096 tokens
        assert first.summary["skipped_share"] == 0.5 and first.summary["invalid_share"] == 0.0
        assert first.summary["improvement_zero_shot"] == 0.0 and [r["key"] for r in seen] == [add["key"], big["key"]]
        assert len(store.records("task:flags")) == 2

        again = run_task_eval("flags", model, [ADD, heap], evaluator=evaluator, store=store, max_tokens=48)
        assert all(r["resumed"] for r in again.rows) and again.summary["resumed"] == 2
        assert [{**r, "resumed": False} for r in again.rows] == first.rows
        # other sampling settings are other items
        other = run_task_eval("flags", model, [ADD], evaluator=evaluator, store=store, max_tokens=47)
        assert not other.rows[0]["resumed"]

        lifted = run_task_eval("disasm", model, [ADD], evaluator=evaluator, store=store, max_tokens=200)
        (row,) = lifted.rows
        assert row["round_trip"] and row["exact_match"] and lifted.summary["round_trip_share"] == 1.0

        per_module = EmulateEvalOptions(per_module=2)
        emulated = run_task_eval("emulate", model, [ADD], evaluator=evaluator, options=per_module, max_tokens=8)
        assert len(emulated.rows) == 2 and emulated.summary["items"] == 2
        assert emulated.summary["exact_match_share"] == 0.0  # the model was never taught these

    table = format_table("flags", first.summary)
    assert table.row_count == 7
    files = write_task_report("flags", first, tmp_path / "report")
    text = files.markdown.read_text()
    assert "Improvement vs -Oz" in text and "tiny/add.ll" in text and "default<Oz>" in text
    assert files.plots[0].stat().st_size > 1000 and files.plots[0].read_bytes()[:4] == b"\x89PNG"


def test_runner_rejects_unknown_task(evaluator):
    from compilerlm.models.base import Model

    class Never(Model):
        def generate(self, prompts, n=1, temperature=0.0, max_tokens=1024):
            raise AssertionError("must not be called")

    with pytest.raises(CompilerLMError, match="unknown task"):
        run_task_eval("optimize", Never(), [ADD], evaluator=evaluator)  # type: ignore[arg-type]
    assert math.isfinite(summarize_flags([])["improvement_zero_shot"])
