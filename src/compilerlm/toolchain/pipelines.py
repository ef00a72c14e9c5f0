"""Pass pipelines in `opt -passes=` syntax, and the baselines expanded exactly as clang runs them.

`opt -passes='default<Oz>'` is not what `clang -Oz` runs: clang's pass builder enables the SLP
vectorizer and disables the loop vectorizer at -Oz (opt has no switch for either), and adds
`declare-to-assign`. We therefore ask clang itself for its pipeline text once per level
(`-mllvm -print-pipeline-passes`) and substitute it for every `default<O?>` element, on both
evaluation paths. The result lands byte for byte on `clang -Oz -c` (tested on the built-in suite).

For -O3 the printed text is not faithful (the inliner's -O3 threshold is not part of it), so the -O3
*baseline* is measured by clang itself (`subprocess_path.evaluate_with_clang`); `default<O3>` inside a
searched pipeline means the printed text, the same on both paths.
"""

from __future__ import annotations

import functools
import re

from compilerlm.errors import CompileError, PipelineError
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.run import first_error_line, run_tool

# -O0 means "no IR pass at all": the unoptimized IR straight to code generation.
BASELINES: dict[str, str] = {"O0": "", "Oz": "default<Oz>", "O3": "default<O3>"}
_DEFAULT_RE = re.compile(r"default<(O[0-3sz])>")


def normalize(pipeline: str) -> str:
    """Accept `-passes=a,b`, `opt -passes='a,b'`, spaces after commas; return `a,b`."""
    text = pipeline.strip()
    if text.startswith("opt "):
        text = text[4:].strip()
    for prefix in ("--passes=", "-passes=", "-p="):
        if text.startswith(prefix):
            text = text[len(prefix):]
    text = text.strip().strip("'\"").strip()
    text = re.sub(r"\s*,\s*", ",", text)
    if re.search(r"\s", text):
        raise PipelineError(f"malformed pipeline {pipeline!r}: passes are separated by commas, not spaces")
    return text


@functools.cache
def clang_pipeline(level: str) -> str:
    """The module pipeline clang runs at -{level}, as `opt -passes=` text."""
    if level == "O0":
        return ""
    res = run_tool(
        [llvm_tool("clang"), f"-{level}", "-c", "-x", "c", "/dev/null", "-o", "/dev/null",
         "-mllvm", "-print-pipeline-passes"],
        what="clang -print-pipeline-passes",
    )
    text = res.stdout.decode().strip()
    if res.returncode != 0 or not text:
        raise CompileError(f"could not read clang's -{level} pipeline: {first_error_line(res.stderr.decode())}")
    return text


def expand(pipeline: str) -> str:
    """Normalize, then replace each `default<O?>` with clang's own pipeline text for that level."""
    text = normalize(pipeline)
    return _DEFAULT_RE.sub(lambda m: clang_pipeline(m.group(1)), text)


def split_top_level(pipeline: str) -> list[str]:
    """Split `a,b(c,d),e<x;y>` into its top-level elements `a`, `b(c,d)`, `e<x;y>`."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(pipeline):
        if ch in "(<":
            depth += 1
        elif ch in ")>":
            depth -= 1
            if depth < 0:
                raise PipelineError(f"malformed pipeline {pipeline!r}: unbalanced '{ch}' at position {i}")
        elif ch == "," and depth == 0:
            parts.append(pipeline[start:i])
            start = i + 1
    if depth != 0:
        raise PipelineError(f"malformed pipeline {pipeline!r}: unclosed bracket")
    if pipeline:
        parts.append(pipeline[start:])
    if any(not p for p in parts):
        raise PipelineError(f"malformed pipeline {pipeline!r}: empty pass name (stray comma?)")
    return parts
