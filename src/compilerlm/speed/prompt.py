"""SuperCoder's prompt (arXiv 2505.11480), and the assembly read back out of a model's answer.

The prompt is one user message (no system message) holding the C program and its ``gcc -O3`` assembly as
they are. From the answer the candidate is the last fenced block tagged ``assembly`` (leniently: aliases,
an unclosed block); a verbatim copy of the baseline is recognised so that it earns nothing.
"""

from __future__ import annotations

import re

from compilerlm.tasks.common import normalize_asm, strip_eos

# SuperCoder's prompt (one user message, no system message). The head, up to "```assembly\n", is checked
# against rows of the released dataset LLM4Code/llm_superoptimizer_ds (Hugging Face viewer); the tail
# ("Only output ... Optimized Assembly Code:\n") is that of the dataset-building script (same f-string
# layout), not seen in a row itself. Code and assembly are pasted as they are, so a C file without a final
# newline puts the closing fence on its last line, as in the dataset.
ASM_PROMPT = (
    "Given the following C code and assembly code, your task is to generate highly optimized x86-64 assembly code.\n"
    "C Code:\n\n```c\n{c_code}```\n\n"
    "Assembly Code:\n\n```assembly\n{assembly}```\n\n"
    "Only output the optimized assembly code. Do not include any other text. Do not write any comments in the "
    "assembly code. Wrap the assembly code in ```assembly``` tags.\n"
    "Optimized Assembly Code:\n"
)
# The C-only variant (SuperCoder's rows carry one as `c_only_question`): the same request without the
# assembly. Its wording here is ours, the main prompt's minus the assembly part.
C_ONLY_PROMPT = (
    "Given the following C code, your task is to generate highly optimized x86-64 assembly code.\n"
    "C Code:\n\n```c\n{c_code}```\n\n"
    "Only output the optimized assembly code. Do not include any other text. Do not write any comments in the "
    "assembly code. Wrap the assembly code in ```assembly``` tags.\n"
    "Optimized Assembly Code:\n"
)
ASM_TAGS = ("assembly", "asm", "s", "gas", "x86asm", "x86-64", "x86_64")  # fence tags taken as assembly


def asm_prompt_text(c_code: str, baseline_asm: str) -> str:
    """SuperCoder's prompt as one string, for backends that take raw text (apply no chat template to it)."""
    return ASM_PROMPT.format(c_code=c_code, assembly=baseline_asm)


def c_only_prompt_text(c_code: str) -> str:
    return C_ONLY_PROMPT.format(c_code=c_code)


def asm_prompt(c_code: str, baseline_asm: str) -> list[dict[str, str]]:
    """SuperCoder's prompt as chat messages (the dataset's layout: a single user turn)."""
    return [{"role": "user", "content": asm_prompt_text(c_code, baseline_asm)}]


_OPEN = re.compile(r"^ {0,3}```[ \t]*([\w+.-]*)[ \t]*$")
_CLOSE = re.compile(r"^\s*```\s*$")


def assembly_blocks(completion: str) -> list[tuple[str, str, bool]]:
    """Every fenced block as (tag, content, closed). A block cut off by the token limit runs to the end of
    the text; a closing fence glued to the last line (``ret```ʼ``) also closes, as the dataset writes it."""
    lines = strip_eos(completion).split("\n")
    blocks: list[tuple[str, str, bool]] = []
    i = 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        i += 1
        if not m:
            continue
        body: list[str] = []
        closed = False
        while i < len(lines):
            line = lines[i]
            i += 1
            if _CLOSE.match(line):
                closed = True
                break
            if line.rstrip().endswith("```"):
                body.append(line.rstrip()[:-3])
                closed = True
                break
            body.append(line)
        content = "\n".join(body)
        if content and not content.endswith("\n"):
            content += "\n"
        blocks.append((m.group(1).lower(), content, closed))
    return blocks


def extract_assembly(completion: str) -> str | None:
    """The content of the LAST fenced block tagged ``assembly`` (SuperCoder's rule), None when there is none.

    Lenient where it costs nothing: the tag is case-insensitive and its common aliases count (``asm``,
    ``s``, ``gas``, ``x86asm``, ``x86-64``, ``x86_64``); spaces around the tag, an indented fence, a
    closing fence glued to the last line and a block cut off by the token limit are accepted (the
    assembler judges the content). Untagged or otherwise tagged blocks (```` ```c ````) are not assembly.
    """
    found = [content for tag, content, _ in assembly_blocks(completion) if tag in ASM_TAGS]
    if not found or not found[-1].strip():
        return None
    return found[-1]


def is_baseline_copy(candidate_asm: str, baseline_asm: str) -> bool:
    """Same code as the baseline once comments, ``.file``/``.ident``, blank lines and trailing spaces are gone.

    SuperCoder's own check (``is_same_assembly``) compares the texts after ``strip()``; normalising catches
    the same copies plus ones with a comment or blank line added."""
    return normalize_asm(candidate_asm) == normalize_asm(baseline_asm)
