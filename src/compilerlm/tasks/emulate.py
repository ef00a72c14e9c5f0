"""Compiler emulation: IR and a pass pipeline in, the IR opt would print (or the assembly llc would then emit) out.

Pipelines are random lists of 1-50 elements of the search space, seeded by (seed, module content), so the same
items come back on every run. Ground truth is what the real `opt -p '…' -S` prints, then for the assembly
variant what `llc -filetype=asm` (the project's code generation flags) emits for that IR.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from compilerlm.errors import CompilerLMError
from compilerlm.stats import mean, share
from compilerlm.tasks.common import (
    ASM_TRIPLE,
    asm_parse_error,
    bleu_stats,
    code_blocks,
    corpus_bleu_from_stats,
    ir_parse_error,
    ir_to_asm,
    normalize_asm,
    normalize_ir,
    optimize_to_text,
    sentence_bleu,
    stated_counts,
    strip_eos,
)
from compilerlm.toolchain.evaluator import Evaluator
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.objsize import count_ir_instructions
from compilerlm.toolchain.search_space import SEARCH_SPACE, pipeline_text
from compilerlm.toolchain.subprocess_path import machine_of

_TAIL = "\n\nThe input code has instruction count {n} and binary size {b} bytes. [/INST]"
EMULATE_IR_PROMPT = (
    "[INST] Give the LLVM-IR for the following code when optimized using opt -p '{passes}':\n\n<code>{ir}</code>"
    + _TAIL
)
EMULATE_ASM_PROMPT = (
    "[INST] Give the assembly for the following code when optimized using opt -p '{passes}':\n\n<code>{ir}</code>"
    + _TAIL
)
MAX_ELEMENTS = 50


def emulate_prompt(ir: str, passes: str, instructions: int, size: int, *, asm: bool = False) -> str:
    """The exact emulation prompt of the released LLM Compiler models; `instructions` and `size` describe the
    INPUT (IR instruction count, object size with no pass run)."""
    template = EMULATE_ASM_PROMPT if asm else EMULATE_IR_PROMPT
    return template.format(passes=passes, ir=ir, n=instructions, b=size)


def emulate_completion(truth: str, instructions: int | None, size: int | None, *, asm: bool = False) -> str:
    """The label of an emulation answer: the output's instruction count and size, then its code
    (`parse_emulation_answer` reads all three back)."""
    what = "assembly" if asm else "LLVM-IR"
    head = f"The {what} has instruction count {instructions} and binary size {size} bytes:\n\n"
    return head + f"<code>{truth}</code>"


def sample_pipelines(module_key: str, count: int, seed: int = 0, max_elements: int = MAX_ELEMENTS) -> list[str]:
    """`count` pipelines of 1..max_elements search-space elements, the same for the same (module, seed)."""
    rng = random.Random(f"emulate:{seed}:{module_key}")
    return [pipeline_text(rng.choices(SEARCH_SPACE, k=rng.randint(1, max_elements))) for _ in range(count)]


@dataclass
class EmulationItem:
    """One (module, pipeline) to emulate. `prepare_emulation` fills the prompt and the real tools' answer;
    `error` says why there is no ground truth (opt rejected or crashed on the pipeline)."""

    module: IRModule
    index: int
    pipeline: str
    asm: bool = False
    seed: int = 0
    prompt: str = ""
    truth: str | None = None
    true_size: int | None = None
    true_instructions: int | None = None
    error: str | None = None

    @property
    def key(self) -> str:
        digest = hashlib.sha256(self.pipeline.encode()).hexdigest()[:16]
        return f"{self.module.key}:{'asm' if self.asm else 'ir'}:s{self.seed}:{self.index}:{digest}"


def emulation_items(module: IRModule, *, per_module: int = 1, seed: int = 0, asm: bool = False) -> list[EmulationItem]:
    """The items of one module, without ground truth yet (cheap: keys for resume need nothing more)."""
    return [
        EmulationItem(module, i, p, asm, seed) for i, p in enumerate(sample_pipelines(module.key, per_module, seed))
    ]


def prepare_emulation(items: Sequence[EmulationItem], evaluator: Evaluator, *, timeout: float = 120.0) -> None:
    """Fill prompt and ground truth: the input's size with no pass run and every output size in one evaluator
    batch; the output IR (and assembly) from the real opt (and llc)."""
    jobs = []
    for item in items:
        jobs += [(item.module, ""), (item.module, item.pipeline)]
    evaluations = evaluator.evaluate_many(jobs)
    for k, item in enumerate(items):
        base, out = evaluations[2 * k], evaluations[2 * k + 1]
        if not base.ok or base.size is None:
            item.error = f"input does not compile: {base.error}"
            continue
        item.prompt = emulate_prompt(
            item.module.ir, item.pipeline, count_ir_instructions(item.module.ir), base.size, asm=item.asm
        )
        try:
            ir = optimize_to_text(item.module.ir, item.pipeline, timeout=timeout)
            item.truth = ir_to_asm(ir, timeout=timeout) if item.asm else ir
        except CompilerLMError as exc:
            item.error = str(exc)
            continue
        item.true_instructions = count_ir_instructions(ir)
        item.true_size = out.size
        if not out.ok:
            item.error = f"{out.error_kind}: {out.error}"


@dataclass
class ParsedEmulation:
    """The code of an answer and the output instruction count / size it states before the code, if any."""

    code: str
    instructions: int | None = None
    size: int | None = None


def parse_emulation_answer(text: str) -> ParsedEmulation:
    """LLM Compiler states the output's instruction count and binary size, then gives the code in `<code>`
    (possibly cut off by the token limit). An answer without a code block is taken as bare code."""
    text = strip_eos(text)
    blocks = code_blocks(text)
    instructions, size = stated_counts(text)
    code = blocks[0][0] if blocks else text.strip()
    return ParsedEmulation(code, instructions, size)


@dataclass
class EmulationScore:
    """One answer against the real tools' output. BLEU is over the normalised texts (0-100)."""

    exact_match: bool
    bleu: float
    parses: bool
    parse_error: str | None
    predicted_size: int | None
    size_error: float | None
    predicted_instructions: int | None
    instruction_error: float | None
    bleu_stats: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _relative_error(predicted: int | None, true: int | None) -> float | None:
    if predicted is None or not true:
        return None
    return abs(predicted - true) / true


def score_emulation(item: EmulationItem, text: str) -> EmulationScore:
    """Exact match (normalised), BLEU, whether the real llvm-as (IR) / llvm-mc (assembly) accepts the answer,
    and the relative error of the stated output size (|predicted - true| / true) and instruction count."""
    if item.truth is None:
        raise CompilerLMError(f"emulation item {item.key} has no ground truth ({item.error}); prepare it first")
    parsed = parse_emulation_answer(text)
    if item.asm:  # the module's machine's assembly: its comments, its assembler
        triple = machine_of(item.module.ir).triple or ASM_TRIPLE
        predicted, truth = normalize_asm(parsed.code, triple), normalize_asm(item.truth, triple)
        error = asm_parse_error(parsed.code, triple=triple) if parsed.code.strip() else "no code"
    else:
        predicted, truth = normalize_ir(parsed.code), normalize_ir(item.truth)
        error = ir_parse_error(parsed.code) if parsed.code.strip() else "no code"
    return EmulationScore(
        exact_match=bool(truth) and predicted == truth,
        bleu=sentence_bleu(predicted, truth),
        parses=error is None,
        parse_error=error,
        predicted_size=parsed.size,
        size_error=_relative_error(parsed.size, item.true_size),
        predicted_instructions=parsed.instructions,
        instruction_error=_relative_error(parsed.instructions, item.true_instructions),
        bleu_stats=bleu_stats(predicted, truth),
    )


def summarize_emulation(rows: Sequence[dict]) -> dict:
    """Suite figures from per-item rows (EmulationScore dicts; `skipped` rows were scored as an empty answer,
    rows with `error` had no ground truth and are left out): exact-match share, corpus BLEU, mean sentence BLEU,
    parse share, mean relative size error over answers that stated a size, skipped share."""
    scored = [r for r in rows if not r.get("error")]
    n = len(scored)
    size_errors = [r["size_error"] for r in scored if r.get("size_error") is not None]
    count_errors = [r["instruction_error"] for r in scored if r.get("instruction_error") is not None]
    return {
        "items": n,
        "no_ground_truth": len(rows) - n,
        "exact_match_share": share(sum(bool(r["exact_match"]) for r in scored), n),
        "bleu_corpus": corpus_bleu_from_stats([r["bleu_stats"] for r in scored]),
        "bleu_mean": mean([r["bleu"] for r in scored]) or 0.0,
        "parse_share": share(sum(bool(r["parses"]) for r in scored), n),
        "size_error_mean": mean(size_errors),
        "size_stated_share": share(len(size_errors), n),
        "instruction_error_mean": mean(count_errors),
        "skipped_share": share(sum(bool(r.get("skipped")) for r in scored), n),
    }
