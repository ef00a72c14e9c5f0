"""Every pass the pinned `opt` knows, parsed from `opt -print-passes`.

The search space (search_space.py) is checked against this list, so that a pass added or renamed by an
LLVM update is noticed instead of silently missing from the space or its exclusion list.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from compilerlm.cache import tool_output
from compilerlm.errors import CompilerLMError
from compilerlm.parallel import run_process
from compilerlm.toolchain.locate import llvm_tool

# Section headers of `opt -print-passes` (LLVM 19), e.g. "Function passes with params:" or
# "Machine function analyses (WIP):". Group 1: the IR unit; group 2: passes or (alias) analyses.
_HEADER = re.compile(
    r"^(Module|CGSCC|Function|LoopNest|Loop|Machine module|Machine function)\s+"
    r"(passes|analyses|alias analyses)(\s+with params)?(\s+\(WIP\))?:\s*$"
)
# A params entry: the name (which may itself contain "<...>", e.g. "print<da>") then one final "<...>".
_WITH_PARAMS = re.compile(r"^(?P<name>.+?)<(?P<params>[^<>]*)>$")


@dataclass(frozen=True)
class PassInfo:
    """One entry of `opt -print-passes`."""

    name: str  # as written in -passes=, without its parameter list
    kind: str  # "module" | "cgscc" | "function" | "loopnest" | "loop" | "machine-module" | "machine-function"
    is_analysis: bool  # analyses can only be required/invalidated, they never transform IR
    params: str | None  # the documented "<a;b;c=N>" contents for passes listed "with params", else None


def parse_print_passes(text: str) -> tuple[PassInfo, ...]:
    """Parse the text of `opt -print-passes`; separate from running opt so it can be tested on fixed text."""
    entries: list[PassInfo] = []
    kind: str | None = None
    is_analysis = False
    with_params = False
    for raw in text.splitlines():
        if not raw.strip():
            continue
        if not raw.startswith(" "):
            match = _HEADER.match(raw.strip())
            if match is None:
                raise CompilerLMError(f"unexpected section header in 'opt -print-passes': {raw!r}")
            kind = match.group(1).lower().replace(" ", "-")
            is_analysis = match.group(2) != "passes"
            with_params = match.group(3) is not None
            continue
        if kind is None:
            raise CompilerLMError(f"pass listed before any section header in 'opt -print-passes': {raw!r}")
        entry = raw.strip()
        params: str | None = None
        if with_params:
            match = _WITH_PARAMS.match(entry)
            if match is None:
                raise CompilerLMError(f"pass 'with params' has no <params> in 'opt -print-passes': {raw!r}")
            entry, params = match.group("name"), match.group("params")
        entries.append(PassInfo(name=entry, kind=kind, is_analysis=is_analysis, params=params))
    return tuple(entries)


@functools.cache
def pass_catalogue() -> tuple[PassInfo, ...]:
    """All passes and analyses of the pinned opt; cached because the list never changes within a process."""
    cmd = [llvm_tool("opt"), "-print-passes"]

    def ask() -> str:
        res = run_process(cmd, text=True, timeout=60, what="opt -print-passes")
        if res.returncode != 0:
            raise CompilerLMError(f"'opt -print-passes' failed: {res.stderr.strip()[:500]}")
        return res.stdout

    return parse_print_passes(tool_output(cmd, ask))


@functools.cache
def known_pass_names() -> frozenset[str]:
    """Names of all transform (non-analysis) passes of any kind, for validating user-written pipelines."""
    return frozenset(info.name for info in pass_catalogue() if not info.is_analysis)
