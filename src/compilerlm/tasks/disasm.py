"""Disassembly (lifting): assembly in (x86-64's, or the module's machine's), LLVM IR out.

The input assembly is what `llc -filetype=asm` (the project's code generation flags) emits for the module
optimized with `default<Oz>` (clang's -Oz pipeline, as every size here); the ground-truth IR is that Oz IR,
as `opt -S` prints it. Metrics as LLM Compiler reports them: round trip (the predicted IR parses and llc turns
it into exactly the input assembly, after normalisation), round-trip BLEU (llc's assembly of the prediction vs
the input, 0 when it does not compile), exact match of the IR with the ground truth (normalised).

The released models' prompt names no machine: they were trained on x86-64, so an x86-64 module gets that prompt
byte for byte. Another machine's module (`--target`) gets the same prompt with its LLVM triple named
(`DISASM_TARGET_PROMPT`): the same assembly text can be several machines' (ARM and Thumb-2), and the IR to write
starts with that triple.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from compilerlm.errors import CompilerLMError
from compilerlm.stats import mean, share
from compilerlm.tasks.common import (
    ASM_TRIPLE,
    extract_code,
    ir_parse_error,
    ir_to_asm,
    normalize_asm,
    normalize_ir,
    optimize_to_text,
    sentence_bleu,
    strip_eos,
)
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.pipelines import OZ_PIPELINE
from compilerlm.toolchain.subprocess_path import machine_of

DISASM_PROMPT = "[INST] Disassemble this code to LLVM-IR:\n\n<code>{asm}</code> [/INST]"
DISASM_TARGET_PROMPT = "[INST] Disassemble this code to LLVM-IR for {triple}:\n\n<code>{asm}</code> [/INST]"
SOURCE_PIPELINE = OZ_PIPELINE


def disasm_prompt(asm: str, triple: str = ASM_TRIPLE) -> str:
    """The exact disassembly prompt of the released LLM Compiler FTD models for x86-64 assembly; for another
    machine's (an LLVM `triple`), the same with the triple named."""
    if triple.startswith("x86_64-"):
        return DISASM_PROMPT.format(asm=asm)
    return DISASM_TARGET_PROMPT.format(asm=asm, triple=triple)


def disasm_completion(ir: str) -> str:
    """The label of a disassembly answer: the IR in a code block (`score_disasm` takes the last one)."""
    return f"<code>{ir}</code>"


@dataclass
class DisasmItem:
    """One module to lift: `asm` (the input) and `truth` (the Oz IR it was generated from), or `error`."""

    module: IRModule
    asm: str = ""
    truth: str | None = None
    error: str | None = None

    @property
    def key(self) -> str:
        return f"{self.module.key}:{SOURCE_PIPELINE}"

    @property
    def triple(self) -> str:
        """The module's machine (its LLVM triple): the assembly is that machine's."""
        return machine_of(self.module.ir).triple or ASM_TRIPLE

    @property
    def prompt(self) -> str:
        return disasm_prompt(self.asm, self.triple)


def prepare_disasm(module: IRModule, *, timeout: float = 120.0) -> DisasmItem:
    """Optimize with real opt (`default<Oz>`), then real llc to assembly; a tool failure is kept as `error`."""
    item = DisasmItem(module)
    try:
        item.truth = optimize_to_text(module.ir, SOURCE_PIPELINE, timeout=timeout)
        item.asm = ir_to_asm(item.truth, timeout=timeout)
    except CompilerLMError as exc:
        item.truth, item.error = None, str(exc)
    return item


@dataclass
class DisasmScore:
    """One answer, judged by the real llvm-as and llc. BLEU is 0-100 over normalised assembly."""

    parses: bool
    round_trip: bool
    round_trip_bleu: float
    exact_match: bool
    reason: str | None

    def to_dict(self) -> dict:
        return asdict(self)


def score_disasm(item: DisasmItem, text: str, *, timeout: float = 120.0) -> DisasmScore:
    """Parse the answer's IR (the last code block, or the bare answer), compile it back and compare. Exact
    match needs the IR to parse too: normalisation drops attribute groups, which a valid module must define."""
    if item.truth is None:
        raise CompilerLMError(f"disassembly item {item.module.name} has no ground truth ({item.error})")
    code = extract_code(text, "last")
    ir = code if code is not None else strip_eos(text).strip()
    exact = bool(ir.strip()) and normalize_ir(ir) == normalize_ir(item.truth)
    error = ir_parse_error(ir, timeout=timeout) if ir.strip() else "no code in the answer"
    if error is not None:
        return DisasmScore(False, False, 0.0, False, f"does not parse: {error}")
    try:
        asm = ir_to_asm(ir, timeout=timeout)
    except CompilerLMError as exc:
        return DisasmScore(True, False, 0.0, exact, str(exc))
    predicted, wanted = normalize_asm(asm, item.triple), normalize_asm(item.asm, item.triple)
    same = predicted == wanted
    reason = None if same else "compiles to different assembly"
    return DisasmScore(True, same, sentence_bleu(predicted, wanted), exact, reason)


def summarize_disasm(rows: Sequence[dict]) -> dict:
    """Suite figures from per-item rows (DisasmScore dicts; `skipped` rows were scored as an empty answer, rows
    with `error` had no ground truth and are left out): round-trip share, mean round-trip BLEU, exact-match
    share, parse share, skipped share."""
    scored = [r for r in rows if not r.get("error")]
    n = len(scored)
    return {
        "items": n,
        "no_ground_truth": len(rows) - n,
        "round_trip_share": share(sum(bool(r["round_trip"]) for r in scored), n),
        "round_trip_bleu_mean": mean([r["round_trip_bleu"] for r in scored]) or 0.0,
        "exact_match_share": share(sum(bool(r["exact_match"]) for r in scored), n),
        "parse_share": share(sum(bool(r["parses"]) for r in scored), n),
        "skipped_share": share(sum(bool(r.get("skipped")) for r in scored), n),
    }
