"""The speed track on LLVM's own test-suite: SingleSource/Benchmarks' C programs and its Polybench kernels.

Why: the built-in suite was written for compilerlm, so a speedup on it may say as much about the suite as about
the track. LLVM's benchmarks were not: each comes with the reference output LLVM checks it against, so they can
be taken as they are. This converts them into compilerlm program folders, runs the speed track on them as
`compilerlm eval asm --suite dir:FOLDER --protocol supercoder` does without a model (SuperCoder's aggregation
beside ours), and times every reported assembly again, apart from the tool, so its number can be checked.

1. Conversion (into --cache; nothing fetched is committed). --test-suite is a checkout or a bare git directory
   (then `git archive HEAD SingleSource/Benchmarks` is unpacked into the cache). Per C file each folder's
   CMakeLists.txt builds for x86-64 Linux (C++ is left out): its CFLAGS/CPPFLAGS, local headers inlined, one test
   run as the test-suite runs it (RUN_OPTIONS as arguments and NAME.reference_input as stdin where there are any:
   none in this directory today) whose expected stdout and exit code are the reference output's (its last line
   `exit N` is the exit code; md5 references, HASH_PROGRAM_OUTPUT, are matched by hash).
   Kept only when the `gcc -O3` build reproduces the reference exactly (stdout, or stdout with stderr where the
   program writes both: the reference holds both streams) in 0.05-3 s wall, prints something on stdout and fits
   the sandbox (the gcc -O3 baseline built and run on every test as the track does). Each drop is printed with
   its reason. LLVM's FP_TOLERANCE is not used: a program whose output differs at all is dropped.
2. Hidden tests from other sizes: where argv[1] sets the problem size (`(argc == 2) ? atoi(argv[1]) : N`, and
   McGill/queens' and whetstone's own arguments), two more tests `hidden-nK` with other sizes whose gcc -O3 run
   takes 0.02-3 s; expected output from `gcc -O0`, kept only where `gcc -O3` and `clang -O2` agree with it (a
   disagreement is undefined behaviour). The reference test is then the only visible one; the other programs keep
   their one test. (The track still mutates the empty stdin into blank lines: for a program that reads no input
   those "unseen" mutants are the visible run again, so its speedup is in effect the visible test's.)
3. Polybench: the test-suite's polybench.h already holds polybench.c, so each kernel becomes one file: the kernel
   with polybench.h and its own header inlined, built with its folder's flags (most: -ffp-contract=off
   -DFMA_DISABLED=1). Its arrays are dumped (-DPOLYBENCH_DUMP_ARRAYS) to stderr; the tests compare stdout, so
   two one-line rewrites of the copy send the dump to stdout: `#define POLYBENCH_DUMP_TARGET stderr` -> `stdout`
   in polybench.h and `fputs(printmat, stderr)` -> `stdout` in the kernel's print_array. Size: the test-suite's
   LARGE_DATASET when its gcc -O3 run takes 0.05-3 s and its dump fits the sandbox's stdout (4 MiB: most LARGE
   dumps do not), else the neighbouring dataset in the direction that helps (MEDIUM, SMALL; EXTRALARGE when
   LARGE is too fast), else, when two neighbours bracket the band, up to 3 sizes bisected geometrically between
   them (every size macro given with -D, e.g. NI=447 NJ=492 NK=537 between MEDIUM and LARGE). Expected output:
   the reference's where its md5 matches (LARGE, and SMALL's .small), else gcc -O0's, checked against gcc -O3
   and clang -O2. Sizes are compile-time, so there are no size-derived tests: one test per kernel.
4. The speed track (`speed.suite.run_asm_suite`, `eval asm`'s settings from `AsmEvalOptions`, --store to resume).
5. Re-timing: each reported assembly that is not the baseline is rebuilt, run on every test of its program, and
   timed afresh against a fresh gcc -O3 build (`measure.compare`, --retime-pairs interleaved pairs per test,
   every run checked): re-timed speedup = mean over the tests of the ratio of means (the tool's is over the unseen
   tests, hidden and mutants). Failed re-checks and reported baselines count 1.0 in the re-timed geomean.

One table per program (tool speedup, re-timed, their difference, re-check, wall seconds, configuration) and a
summary: our geomean, the re-timed geomean, SuperCoder's mean and median, the share within 10% of each other.

    python benchmarks/llvm_suite.py --test-suite /work/.mirror/llvm+llvm-test-suite/repo [--set both]
        [--programs N | --only NAMES] [--jobs 1] [--runs 10] [--retime-pairs 20] [--store F.sqlite]
        [--json out.json] [--convert-only] [--reconvert]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import re
import shlex
import shutil
import statistics
import subprocess
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import ClassVar

from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table

from compilerlm.errors import CompilerLMError
from compilerlm.measure import MeasurementError, RunFailed, compare
from compilerlm.programs.program import Program, load_program_dir
from compilerlm.programs.testing import checked_runner, run_tests
from compilerlm.sandbox import Limits
from compilerlm.speed.build import baseline_assembly, build_candidate
from compilerlm.speed.outcome import AsmOutcome
from compilerlm.speed.problem import candidate_limits, working_baseline
from compilerlm.speed.request import AsmEvalOptions
from compilerlm.speed.suite import run_asm_suite, runnable_programs, summarize_asm
from compilerlm.stats import geomean
from compilerlm.store import Store
from compilerlm.toolchain.locate import llvm_tool, system_tool

CONVERTER_REVISION = 1  # part of the conversion's cache key, with the text of the conversion's code
BENCHMARKS = "SingleSource/Benchmarks"
POLYBENCH = "Polybench"
SETS = ("singlesource", "polybench")
BAND = (0.05, 3.0)  # gcc -O3 wall seconds of the reference test
DERIVED_BAND = (0.02, 3.0)  # and of a size-derived test
RUN_TIMEOUT = 60.0
LIMITS = Limits()  # the speed track's own limits for the baseline: a kept program must fit them
AGREE = 0.10  # tool and re-timed speedups "agree" within this relative difference
FACTS = {"ARCH": "x86", "TARGET_OS": "Linux"}  # what the CMakeLists' conditions see (unknown variables: false)
DATASETS = ("MINI", "SMALL", "MEDIUM", "LARGE", "EXTRALARGE")  # Polybench's, smallest first
DEFAULT_DATASET = "LARGE"  # what the test-suite builds (SMALL with SMALL_PROBLEM_SIZE)
BISECTIONS = 3  # sizes tried between two neighbouring datasets when neither fits
# the two rewrites that send Polybench's array dump to stdout (each kernel uses one of them)
DUMP_REWRITES = (
    ("#define POLYBENCH_DUMP_TARGET stderr", "#define POLYBENCH_DUMP_TARGET stdout"),
    ("fputs(printmat, stderr)", "fputs(printmat, stdout)"),
)
SIZE_PATTERN = re.compile(r"\(\s*argc\s*==\s*2\s*\)\s*\?\s*atoi\s*\(\s*argv\s*\[\s*1\s*\]\s*\)\s*:\s*(\w+)")
# programs whose first argument is the size in a form SIZE_PATTERN does not see: the default, read in the source
OTHER_SIZE_ARGS = {"McGill-queens": 14, "Misc-whetstone": 100000}
INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*[<"]([^>"]+)[>"][^\n]*$', re.M)
console = Console(width=200)


# ---------------------------------------------------------------- the test-suite and its CMakeLists


def test_suite_root(given: Path, cache: Path) -> tuple[Path, str]:
    """(a folder holding SingleSource/Benchmarks, the test-suite's revision): `given` itself when it is a
    checkout, else the git directory's HEAD unpacked into the cache once."""
    rev = subprocess.run(["git", "-C", str(given), "rev-parse", "HEAD"], capture_output=True, text=True)
    revision = rev.stdout.strip() if rev.returncode == 0 else "checkout"
    if (given / BENCHMARKS).is_dir():
        return given, revision
    if rev.returncode != 0:
        raise SystemExit(f"{given}: neither a checkout holding {BENCHMARKS} nor a git directory")
    out = cache / "test-suite" / revision[:12]
    if not (out / ".exported").exists():
        archive = subprocess.run(
            ["git", "-C", str(given), "archive", "HEAD", BENCHMARKS], capture_output=True, check=False
        )
        if archive.returncode != 0:
            raise SystemExit(f"git archive failed in {given}: {archive.stderr.decode(errors='replace')[-300:]}")
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(out, filter="data")
        (out / ".exported").write_text(revision + "\n")
    return out, revision


@dataclass
class FolderConf:
    """What a test-suite folder's CMakeLists.txt says about building and checking its programs."""

    cflags: list[str] = field(default_factory=list)
    defines: list[str] = field(default_factory=list)
    ldflags: list[str] = field(default_factory=list)
    sources: list[str] | None = None  # `set(Source ...)`: the programs built; None: every file
    prefix: str = ""  # llvm_singlesource(PREFIX p): the targets' names
    c_standard: dict[str, str] = field(default_factory=dict)  # target -> C standard
    hashed: bool = False  # HASH_PROGRAM_OUTPUT: the reference is the md5 of the output
    run_options: list[str] = field(default_factory=list)
    fp_tolerance: str = ""

    def inherited(self) -> FolderConf:
        """What a subfolder starts from (CMake variables flow down; the source list does not)."""
        return FolderConf(list(self.cflags), list(self.defines), list(self.ldflags), fp_tolerance=self.fp_tolerance)


def _truth(condition: str) -> bool:
    """A CMake if() condition as this build sees it: NOT, AND, OR, `VAR STREQUAL "x"` and bare variables."""
    words = shlex.split(condition)

    def atom(ws: list[str]) -> bool:
        if ws and ws[0] == "NOT":
            return not atom(ws[1:])
        if len(ws) == 3 and ws[1] == "STREQUAL":
            return FACTS.get(ws[0], ws[0]) == FACTS.get(ws[2], ws[2])
        return len(ws) == 1 and ws[0] in FACTS

    def split(ws: list[str], op: str) -> list[list[str]]:
        parts: list[list[str]] = [[]]
        for w in ws:
            if w == op:
                parts.append([])
            else:
                parts[-1].append(w)
        return parts

    return any(all(atom(a) for a in split(o, "AND")) for o in split(words, "OR"))


def _flags(words: list[str], conf: FolderConf) -> None:
    """CFLAGS/CPPFLAGS words into the conf: defines apart, include folders (the test-suite's own) left out."""
    skip = False
    for w in words:
        if skip or "${" in w:
            skip = False
            continue
        if w == "-I":
            skip = True
        elif w.startswith("-D"):
            conf.defines.append(w[2:])
        elif not w.startswith("-I"):
            conf.cflags.append(w)


def read_cmake(path: Path, conf: FolderConf) -> FolderConf:
    """`conf` updated by the commands of one CMakeLists.txt that apply to an x86-64 Linux build."""
    text = re.sub(r"#[^\n]*", "", path.read_text()) if path.exists() else ""
    active: list[tuple[bool, bool]] = []  # per open if(): (this branch is taken, some branch was taken)
    for name, body in re.findall(r"(\w+)\s*\(((?:[^()]|\([^()]*\))*)\)", text):
        cmd = name.lower()
        if cmd == "if":
            taken = _truth(body)
            active.append((taken, taken))
            continue
        if cmd in ("elseif", "else") and active:
            _, seen = active.pop()
            taken = not seen and (cmd == "else" or _truth(body))
            active.append((taken, seen or taken))
            continue
        if cmd == "endif" and active:
            active.pop()
            continue
        if not all(taken for taken, _ in active):
            continue
        words = shlex.split(body)
        if cmd == "list" and len(words) >= 2 and words[0] == "APPEND":
            var, items = words[1], words[2:]
            if var in ("CFLAGS", "CPPFLAGS"):
                _flags(items, conf)
            elif var == "LDFLAGS":
                conf.ldflags += [w for w in items if w != "-lm"]  # every build of the track links -lm
            elif var == "Source":
                conf.sources = [*(conf.sources or []), *items]
        elif cmd == "set" and words:
            var, items = words[0], words[1:]
            if var == "Source":
                conf.sources = items
            elif var == "HASH_PROGRAM_OUTPUT":
                conf.hashed = items[:1] not in ([], ["0"], ["OFF"])
            elif var == "RUN_OPTIONS":
                conf.run_options = items
            elif var in ("FP_TOLERANCE", "FP_ABSTOLERANCE"):
                conf.fp_tolerance = " ".join(items)
        elif cmd == "add_definitions":
            _flags(words, conf)
        elif cmd == "set_property" and "C_STANDARD" in words:
            targets = words[1 : words.index("PROPERTY")] if words[:1] == ["TARGET"] else []
            for t in targets:
                conf.c_standard[t] = words[-1]
        elif cmd == "llvm_singlesource" and "PREFIX" in words:
            conf.prefix = words[words.index("PREFIX") + 1]
    return conf


@dataclass(frozen=True)
class Entry:
    """One C program as the test-suite builds and checks it."""

    name: str  # the program folder's name: the test-suite folder and the file's stem, e.g. Shootout-ackermann
    kind: str  # "singlesource" | "polybench"
    source: Path
    where: str  # its path in the test-suite
    cflags: tuple[str, ...]
    defines: tuple[str, ...]
    ldflags: tuple[str, ...]
    reference: Path | None  # the reference output for the default size (LARGE_DATASET for Polybench)
    reference_small: Path | None  # Polybench: SMALL_DATASET's
    hashed: bool
    headers: tuple[Path, ...]  # folders whose headers are inlined
    run_options: tuple[str, ...] = ()  # RUN_OPTIONS: the reference run's arguments
    stdin: Path | None = None  # NAME.reference_input: its standard input
    fp_tolerance: str = ""  # FP_TOLERANCE: not applied (outputs must match exactly); named when they do not


def reference_for(folder: Path, stem: str, suffix: str = "") -> Path | None:
    """The reference output the test-suite's CMake picks on a little-endian Linux machine."""
    base = f"{stem}.reference_output"
    names = [f"{base}.little-endian.{suffix}", f"{base}.{suffix}"] if suffix else []
    names += [f"{base}.little-endian", f"{base}.Linux", base] if not suffix else []
    return next((folder / n for n in names if (folder / n).is_file()), None)


def find_entries(root: Path, which: Sequence[str]) -> tuple[list[Entry], list[Dropped]]:
    """The C programs under SingleSource/Benchmarks (`which` sets), and those left out before conversion."""
    bench = root / BENCHMARKS
    confs: dict[Path, FolderConf] = {}
    entries: list[Entry] = []
    left: list[Dropped] = []
    cxx = 0
    for cmake in sorted(bench.rglob("CMakeLists.txt"), key=lambda p: len(p.parts)):
        folder = cmake.parent
        parent = confs.get(folder.parent, FolderConf())
        conf = confs[folder] = read_cmake(cmake, parent.inherited())
        rel = folder.relative_to(bench)
        kind = "polybench" if rel.parts[:1] == (POLYBENCH,) else "singlesource"
        if kind not in which or rel.parts[:2] == (POLYBENCH, "utilities"):
            continue
        listed = conf.sources
        files = sorted(p.name for p in folder.iterdir() if p.suffix in (".c", ".cpp", ".cc"))
        cxx += sum(not f.endswith(".c") for f in files)
        for name in (f for f in files if f.endswith(".c")):
            stem = name[:-2]
            label = f"{POLYBENCH}-{stem}" if kind == "polybench" else "-".join((*rel.parts, stem))
            if listed is not None and name not in listed:
                left.append(Dropped(label, kind, "not built", "its CMakeLists.txt does not build it on x86-64 Linux"))
                continue
            std = conf.c_standard.get(conf.prefix + stem)
            utilities = bench / POLYBENCH / "utilities"
            entries.append(
                Entry(
                    name=label,
                    kind=kind,
                    source=folder / name,
                    where=str((folder / name).relative_to(root)),
                    cflags=(*conf.cflags, *((f"-std=gnu{std}",) if std else ())),
                    defines=tuple(conf.defines),
                    ldflags=tuple(conf.ldflags),
                    reference=reference_for(folder, stem),
                    reference_small=reference_for(folder, stem, "small") if kind == "polybench" else None,
                    hashed=conf.hashed,
                    headers=(folder, utilities) if kind == "polybench" else (folder,),
                    run_options=tuple(conf.run_options),
                    stdin=folder / f"{stem}.reference_input"
                    if (folder / f"{stem}.reference_input").is_file()
                    else None,
                    fp_tolerance=conf.fp_tolerance,
                )
            )
    if cxx:
        console.print(f"[dim]left out {cxx} C++ programs (the speed track takes C)[/dim]")
    return entries, left


def amalgamate(source: Path, folders: Sequence[Path], rewrites: Sequence[tuple[str, str]] = ()) -> tuple[str, int]:
    """(the C file with every header of `folders` it includes inlined once, rewrites applied to every inlined
    part; how many rewrites applied). A header included again is dropped (they all have include guards)."""
    seen: set[Path] = set()
    applied = 0

    def expand(path: Path) -> str:
        nonlocal applied
        text = path.read_text(errors="surrogateescape")
        for old, new in rewrites:
            applied += text.count(old)
            text = text.replace(old, new)

        def inline(m: re.Match[str]) -> str:
            name = m.group(1)
            found = next((d / name for d in folders if (d / name).is_file()), None)
            if found is None or found.suffix not in (".h", ".c"):
                return m.group(0)
            if found.resolve() in seen:
                return f"/* {name}: inlined above */"
            seen.add(found.resolve())
            return f"/* ---- {name} (inlined) ---- */\n{expand(found)}\n/* ---- end of {name} ---- */"

        return INCLUDE.sub(inline, text)

    seen.add(source.resolve())
    return expand(source), applied


# ---------------------------------------------------------------- building and running on the host


@dataclass(frozen=True)
class Run:
    stdout: bytes
    stderr: bytes
    code: int
    seconds: float
    timed_out: bool = False

    def same(self, other: Run) -> bool:
        return (self.stdout, self.code) == (other.stdout, other.code)


class Builds:
    """One program's builds on the host (gcc -O3, gcc -O0, clang -O2; each with the program's flags and extra
    defines), made once each, in a scratch folder."""

    COMPILERS: ClassVar[dict[str, tuple[str, str]]] = {
        "gcc -O3": ("gcc", "-O3"),
        "gcc -O0": ("gcc", "-O0"),
        "clang -O2": ("clang", "-O2"),
    }

    def __init__(
        self, source: Path, cflags: Sequence[str], defines: Sequence[str], ldflags: Sequence[str], stdin: bytes = b""
    ):
        self.source, self.cflags, self.defines, self.ldflags = source, list(cflags), list(defines), list(ldflags)
        self.stdin = stdin  # every run's standard input
        self.dir = Path(tempfile.mkdtemp(prefix="llvm-suite-"))
        self.made: dict[tuple[str, tuple[str, ...]], Path | str] = {}

    def binary(self, which: str, extra: Sequence[str] = ()) -> Path | str:
        """The binary, or why it did not build (one line)."""
        key = (which, tuple(extra))
        if key not in self.made:
            compiler, level = self.COMPILERS[which]
            tool = system_tool("gcc") if compiler == "gcc" else llvm_tool("clang")
            out = self.dir / f"{compiler}{level}{len(self.made)}"
            defines = [f"-D{d}" for d in (*self.defines, *extra)]
            argv = [tool, level, *self.cflags, *defines, str(self.source), "-o", str(out), "-lm", *self.ldflags]
            done = subprocess.run(argv, capture_output=True, text=True, errors="replace", timeout=300)
            errors = [line for line in done.stderr.splitlines() if "error" in line]
            self.made[key] = out if done.returncode == 0 else (errors or ["failed"])[0][-200:]
        return self.made[key]

    def run(self, which: str, args: Sequence[str] = (), extra: Sequence[str] = ()) -> Run | str:
        binary = self.binary(which, extra)
        return run_binary(binary, args, self.stdin) if isinstance(binary, Path) else f"{which} does not build: {binary}"

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def run_binary(binary: Path, args: Sequence[str] = (), stdin: bytes = b"", timeout: float = RUN_TIMEOUT) -> Run:
    """One run as the test-suite makes it (its stdin /dev/null unless it has a reference input), in a scratch
    folder."""
    with tempfile.TemporaryDirectory(prefix="llvm-suite-run-") as cwd:
        start = time.perf_counter()
        try:
            done = subprocess.run([str(binary), *args], input=stdin, capture_output=True, cwd=cwd, timeout=timeout)
        except subprocess.TimeoutExpired:
            return Run(b"", b"", -1, time.perf_counter() - start, timed_out=True)
        return Run(done.stdout, done.stderr, done.returncode, time.perf_counter() - start)


def timed(
    builds: Builds, args: Sequence[str] = (), extra: Sequence[str] = (), band: tuple[float, float] = BAND
) -> Run | str:
    """The gcc -O3 run; run again (the faster kept) when it falls near or out of the band: one slow run on a
    loaded machine should not decide."""
    first = builds.run("gcc -O3", args, extra)
    if isinstance(first, str) or first.timed_out or first.seconds > 3 * band[1]:
        return first
    if band[0] * 1.5 <= first.seconds <= band[1] / 1.5:
        return first
    again = builds.run("gcc -O3", args, extra)
    return again if isinstance(again, Run) and again.seconds < first.seconds and again.same(first) else first


def agreed(builds: Builds, args: Sequence[str] = (), extra: Sequence[str] = ()) -> Run | str:
    """gcc -O0's run, when gcc -O3 and clang -O2 give the same stdout and exit code; else why not."""
    runs = {which: builds.run(which, args, extra) for which in ("gcc -O0", "gcc -O3", "clang -O2")}
    for which, run in runs.items():
        if isinstance(run, str):
            return run
        if run.timed_out:
            return f"{which} runs over {RUN_TIMEOUT:.0f} s"
    ref = runs["gcc -O0"]
    assert isinstance(ref, Run)
    differ = [w for w, r in runs.items() if isinstance(r, Run) and not r.same(ref)]
    return f"{' and '.join(differ)} disagree with gcc -O0 (undefined behaviour)" if differ else ref


# ---------------------------------------------------------------- conversion


@dataclass
class Dropped:
    name: str
    kind: str
    why: str  # a short category, for the counts
    detail: str


@dataclass
class Converted:
    name: str
    kind: str
    folder: str
    tests: list[str]
    seconds: float  # gcc -O3 wall time of the reference test
    expected_from: str  # where the reference test's expected output comes from
    dataset: str = ""  # Polybench: the chosen dataset
    sizes: dict[str, str] = field(default_factory=dict)  # size-derived test -> its argument
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Expected:
    name: str
    args: tuple[str, ...]
    stdout: bytes
    exit_code: int
    stdin: bytes = b""


def split_reference(data: bytes) -> tuple[bytes, int] | None:
    """(output, exit code) of a reference output: LLVM's runner appends `exit N` to the program's output."""
    m = re.search(rb"exit (-?\d+)\n?\Z", data)
    return (data[: m.start()], int(m.group(1))) if m else None


def matches(run: Run, reference: bytes, hashed: bool) -> bool:
    """Whether the run is what the reference says: its output (stdout, with stderr where it wrote some; the
    reference holds both streams) and exit code; an md5 reference is the md5 of that output and `exit N`."""
    outputs = [run.stdout] + ([run.stderr + run.stdout, run.stdout + run.stderr] if run.stderr else [])
    if hashed:
        want = reference.strip().decode(errors="replace")
        tail = f"exit {run.code}\n".encode()
        return any(hashlib.md5(out + tail).hexdigest() == want for out in outputs)
    split = split_reference(reference)
    return split is not None and split[1] == run.code and any(out == split[0] for out in outputs)


def size_default(entry: Entry, text: str, builds: Builds) -> int | None:
    """The problem size the reference run uses when argv[1] sets it (None: not a size program)."""
    if entry.name in OTHER_SIZE_ARGS:
        return OTHER_SIZE_ARGS[entry.name]
    m = SIZE_PATTERN.search(text)
    if m is None:
        return None
    if m.group(1).isdigit():
        return int(m.group(1))
    macros = subprocess.run(
        [system_tool("gcc"), "-E", "-dM", *builds.cflags, *(f"-D{d}" for d in builds.defines), str(builds.source)],
        capture_output=True,
        text=True,
        errors="replace",
    ).stdout
    found = re.search(rf"^#define {re.escape(m.group(1))} \(?(\d+)\)?\s*$", macros, re.M)
    return int(found.group(1)) if found else None


def derived_tests(builds: Builds, n: int, reference: Run) -> tuple[list[Expected], list[str]]:
    """Up to two tests with other sizes (each gcc -O3 run in DERIVED_BAND, gcc -O0, gcc -O3 and clang -O2 agreeing),
    and notes on the sizes tried and left out."""
    tried = [n // 2, n // 4, 3 * n // 4, 3 * n // 8, n - 1, n - 2, n - 3, n - 4]
    sizes = [k for k in dict.fromkeys(tried) if 1 <= k != n]
    kept: list[Expected] = []
    notes: list[str] = []
    for k in sizes:
        if len(kept) == 2:
            break
        run = timed(builds, [str(k)], band=DERIVED_BAND)
        if isinstance(run, str) or run.timed_out or not DERIVED_BAND[0] <= run.seconds <= DERIVED_BAND[1]:
            seconds = "" if isinstance(run, str) else f"{run.seconds:.3f} s"
            notes.append(f"size {k}: {run if isinstance(run, str) else seconds} at gcc -O3")
            continue
        oracle = agreed(builds, [str(k)])
        if isinstance(oracle, str):
            notes.append(f"size {k}: {oracle}")
            continue
        if not oracle.stdout or len(oracle.stdout) > LIMITS.stdout_bytes // 2 or not 0 <= oracle.code <= 255:
            notes.append(f"size {k}: no usable output")
            continue
        kept.append(Expected(f"hidden-n{k}", (str(k),), oracle.stdout, oracle.code, builds.stdin))
    notes = notes if len(kept) < 2 else []  # the sizes tried on the way matter only when two were not found
    if kept and all(t.stdout == reference.stdout for t in kept):
        notes.append("the size-derived tests print what the reference test prints")
    return kept, notes


def toml_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def write_program(folder: Path, entry: Entry, text: str, defines: Sequence[str], tests: Sequence[Expected]) -> None:
    """A program folder: the one C file, program.toml with the build flags and [[tests]], tests/NAME.out."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "tests").mkdir(parents=True)
    (folder / entry.source.name).write_text(text, errors="surrogateescape")
    lines = [
        f"description = {json.dumps(f'LLVM test-suite {entry.where}')}",
        f"cflags = {toml_list(entry.cflags)}",
        f"defines = {toml_list(defines)}",
        f"ldflags = {toml_list(entry.ldflags)}",
    ]
    for t in tests:
        lines += ["", "[[tests]]", f"name = {json.dumps(t.name)}"]
        lines += [f"args = {toml_list(t.args)}"] if t.args else []
        if t.stdin:
            (folder / "tests" / f"{t.name}.in").write_bytes(t.stdin)
            lines.append(f'stdin = "tests/{t.name}.in"')
        lines += [f"exit_code = {t.exit_code}"] if t.exit_code else []
        (folder / "tests" / f"{t.name}.out").write_bytes(t.stdout)
    (folder / "program.toml").write_text("\n".join(lines) + "\n")


def sandbox_check(folder: Path) -> str:
    """Why the speed track would refuse the program ("" when it takes it): its gcc -O3 baseline, built and run
    on every test in the sandbox as the track does it, must pass them within the track's limits."""
    try:
        program = load_program_dir(folder)
        with tempfile.TemporaryDirectory(prefix="llvm-suite-check-") as tmp:
            working_baseline(program, baseline_assembly(program), Path(tmp), LIMITS, "gcc -O3")
    except CompilerLMError as exc:
        return str(exc)
    return ""


def convert(entry: Entry, out: Path) -> Converted | Dropped:
    """One test-suite program into a program folder under `out`, or why not."""
    polybench = entry.kind == "polybench"
    text, applied = amalgamate(entry.source, entry.headers, DUMP_REWRITES if polybench else ())
    if polybench and not applied:
        return Dropped(entry.name, entry.kind, "no dump", "no array dump to send to stdout")
    folder = out / entry.name
    with tempfile.TemporaryDirectory(prefix="llvm-suite-src-") as tmp:
        staged = Path(tmp) / entry.source.name
        staged.write_text(text, errors="surrogateescape")
        defines = (*entry.defines, *(("POLYBENCH_DUMP_ARRAYS",) if polybench else ()))
        defines = tuple(dict.fromkeys(defines))
        stdin = entry.stdin.read_bytes() if entry.stdin else b""
        builds = Builds(staged, entry.cflags, defines, entry.ldflags, stdin)
        try:
            if polybench:
                result = convert_polybench(entry, builds, text, folder)
            else:
                result = convert_single(entry, builds, text, folder)
        finally:
            builds.close()
    if isinstance(result, Dropped):
        shutil.rmtree(folder, ignore_errors=True)
        return result
    if why := sandbox_check(folder):
        shutil.rmtree(folder, ignore_errors=True)
        return Dropped(entry.name, entry.kind, "sandbox", why)
    return result


def too_big(run: Run) -> str:
    if len(run.stdout) > LIMITS.stdout_bytes:
        return f"stdout {len(run.stdout) / 2**20:.1f} MiB, over the sandbox's {LIMITS.stdout_bytes / 2**20:.0f} MiB"
    return ""


def convert_single(entry: Entry, builds: Builds, text: str, folder: Path) -> Converted | Dropped:
    drop: Callable[[str, str], Dropped] = lambda why, detail: Dropped(entry.name, entry.kind, why, detail)  # noqa: E731
    if entry.reference is None:
        return drop("no reference", "no reference output")
    if any(c in w for w in entry.run_options for c in "<>%$|"):
        return drop("run options", f"RUN_OPTIONS {' '.join(entry.run_options)}: only plain arguments are taken")
    args = entry.run_options
    run = timed(builds, args)
    if isinstance(run, str):
        return drop("compile error", run)
    if run.timed_out:
        return drop("too slow", f"gcc -O3 run over {RUN_TIMEOUT:.0f} s")
    if not matches(run, entry.reference.read_bytes(), entry.hashed):
        split = split_reference(entry.reference.read_bytes())
        code = "" if split is None or split[1] == run.code else f" (exit code {run.code}, expected {split[1]})"
        tolerance = f" (its FP_TOLERANCE {entry.fp_tolerance} is not applied)" if entry.fp_tolerance else ""
        return drop("output differs", f"gcc -O3 output differs from the reference{code}{tolerance}")
    if not BAND[0] <= run.seconds <= BAND[1]:
        return drop("too fast" if run.seconds < BAND[0] else "too slow", f"gcc -O3 run takes {run.seconds:.3f} s")
    if not run.stdout.strip():
        return drop("no stdout", "prints nothing on stdout (every answer that prints nothing would pass)")
    if big := too_big(run):
        return drop("stdout too large", big)
    if not 0 <= run.code <= 255:
        return drop("signal", f"ends with {run.code}")
    tests = [Expected("ref", args, run.stdout, run.code, builds.stdin)]
    notes = ["the reference holds stderr too; the test checks stdout"] if run.stderr else []
    n = None if args else size_default(entry, text, builds)
    if n is not None:
        derived, why = derived_tests(builds, n, run)
        tests += derived
        notes += why
    write_program(folder, entry, text, entry.defines, tests)
    expected = "reference (md5)" if entry.hashed else "reference"
    sizes = {t.name: t.args[0] for t in tests if t.name.startswith("hidden-")}
    names = [t.name for t in tests]
    return Converted(entry.name, entry.kind, str(folder), names, run.seconds, expected, "", sizes, notes)


def dataset_sizes(header: Path) -> dict[str, dict[str, str]]:
    """A Polybench kernel header's datasets: name (LARGE, ...) -> its size macros."""
    text = header.read_text(errors="replace") if header.is_file() else ""
    return {
        m.group(1): dict(re.findall(r"#\s*define\s+(\w+)\s+(\d+)", m.group(2)))
        for m in re.finditer(r"#\s*ifdef\s+(\w+)_DATASET\b(.*?)#\s*endif", text, re.S)
    }


def between(low: dict[str, str], high: dict[str, str], f: float) -> tuple[str, ...]:
    """Size macros a fraction `f` of the way from one dataset to the next, geometrically (all of them defined,
    so the header's own sizes are skipped)."""
    return tuple(f"{k}={max(1, round(int(v) * (int(high[k]) / int(v)) ** f))}" for k, v in low.items() if k in high)


def try_size(builds: Builds, defines: Sequence[str]) -> tuple[str, Run | str]:
    """("fits" | "fast" | "big" | "error", the gcc -O3 run or why it failed) for one Polybench size."""
    run = timed(builds, extra=defines)
    if isinstance(run, str):
        return "error", run
    if run.timed_out or run.seconds > BAND[1] or too_big(run):
        return "big", run
    if run.code != 0:
        return "error", f"exits with {run.code}"
    return ("fast", run) if run.seconds < BAND[0] else ("fits", run)


def pick_size(entry: Entry, builds: Builds) -> tuple[str, tuple[str, ...], Run] | str:
    """(label, defines, gcc -O3 run) of the size to use, or why none: the test-suite's LARGE when its run takes
    0.05-3 s with a dump the sandbox takes, else the neighbouring datasets in the direction that helps, else sizes
    between the two datasets that bracket the band (bisected geometrically)."""
    sizes = dataset_sizes(entry.source.with_suffix(".h"))
    order = [d for d in DATASETS if d in sizes]
    if DEFAULT_DATASET not in order:
        return f"its header defines no {DEFAULT_DATASET}_DATASET"
    verdicts: dict[str, str] = {}
    tried: list[str] = []

    def note(label: str, run: Run | str) -> None:
        tried.append(f"{label} {run if isinstance(run, str) else f'{run.seconds:.2f} s'}")
        if isinstance(run, Run) and too_big(run):
            tried[-1] += f" ({too_big(run)})"

    i = order.index(DEFAULT_DATASET)
    while True:
        verdict, run = try_size(builds, [f"{order[i]}_DATASET"])
        verdicts[order[i]] = verdict
        if verdict == "fits" and isinstance(run, Run):
            return order[i], (f"{order[i]}_DATASET",), run
        note(order[i], run)
        if verdict == "error":
            return "; ".join(tried)
        j = i - 1 if verdict == "big" else i + 1
        if not 0 <= j < len(order):
            return "; ".join(tried)
        if order[j] in verdicts:  # j went the other way: the band lies between the two
            break
        i = j
    low, high = (order[j], order[i]) if verdict == "big" else (order[i], order[j])
    a, b = 0.0, 1.0
    for _ in range(BISECTIONS):
        f = (a + b) / 2
        defines = between(sizes[low], sizes[high], f)
        label = f"{low}..{high} {f:g} ({' '.join(defines)})"
        verdict, run = try_size(builds, defines)
        if verdict == "fits" and isinstance(run, Run):
            return label, defines, run
        note(label, run)
        if verdict == "error":
            break
        a, b = (f, b) if verdict == "fast" else (a, f)
    return "; ".join(tried)


def convert_polybench(entry: Entry, builds: Builds, text: str, folder: Path) -> Converted | Dropped:
    picked = pick_size(entry, builds)
    if isinstance(picked, str):
        return Dropped(entry.name, entry.kind, "no size fits", picked)
    label, size, run = picked
    reference = {"LARGE": entry.reference, "SMALL": entry.reference_small}.get(label)
    notes = []
    if reference is not None and matches(run, reference.read_bytes(), entry.hashed):
        stdout, expected = run.stdout, "reference (md5)" if entry.hashed else "reference"
    else:
        oracle = agreed(builds, extra=size)
        if isinstance(oracle, str):
            return Dropped(entry.name, entry.kind, "builds disagree", f"{label}: {oracle}")
        if reference is not None:
            notes.append(f"gcc -O3 does not reproduce the {label} reference output")
        stdout, expected = oracle.stdout, "gcc -O0 (gcc -O3, clang -O2 agree)"
    if not stdout.strip():
        return Dropped(entry.name, entry.kind, "no stdout", f"{label}: the dump is empty")
    write_program(folder, entry, text, (*builds.defines, *size), [Expected("ref", (), stdout, 0)])
    return Converted(entry.name, entry.kind, str(folder), ["ref"], run.seconds, expected, label, {}, notes)


def tree_digest(root: Path, which: Sequence[str]) -> str:
    """What the conversion of `which` depends on: this file, the test-suite's files, the compilers' versions."""
    converter = Path(__file__).read_text().split("# " + "-" * 64 + " re-timing")[0]  # the code above re-timing
    h = hashlib.sha256(f"{CONVERTER_REVISION}|{sorted(which)}|{converter}".encode())
    for path in sorted((root / BENCHMARKS).rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    for tool in (system_tool("gcc"), llvm_tool("clang")):
        h.update(subprocess.run([tool, "--version"], capture_output=True).stdout)
    return h.hexdigest()[:16]


def convert_all(root: Path, cache: Path, which: Sequence[str], jobs: int, again: bool) -> list[Converted]:
    """Every program of `which` converted into cache/programs (reused when nothing it depends on changed);
    prints one line per program left out and the counts."""
    out = cache / "programs"
    manifest = out / "manifest.json"
    key = tree_digest(root, which)
    if not again and manifest.exists():
        doc = json.loads(manifest.read_text())
        cached = [Converted(**c) for c in doc["kept"]]
        if doc.get("key") == key and all(Path(c.folder).is_dir() for c in cached):
            report_conversion(cached, [Dropped(**d) for d in doc["dropped"]], reused=True)
            return cached
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    entries, dropped = find_entries(root, which)
    kept: list[Converted] = []
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("converting", total=len(entries))
        with ThreadPoolExecutor(max(1, jobs)) as pool:
            for result in pool.map(lambda e: convert(e, out), entries):
                bar.advance(task)
                if isinstance(result, Dropped):
                    dropped.append(result)
                else:
                    kept.append(result)
    doc = {"key": key, "kept": [asdict(c) for c in kept], "dropped": [asdict(d) for d in dropped]}
    manifest.write_text(json.dumps(doc, indent=1) + "\n")
    report_conversion(kept, dropped, reused=False)
    return kept


def report_conversion(kept: Sequence[Converted], dropped: Sequence[Dropped], reused: bool) -> None:
    for d in sorted(dropped, key=lambda d: (d.kind, d.name)):
        console.print(f"[yellow]dropped[/yellow] {d.name}: {d.why}: {d.detail}", highlight=False)
    for c in sorted(kept, key=lambda c: (c.kind, c.name)):
        what = [f"size {c.dataset}, expected output from {c.expected_from}"] if c.kind == "polybench" else []
        what += [f"size tests {', '.join(f'{t}={v}' for t, v in c.sizes.items())}"] if c.sizes else []
        if what or c.notes:
            console.print(f"[dim]kept {c.name} ({c.seconds:.2f} s): {'; '.join(what + c.notes)}[/dim]", highlight=False)
    for kind in SETS:
        ok = [c for c in kept if c.kind == kind]
        why = Counter(x.why for x in dropped if x.kind == kind)
        if not ok and not why:
            continue
        sized = sum(bool(c.sizes) for c in ok)
        reasons = ", ".join(f"{w} {n}" for w, n in why.most_common()) or "none"
        console.print(
            f"{kind}: kept {len(ok)} ({sized} with size-derived hidden tests), dropped {why.total()} ({reasons})"
            + (" [dim](reused from the cache)[/dim]" if reused else "")
        )


# ---------------------------------------------------------------- re-timing


@dataclass
class Retimed:
    """The reported assembly rebuilt, checked on every test and timed afresh against a fresh gcc -O3 build."""

    passed: bool
    speedup: float | None = None  # mean over the tests of the ratio of means
    tests: dict[str, float] = field(default_factory=dict)
    error: str = ""


def retime(program: Program, outcome: AsmOutcome, pairs: int, workdir: Path) -> Retimed:
    built = build_candidate(outcome.assembly, workdir / "candidate", "candidate", program.ldflags)
    if not built.ok or built.binary is None:
        return Retimed(False, error=f"does not build again: {built.error}")
    for run in run_tests(built.binary, program.tests):
        if not run.passed:
            return Retimed(False, error=f"fails test {run.test.name}: {run.status} {run.detail}")
    base = build_candidate(baseline_assembly(program), workdir / "baseline", "baseline", program.ldflags)
    if not base.ok or base.binary is None:
        return Retimed(True, error=f"the gcc -O3 baseline does not build: {base.error}")
    walls = []
    for run in run_tests(base.binary, program.tests, LIMITS):
        if not run.passed:
            return Retimed(True, error=f"the gcc -O3 baseline fails test {run.test.name}: {run.status}")
        walls.append(run.result.wall_seconds)
    limits = candidate_limits(walls, LIMITS)
    ratios: dict[str, float] = {}
    for test in program.tests:
        try:
            comp = compare(
                [str(base.binary), *test.args],
                [str(built.binary), *test.args],
                test.stdin,
                warmups=1,
                runs=pairs,
                runner=checked_runner(test, limits),
                timeout=limits.wall_seconds,
            )
        except RunFailed as exc:
            return Retimed(False, tests=ratios, error=f"a timed run of test {test.name} failed: {exc}")
        except MeasurementError as exc:
            return Retimed(True, tests=ratios, error=f"timing test {test.name}: {exc}")
        ratios[test.name] = comp.speedup
    return Retimed(True, statistics.fmean(ratios.values()), ratios)


# ---------------------------------------------------------------- the run and its table


@dataclass
class Row:
    name: str
    kind: str
    tests: str  # visible/hidden/mutant counts, as the track split them
    source: str
    config: str
    tool: float  # the tool's reported speedup
    supercoder: float | None
    retimed: Retimed | None  # None: the baseline was reported, nothing to re-time
    seconds: float
    error: str = ""

    @property
    def retimed_speedup(self) -> float:
        """Re-timed speedup for the geomean: 1.0 where the baseline was reported or the re-check failed."""
        if self.retimed is None or self.retimed.speedup is None or not self.retimed.passed:
            return 1.0
        return self.retimed.speedup

    @property
    def difference(self) -> float | None:
        if self.retimed is None or self.retimed.speedup is None:
            return None
        return self.retimed.speedup / self.tool - 1.0


def sample(programs: list[Program], n: int | None, seed: int) -> list[Program]:
    if not n or n >= len(programs):
        return programs
    chosen = set(random.Random(seed).sample(range(len(programs)), n))
    return [p for i, p in enumerate(programs) if i in chosen]


def summary_of(rows: Sequence[Row], summary: dict) -> dict:
    timed = [r for r in rows if r.retimed is not None and r.retimed.speedup is not None]
    agree = [r for r in timed if r.difference is not None and abs(r.difference) <= AGREE]
    sc = summary.get("supercoder") or {}
    return {
        "programs": len(rows),
        "tool_geomean": geomean([r.tool for r in rows]),
        "retimed_geomean": geomean([r.retimed_speedup for r in rows]),
        "retimed_programs": len(timed),
        "tool_geomean_retimed_programs": geomean([r.tool for r in timed]) if timed else None,
        "retimed_geomean_retimed_programs": geomean([r.retimed_speedup for r in timed]) if timed else None,
        "recheck_passed": sum(r.retimed.passed for r in rows if r.retimed is not None),
        "rechecked": sum(r.retimed is not None for r in rows),
        "agree_within_10pct": len(agree) / len(timed) if timed else None,
        "supercoder_mean": sc.get("speedup_mean"),
        "supercoder_median": sc.get("speedup_median"),
        "share_faster": summary.get("share_faster"),
        "pass_rate": summary.get("pass_rate"),
        "seconds_per_program": statistics.fmean(r.seconds for r in rows),
    }


def print_tables(rows: Sequence[Row], totals: dict, title: str) -> None:
    table = Table(title=title)
    for col in ("program", "tests v/h/m", "chosen", "tool", "re-timed", "diff", "re-check", "SC", "wall s"):
        table.add_column(col, justify="left" if col in ("program", "chosen") else "right")
    for r in rows:
        rt = r.retimed
        table.add_row(
            r.name,
            r.tests,
            r.error[:60] if r.error else r.config,
            f"{r.tool:.3f}x",
            "—" if rt is None or rt.speedup is None else f"{rt.speedup:.3f}x",
            "—" if r.difference is None else f"{r.difference:+.1%}",
            "—" if rt is None else ("pass" if rt.passed else "FAIL") + (f" ({rt.error[:40]})" if rt.error else ""),
            "—" if r.supercoder is None else f"{r.supercoder:.3f}x",
            f"{r.seconds:.0f}",
        )
    console.print(table)
    summary = Table(title="summary")
    summary.add_column("measure")
    summary.add_column("value", justify="right")

    def fmt(v: float | None, suffix: str = "x") -> str:
        return "—" if v is None else (f"{v:.0%}" if suffix == "%" else f"{v:.3f}{suffix}")

    summary.add_row("programs", str(totals["programs"]))
    summary.add_row("our geomean (tool)", fmt(totals["tool_geomean"]))
    summary.add_row("re-timed geomean (baseline and failed re-checks 1.0)", fmt(totals["retimed_geomean"]))
    summary.add_row(
        f"  over the {totals['retimed_programs']} re-timed programs: tool / re-timed",
        f"{fmt(totals['tool_geomean_retimed_programs'])} / {fmt(totals['retimed_geomean_retimed_programs'])}",
    )
    sc_mean, sc_median = fmt(totals["supercoder_mean"]), fmt(totals["supercoder_median"])
    summary.add_row("SuperCoder mean / median", f"{sc_mean} / {sc_median}")
    summary.add_row("share faster (95% intervals)", fmt(totals["share_faster"], "%"))
    summary.add_row("re-check passed", f"{totals['recheck_passed']}/{totals['rechecked']}")
    summary.add_row("tool and re-timed within 10%", fmt(totals["agree_within_10pct"], "%"))
    summary.add_row("wall s / program", f"{totals['seconds_per_program']:.0f}")
    console.print(summary)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--test-suite", type=Path, required=True, help="llvm-test-suite checkout or git directory")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/compilerlm-llvm-suite"))
    parser.add_argument("--set", choices=(*SETS, "both"), default="both")
    parser.add_argument("--programs", type=int, default=None, help="a seeded sample of N programs (default: all)")
    parser.add_argument("--only", default=None, help="these programs (comma-separated names), not a sample")
    parser.add_argument("--seed", type=int, default=0, help="of the sample")
    parser.add_argument("--jobs", type=int, default=1, help="programs side by side (conversion and the track)")
    parser.add_argument("--runs", type=int, default=10, help="timed pairs per test to choose (eval asm's --runs)")
    parser.add_argument("--compilers", default=None, help="portfolio configurations (eval asm's --compilers)")
    parser.add_argument("--budget", type=int, default=None, help="compilations per program (eval asm's --budget)")
    parser.add_argument("--no-instructions", action="store_true", help="do not count the winners' instructions")
    parser.add_argument("--retime-pairs", type=int, default=20, help="interleaved pairs per test when re-timing")
    parser.add_argument("--store", default=None, help="SQLite file to resume from (as `eval asm --store`)")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--reconvert", action="store_true", help="convert again even when the cache is current")
    parser.add_argument("--convert-only", action="store_true", help="stop after the conversion")
    args = parser.parse_args()

    which = SETS if args.set == "both" else (args.set,)
    args.cache.mkdir(parents=True, exist_ok=True)
    root, revision = test_suite_root(args.test_suite.resolve(), args.cache)
    console.print(f"llvm-test-suite {revision[:12]} at {root}")
    converted = convert_all(root, args.cache, which, args.jobs, args.reconvert)
    if args.convert_only or not converted:
        return
    by_name = {c.name: c for c in converted}
    programs = [load_program_dir(Path(c.folder)) for c in sorted(converted, key=lambda c: c.name)]
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        if unknown := [n for n in wanted if n not in by_name]:
            parser.error(f"not among the converted programs: {', '.join(unknown)}")
        programs = [p for p in programs if p.name in wanted]
    else:
        programs = sample(programs, args.programs, args.seed)
    programs, _ = runnable_programs(programs)
    options = AsmEvalOptions(  # `compilerlm eval asm --protocol supercoder` without a model: its config
        protocol="supercoder",
        runs=args.runs,
        compilers=args.compilers,
        budget=args.budget,
        instructions=not args.no_instructions,
    )
    config = options.config_for(None)
    store = Store(args.store) if args.store else None
    with Progress(console=console) as bar:
        task: TaskID = bar.add_task("speed track", total=len(programs))
        outcomes = run_asm_suite(
            programs, config, store=store, jobs=args.jobs, on_program=lambda _i, _o: bar.advance(task)
        )
        again = bar.add_task("re-timing", total=len(programs))
        rows: list[Row] = []
        with tempfile.TemporaryDirectory(prefix="llvm-suite-retime-") as tmp:
            for program, o in zip(programs, outcomes, strict=True):
                retimed = None
                if o.source != "baseline" and o.assembly:
                    retimed = retime(program, o, args.retime_pairs, Path(tmp) / program.name)
                counts = "/".join(str(o.tests.get(k, [0])[0]) for k in ("visible", "hidden", "mutant"))
                sc = o.supercoder.get("speedup") if o.supercoder and o.correct else None
                chosen = o.config or o.sample or o.source
                kind = by_name[program.name].kind
                rows.append(
                    Row(program.name, kind, counts, o.source, chosen, o.speedup, sc, retimed, o.seconds, o.error)
                )
                bar.advance(again)
    summary = summarize_asm(outcomes)
    totals = summary_of(rows, summary)
    title = (
        f"llvm-test-suite {args.set}: {len(rows)} programs, speed vs gcc -O3 without a model, "
        f"--runs {args.runs} ({time.strftime('%Y-%m-%d')})"
    )
    print_tables(rows, totals, title)
    sources = Counter(r.config for r in rows)
    console.print("chosen: " + ", ".join(f"{k} {v}" for k, v in sources.most_common()))
    if args.json:
        doc = {
            "test_suite": revision,
            "settings": config.key(None),
            "summary": totals,
            "track_summary": summary,
            "conversion": [asdict(c) for c in converted],
            "programs": [
                {**asdict(r), "retimed_difference": r.difference, "outcome": o.to_json()}
                for r, o in zip(rows, outcomes, strict=True)
            ],
        }
        args.json.write_text(json.dumps(doc, indent=1, default=str) + "\n")


if __name__ == "__main__":
    main()
