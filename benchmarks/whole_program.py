"""Whole-program size on real Debian packages: `tune --lto` against the four standard recipes, and the
shipped flags put back into each package's own build.

Why: `tune --lto` claims an executable smaller than what a developer gets from -Oz, section GC and LTO, with
nothing changed but CFLAGS and LDFLAGS. That claim is worth something only on code compilerlm's authors did
not write, built by its own build system, checked by tests that use arguments and files, and reproduced by
that build system from the printed flags. So, per package (none in the training corpus, corpus/manifest.toml):

1. `apt-get source PKG` into --cache (needs a deb-src line for bookworm; nothing fetched is committed),
   autoreconf and configure where the package needs it, its own make under Bear → compile_commands.json.
2. A program folder beside a copy of the database: program.toml picks one executable's units and declares
   [[tests]] from the package's own test data (figlet's expected renderings, gifsicle's test images, unrtf's
   RTF samples, zopfli's own files) and obvious uses. Expected results are the package's where it ships
   them, else the clang -O0 build's; a test stays only if the -O0 build, the clang -O2 build and the
   package's own build all pass it (a disagreement would be undefined behaviour, not a size result).
3. `compilerlm tune compdb:… --lto --no-units-route --budget B` per budget, each from scratch (no shared store, so
   each budget's number is its own), and one `compilerlm tune compdb:… --lto --budget M` with both routes: its
   per-unit route is the per-module column (tuned units, function/data sections, lld --gc-sections).
4. One table: recipes, per module, what both routes ship, whole-program per budget (bytes, % smaller than the
   best recipe, the link options kept and the size without them), tests, wall seconds, rebuild check; geomean
   rows for the results and for the link-time pipeline alone.
5. Rebuild check, per run: a fresh unpack built by its own make with CC=clang-19 (or the JSON's `cc` when the
   units route ships), the JSON's cflags_shell after the package's own CFLAGS and ldflags_shell as LDFLAGS; its
   tests, and its allocated bytes against the reported `size`. When they differ and the package's CFLAGS have
   -g, `make clean` and a second build without -g say how much of the difference -g makes (whole-program builds
   compile with the build's own -g, so they should not differ).

Needs apt-get source (deb-src), bear, dpkg-dev, autoconf and automake (gifsicle and unrtf ship no usable
configure), clang and lld 19.

With --target (a Debian triple: `compilerlm tune --target`'s), the package is built, blessed and cross-checked
on the host as above (its expected results are the host's), then tuned for that machine (`tune --target`: the
standard builds, the merged module and every link are the target's, the tests run under qemu-user), and the
rebuild check builds a fresh unpack with CC set to clang with the target's flags, its tests under qemu. Only the
packages without a configure step take it (figlet, zopfli): a configure run for the host would describe the
wrong machine in config.h.

    python benchmarks/whole_program.py [--cache DIR] [--budgets 10,100,300] [--module-budget 100]
        [--packages figlet,gifsicle,unrtf,zopfli] [--target TRIPLE] [--jobs 2] [--json out.json] [--reprint]
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from compilerlm.programs.compdb import compdb_program
from compilerlm.programs.library import library_driver
from compilerlm.programs.program import Program
from compilerlm.programs.suites import built_for
from compilerlm.programs.testing import TestRun, emulator_for, run_test
from compilerlm.sandbox import Limits
from compilerlm.search.whole_program import compile_units, link
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.objsize import object_size
from compilerlm.toolchain.targets import HOST, target

LIMITS = Limits(wall_seconds=20.0, cpu_seconds=20)
ROUTES = "routes"  # the run with both routes (whole program and tuned units) at --module-budget
MAX_O0_SECONDS = 2.0  # tests slower than this at -O0 are left out: verification runs them many times
console = Console(width=250)


@dataclass
class Spec:
    """One [[tests]] table; paths are relative to the program folder. `stdout`: the package's own expected
    output (else the -O0 build's, blessed into tests/NAME.out)."""

    name: str
    args: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    stdin: str = ""
    outputs: list[str] = field(default_factory=list)
    stdout: str = ""
    exit_code: int = 0

    def toml(self) -> str:
        lines = ["[[tests]]", f"name = {json.dumps(self.name)}"]  # a JSON string or list of strings is TOML
        lines += [f"{k} = {json.dumps(getattr(self, k))}" for k in ("args", "files", "outputs") if getattr(self, k)]
        lines += [f"{k} = {json.dumps(getattr(self, k))}" for k in ("stdin", "stdout") if getattr(self, k)]
        return "\n".join([*lines, f"exit_code = {self.exit_code}"] if self.exit_code else lines)


@dataclass(frozen=True)
class Package:
    """A Debian source package and the one executable tuned from it."""

    source: str
    program: str
    exe: str  # where its build puts the executable, relative to the source tree
    units: tuple[str, ...]  # program.toml `units`: globs on the units' paths
    make: tuple[str, ...]  # make's arguments that build the executable
    tests: Callable[[Path, Path], list[Spec]]  # (source tree, program folder) -> specs; copies the data it uses
    own_cflags: Callable[[Path], str]  # the CFLAGS its build uses, kept ahead of the shipped cflags on rebuild
    autotools: bool = False  # autoreconf -fi, then ./configure
    why: str = ""
    library: str = ""  # a shared library's file name: `exe` is that library, tested through `driver`
    driver: tuple[str, ...] = ()  # program.toml `driver`: the units of the executable its tests run
    ldflags: tuple[str, ...] = ()  # program.toml `ldflags`: a library's soname, as its Makefile links it


def sh(cmd: list[str], cwd: Path) -> str:
    res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} (in {cwd}) failed: {(res.stderr or res.stdout).strip()[-1500:]}")
    return res.stdout


def copy_in(tree: Path, folder: Path, sub: str, paths: list[str]) -> list[str]:
    """Copies tree files into folder/sub (by file name); their paths relative to the folder."""
    (folder / sub).mkdir(parents=True, exist_ok=True)
    out = []
    for p in paths:
        shutil.copy(tree / p, folder / sub / Path(p).name)
        out.append(f"{sub}/{Path(p).name}")
    return out


# figlet's own run-tests.sh: number, options, font (None: the default, standard), stdin; expected stdout is the
# package's tests/resNNN.txt. 001/002/024 run shell scripts or ls; 020's renamed font is script.flf.
FIGLET_RUNS = [
    ("003", [], None, "longtext"),
    *((n, [o], None, "input") for n, o in [("004", "-L"), ("005", "-R"), ("006", "-l"), ("007", "-r")]),
    *((n, [o], None, "input") for n, o in [("008", "-c"), ("009", "-k"), ("010", "-W"), ("011", "-o")]),
    ("012", [], "emboss", "input"),
    ("013", ["-klR"], None, "input"),
    ("014", ["-kcR"], "slant", "input"),
    ("015", ["-WrR"], None, "input"),
    ("016", ["-or"], "big", "input"),
    ("017", ["-kr"], "emboss", "input"),
    ("018", ["-oc"], "emboss", "input"),
    ("019", ["-WRl"], "emboss", "input"),
    ("020", [], "script", "input"),
    ("021", ["-p", "-w250"], None, "input"),
    ("022", ["-w5"], None, "input"),
    ("023", ["-kpc"], "small", "input"),
    ("025", ["-Cuskata"], "banner", "abcde"),
    ("026", ["-Cjis0201"], "banner", "kana"),
]


def figlet_tests(tree: Path, folder: Path) -> list[Spec]:
    """run-tests.sh's renderings with the package's expected outputs, fonts from `-d .`, plus a missing font."""
    (folder / "inputs").mkdir()
    shutil.copy(tree / "tests/input.txt", folder / "inputs/input")
    shutil.copy(tree / "tests/longtext.txt", folder / "inputs/longtext")
    (folder / "inputs/abcde").write_bytes(b"ABCDE")
    (folder / "inputs/kana").write_bytes(bytes([0o261, 0o262, 0o263, 0o264, 0o265]))
    fonts = ["fonts/standard.flf", "fonts/slant.flf", "fonts/big.flf", "fonts/small.flf", "fonts/script.flf"]
    fonts += ["fonts/banner.flf", "fonts/uskata.flc", "fonts/jis0201.flc", "tests/emboss.tlf"]
    copied = {Path(p).stem: p for p in copy_in(tree, folder, "fonts", fonts)}
    copy_in(tree, folder, "expected", [f"tests/res{n}.txt" for n, *_ in FIGLET_RUNS])
    specs = []
    for n, opts, font, stdin in FIGLET_RUNS:
        files = [copied["standard"]] + [copied[Path(f).stem] for f in fonts if Path(f).stem in (font, *opts)]
        files += [copied[o[2:]] for o in opts if o.startswith("-C")]
        args = ["-d", ".", *opts, *(["-f", font] if font else [])]
        specs.append(Spec(f"run-tests-{n}", args, files, f"inputs/{stdin}", stdout=f"expected/res{n}.txt"))
    specs.append(Spec("missing-font", ["-d", ".", "-f", "nosuchfont", "hello"], [copied["standard"]]))
    specs.append(Spec("argument-text", ["-d", ".", "-c", "-w", "60", "Debian figlet"], [copied["standard"]]))
    return specs


def gifsicle_images(tree: Path, folder: Path) -> dict[str, str]:
    """logo.gif, logo1.gif and every GIF embedded in the package's test/*.testie (`%file -e NAME`, base64) as
    images/NNN-NAME; name -> path in the folder."""
    images = {Path(p).name: p for p in copy_in(tree, folder, "images", ["logo.gif", "logo1.gif"])}
    for testie in sorted((tree / "test").glob("*.testie")):
        name = ""
        lines: list[str] = []
        for line in [*testie.read_text().splitlines(), "%end"]:
            if line.startswith("%"):
                if name:
                    stored = f"{testie.name[:3]}-{name}"
                    (folder / "images" / stored).write_bytes(base64.b64decode("".join(lines)))
                    images[stored] = f"images/{stored}"
                name = line.split()[-1] if line.startswith("%file -e ") else ""
                lines = []
            elif name:
                lines.append(line.strip())
    return images


GIFSICLE_UNITS: tuple[str, ...]  # extended on the next line
GIFSICLE_UNITS = ("clp.c", "fmalloc.c", "giffunc.c", "gifread.c", "gifunopt.c", "merge.c", "optimize.c")
GIFSICLE_UNITS += ("quantize.c", "support.c", "xform.c", "gifsicle.c", "gifwrite.c")  # src/Makefile.am's
GIFSICLE_RUNS = [  # name, arguments (an image's name is also an input file), output files
    ("info", ["--info", "logo.gif"], []),
    ("color-info", ["--color-info", "logo1.gif"], []),
    ("extension-info", ["--extension-info", "--size-info", "logo.gif"], []),
    ("optimize-O2", ["-O2", "logo.gif"], []),
    ("transexpand-O3", ["-O3", "001-x.gif"], []),
    ("crop-resize", ["-O2", "--crop", "25,0+36x36", "--resize", "100x100", "002-x.gif"], []),
    ("bgopt-O2", ["-O2", "003-x.gif"], []),
    ("careful-O3", ["--careful", "-O3", "004-x.gif"], []),
    ("resize", ["--resize", "30x30", "005-x.gif"], []),
    ("unoptimize", ["--unoptimize", "006-x.gif"], []),
    ("alltransp", ["-O2", "007-x.gif"], []),
    ("resize-mix", ["--resize-method=mix", "--resize=250x_", "008-strip.gif"], []),
    ("zerowidth-info", ["-I", "009-zerowidth-ok.gif"], []),
    ("zerowidth-bad", ["009-zerowidth-bad.gif"], []),
    ("warnings", ["-w", "010-blank.gif", "010-blank-garbage.gif"], []),
    ("careful-mix", ["-O2", "--careful", "--resize-method=mix", "--resize=200x20", "011-in.gif"], []),
    ("colors-16", ["--colors", "16", "logo.gif", "-o", "out.gif"], ["out.gif"]),
    ("dither-4", ["--dither", "--colors", "4", "logo1.gif"], []),
    ("gray", ["--use-colormap", "gray", "logo1.gif"], []),
    ("rotate-flip", ["--rotate-90", "--flip-horizontal", "logo1.gif"], []),
    ("frames-delay", ["logo.gif", "#0-3", "--delay", "20", "--loopcount=3"], []),
    ("explode", ["--explode", "logo1.gif"], ["logo1.gif.000"]),
    ("scale", ["--scale", "2", "logo1.gif"], []),
    ("merge", ["--merge", "logo.gif", "logo1.gif", "-O1"], []),
    ("missing-file", ["missing.gif"], []),
]


def gifsicle_tests(tree: Path, folder: Path) -> list[Spec]:
    images = gifsicle_images(tree, folder)
    specs = [Spec(n, args, [images[a] for a in args if a in images], outputs=out) for n, args, out in GIFSICLE_RUNS]
    specs.append(Spec("stdin-info", ["-I"], stdin=images["logo.gif"]))
    return specs


UNRTF_FORMATS = ["html", "text", "latex", "vt", "rtf"]


def unrtf_tests(tree: Path, folder: Path) -> list[Spec]:
    """Every RTF sample of the package's tests/, in the five output formats in turn, configuration from `-P .`;
    the picture files a sample writes (the package's build says which) are declared outputs."""
    config = copy_in(tree, folder, "config", [*sorted(f"outputs/{p.name}" for p in (tree / "outputs").glob("*.conf"))])
    config += copy_in(tree, folder, "config", ["charmaps/SYMBOL.charmap"])
    samples = sorted((tree / "tests").glob("*.rtf"))
    specs = []
    for i, rtf in enumerate(samples):
        fmt = UNRTF_FORMATS[i % len(UNRTF_FORMATS)]
        [sample] = copy_in(tree, folder, "samples", [f"tests/{rtf.name}"])
        with tempfile.TemporaryDirectory() as tmp:
            for f in [*config, sample]:
                shutil.copy(folder / f, tmp)
            before = set(Path(tmp).iterdir())
            subprocess.run([tree / "src/unrtf", "-P", ".", f"--{fmt}", rtf.name], cwd=tmp, capture_output=True)
            written = sorted(p.name for p in set(Path(tmp).iterdir()) - before)
        specs.append(Spec(f"{rtf.stem}-{fmt}", ["-P", ".", f"--{fmt}", rtf.name], [*config, sample], outputs=written))
    specs.append(Spec("pict-nopict", ["-P", ".", "--nopict", "--html", "pict.rtf"], [*config, "samples/pict.rtf"]))
    specs.append(Spec("missing-file", ["-P", ".", "--text", "missing.rtf"], config))
    return specs


ZOPFLI_INPUTS = ["COPYING", "README", "CONTRIBUTORS", "src/zopfli/deflate.h", "src/zopfli/deflate.c"]
ZOPFLI_INPUTS += ["src/zopfli/squeeze.c", "src/zopfli/katajainen.c", "src/zopfli/tree.c"]
ZOPFLI_RUNS = [  # name, arguments (a file's name is also an input file), output files
    ("gzip", ["-c", "COPYING"], []),
    ("zlib", ["-c", "--zlib", "README"], []),
    ("deflate", ["-c", "--deflate", "deflate.h"], []),
    ("i1", ["-c", "--i1", "deflate.c"], []),
    ("i5-zlib", ["-c", "--i5", "--zlib", "squeeze.c"], []),
    ("i50", ["-c", "--i50", "CONTRIBUTORS"], []),
    ("two-files", ["-c", "README", "CONTRIBUTORS"], []),
    ("empty", ["-c", "empty"], []),
    ("verbose", ["-c", "-v", "--i3", "katajainen.c"], []),
    ("file-gz", ["COPYING"], ["COPYING.gz"]),
    ("file-zlib", ["--zlib", "README"], ["README.zlib"]),
    ("file-deflate", ["--deflate", "--i2", "tree.c"], ["tree.c.deflate"]),
    ("missing-file", ["-c", "missing.txt"], []),
    ("help", ["-h"], []),
]


def zopfli_tests(tree: Path, folder: Path) -> list[Spec]:
    inputs = {Path(p).name: p for p in copy_in(tree, folder, "inputs", ZOPFLI_INPUTS)}
    (folder / "inputs/empty").write_bytes(b"")
    inputs["empty"] = "inputs/empty"
    return [Spec(n, args, [inputs[a] for a in args if a in inputs], outputs=out) for n, args, out in ZOPFLI_RUNS]


def dpkg_cflags(tree: Path) -> str:
    return sh(["dpkg-buildflags", "--get", "CFLAGS"], tree).strip()  # what figlet's Makefile asks for


ZOPFLI_LIBRARY: tuple[str, ...]  # extended on the next line
ZOPFLI_LIBRARY = ("blocksplitter.c", "cache.c", "deflate.c", "gzip_container.c", "hash.c", "katajainen.c")
ZOPFLI_LIBRARY += ("lz77.c", "squeeze.c", "tree.c", "util.c", "zlib_container.c", "zopfli_lib.c")
PACKAGES = {
    p.program: p
    for p in [
        Package(
            "figlet", "figlet", "figlet", ("figlet.c", "zipio.c", "crc.c", "inflate.c", "utf8.c"),
            ("figlet",), figlet_tests, dpkg_cflags,
            why="plain Makefile; its run-tests.sh ships expected renderings (tests/resNNN.txt)",
        ),
        Package(
            "gifsicle", "gifsicle", "src/gifsicle",
            GIFSICLE_UNITS,
            ("-C", "src", "gifsicle"), gifsicle_tests, lambda tree: "-g -O2", autotools=True,
            why="autotools, 12 units; GIF images embedded in its test/*.testie",
        ),
        Package(
            "unrtf", "unrtf", "src/unrtf", ("*.c",), ("-C", "src", "unrtf"), unrtf_tests, lambda tree: "-g -O2",
            autotools=True, why="autotools, 14 units; 30 RTF samples in tests/, 5 output formats, picture files",
        ),
        Package(
            "zopfli", "zopfli", "zopfli", ("*.c",), ("zopfli",), zopfli_tests, lambda tree: "",
            why="plain Makefile, 13 units (the C zopfli only); deterministic compressed output files",
        ),
        Package(
            "zopfli", "libzopfli", "libzopfli.so.1.0.3", ZOPFLI_LIBRARY, ("zopfli", "libzopfli"), zopfli_tests,
            lambda tree: "", library="libzopfli.so.1.0.3", driver=("zopfli_bin.c",),
            ldflags=("-Wl,-soname,libzopfli.so.1",),
            why="the same package's shared library (12 units, -fPIC -shared as its Makefile links it), tested "
            "through the zopfli command linked with it",
        ),
    ]
}  # fmt: skip


def fetch(pkg: Package, cache: Path) -> Path:
    """The package's .dsc in cache/PKG/, downloaded by `apt-get source --download-only` if not there."""
    where = cache / pkg.source
    where.mkdir(parents=True, exist_ok=True)
    if not list(where.glob(f"{pkg.source}_*.dsc")):
        got = subprocess.run(["apt-get", "source", "--download-only", pkg.source], cwd=where, capture_output=True)
        if got.returncode != 0:
            sys.exit(f"apt-get source {pkg.source} failed (a deb-src line for bookworm?): {got.stderr.decode()[-300:]}")
    return next(where.glob(f"{pkg.source}_*.dsc"))


def unpack(pkg: Package, dsc: Path, dest: Path) -> Path:
    """A fresh source tree in `dest` (Debian patches applied), configured with CC=clang-19 where it has to be."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    sh(["dpkg-source", "-x", str(dsc), str(dest)], dsc.parent)
    if pkg.autotools:
        sh(["autoreconf", "-fi"], dest)
        sh(["./configure", f"CC={llvm_tool('clang')}"], dest)
    return dest


def make(pkg: Package, tree: Path, extra: list[str], bear: bool = False, cc: str = "") -> Path:
    cmd = ["make", f"CC={cc or llvm_tool('clang')}", *extra, *pkg.make]
    sh(["bear", "--", *cmd] if bear else cmd, tree)
    return tree / pkg.exe


def tested(program: Program, exe: Path) -> list[TestRun]:
    """The program's tests on `exe`; a library's through its driver (`programs.library`), with it bound."""
    with tempfile.TemporaryDirectory(prefix="wp-bench-driver-") as tmp:
        libraries = None
        if program.library:
            exe, libraries = library_driver(program, exe, Path(tmp))
        emulator = emulator_for(program.machine)
        return [run_test(exe, test, LIMITS, libraries=libraries, emulator=emulator) for test in program.tests]


def clang_build(program: Program, level: str, exe: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix="wp-bench-") as tmp:
        return link(program, compile_units(program, [level], Path(tmp), jobs=2), [], exe)


def write_toml(folder: Path, pkg: Package, specs: list[Spec]) -> Program:
    head = [f"name = {json.dumps(pkg.program)}", f"units = {json.dumps(list(pkg.units))}"]
    head.append(f"ldflags = {json.dumps(list(pkg.ldflags))}")
    if pkg.library:
        head += [f"library = {json.dumps(pkg.library)}", f"driver = {json.dumps(list(pkg.driver))}"]
    (folder / "program.toml").write_text("\n\n".join(["\n".join(head), *(s.toml() for s in specs)]) + "\n")
    return compdb_program(folder / "compile_commands.json")


def write_program(pkg: Package, tree: Path, folder: Path) -> Program:
    """The program folder with its tests blessed and cross-checked (see the module's step 2)."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "tests").mkdir(parents=True)
    shutil.copy(tree / "compile_commands.json", folder)
    specs = pkg.tests(tree, folder)
    program = write_toml(folder, pkg, specs)
    dropped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="wp-bench-") as tmp:
        o0 = clang_build(program, "-O0", Path(tmp) / "O0")
        kept = []
        for spec, ref in zip(specs, tested(program, o0), strict=True):
            if ref.result.status not in ("ok", "exit-code") or ref.status not in ("ok", "wrong-exit-code"):
                dropped.append(f"{spec.name} (-O0: {ref.status} {ref.detail})")
                continue
            if ref.result.wall_seconds > MAX_O0_SECONDS:
                dropped.append(f"{spec.name} ({ref.result.wall_seconds:.1f} s at -O0)")
                continue
            spec.exit_code = ref.result.exit_code or 0
            if not spec.stdout:
                (folder / "tests" / f"{spec.name}.out").write_bytes(ref.stdout)
            for name, content in ref.outputs.items():
                path = folder / "tests" / f"{spec.name}.outputs" / name  # the layout of program.expected_paths
                path.parent.mkdir(exist_ok=True)
                path.write_bytes(content)
            kept.append(spec)
        program = write_toml(folder, pkg, kept)
        builds = {"clang -O0": o0, "clang -O2": clang_build(program, "-O2", Path(tmp) / "O2")}
        builds["package build"] = tree / pkg.exe
        failing = {
            run.test.name: f"{label}: {run.status}"
            for label, exe in builds.items()
            for run in tested(program, exe)
            if not run.passed
        }
    if failing:
        dropped += [f"{n} ({why})" for n, why in failing.items()]
        program = write_toml(folder, pkg, [s for s in kept if s.name not in failing])
    own = sum(bool(s.stdout) for s in kept if s.name not in failing)
    console.print(
        f"{pkg.program}: {len(program.units)} units, {len(program.tests)} tests ({own} with the package's own "
        f"expected output); -O0, -O2 and the package's build agree on all"
        + (f"; left out: {', '.join(dropped)}" if dropped else ""),
        soft_wrap=True,
    )
    for why in program.skipped:
        console.print(f"  [yellow]unit skipped: {why}[/yellow]", soft_wrap=True)
    return program


@dataclass
class Run:
    """One `compilerlm tune` run: its JSON (None when it failed), wall seconds, and the error if it failed."""

    doc: dict | None
    seconds: float
    error: str = ""


def tune(folder: Path, budget: int, jobs: int, units_route: bool, triple: str = HOST.name) -> Run:
    """`tune --lto` (for `triple`): the whole-program route alone, or with the per-unit route beside it."""
    label = f"{'routes' if units_route else 'lto'}-{budget}" + ("" if triple == HOST.name else f"-{triple}")
    out = folder / "runs" / f"{label}.json"
    out.parent.mkdir(exist_ok=True)
    cmd = [sys.executable, "-m", "compilerlm.cli", "tune", f"compdb:{folder / 'compile_commands.json'}", "--lto"]
    cmd += ["--budget", str(budget), "-j", str(jobs), "--json", str(out), "--target", triple]
    cmd += [] if units_route else ["--no-units-route"]
    t0 = time.time()
    res = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.time() - t0
    (folder / "runs" / f"{label}.log").write_text(f"$ {' '.join(cmd)}\n{res.stdout}\n{res.stderr}")
    if res.returncode != 0:
        err = (res.stderr.strip().splitlines() or ["?"])[-1][:300]
        console.print(
            f"  [red]tune {label} failed ({res.returncode}) after {seconds:.0f} s: {err}[/red]", soft_wrap=True
        )
        return Run(None, seconds, err)
    console.print(f"  tune {label}: {seconds:.0f} s")
    return Run(json.loads(out.read_text()), seconds)


@dataclass
class Rebuilt:
    """The package rebuilt with the shipped flags; when its size is not the reported one, `size_no_g` is a second
    build (make clean) with -g left out of the package's own CFLAGS: compilerlm drops -g from compile commands."""

    size: int | None
    tests: str
    error: str = ""
    size_no_g: int | None = None


def rebuild(pkg: Package, dsc: Path, dest: Path, program: Program, shipped: dict) -> Rebuilt:
    """A fresh unpack built by its own make with the shipped flags added, by a compiler for the program's machine;
    its size and its tests."""
    # the per-unit route builds with compilerlm cc (the JSON names it); the installed one beside this Python
    cc = shipped.get("cc") or ""
    if cc.startswith("compilerlm "):
        cc = f"{Path(sys.executable).with_name('compilerlm')} {cc.partition(' ')[2]}"
    machine = program.machine  # a cross build's CC: the compiler with the target's flags, as a cross toolchain's is
    cc = shlex.join([cc or llvm_tool("clang"), *machine.cflags, *machine.link_flags]) if machine.cflags else cc
    try:
        tree = unpack(pkg, dsc, dest)
        own = pkg.own_cflags(tree)
        flags = [f"LDFLAGS={shipped['ldflags_shell']}"]
        cflags = f"CFLAGS={' '.join(f for f in (own, shipped['cflags_shell']) if f)}"
        exe = make(pkg, tree, [cflags, *flags], cc=cc)
        runs = tested(program, exe)
        got = Rebuilt(object_size(exe.read_bytes()).size, f"{sum(r.passed for r in runs)}/{len(runs)}")
        if got.size != shipped["size"] and "-g" in own.split():
            sh(["make", "clean"], tree)
            no_g = " ".join(f for f in (*own.split(), shipped["cflags_shell"]) if f and f != "-g")
            got.size_no_g = object_size(make(pkg, tree, [f"CFLAGS={no_g}", *flags], cc=cc).read_bytes()).size
    except RuntimeError as exc:
        return Rebuilt(None, "", str(exc)[-300:])
    return got


def improvement(size: int, best: int) -> str:
    return f"{1 - size / best:+.2%}"


def same_text(cells: list[str]) -> str:
    """`@B: text` per budget, or the text once when every budget says the same."""
    texts = {c.split(": ", 1)[1] for c in cells}
    return f"{texts.pop()} each" if len(texts) == 1 else "\n".join(cells)


def geomean_improvement(pairs: list[tuple[int, int]]) -> float | None:
    """1 - geomean(size / best recipe): positive is smaller."""
    if not pairs:
        return None
    return 1 - math.exp(sum(math.log(s / b) for s, b in pairs) / len(pairs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/compilerlm-wp-cache"))
    parser.add_argument("--budgets", default="10,100,300", help="whole-program budgets, each a separate run")
    parser.add_argument("--module-budget", type=int, default=100, help="per-module tune budget (0: skip)")
    parser.add_argument("--packages", default=",".join(PACKAGES))
    parser.add_argument("--target", default=HOST.name, help="tune for this machine (compilerlm tune --target)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--reprint", action="store_true", help="print the table of an earlier run's --json only")
    args = parser.parse_args()
    if args.reprint:
        doc = json.loads(args.json.read_text())
        return report(doc["packages"], doc["budgets"], doc["module_budget"], doc["wall_seconds"], None)
    for tool in ("apt-get", "bear", "dpkg-source", "dpkg-buildflags", "autoreconf"):
        if not shutil.which(tool):
            sys.exit(f"needs {tool} (apt-get install bear dpkg-dev autoconf automake)")
    budgets = [int(b) for b in args.budgets.split(",") if b]
    names = [p for p in args.packages.split(",") if p]
    unknown = [n for n in names if n not in PACKAGES]
    if unknown:
        sys.exit(f"unknown package(s) {', '.join(unknown)}; known: {', '.join(PACKAGES)}")
    configured = [n for n in names if PACKAGES[n].autotools]
    if args.target != HOST.name and configured:
        sys.exit(f"--target takes packages without a configure step: leave out {', '.join(configured)}")
    target(args.target)  # an unknown triple ends here, in one line
    started, cache = time.time(), args.cache.resolve()
    results = []
    for name in names:
        pkg = PACKAGES[name]
        dsc = fetch(pkg, cache)
        version = dsc.stem.split("_", 1)[1]
        t0 = time.time()
        tree = unpack(pkg, dsc, cache / name / "build" / pkg.source)
        make(pkg, tree, [], bear=True)
        console.print(f"{name} {version}: built under Bear in {time.time() - t0:.0f} s ({pkg.why})")
        folder = cache / name / "program"
        (program,) = built_for([write_program(pkg, tree, folder)], args.target)
        runs = {str(b): tune(folder, b, args.jobs, False, args.target) for b in budgets}
        if args.module_budget:  # both routes: the per-unit one is the per-module column
            runs[ROUTES] = tune(folder, args.module_budget, args.jobs, True, args.target)
        rebuilt: dict[tuple[str, str, str], Rebuilt] = {}
        for b, run in runs.items():
            if run.doc is None:
                continue
            wp = run.doc["whole_program"][0]
            key = (wp["cflags_shell"], wp["ldflags_shell"], wp.get("cc") or "")
            if key not in rebuilt:
                rebuilt[key] = rebuild(pkg, dsc, cache / name / f"rebuild-{b}" / pkg.source, program, wp)
            got = rebuilt[key]
            same = got.size == wp["size"]
            console.print(
                f"  rebuild @{b}: CC={key[2] or 'clang'}{'' if args.target == HOST.name else ' for ' + args.target} "
                f"CFLAGS+={key[0]} LDFLAGS={key[1]}: {got.size} bytes "
                f"({'=' if same else '!='} reported {wp['size']}), tests {got.tests} {got.error}"
                + (f"; without -g: {got.size_no_g}" if got.size_no_g is not None else ""),
                soft_wrap=True,
                markup=False,
            )
        results.append(
            {
                "target": args.target,
                "package": pkg.source,
                "version": version,
                "program": pkg.program,
                "units": len(program.units),
                "tests": len(program.tests),
                "why": pkg.why,
                "whole_program": {
                    b: {
                        **(run.doc["whole_program"][0] if run.doc else {}),
                        "seconds": run.seconds,
                        "error": run.error,
                        "rebuild": (
                            vars(rebuilt[(run.doc["whole_program"][0]["cflags_shell"],
                                          run.doc["whole_program"][0]["ldflags_shell"],
                                          run.doc["whole_program"][0].get("cc") or "")])
                            if run.doc else None
                        ),
                    }
                    for b, run in runs.items()
                },
            }
        )  # fmt: skip
    report(results, budgets, args.module_budget, time.time() - started, args.json)


def rebuild_cell(wps: list[dict]) -> str:
    """yes, or the rebuilt size minus the reported one per budget (and without -g); the rebuilt binary's tests."""
    built = [w for w in wps if w.get("rebuild") and w["rebuild"]["size"] is not None]
    if len(built) < len(wps):
        return "build failed" if built or not wps else "-"
    diffs = [w["rebuild"]["size"] - w["size"] for w in built]
    lines = ["yes" if not any(diffs) else "no: " + " / ".join(f"{d:+d}" for d in diffs)]
    if any(w["rebuild"]["size_no_g"] is not None for w in built):
        no_g = [w["rebuild"]["size_no_g"] for w in built]
        lines.append(
            "no -g: "
            + " / ".join("-" if n is None else f"{n - w['size']:+d}" for n, w in zip(no_g, built, strict=True))
        )
    tests = {w["rebuild"]["tests"] for w in built}
    return "\n".join([*lines, f"tests {' / '.join(sorted(tests))}"])


def size_cell(size: int, best: int, route: str, options: list[str], alone: int | None) -> str:
    """Bytes (% vs the best recipe), the route when it is not the whole program, each link option kept and
    the size without them."""
    cell = f"{size} ({improvement(size, best)})" + ("" if route == "whole-program" else f" {route}")
    if options:
        cell += "".join(f"\n+{o}" for o in options) + f"\n(alone {alone}, {improvement(alone or size, best)})"
    return cell


def report(results: list[dict], budgets: list[int], module_budget: int, wall: float, out: Path | None) -> None:
    machines = sorted({r.get("target", HOST.name) for r in results})
    table = Table(
        title=f"compilerlm tune --lto on Debian packages for {', '.join(machines)}: allocated bytes of the linked "
        "executable "
        f"(whole-program budgets {', '.join(map(str, budgets))}; both routes at {module_budget})",
        caption="% = smaller than the best standard recipe (positive: smaller); a cell names the route or recipe "
        "that ships when it is not the whole-program one, +OPTION the link options kept (alone: the size without "
        f"them); per module @{module_budget}: the per-unit route (tuned units, function/data sections, lld "
        f"--gc-sections) of `tune --lto` with both routes, and what that run ships; tests passed: the JSON's "
        f"verification; seconds: each tune run's wall time (whole-program {' / '.join(map(str, budgets))}, r: both "
        "routes); rebuilt = reported: the package's own make with the JSON's CC/CFLAGS/LDFLAGS from a fresh "
        "unpack, else rebuilt minus reported bytes per run and the rebuilt binary's tests",
    )
    for col in ("package", "units", "Oz", "Oz+gc", "Oz+lto", "Oz+lto+gc", "best recipe"):
        table.add_column(col, justify="left" if col == "package" else "right")
    table.add_column(f"per module @{module_budget}", justify="right")
    table.add_column(f"both routes @{module_budget} ship", justify="right")
    for budget in budgets:
        table.add_column(f"whole-program @{budget}", justify="right")
    for col in ("tests passed", "seconds", "rebuilt = reported"):
        table.add_column(col)
    keys = [str(b) for b in budgets]
    geo: dict[str, list[tuple[int, int]]] = {k: [] for b in keys for k in (b, f"{b} pipeline")}
    geo["modules"], geo[ROUTES] = [], []
    for r in results:
        wps = r["whole_program"]
        first = next((w for w in wps.values() if w.get("recipes")), None)
        recipes = first["recipes"] if first else {}
        best = first["best_recipe_size"] if first else None
        cells, verdicts, seconds = [], [], []
        for b in keys:
            w = wps[b]
            seconds.append(f"{w['seconds']:.0f}")
            if w["error"]:
                cells.append(f"error: {w['error'][:40]}")
                verdicts.append(f"@{b}: -")
                continue
            alone = w.get("size_without_link_options") or w["size"]
            cells.append(size_cell(w["size"], w["best_recipe_size"], w["route"], w.get("link_options", []), alone))
            geo[b].append((w["size"], w["best_recipe_size"]))
            geo[f"{b} pipeline"].append((min(alone, w["best_recipe_size"]), w["best_recipe_size"]))
            verdicts.append(f"@{b}: {w['verification'].removesuffix(' tests passed')}")
        both = wps.get(ROUTES)
        module_cell = ships_cell = "-"
        if both and both["error"]:
            module_cell = ships_cell = f"error: {both['error'][:40]}"
        elif both and best:
            units = both["routes"].get("units") or {}
            if units.get("size"):
                alone = units.get("size_without_link_options")
                module_cell = size_cell(units["size"], best, "", units["link_options"], alone).replace(" \n", "\n")
                if not units["verified"]:
                    module_cell += f"\nnot verified: {units['verification'][-60:]}"
                geo["modules"].append((units["size"], best))
            ships_cell = size_cell(both["size"], best, both["route"], [], None)
            geo[ROUTES].append((both["size"], best))
            seconds.append(f"r {both['seconds']:.0f}")
            verdicts.append(f"r: {both['verification'].removesuffix(' tests passed')}")
        name = r["package"] if r["program"] == r["package"] else f"{r['package']} / {r['program']}"
        table.add_row(
            f"{name} {r['version']}",
            str(r["units"]),
            *(str(recipes.get(k, "-")) for k in ("Oz", "Oz+gc", "Oz+lto", "Oz+lto+gc")),
            f"{first['best_recipe']} {best}" if first else "-",
            module_cell,
            ships_cell,
            *cells,
            f"{r['tests']} tests\n{same_text(verdicts)}",
            " / ".join(seconds),
            rebuild_cell([w for w in wps.values() if not w["error"]]),
        )  # fmt: skip
    summary = {k: geomean_improvement(v) for k, v in geo.items()}

    def pct(key: str) -> str:
        return f"{summary[key]:+.2%}" if summary.get(key) is not None else "-"

    table.add_section()
    table.add_row(
        "geomean vs best recipe", "", "", "", "", "", "", pct("modules"), pct(ROUTES), *(pct(b) for b in keys),
        "", "", "",
    )  # fmt: skip
    table.add_row(
        "geomean, link-time pipeline alone", "", "", "", "", "", "", "", "", *(pct(f"{b} pipeline") for b in keys),
        "", "", "",
    )  # fmt: skip
    console.print(table)
    never_larger = all(
        w["size"] <= w["best_recipe_size"] for r in results for w in r["whole_program"].values() if not w["error"]
    )
    console.print(f"never larger than the best recipe: {'yes' if never_larger else 'NO'}; wall time {wall:.0f} s")
    if out:
        doc = {"budgets": budgets, "module_budget": module_budget, "packages": results, "geomean_improvement": summary}
        out.write_text(json.dumps({**doc, "never_larger": never_larger, "wall_seconds": wall}, indent=1))
        console.print(f"wrote {out}")


if __name__ == "__main__":
    main()
