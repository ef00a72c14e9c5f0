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
OZ_PIPELINE = "default<Oz>"
"""clang's -Oz in compilerlm's pipeline notation: the baseline and fallback of every size search."""

BASELINES: dict[str, str] = {"O0": "", "Oz": OZ_PIPELINE, "O3": "default<O3>"}
_DEFAULT_RE = re.compile(r"default<(O[0-3sz])>")
# passes whose effects reach outside the module: graph files written to the working directory, a graph
# viewer started, a profile read from a path in the pass's parameters. No size search needs them, and a
# pipeline may come from a model: they are refused wherever a pipeline is read.
_OUTSIDE_EFFECTS = re.compile(r"(?<![\w-])(view-[\w-]+|dot-[\w-]+|print-lcg-dot|memprof-use)(?![\w-])")


def normalize(pipeline: str) -> str:
    """Accept `-passes=a,b`, `opt -passes='a,b'`, spaces after commas; return `a,b`."""
    text = pipeline.strip()
    if text.startswith("opt "):
        text = text[4:].strip()
    for prefix in ("--passes=", "-passes=", "-p="):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    text = text.strip().strip("'\"").strip()
    text = re.sub(r"\s*,\s*", ",", text)
    if re.search(r"\s", text):
        raise PipelineError(f"malformed pipeline {pipeline!r}: passes are separated by commas, not spaces")
    split_top_level(text)  # raises on empty elements and unbalanced brackets, naming the problem
    if m := _OUTSIDE_EFFECTS.search(text):
        raise PipelineError(
            f"pass {m.group(1)!r} is not allowed: it writes files, starts a viewer or reads a file named in the "
            "pipeline; remove it (it cannot change the object's size)"
        )
    return text


@functools.cache
def clang_pipeline(level: str) -> str:
    """The module pipeline clang runs at -{level}, as `opt -passes=` text."""
    if level == "O0":
        return ""
    res = run_tool(
        [
            llvm_tool("clang"),
            f"-{level}",
            "-c",
            "-x",
            "c",
            "/dev/null",
            "-o",
            "/dev/null",
            "-mllvm",
            "-print-pipeline-passes",
        ],
        what="clang -print-pipeline-passes",
    )
    text = res.stdout.decode().strip()
    if res.returncode != 0 or not text:
        raise CompileError(f"could not read clang's -{level} pipeline: {first_error_line(res.stderr.decode())}")
    return text


def expand(pipeline: str) -> str:
    """The text both evaluation paths hand to LLVM: each `default<O?>` replaced by clang's own pipeline,
    and the whole wrapped in `module(...)`. opt infers a pipeline's level from its first pass, so
    `inline,globalopt` would parse as a CGSCC pipeline and reject `globalopt`; inside `module(...)` every
    function, loop and CGSCC pass is adapted to module level, in any order (`loop-mssa(...)` elements
    get the `function(...)` adaptor they need)."""
    text = normalize(pipeline)
    if not text:
        return ""
    elements = [_module_level(e) for e in split_top_level(text)]
    text = _DEFAULT_RE.sub(lambda m: clang_pipeline(m.group(1)), ",".join(elements))
    return f"module({text})"


def opt_pipeline(pipeline: str) -> str:
    """The text to give `opt -passes=` so that it runs exactly what compilerlm measured for `pipeline`
    (compilerlm's notation, e.g. `default<Oz>,function(gvn-hoist)`): `expand()`'s result, every
    `default<O?>` spelled out as clang's own pipeline. `opt -passes='default<Oz>,…'` is a different pipeline."""
    return expand(pipeline)


def _module_level(element: str) -> str:
    """Loop-pass adaptors are not module passes; put them in the function adaptor they need."""
    return f"function({element})" if element.startswith(("loop(", "loop-mssa(")) else element


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
