"""Stress the curated pass search space: which pipeline elements parse, abort LLVM, or change object size.

Why: the searcher draws random pipelines from SEARCH_SPACE; every abort is a wasted evaluation and a noisy
reward, and every element that never changes size is dead weight. This script produces the measurements that
search_space.py's docstring quotes, and re-checks them after an LLVM update.

Modules: csmith programs (seeds 1..N), llvm-stress modules, and every *.c under programs/builtin/*/, all made
"unoptimized" the way the project defines it (clang -Oz -Xclang -disable-llvm-passes: functions keep
minsize/optsize). Each run is `opt -passes=...` then `llc -filetype=obj -relocation-model=pic`, with a timeout.
Size = sum of the sizes of SHF_ALLOC, non-NOBITS sections of the object.

Phases:
  elements  each element alone, and after `mem2reg,instcombine<no-verify-fixpoint>,simplifycfg`, on every
            module: parse errors, aborts, and on how many (module, mode) pairs the object size changed.
            `--candidates catalogue` runs every catalogue pass name instead of the space (to decide the space).
  random    N random pipelines (1..50 elements, seeded) per module: parse errors, aborts grouped by first
            message line and by suspected element (shortest failing prefix, found by bisection), timeouts.

Usage: .venv/bin/python benchmarks/search_space_stress.py [--csmith 20] [--stress 8] [--pipelines 100] [--phase all]
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures as cf
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile

from compilerlm.toolchain.catalogue import pass_catalogue
from compilerlm.toolchain.locate import llvm_tool, system_tool
from compilerlm.toolchain.search_space import SEARCH_SPACE, pipeline_text

REPO = Path(__file__).resolve().parents[1]
BUILTIN = REPO / "src" / "compilerlm" / "programs" / "builtin"
CSMITH_INCLUDE = Path("/usr/include/csmith")
# Wrapped in function(...) so that module and CGSCC elements may follow it (opt types a pipeline by its first element).
PREFIX = ("function(mem2reg,instcombine<no-verify-fixpoint>,simplifycfg)",)
# Catalogue names not worth running when deciding the space: they only print, draw, verify or crash on purpose,
# and some write files or start viewers.
_OUTPUT_ONLY = re.compile(r"^(print|dot-|view-|verify|trigger-|check-debugify|debugify|helloworld)")


# ---------------------------------------------------------------- modules


def _clang_unoptimized(c_file: Path, out: Path, includes: Iterable[Path] = ()) -> Path | None:
    cmd = [llvm_tool("clang"), "-Oz", "-Xclang", "-disable-llvm-passes", "-emit-llvm", "-S", "-w"]
    cmd += [f"-I{inc}" for inc in includes] + [str(c_file), "-o", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        print(f"skip {c_file}: clang failed: {proc.stderr.strip().splitlines()[:1]}", file=sys.stderr)
        return None
    return out


def build_corpus(
    workdir: Path, n_csmith: int, n_stress: int, n_builtin: int | None = None, stress_size: int = 300
) -> list[Path]:
    """Unoptimized .ll modules: csmith seeds 1..n, llvm-stress seeds 1..n, and (the first n) builtin programs."""
    workdir.mkdir(parents=True, exist_ok=True)
    modules: list[Path] = []
    if n_csmith and not (CSMITH_INCLUDE / "csmith.h").exists():
        print(f"no csmith.h in {CSMITH_INCLUDE} (apt-get install libcsmith-dev); skipping csmith", file=sys.stderr)
        n_csmith = 0
    for seed in range(1, n_csmith + 1):
        ll = workdir / f"csmith{seed}.ll"
        if not ll.exists():
            c_file = workdir / f"csmith{seed}.c"
            subprocess.run([system_tool("csmith"), "--seed", str(seed), "-o", str(c_file)], check=True, timeout=120)
            if _clang_unoptimized(c_file, ll, [CSMITH_INCLUDE]) is None:
                continue
        modules.append(ll)
    for seed in range(1, n_stress + 1):
        ll = workdir / f"stress{seed}.ll"
        if not ll.exists():
            cmd = [llvm_tool("llvm-stress"), "-seed", str(seed), "-size", str(stress_size), "-o", str(ll)]
            subprocess.run(cmd, check=True, timeout=120)
        modules.append(ll)
    for c_file in sorted(BUILTIN.glob("*/*.c"))[:n_builtin]:
        ll = workdir / f"builtin-{c_file.parent.name}-{c_file.stem}.ll"
        if ll.exists() or _clang_unoptimized(c_file, ll, [c_file.parent]) is not None:
            modules.append(ll)
    return modules


# ---------------------------------------------------------------- running


@dataclass(frozen=True)
class RunResult:
    status: str  # "ok" | "parse" | "abort" | "error" | "timeout"
    stage: str  # "opt" | "llc" | ""
    message: str  # first meaningful stderr line, for grouping
    size: int | None
    seconds: float


def object_size(obj: Path) -> int:
    """Bytes that end up in the loaded image: SHF_ALLOC sections that occupy file space (not .bss)."""
    with obj.open("rb") as fh:
        elf = ELFFile(fh)
        return sum(
            s["sh_size"]
            for s in elf.iter_sections()
            if s["sh_flags"] & SH_FLAGS.SHF_ALLOC and s["sh_type"] != "SHT_NOBITS"
        )


_PARSE = re.compile(
    r"unknown (\w+ )?pass|invalid .*(pipeline|parameter|pass)|can't (be )?used|expected|unable to parse"
)
_ABORT = re.compile(r"LLVM ERROR|Stack dump|PLEASE submit|Assertion|Broken module|Broken function|UNREACHABLE")


def _first_line(stderr: str) -> str:
    for line in stderr.splitlines():
        line = line.strip()
        if line and not line.startswith(("Stack dump", "PLEASE", "0.", "#")):
            line = re.sub(r"^\S*/(opt|llc): ", "", line)
            line = re.sub(r"\b(%|@)[\w.]+", r"\1X", line)  # value names vary per module
            return line[:160]
    return "(no message)"


def _classify(proc: subprocess.CompletedProcess[str], stage: str) -> str:
    if proc.returncode < 0 or _ABORT.search(proc.stderr):
        return "abort"
    if stage == "opt" and _PARSE.search(proc.stderr):
        return "parse"
    return "error"


def run_pipeline(module: Path, passes: str, timeout: float = 30.0) -> RunResult:
    """opt -passes=<passes> then llc to a PIC object; classify the outcome and measure the object."""
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ssx-") as tmp:
        bc, obj = Path(tmp) / "out.bc", Path(tmp) / "out.o"
        stages: list[tuple[str, list[str]]] = []
        if passes:
            stages.append(("opt", [llvm_tool("opt"), f"-passes={passes}", str(module), "-o", str(bc)]))
        llc_in = bc if passes else module
        llc = [llvm_tool("llc"), "-filetype=obj", "-relocation-model=pic", str(llc_in), "-o", str(obj)]
        stages.append(("llc", llc))
        for stage, cmd in stages:
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=tmp)
            except subprocess.TimeoutExpired:
                return RunResult("timeout", stage, f"{stage} timed out after {timeout:.0f}s", None, timeout)
            if proc.returncode != 0:
                status = _classify(proc, stage)
                return RunResult(status, stage, _first_line(proc.stderr), None, time.monotonic() - start)
        return RunResult("ok", "", "", object_size(obj), time.monotonic() - start)


def parallel_map(fn: Callable, items: Sequence, jobs: int) -> list:
    with cf.ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(fn, items))


def suspect_element(module: Path, elements: Sequence[str], timeout: float) -> str:
    """The last element of the shortest failing prefix (bisection; assumes failure is monotone in prefix length)."""
    lo, hi = 1, len(elements)  # prefix of length hi fails
    while lo < hi:
        mid = (lo + hi) // 2
        if run_pipeline(module, pipeline_text(elements[:mid]), timeout).status in ("ok", "parse"):
            lo = mid + 1
        else:
            hi = mid
    return elements[hi - 1]


# ---------------------------------------------------------------- reporting


def _table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # plain text fallback
        print(f"\n{title}\n" + " | ".join(columns))
        for row in rows:
            print(" | ".join(str(c) for c in row))
        return
    table = Table(title=title)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*(str(c) for c in row))
    Console(width=200).print(table)


def catalogue_candidates() -> list[str]:
    """Every transform pass of an IR unit the searcher could use, by bare name (not output/verify-only ones)."""
    names: dict[str, None] = {}
    for info in pass_catalogue():
        if info.is_analysis or info.kind not in {"module", "cgscc", "function", "loopnest", "loop"}:
            continue
        if _OUTPUT_ONLY.match(info.name) or info.name.startswith(("no-op", "invalidate")):
            continue
        names[info.name] = None
    return list(names)


def phase_elements(modules: Sequence[Path], elements: Sequence[str], jobs: int, timeout: float) -> None:
    base_alone = dict(zip(modules, parallel_map(lambda m: run_pipeline(m, "", timeout), modules, jobs), strict=True))
    prefix_runs = parallel_map(lambda m: run_pipeline(m, pipeline_text(PREFIX), timeout), modules, jobs)
    base_prefix = dict(zip(modules, prefix_runs, strict=True))
    jobs_list = [(e, m, mode) for e in elements for m in modules for mode in ("alone", "after")]

    def one(job: tuple[str, Path, str]) -> tuple[str, Path, str, RunResult]:
        element, module, mode = job
        passes = element if mode == "alone" else pipeline_text([*PREFIX, element])
        return element, module, mode, run_pipeline(module, passes, timeout)

    stats: dict[str, collections.Counter] = {e: collections.Counter() for e in elements}
    messages: dict[str, collections.Counter] = {e: collections.Counter() for e in elements}
    for element, module, mode, res in parallel_map(one, jobs_list, jobs):
        st = stats[element]
        st[res.status] += 1
        if res.status != "ok":
            messages[element][f"{res.stage}: {res.message}"] += 1
            continue
        base = (base_alone if mode == "alone" else base_prefix)[module]
        if base.size is not None and res.size != base.size:
            st[f"changed-{mode}"] += 1
            st["smaller" if res.size < base.size else "larger"] += 1
    rows = []
    for e in elements:
        st = stats[e]
        msg = messages[e].most_common(1)[0][0] if messages[e] else ""
        rows.append(
            (
                e,
                st["ok"],
                st["parse"],
                st["abort"],
                st["error"],
                st["timeout"],
                st["changed-alone"],
                st["changed-after"],
                st["smaller"],
                st["larger"],
                msg,
            )
        )
    _table(
        f"Elements on {len(modules)} modules (alone / after {pipeline_text(PREFIX)})",
        [
            "element",
            "ok",
            "parse",
            "abort",
            "error",
            "timeout",
            "chg alone",
            "chg after",
            "smaller",
            "larger",
            "first failure",
        ],
        rows,
    )
    never = [e for e in elements if stats[e]["changed-alone"] + stats[e]["changed-after"] == 0]
    print(f"\nnever changed size ({len(never)}): {' '.join(never)}")


def phase_random(
    modules: Sequence[Path],
    elements: Sequence[str],
    n: int,
    seed: int,
    jobs: int,
    timeout: float,
    max_len: int,
    bisect_limit: int,
) -> None:
    rng = random.Random(seed)
    runs = [(m, [rng.choice(elements) for _ in range(rng.randint(1, max_len))]) for m in modules for _ in range(n)]
    results = parallel_map(lambda r: run_pipeline(r[0], pipeline_text(r[1]), timeout), runs, jobs)
    counts = collections.Counter(r.status for r in results)
    by_message = collections.Counter(f"{r.stage}: {r.message}" for r in results if r.status in ("abort", "error"))
    bad_statuses = ("abort", "error", "timeout")
    failures = [(m, els) for (m, els), r in zip(runs, results, strict=True) if r.status in bad_statuses]
    suspects = collections.Counter(
        parallel_map(lambda f: suspect_element(f[0], f[1], timeout), failures[:bisect_limit], jobs)
    )
    total = len(results)
    ok_times = [r.seconds for r in results if r.status == "ok"]
    bad = counts["abort"] + counts["error"]
    _table(
        f"Random pipelines: {n} per module x {len(modules)} modules, 1..{max_len} elements, seed {seed}",
        ["runs", "ok", "parse errors", "aborts/crashes", "other errors", "timeouts", "failure rate", "mean s"],
        [
            (
                total,
                counts["ok"],
                counts["parse"],
                counts["abort"],
                counts["error"],
                counts["timeout"],
                f"{100 * (bad + counts['timeout'] + counts['parse']) / max(total, 1):.2f}%",
                f"{sum(ok_times) / max(len(ok_times), 1):.3f}",
            )
        ],
    )
    if by_message:
        _table("Failures by first message line", ["count", "message"], [(c, m) for m, c in by_message.most_common(20)])
    if suspects:
        _table(
            f"Failures by suspected element (bisected {min(len(failures), bisect_limit)} of {len(failures)})",
            ["count", "element"],
            [(c, e) for e, c in suspects.most_common(20)],
        )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "compilerlm-search-space-stress")
    ap.add_argument("--csmith", type=int, default=20, help="csmith seeds 1..N")
    ap.add_argument("--stress", type=int, default=8, help="llvm-stress seeds 1..N")
    ap.add_argument("--builtin", type=int, default=None, help="at most N builtin-program .c files (default all)")
    ap.add_argument("--phase", choices=["elements", "random", "all"], default="all")
    ap.add_argument("--candidates", choices=["space", "catalogue"], default="space")
    ap.add_argument("--only", nargs="*", help="restrict the elements phase to these elements")
    ap.add_argument("--pipelines", type=int, default=100, help="random pipelines per module")
    ap.add_argument("--max-len", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per tool invocation")
    ap.add_argument("--bisect-limit", type=int, default=200, help="failing pipelines to bisect for a suspect")
    args = ap.parse_args(argv)

    modules = build_corpus(args.workdir, args.csmith, args.stress, args.builtin)
    print(f"{len(modules)} modules in {args.workdir}")
    start = time.monotonic()
    if args.phase in ("elements", "all"):
        elements = args.only or (catalogue_candidates() if args.candidates == "catalogue" else list(SEARCH_SPACE))
        phase_elements(modules, elements, args.jobs, args.timeout)
    if args.phase in ("random", "all"):
        phase_random(
            modules, SEARCH_SPACE, args.pipelines, args.seed, args.jobs, args.timeout, args.max_len, args.bisect_limit
        )
    print(f"\ntotal {time.monotonic() - start:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
