"""What every task shares: reading code out of an answer, normalising IR/assembly for exact match, BLEU,
and the real-tool checks (does it parse, what does opt/llc make of it).

Normalisation removes only what carries no meaning for the comparison (comments, names of the source file,
metadata and attribute groups, blank lines, trailing spaces), so an exact match means the same code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import sacrebleu
from sacrebleu.metrics.bleu import BLEU  # its own module: sacrebleu.metrics has no __all__

from compilerlm.confined_tools import run_tool_confined
from compilerlm.errors import CompileError, LLVMCrash, ToolTimeout
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.pipelines import expand
from compilerlm.toolchain.run import first_error_line, run_tool
from compilerlm.toolchain.subprocess_path import LLC_FLAGS, OPT_FLAGS, machine_of
from compilerlm.toolchain.targets import HOST, asm_comment

# Code generation exactly as every object size is measured, but writing assembly text.
LLC_ASM_FLAGS = tuple("-filetype=asm" if f == "-filetype=obj" else f for f in LLC_FLAGS)
ASM_TRIPLE = HOST.llvm_triple  # assembly whose machine is not said: the speed track's (gcc's, for the host)
_EOS = ("</s>", "<|endoftext|>", "<|end_of_text|>", "<|eot_id|>")

# ------------------------------------------------------------------ reading answers


def strip_eos(text: str) -> str:
    """Drop end-of-sequence markers a backend may leave in decoded text."""
    for marker in _EOS:
        text = text.replace(marker, "")
    return text


def code_blocks(text: str) -> list[tuple[str, bool]]:
    """Every `<code>…</code>` block as (content, closed); a block cut off by the token limit has no closing
    tag and runs to the end of the text. Falls back to Markdown fences (```…```) when there is no tag."""
    text = strip_eos(text)
    blocks: list[tuple[str, bool]] = []
    pos = 0
    while (start := text.find("<code>", pos)) != -1:
        start += len("<code>")
        end = text.find("</code>", start)
        if end == -1:
            blocks.append((text[start:], False))
            break
        blocks.append((text[start:end], True))
        pos = end + len("</code>")
    if blocks:
        return blocks
    for match in re.finditer(r"```[\w+-]*\n(.*?)(```|\Z)", text, re.S):
        blocks.append((match.group(1), bool(match.group(2))))
    return blocks


def extract_code(text: str, which: str = "last") -> str | None:
    """The content of the last (or first) code block; None when the answer has none."""
    blocks = code_blocks(text)
    if not blocks:
        return None
    return blocks[-1 if which == "last" else 0][0]


def outside_code(text: str) -> str:
    """The answer's prose: everything not inside a code block (where pass lists and sizes are stated)."""
    text = strip_eos(text)
    text = re.sub(r"<code>.*?(</code>|\Z)", " ", text, flags=re.S)
    return re.sub(r"```.*?(```|\Z)", " ", text, flags=re.S)


_COUNT_RE = re.compile(r"instruction\s+count\s*(?:of|is|=|:)?\s*(\d+)", re.I)
_SIZE_RE = re.compile(r"(?:binary|object(?:\s+file)?|file|code)?\s*size\s*(?:of|is|=|:)?\s*(\d+)\s*(?:bytes|B\b)", re.I)


def stated_counts(text: str) -> tuple[int | None, int | None]:
    """(instruction count, size in bytes) that the answer's prose states, e.g. "The LLVM-IR has instruction
    count 12 and binary size 65 bytes:"; None for what is not stated. The last statement wins."""
    prose = outside_code(text)
    counts = _COUNT_RE.findall(prose)
    sizes = _SIZE_RE.findall(prose) or re.findall(r"(\d+)\s*bytes", prose, re.I)
    return (int(counts[-1]) if counts else None, int(sizes[-1]) if sizes else None)


# ------------------------------------------------------------------ normalisation


def _split_quoted(line: str) -> list[tuple[str, bool]]:
    """A line as (segment, quoted) pieces, quotes included in the quoted ones; a backslash inside a string
    escapes the next character (`\\22` in IR, `\\"` in assembly), so no escaped quote ends a string."""
    parts: list[tuple[str, bool]] = []
    buf: list[str] = []
    quoted, i = False, 0
    while i < len(line):
        ch = line[i]
        if quoted and ch == "\\":
            buf.append(line[i : i + 2])
            i += 2
            continue
        if ch == '"' and quoted:
            buf.append(ch)
            parts.append(("".join(buf), True))
            buf, quoted = [], False
        elif ch == '"':
            if buf:
                parts.append(("".join(buf), False))
            buf, quoted = [ch], True
        else:
            buf.append(ch)
        i += 1
    if buf:
        parts.append(("".join(buf), quoted))
    return parts


def _strip_comment(line: str, marker: str) -> str:
    out = []
    for seg, quoted in _split_quoted(line):
        if not quoted and marker in seg:
            out.append(seg[: seg.index(marker)])
            break
        out.append(seg)
    return "".join(out)


def _map_unquoted(line: str, fn: Callable[[str], str]) -> str:
    return "".join(seg if quoted else fn(seg) for seg, quoted in _split_quoted(line))


_ATTACHMENT_RE = re.compile(r"(?:,\s*|\s+)![A-Za-z_][\w.]*\s+!\d+")
_ATTR_REF_RE = re.compile(r"\s+#\d+\b")


def normalize_ir(ir: str) -> str:
    """IR without comments (incl. `; ModuleID`), `source_filename`, metadata definitions and attachments
    (`, !tbaa !5`, `!dbg !7`), attribute groups and their `#N` references, blank lines and trailing spaces."""
    lines = []
    for raw in ir.splitlines():
        line = _strip_comment(raw, ";").rstrip()
        stripped = line.lstrip()
        if not stripped or stripped.startswith(("source_filename", "!", "attributes #")):
            continue
        line = _map_unquoted(line, lambda s: _ATTR_REF_RE.sub("", _ATTACHMENT_RE.sub("", s)))
        lines.append(line.rstrip())
    return "\n".join(lines)


def normalize_asm(asm: str, triple: str = ASM_TRIPLE) -> str:
    """Assembly without comments (`#`, or what starts one on the machine of the LLVM `triple`: `@` on ARM, `//` on
    AArch64, where `#` is an immediate's), `.ident` and `.file` directives, blank lines and trailing spaces."""
    marker = asm_comment(triple)
    lines = []
    for raw in asm.splitlines():
        line = _strip_comment(raw, marker).rstrip()
        stripped = line.lstrip()
        if not stripped or stripped.startswith((".ident", ".file")):
            continue
        lines.append(line)
    return "\n".join(lines)


# ------------------------------------------------------------------ BLEU

_TOKEN_RE = re.compile(r"[%@$]?[A-Za-z_.][\w.$]*|[%@$]?\d+|\S")


def code_tokens(text: str) -> list[str]:
    """Code tokens for BLEU: identifiers and registers with their sigil (`%rax`, `@main`, `.LBB0_1`), numbers,
    and every other non-space character on its own. Whitespace and layout do not count."""
    return _TOKEN_RE.findall(text)


def _tokenized(text: str) -> str:
    return " ".join(code_tokens(text))


def sentence_bleu(hypothesis: str, reference: str) -> float:
    """BLEU (0-100) of one answer against its reference, over `code_tokens` (sacrebleu, tokenize='none',
    exponential smoothing as sacrebleu's default). Two empty texts score 100."""
    hyp, ref = _tokenized(hypothesis), _tokenized(reference)
    if not hyp and not ref:
        return 100.0
    return min(100.0, sacrebleu.sentence_bleu(hyp, [ref], tokenize="none").score)


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus BLEU (0-100) over `code_tokens`: n-gram statistics pooled over all items, as papers report it."""
    return corpus_bleu_from_stats([bleu_stats(h, r) for h, r in zip(hypotheses, references, strict=True)])


def bleu_stats(hypothesis: str, reference: str) -> list[int]:
    """The sufficient statistics of BLEU for one item: [hyp_len, ref_len, matches(1..4), totals(1..4)].
    Stored with each result row, so corpus BLEU over a resumed run needs no texts."""
    score = _BLEU.sentence_score(_tokenized(hypothesis), [_tokenized(reference)])
    return [score.sys_len, score.ref_len, *score.counts, *score.totals]


def corpus_bleu_from_stats(stats: Sequence[Sequence[int]]) -> float:
    """Corpus BLEU (0-100) from summed `bleu_stats` (sacrebleu's corpus formula, exponential smoothing; orders
    with no n-grams at all are left out, which only matters for texts under 4 tokens)."""
    if not stats:
        return 0.0
    total = [sum(col) for col in zip(*stats, strict=True)]
    sys_len, ref_len, counts, totals = total[0], total[1], total[2:6], total[6:10]
    if sys_len == 0 and ref_len == 0:
        return 100.0
    return min(
        100.0, _BLEU.compute_bleu(counts, totals, sys_len, ref_len, smooth_method="exp", effective_order=True).score
    )


_BLEU = BLEU(tokenize="none", effective_order=True)


# ------------------------------------------------------------------ real tools


def _tool_message(stderr: bytes) -> str:
    line = first_error_line(stderr.decode(errors="replace"))
    return re.sub(r"^\S*(llvm-as|llvm-mc|llc|opt): ", "", line).removeprefix("<stdin>:")


def ir_parse_error(ir: str, *, timeout: float = 60.0) -> str | None:
    """None when the real IR parser and verifier (`llvm-as`) accept the text, else its first error line.
    A crash or timeout of the tool is an error too (untrusted text must not stop a run)."""
    try:
        res = run_tool_confined([llvm_tool("llvm-as"), "-", "-o", "/dev/null"], input=ir.encode(), timeout=timeout)
    except (LLVMCrash, ToolTimeout) as exc:
        return str(exc)
    return None if res.returncode == 0 else _tool_message(res.stderr)


def asm_parse_error(asm: str, *, triple: str = ASM_TRIPLE, timeout: float = 60.0) -> str | None:
    """None when the real assembler (`llvm-mc` for the LLVM `triple`) assembles the text to an object, else its
    first error. Confined: the text is a model's, and `.include` would echo a host file into the error."""
    cmd = [llvm_tool("llvm-mc"), f"-triple={triple}", "-filetype=obj", "-o", "/dev/null", "-"]
    try:
        res = run_tool_confined(cmd, input=asm.encode(), timeout=timeout)
    except (LLVMCrash, ToolTimeout) as exc:
        return str(exc)
    return None if res.returncode == 0 else _tool_message(res.stderr)


def optimize_to_text(ir: str, pipeline: str, *, timeout: float = 120.0) -> str:
    """What `opt -p '{pipeline}' -S` prints for this IR (with the project's opt flags and the same expansion of
    `default<O?>` as every size measurement). Raises CompileError/PipelineError/LLVMCrash/ToolTimeout."""
    machine = machine_of(ir)  # the module's own target machine, as every size measurement builds it
    expanded = expand(pipeline, machine.triple)
    if not expanded:
        return ir
    cmd = [llvm_tool("opt"), *OPT_FLAGS, *machine.flags(), f"-passes={expanded}", "-S", "-", "-o", "-"]
    res = run_tool(cmd, input=ir.encode(), timeout=timeout, what="opt")
    if res.returncode != 0:
        raise CompileError(f"opt rejected pipeline {pipeline!r}: {_tool_message(res.stderr)}")
    return res.stdout.decode()


def ir_to_asm(ir: str, *, timeout: float = 120.0) -> str:
    """Assembly from real `llc` with the project's code generation flags but `-filetype=asm`, confined (the IR
    may be a model's, and its `module asm` goes to the assembler).
    Raises CompileError when llc rejects the IR, LLVMCrash/ToolTimeout when it breaks."""
    cmd = [llvm_tool("llc"), *LLC_ASM_FLAGS, *machine_of(ir).flags(), "-", "-o", "-"]
    res = run_tool_confined(cmd, input=ir.encode(), timeout=timeout, what="llc")
    if res.returncode != 0:
        raise CompileError(f"llc rejected the IR: {_tool_message(res.stderr)}")
    return res.stdout.decode()
