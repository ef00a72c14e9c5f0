"""The curated search space: complete against the catalogue, accepted by the real opt, and robust under random
pipelines (opt | llc must not abort on random draws, or the searcher wastes evaluations on crashes)."""

from __future__ import annotations

import random
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from compilerlm.toolchain.catalogue import PassInfo, known_pass_names, parse_print_passes, pass_catalogue
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.search_space import EXCLUDED, SEARCH_SPACE, base_name, pipeline_text

IR_KINDS = {"module", "cgscc", "function", "loopnest", "loop"}

# Loops, a switch, calls to inline, dead code, duplicated functions and constant globals: enough for
# most passes in the space to actually do something.
SMALL_C = r"""
#include <string.h>
static const int table[8] = {3, 1, 4, 1, 5, 9, 2, 6};
struct point { int x, y; };
static int square(int v) { return v * v; }
static int twice_a(int v) { return v + v; }
static int twice_b(int v) { return v + v; }
int classify(int c) {
    switch (c) { case 0: return 10; case 1: return 11; case 2: return 12; case 3: return 13; default: return -1; }
}
long sum(const int *a, int n) {
    long s = 0;
    for (int i = 0; i < n; i++) {
        int k = n * 3;
        if (a[i] > 0) s += a[i] * k; else s -= square(a[i]);
    }
    return s;
}
int matrix(int m[4][4]) {
    int t = 0;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) t += m[i][j] * table[(i + j) & 7];
    return t;
}
int fact(int n) { return n <= 1 ? 1 : n * fact(n - 1); }
void copy(char *dst, const char *src, unsigned n) { memcpy(dst, src, n); while (n--) dst[n] ^= 1; }
int use(struct point p, int v) { struct point q = p; q.x += twice_a(v); q.y += twice_b(v); return q.x * q.y; }
int main(int argc, char **argv) {
    int m[4][4] = {{0}};
    (void)argv;
    return classify(argc) + (int)sum(table, 8) + matrix(m) + fact(argc) + use((struct point){1, 2}, argc);
}
"""

EXCLUDED_WORDS = re.compile(
    r"print|verify|debugify|instrument|sanitiz|asan|msan|tsan|sancov|dot-|view-|trigger|gcov|pgo|profile|coro-|"
    r"objc|openmp|no-op|invalidate|default<|function-simplification|-lto|lto-|internalize|metarenamer"
)


@pytest.fixture(scope="module")
def small_ll(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Unoptimized IR of SMALL_C, made the way the project defines it (functions keep minsize/optsize)."""
    work = tmp_path_factory.mktemp("search_space")
    c_file, ll = work / "small.c", work / "small.ll"
    c_file.write_text(SMALL_C)
    cmd = [llvm_tool("clang"), "-Oz", "-Xclang", "-disable-llvm-passes", "-emit-llvm", "-S", "-w"]
    cmd += [str(c_file), "-o", str(ll)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    return ll


def _opt(ll: Path, elements: list[str] | tuple[str, ...], out: str = "/dev/null") -> subprocess.CompletedProcess[str]:
    cmd = [llvm_tool("opt"), f"-passes={pipeline_text(elements)}", str(ll), "-o", out]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def test_parse_print_passes_on_fixed_text() -> None:
    text = (
        "Module passes:\n  globalopt\n  print<inline-advisor>\nModule passes with params:\n"
        "  print<structural-hash><detailed>\n  ipsccp<no-func-spec;func-spec>\nFunction analyses:\n  domtree\n"
        "Loop passes with params:\n  licm<allowspeculation>\nMachine function passes (WIP):\n  dead-mi-elimination\n"
    )
    assert parse_print_passes(text) == (
        PassInfo("globalopt", "module", False, None),
        PassInfo("print<inline-advisor>", "module", False, None),
        PassInfo("print<structural-hash>", "module", False, "detailed"),
        PassInfo("ipsccp", "module", False, "no-func-spec;func-spec"),
        PassInfo("domtree", "function", True, None),
        PassInfo("licm", "loop", False, "allowspeculation"),
        PassInfo("dead-mi-elimination", "machine-function", False, None),
    )


def test_catalogue_of_real_opt() -> None:
    catalogue = pass_catalogue()
    by_name = {(p.name, p.kind): p for p in catalogue}
    assert by_name[("instcombine", "function")].params is not None
    assert by_name[("licm", "loop")].params == "allowspeculation"
    assert by_name[("domtree", "function")].is_analysis
    assert {"globalopt", "mergefunc", "inline", "sroa", "loop-rotate"} <= known_pass_names()
    assert "domtree" not in known_pass_names()


def test_every_catalogue_pass_is_in_space_or_excluded() -> None:
    in_space = {base_name(e) for e in SEARCH_SPACE}
    names = {p.name for p in pass_catalogue() if not p.is_analysis and p.kind in IR_KINDS}
    missing = sorted(names - in_space - EXCLUDED.keys())
    assert not missing, f"catalogue passes neither in SEARCH_SPACE nor EXCLUDED: {missing}"
    assert not (in_space & EXCLUDED.keys()), "a pass is both in the space and excluded"
    assert not (EXCLUDED.keys() - names), f"stale exclusions: {sorted(EXCLUDED.keys() - names)}"
    assert all(isinstance(r, str) and len(r) > 5 for r in EXCLUDED.values())


def test_space_is_well_formed() -> None:
    assert len(SEARCH_SPACE) == len(set(SEARCH_SPACE)), "duplicate elements"
    for element in SEARCH_SPACE:
        assert element.count("(") == element.count(")") and element.count("<") == element.count(">"), element
        assert "," not in re.sub(r"\(.*\)", "", element), f"{element} is more than one top-level element"
        assert not EXCLUDED_WORDS.search(base_name(element)), f"{element} belongs to an excluded category"
    assert pipeline_text(["a", "b<c;d>", "loop-mssa(licm)"]) == "a,b<c;d>,loop-mssa(licm)"
    assert base_name("loop-mssa(licm<allowspeculation>)") == "licm"
    assert base_name("function(instcombine<no-verify-fixpoint>)") == "instcombine"
    assert all(not base_name(e).startswith(("print", "verify")) for e in SEARCH_SPACE)


def test_all_elements_parse_together(small_ll: Path) -> None:
    proc = _opt(small_ll, SEARCH_SPACE)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_each_element_alone_and_first_is_accepted(small_ll: Path) -> None:
    """Alone, and first in front of module, CGSCC and function elements: opt types a pipeline by its first
    element, so a bare function pass first would make a following `cgscc(...)`/module pass unparsable."""
    followers = ["globaldce", "cgscc(function-attrs)", "function(dce)"]
    jobs = [[e] for e in SEARCH_SPACE] + [[e, *followers] for e in SEARCH_SPACE]
    with ThreadPoolExecutor(max_workers=2) as pool:
        procs = list(pool.map(lambda els: _opt(small_ll, els), jobs))
    failed = {pipeline_text(j): p.stderr.strip()[:300] for j, p in zip(jobs, procs, strict=True) if p.returncode}
    assert not failed, failed


def test_known_abort_traps_are_avoided() -> None:
    """Measured aborts: bare licm/lnicm need MemorySSA; plain instcombine aborts on its fixpoint verification."""
    for element in SEARCH_SPACE:
        name = base_name(element)
        if name in {"licm", "lnicm"}:
            assert "loop-mssa(" in element, element
        if name == "instcombine":
            assert "no-verify-fixpoint" in element, element
        assert name in known_pass_names(), f"{element}: {name} is not an opt pass"


def test_bad_element_is_rejected(small_ll: Path) -> None:
    """Guards the two tests above: opt really rejects what it does not know."""
    assert _opt(small_ll, ["not-a-pass"]).returncode != 0
    assert _opt(small_ll, ["instcombine<bogus-option>"]).returncode != 0


def _compile(ll: Path, elements: list[str], out_dir: Path) -> tuple[str, str]:
    bc, obj = out_dir / "p.bc", out_dir / "p.o"
    proc = _opt(ll, elements, str(bc))
    if proc.returncode != 0:
        return "opt", proc.stderr[-1500:]
    cmd = [llvm_tool("llc"), "-filetype=obj", "-relocation-model=pic", str(bc), "-o", str(obj)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        return "llc", proc.stderr[-1500:]
    return "ok", ""


def test_random_pipelines_do_not_abort(small_ll: Path, tmp_path: Path) -> None:
    rng = random.Random(20240519)
    pipelines = [[rng.choice(SEARCH_SPACE) for _ in range(rng.randint(1, 50))] for _ in range(50)]
    dirs = [tmp_path / str(i) for i in range(len(pipelines))]
    for d in dirs:
        d.mkdir()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda a: _compile(small_ll, *a), zip(pipelines, dirs, strict=True)))
    failures = [(st, pipeline_text(p), msg) for p, (st, msg) in zip(pipelines, results, strict=True) if st != "ok"]
    assert not failures, failures[:3]
