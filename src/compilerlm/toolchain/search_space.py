"""The curated space of pipeline elements that the searcher combines to make objects smaller than clang -Oz.

Why curated: opt knows ~320 transform passes, but most print, verify, instrument, lower for another target or
need profile data; others abort LLVM when run out of their usual context. Every draw of such an element wastes an
evaluation, so the space keeps only elements that can change code size and survive random combination, and
EXCLUDED says, for every other catalogue pass, why it is out (tests check the two cover the catalogue).

Element syntax. opt types a whole -passes= pipeline by its FIRST element: `mem2reg,inline` is parsed as a
function pipeline and fails ("unknown function pass 'inline'"). So every element is written as a module-level
pass, valid in any position of a comma-joined pipeline: module passes bare (`globalopt`), CGSCC passes as
`cgscc(inline)`, function passes as `function(sroa<modify-cfg>)`, loop and loop-nest passes as
`function(indvars)` (opt adds the loop adaptor), and passes that need MemorySSA as
`function(loop-mssa(licm))` (bare `licm`/`lnicm` abort: "LLVM ERROR: LICM requires MemorySSA (loop-mssa)";
a top-level `loop-mssa(...)` does not parse). instcombine is `instcombine<no-verify-fixpoint>`: plain instcombine
aborts ("Instruction Combining did not reach a fixpoint after 1 iterations") on 3 of 16 modules.

Method (benchmarks/search_space_stress.py, LLVM 19.1, x86-64). Modules: csmith seeds, llvm-stress modules and
the builtin programs, made unoptimized with `clang -Oz -Xclang -disable-llvm-passes` (minsize kept). Each
candidate was run alone and after `function(mem2reg,instcombine<no-verify-fixpoint>,simplifycfg)` on 16 modules
(5 csmith, 3 llvm-stress, 8 builtin), then through `llc -filetype=obj -relocation-model=pic`; size = SHF_ALLOC,
non-NOBITS section bytes. Of 174 candidates measured (the rest are excluded by category without measurement),
72 never changed the size in 32 runs, 14 aborted at least once. A few passes that showed no change are kept
because the -Oz/-O2 pipelines use them to enable other passes (mergefunc, inferattrs, rpo-function-attrs,
float2int, div-rem-pairs, vector-combine, loop-load-elim, lower-expect, lower-constant-intrinsics,
loop-simplify). Caveat: any loop pass "changes" size through the LoopSimplify/LCSSA that its adaptor runs, so
for loop passes the counts say little; they were judged by purpose. Parameter variants with sizes identical to
another element on every module (ipsccp<func-spec>, sroa<preserve-cfg>, loop-unroll<O3>,
simplifycfg<forward-switch-cond>, ...) were dropped.

The final 79 elements, re-run the same way (--phase elements --csmith 5 --stress 3 --builtin 8; 2528 runs):
0 parse errors, 0 aborts; 68 changed the size on at least one module; the 11 that did not are the enablers
above plus nary-reassociate and slsr (each changed one module in the first measurement).

Stress (benchmarks/search_space_stress.py --phase random --pipelines 15 --seed 1): 1230 random pipelines of
1..50 elements drawn uniformly from the 79 elements, 15 on each of 82 modules (20 csmith, 8 llvm-stress, 54
builtin-program translation units), opt then llc with a 30 s timeout: 0 parse errors, 0 aborts/crashes,
0 timeouts, mean 0.62 s per run on 2 busy cores. A second run (--pipelines 30 --seed 2 --builtin 0: 840
pipelines on the 20 csmith + 8 llvm-stress modules) also had 0 failures: 0 of 2070 in all, abort rate 0.00%
(95% upper bound ~0.15%). Without the fixes
above, bare licm/lnicm aborted in all 16 runs after mem2reg, plain instcombine on the 3 llvm-stress modules,
unify-loop-exits in 5 of 32 runs, and the codegen-preparation passes on every module without a target triple.

Exclusions (250 names): 70 printing/debug output, 12 verification/testing, 7 no-op, 20 sanitizer/hardening,
8 instrumentation, 12 need profile data, 9 LTO/linkage-changing, 29 features absent from C, 15 other targets,
16 codegen lowering that llc runs itself, 32 no measured size effect, 8 only ever grew size, 2 composite
pipelines, 4 duplicates of space elements, 1 reads a file named on opt's command line, 1 aborts in isolation,
1 nondeterministic, 3 miscompile (attributor in two forms, newgvn).

Pipelines read from text may name only the passes of MODULE_ONLY (end of this file): the space and the
exclusions that act on the module alone; see outside_the_module.

Miscompiles. Verification (search/verify.py) catches a pipeline that breaks a program, but an element that
often does wastes evaluations on sizes that cannot be used. attributor was removed (77 elements left) after
random search at budget 300 on huffman: its three best pipelines for huffman.c (57% under -Oz) all failed the
tests, and each reduced to attributor plus two ordinary passes. newgvn was removed (76 left) after a verified
run of `auto` at budget 1000 on the built-in suite: the four modules that fell back to -Oz had each lost three
candidates to miscompiles, and all eight reduced (delta debugging against the tests) to dse then newgvn.

Determinism. A searched result must reproduce. gvn-sink was removed after the stress above (which left 78
elements): evaluating the same random pipelines in worker processes with different histories gave different
sizes for pipelines containing it (reduced to `function(jump-threading),function(gvn-sink)` on max_flow/flow.c:
4045, 4050 or 4060 bytes). tests/test_toolchain_parity.py checks that sizes do not depend on worker history.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_MODULE = (
    "globalopt",
    "globaldce",
    "ipsccp",
    "constmerge",
    "deadargelim",
    "mergefunc",
    "inferattrs",
    "rpo-function-attrs",
    "attributor-light",
    "iroutliner",
    "module-inline",
)
_CGSCC = ("inline", "function-attrs", "argpromotion")
_FUNCTION = (
    "adce",
    "aggressive-instcombine",
    "bdce",
    "break-crit-edges",
    "constraint-elimination",
    "correlated-propagation",
    "dce",
    "div-rem-pairs",
    "dse",
    "early-cse",
    "early-cse<memssa>",
    "float2int",
    "gvn",
    "gvn<no-pre>",
    "gvn-hoist",
    "infer-alignment",
    "instcombine<no-verify-fixpoint>",
    "instsimplify",
    "jump-threading",
    "load-store-vectorizer",
    "lower-constant-intrinsics",
    "lower-expect",
    "lower-switch",
    "mem2reg",
    "memcpyopt",
    "mldst-motion",
    "nary-reassociate",
    "reassociate",
    "sccp",
    "simplifycfg",
    "simplifycfg<switch-range-to-icmp>",
    "simplifycfg<hoist-common-insts>",
    "simplifycfg<sink-common-insts>",
    "simplifycfg<switch-range-to-icmp;switch-to-lookup;hoist-common-insts;sink-common-insts>",
    "sink",
    "slp-vectorizer",
    "loop-vectorize",
    "slsr",
    "sroa<modify-cfg>",
    "tailcallelim",
    "vector-combine",
    "loop-unroll<O2>",
    "loop-unroll<O2;partial;runtime>",
    "loop-load-elim",
    "loop-simplify",
    "lcssa",
    # loop and loop-nest passes: opt wraps them in the loop adaptor inside function(...)
    "loop-rotate",
    "loop-rotate<no-header-duplication>",
    "loop-deletion",
    "indvars",
    "loop-idiom",
    "loop-instsimplify",
    "loop-simplifycfg",
    "loop-unroll-full",
    "simple-loop-unswitch",
    "loop-reduce",
    "loop-flatten",
    "loop-interchange",
    "loop-unroll-and-jam",
)
# Loop passes that need MemorySSA (bare, they abort: "LICM requires MemorySSA (loop-mssa)").
_LOOP_MSSA = ("licm", "lnicm", "simple-loop-unswitch<nontrivial>")

SEARCH_SPACE: tuple[str, ...] = (
    _MODULE
    + tuple(f"cgscc({p})" for p in _CGSCC)
    + tuple(f"function({p})" for p in _FUNCTION)
    + tuple(f"function(loop-mssa({p}))" for p in _LOOP_MSSA)
)

_ADAPTOR = re.compile(r"^(?:module|cgscc|function|loop|loop-mssa)\((.*)\)$")


def base_name(element: str) -> str:
    """The catalogue name of an element: adaptors and <params> stripped (`function(loop-mssa(licm))` -> licm)."""
    while (match := _ADAPTOR.match(element)) is not None:
        element = match.group(1)
    return re.sub(r"<[^<>]*>$", "", element)


def pipeline_text(elements: Sequence[str]) -> str:
    """The -passes= string for a sequence of elements; elements are position-independent, so a join suffices."""
    return ",".join(elements)


# ------------------------------------------------------------------ exclusions, by category

_OUTPUT = "printing/debug output only (no transformation)"
_VERIFY = "verification/testing only (or aborts on purpose)"
_NOOP = "no-op or analysis invalidation only"
_SAN = "sanitizer/hardening instrumentation (adds checks, changes behaviour on errors)"
_INSTR = "instrumentation (profiling/tracing code)"
_PROFILE = "requires profile data (no-op or error without it)"
_LTO = "(Thin)LTO / whole-program only, or changes symbol linkage (semantics for separate compilation)"
_LANG = (
    "for features C programs do not have (coroutines, Objective-C, OpenMP, GC, guards/deopt, C++/Windows/Wasm EH, "
    "matrix intrinsics, ifuncs/global dtors)"
)
_TARGET = "target-specific (GPU/other arch), not useful for x86-64"
_CODEGEN = (
    "IR lowering that llc runs itself; no size effect measured on 16 modules, and aborts on modules without a "
    "target triple (llvm-stress)"
)
_NO_EFFECT = "no size effect measured on 16 modules (alone and after mem2reg,instcombine,simplifycfg)"
_GROWS = "only ever increased size when it changed it (measured on 16 modules)"
_COMPOSITE = "composite pipeline (like default<Oz>, covered by the baselines)"
_DUPLICATE = "duplicate of an element in the space (identical sizes on every measured module)"
_FILE_INPUT = "reads its input from a file named on opt's command line (no effect without one)"

# Whitespace-separated names, one string per reason, so the tables stay readable.
_GROUPS: dict[str, str] = {
    _OUTPUT: """
        print print-alias-sets print-callgraph print-callgraph-sccs print-cfg-sccs print-ir-similarity print-lcg
        print-lcg-dot print-memderefs print-must-be-executed-contexts print-mustexecute print-predicateinfo
        print-profile-summary print-stack-safety print<access-info> print<assumptions> print<block-freq>
        print<branch-prob> print<cost-model> print<cycles> print<da> print<ddg> print<debug-ata>
        print<delinearization> print<demanded-bits> print<domfrontier> print<domtree> print<func-properties>
        print<inline-advisor> print<inline-cost> print<inliner-size-estimator> print<iv-users>
        print<lazy-value-info> print<loop-cache-cost> print<loopnest> print<loops> print<memoryssa-walker>
        print<memoryssa> print<module-debuginfo> print<phi-values> print<postdomtree> print<regions>
        print<scalar-evolution> print<stack-lifetime> print<stack-safety-local> print<structural-hash>
        print<uniformity> dot-callgraph dot-cfg dot-cfg-only dot-ddg dot-dom dot-dom-only dot-post-dom
        dot-post-dom-only view-callgraph view-cfg view-cfg-only view-dom view-dom-only view-post-dom
        view-post-dom-only aa-eval pa-eval instcount count-visits lint annotation-remarks transform-warning
        helloworld
    """,
    _VERIFY: """
        verify verify<domtree> verify<loops> verify<memoryssa> verify<regions> verify<safepoint-ir>
        verify<scalar-evolution> check-debugify debugify trigger-crash-module trigger-crash-function
        trigger-verifier-error
    """,
    _NOOP: """
        no-op-module no-op-cgscc no-op-function no-op-loop no-op-loopnest invalidate<all> recompute-globalsaa
    """,
    _SAN: """
        asan hwasan msan tsan tsan-module dfsan nsan memprof memprof-module bounds-checking poison-checking
        sancov-module sanmd-module lower-allow-check safe-stack stack-protector kcfi cfguard cross-dso-cfi
        lowertypetests
    """,
    _INSTR: """
        insert-gcov-profiling instrorderfile instrprof ctx-instr-lower pgo-instr-gen ee-instrument jmc-instrumenter
        pseudo-probe
    """,
    _PROFILE: """
        pgo-instr-use sample-profile memprof-use pgo-icall-prom pgo-memop-opt pgo-force-function-attrs
        synthetic-counts-propagation pseudo-probe-update memprof-context-disambiguation cg-profile chr loop-sink
    """,
    _LTO: """
        function-import wholeprogramdevirt embed-bitcode name-anon-globals globalsplit internalize metarenamer
        rewrite-symbols inliner-ml-advisor-release
    """,
    _LANG: """
        coro-cleanup coro-early coro-split coro-elide objc-arc objc-arc-apelim objc-arc-contract objc-arc-expand
        openmp-opt openmp-opt-postlink openmp-opt-cgscc gc-lowering shadow-stack-gc-lowering
        rewrite-statepoints-for-gc place-safepoints strip-gc-relocates lower-guard-intrinsic
        lower-widenable-condition make-guards-explicit guard-widening loop-predication irce wasm-eh-prepare
        win-eh-prepare sjlj-eh-prepare lower-invoke lower-matrix-intrinsics lower-ifunc lower-global-dtors
    """,
    _TARGET: """
        dxil-upgrade hipstdpar-interpose-alloc hipstdpar-select-accelerator-code infer-address-spaces structurizecfg
        fix-irreducible hardware-loops loop-idiom-vectorize typepromotion lower-emutls
        separate-const-offset-from-gep speculative-execution loop-data-prefetch global-merge tlshoist
    """,
    _CODEGEN: """
        atomic-expand codegenprepare dwarf-eh-prepare expand-large-div-rem expand-large-fp-convert expand-memcmp
        indirectbr-expand interleaved-access interleaved-load-combine pre-isel-intrinsic-lowering
        scalarize-masked-mem-intrin select-optimize callbr-prepare consthoist mergeicmps scalarizer
    """,
    _NO_EFFECT: """
        annotation2metadata called-value-propagation canonicalize-aliases elim-avail-extern instnamer
        expand-variadics forceattrs strip strip-dead-debug-info strip-dead-prototypes strip-debug-declare
        strip-nondebug strip-nonlinetable-debuginfo add-discriminators declare-to-assign redundant-dbg-inst-elim
        alignment-from-assumptions assume-builder assume-simplify callsite-splitting dfa-jump-threading flatten-cfg
        inject-tli-mappings jump-table-to-switch libcalls-shrinkwrap loop-distribute loop-fusion loop-versioning
        lower-atomic mergereturn move-auto-init rel-lookup-table-converter
    """,
    _GROWS: """
        reg2mem hotcoldsplit partial-inliner partially-inline-libcalls loop-extract loop-versioning-licm
        loop-bound-split canon-freeze
    """,
    _COMPOSITE: """
        function-simplification scc-oz-module-inliner
    """,
    _DUPLICATE: """
        always-inline inliner-wrapper inliner-wrapper-no-mandatory-first attributor-light-cgscc
    """,
    _FILE_INPUT: """
        extract-blocks
    """,
}

_SPECIFIC: dict[str, str] = {
    "unify-loop-exits": "aborts LLVM in isolation: 'PHINode should have one entry for each predecessor' (5 of 32 runs)",
    "gvn-sink": "nondeterministic: after jump-threading its result depends on the process's heap layout (the same "
    "module and pipeline gave 4045/4050/4060 bytes in three worker processes), so results would not reproduce",
    "attributor": "miscompiles: three random pipelines that broke huffman/huffman.c's tests each reduced to attributor "
    "plus two ordinary passes (e.g. `function(newgvn),attributor,function(newgvn)`); no default pipeline runs it",
    "attributor-cgscc": "the CGSCC form of attributor (excluded: miscompiles)",
    "newgvn": "miscompiles: every verified-tune fallback to -Oz at budget 1000 on the built-in suite (bignum, "
    "edit_distance, lu_solve, trie: 3 discarded pipelines each) reduced to dse followed by newgvn, e.g. "
    "`function(early-cse),function(dse),function(newgvn)`; no default pipeline runs it (gvn does its job)",
}

EXCLUDED: dict[str, str] = {name: reason for reason, names in _GROUPS.items() for name in names.split()} | _SPECIFIC

# ------------------------------------------------------------------ pipelines read from text (docs/design.md §7)

# A pipeline may come from a model's answer, a --library file, a ranker file, a store or a tune JSON: text
# someone else may have written. It may name only passes that act on the module alone: they read nothing but
# the module, write nothing but the module (no file, no terminal dump, no viewer) and add no code that calls a
# runtime writing files when the program runs. That list is an allow-list over the catalogue: the search
# space, the exclusion groups below that are not refused here, and CLANG_RUNS; a name it does not hold (a
# new LLVM pass, a machine pass, a typo) is refused. The groups refused, and why (the sweep in
# tests/test_redteam_flags.py runs every catalogue pass in an empty folder: each one that wrote a file is here):
_OUTSIDE_THE_MODULE: dict[str, str] = {
    _OUTPUT: "it prints the module or an analysis, writes graph files (.dot) into the working folder or starts a "
    "graph viewer",
    _VERIFY: "it exists to test LLVM: it prints reports, or crashes on purpose",
    _SAN: "it instruments the program for a sanitizer runtime, which writes reports and logs when the program runs",
    _INSTR: "it instruments the program: coverage notes (.gcno) are written as it compiles, profiles (.gcda, "
    ".profraw) when the program runs",
    _PROFILE: "it reads a profile file, named in its parameters or on opt's command line",
    _LTO: "link-time passes read or write summary, import and symbol-map files named on opt's command line",
    _FILE_INPUT: "it reads its input from a file named on opt's command line",
}

CLANG_RUNS = frozenset({"annotation-remarks", "transform-warning", "ee-instrument", "cg-profile", "chr", "loop-sink"})
"""Passes of refused groups that clang's own -O1…-Oz pipelines run on every compile; they act only as the
module itself asks: ee-instrument only on functions marked for -finstrument-functions/-pg, cg-profile, chr and
loop-sink on profile metadata already in the module, annotation-remarks and transform-warning emit the
compile's diagnostics (no file). Allowed, so that clang's expanded pipelines (`opt_pipeline`) are valid text."""

CLANG_ANALYSES = frozenset({"should-not-run-function-passes"})
"""An analysis clang's pipelines `require<…>` that `opt -print-passes` does not list."""

MODULE_ONLY: frozenset[str] = (
    frozenset(base_name(e) for e in SEARCH_SPACE)
    | frozenset(name for name, reason in EXCLUDED.items() if reason not in _OUTSIDE_THE_MODULE)
    | CLANG_RUNS
)
"""The allow-list: catalogue passes (names as `opt -print-passes` writes them) that act on the module alone."""


def outside_the_module(name: str) -> str | None:
    """Why a pipeline may not name the pass `name` (a catalogue name, parameters stripped); None when it acts
    on the module alone. Unknown names are refused too: the list is of passes known to be harmless."""
    if name in MODULE_ONLY:
        return None
    if name in EXCLUDED:
        return _OUTSIDE_THE_MODULE[EXCLUDED[name]]
    return "it is not an IR pass of LLVM's catalogue ('compilerlm passes' lists them)"
