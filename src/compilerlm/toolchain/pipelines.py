"""Pass pipelines in `opt -passes=` syntax, and the baselines expanded exactly as clang runs them.

`opt -passes='default<Oz>'` is not what `clang -Oz` runs: clang's pass builder enables the SLP
vectorizer and disables the loop vectorizer at -Oz (opt has no switch for either), and adds
`declare-to-assign`. We therefore ask clang itself for its pipeline text once per level
(`-mllvm -print-pipeline-passes`) and substitute it for every `default<O?>` element, on both
evaluation paths. The result lands byte for byte on `clang -Oz -c` (tested on the built-in suite).

clang's pipeline depends on the target: AArch64's and RISC-V's pass builders add passes (`loop-idiom-vectorize`).
So `default<O?>` is expanded for the module's triple (`expand(pipeline, triple)`), read from clang with that
target's flags (`clang_target_flags`), cached per level and triple; the host's text is read exactly as before.

For -O3 the printed text is not faithful (the inliner's -O3 threshold is not part of it), so the -O3
*baseline* is measured by clang itself (`subprocess_path.evaluate_with_clang`); `default<O3>` inside a
searched pipeline means the printed text, the same on both paths.
"""

from __future__ import annotations

import functools
import re

from compilerlm.cache import tool_output
from compilerlm.errors import CompileError, PipelineError
from compilerlm.toolchain.catalogue import pass_catalogue
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.run import first_error_line, run_tool
from compilerlm.toolchain.search_space import CLANG_ANALYSES, EXCLUDED, MODULE_ONLY, outside_the_module
from compilerlm.toolchain.targets import TARGETS

# -O0 means "no IR pass at all": the unoptimized IR straight to code generation.
OZ_PIPELINE = "default<Oz>"
"""clang's -Oz in compilerlm's pipeline notation: the baseline and fallback of every size search."""

BASELINES: dict[str, str] = {"O0": "", "Oz": OZ_PIPELINE, "O3": "default<O3>"}
_DEFAULT_RE = re.compile(r"default<(O[0-3sz])>")
# Pipeline text: elements `name<params>…(nested pipeline)`. Adaptors nest pipelines; `default<O?>` is
# clang's pipeline (expand() puts clang's own text there); require<>/invalidate<> name an analysis.
_ELEMENT = re.compile(r"(?P<name>[\w.-]+)(?P<params>(?:<[^<>()]*>)*)(?:\((?P<inner>.*)\))?", re.S | re.A)
_ADAPTORS = frozenset({"module", "cgscc", "function", "loop", "loop-mssa", "devirt"})
_LEVELS = frozenset({"O0", "O1", "O2", "O3", "Os", "Oz"})
# A parameter is a word (`no-verify-fixpoint`, `O2`) or a word set to an integer (`max-iterations=1`): never a
# name or a path. LLVM's only string-valued parameters (memprof-use<profile-filename=S>,
# internalize<preserve-gv=GV>) belong to refused passes anyway.
_PARAM = re.compile(r"(?:[A-Za-z0-9][\w-]*(?:=-?\d+)?)?", re.A)
MAX_NESTING = 32  # brackets; LLVM's own pipelines nest 5 deep, and the check below recurses per level
_KNOWN = MODULE_ONLY | EXCLUDED.keys()  # every catalogue name the rule judges, to read `print<da>` as one name


def normalize(pipeline: str) -> str:
    """Accept `-passes=a,b`, `opt -passes='a,b'`, spaces after commas; return `a,b`. Every pipeline read
    anywhere passes here (both evaluators, expand(), the flags task's parser), so check_module_only's rule
    holds for all of them, wherever the text came from."""
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
    check_module_only(text)
    return text


@functools.lru_cache(maxsize=4096)
def check_module_only(text: str) -> None:
    """Raise PipelineError, one line naming the first offending pass and why, unless every pass of the
    normalized pipeline `text` acts on the module alone (`search_space.MODULE_ONLY`, an allow-list over LLVM's
    catalogue) with parameters that are words or integers. Why an allow-list: a pipeline may be a model's
    answer, a --library or ranker file, a store or a tune JSON; passes that write graph files or coverage notes
    (`debugify,insert-gcov-profiling` writes module.gcno into the working folder), start a viewer, read a
    profile named in their parameters, or instrument the program for a runtime that writes files, are many,
    and LLVM adds more; refusing what is not known to be harmless leaves no gap for the next one. Cached:
    searches send the same pipelines again and again."""
    for element in split_top_level(text):
        _check_element(element)


_LEVELLED = ("default", "lto", "lto-pre-link")
"""LLVM's built-in pipelines by level: clang's (`default`), and full LTO's link-time one and the one before it
(`lto<O2>` is what lld runs unless told otherwise); all act on the module alone."""


def _check_element(element: str) -> None:
    """One top-level element: an adaptor (its nested pipeline checked), `default<O?>`, require<>/invalidate<>
    of an analysis, or a pass of the allow-list with word or integer parameters."""
    match = _ELEMENT.fullmatch(element)
    shown = repr(element if len(element) <= 80 else element[:80] + "…")
    if match is None:
        raise PipelineError(f"malformed pipeline element {shown}: expected name<params>(nested pipeline)")
    name, inner = match["name"], match["inner"]
    params = re.findall(r"<([^<>]*)>", match["params"])
    if inner is not None:
        if name not in _ADAPTORS:
            raise PipelineError(f"{name!r} takes no nested pipeline: only {', '.join(sorted(_ADAPTORS))} do ({shown})")
        _check_params(name, params)
        if inner:
            check_module_only(inner)
        return
    if name in _LEVELLED:
        if len(params) == 1 and params[0] in _LEVELS:
            return
        raise PipelineError(f"{shown}: {name}<…> takes one level of {', '.join(sorted(_LEVELS))}")
    if params and f"{name}<{params[0]}>" in _KNOWN:  # a name such as print<da> or invalidate<all>
        name, params = f"{name}<{params[0]}>", params[1:]
    elif name in ("require", "invalidate") and len(params) == 1:
        if params[0] in _analyses():
            return
        raise PipelineError(f"{shown}: {params[0]!r} is not an analysis of LLVM's catalogue")
    why = outside_the_module(name)
    if why is not None:
        raise PipelineError(f"pass {name[:80]!r} is not allowed in a pipeline: {why}")
    _check_params(name, params)


def _check_params(name: str, params: list[str]) -> None:
    if len(params) > 1:
        raise PipelineError(f"pass {name!r} has more than one <parameter list>")
    for param in params[0].split(";") if params else ():
        if not _PARAM.fullmatch(param):
            raise PipelineError(
                f"parameter {param!r} of pass {name!r} is not allowed in a pipeline: parameters are words or "
                "name=integer, never a file name or other text"
            )


@functools.cache
def _analyses() -> frozenset[str]:
    """Analyses a pipeline may require<…> or invalidate<…>: they compute in memory what passes ask for."""
    kinds = {"module", "cgscc", "function", "loopnest", "loop"}
    return frozenset(p.name for p in pass_catalogue() if p.is_analysis and p.kind in kinds) | CLANG_ANALYSES


def clang_target_flags(triple: str) -> tuple[str, ...]:
    """clang's flags that build for the LLVM triple `triple` (a module's): those of the compilerlm target whose IR
    names it (none for the host's, clang's default), else `--target=<triple>`; none for "" (no triple: the host)."""
    if not triple:
        return ()
    for t in TARGETS.values():
        if t.llvm_triple == triple:
            return t.cflags
    return (f"--target={triple}",)


@functools.cache
def clang_pipeline(level: str, triple: str = "") -> str:
    """The module pipeline clang runs at -{level} for the LLVM triple `triple` ("": the host), as `opt -passes=`
    text."""
    if level == "O0":
        return ""
    cmd = [llvm_tool("clang"), *clang_target_flags(triple), f"-{level}", "-c", "-x", "c", "/dev/null"]
    cmd += ["-o", "/dev/null", "-mllvm", "-print-pipeline-passes"]

    def ask() -> str:
        res = run_tool(cmd, what="clang -print-pipeline-passes")
        text = res.stdout.decode().strip()
        if res.returncode != 0 or not text:
            raise CompileError(f"could not read clang's -{level} pipeline: {first_error_line(res.stderr.decode())}")
        return text

    return tool_output(cmd, ask)


def expand(pipeline: str, triple: str = "") -> str:
    """The text both evaluation paths hand to LLVM: each `default<O?>` replaced by clang's own pipeline for the
    module's LLVM triple (`subprocess_path.module_triple(ir)`; "": the host's), and the whole wrapped in
    `module(...)`. opt infers a pipeline's level from its first pass, so
    `inline,globalopt` would parse as a CGSCC pipeline and reject `globalopt`; inside `module(...)` every
    function, loop and CGSCC pass is adapted to module level, in any order (`loop-mssa(...)` elements
    get the `function(...)` adaptor they need)."""
    text = normalize(pipeline)
    if not text:
        return ""
    elements = [_module_level(e) for e in split_top_level(text)]
    text = _DEFAULT_RE.sub(lambda m: clang_pipeline(m.group(1), triple), ",".join(elements))
    return f"module({text})"


def opt_pipeline(pipeline: str, triple: str = "") -> str:
    """The text to give `opt -passes=` so that it runs exactly what compilerlm measured for `pipeline`
    (compilerlm's notation, e.g. `default<Oz>,function(gvn-hoist)`) on a module of the LLVM triple `triple`:
    `expand()`'s result, every `default<O?>` spelled out as clang's own pipeline for that target. `opt
    -passes='default<Oz>,…'` is a different pipeline."""
    return expand(pipeline, triple)


def _module_level(element: str) -> str:
    """Loop-pass adaptors are not module passes; put them in the function adaptor they need."""
    return f"function({element})" if element.startswith(("loop(", "loop-mssa(")) else element


def split_top_level(pipeline: str) -> list[str]:
    """Split `a,b(c,d),e<x;y>` into its top-level elements `a`, `b(c,d)`, `e<x;y>`."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(pipeline):
        if ch in "(<":
            depth += 1
            if depth > MAX_NESTING:
                raise PipelineError(f"malformed pipeline: brackets nested more than {MAX_NESTING} deep")
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
