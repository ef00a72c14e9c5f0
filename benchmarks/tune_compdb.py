"""End to end on a real program: GNU bc from Debian, tuned through its own build, shipped with `compilerlm cc`.

Why: the issue's "done when": a real multi-file open-source C program that compilerlm's authors did not
write, from a Debian source package, built through its own build system with a compile database, is tuned
end to end: verified by tests that use arguments and files, rebuilt with `compilerlm cc`, the binary smaller
than its -Oz build and passing the same tests.

What it does (everything in a scratch folder; nothing fetched is committed):
1. `apt-get source bc` (GNU bc 1.07.1, GPL-2+; needs a deb-src line for bookworm), its own `./configure`
   and `make` under Bear (`apt-get install bear`) → compile_commands.json.
2. Writes bc's program folder beside a copy of the database: program.toml (`units`: bc/*.c + lib/*.c) with
   `[[tests]]`: the package's Test/*.b scripts as file arguments (`args = ["-l", "atan.b"]`, `files =
   ["Test/atan.b"]`; `-l` for those that call the math library), every second plain one via stdin, a few
   stdin tests of our own, a script plus stdin, a missing file (exit code 1). Tests over 1 s at -O0 are left
   out (the timing scripts). Expected stdout and exit codes are the package's own build's (gcc, its
   CFLAGS), each run confined in a fresh directory as compilerlm runs tests; the clang -O0 and -O2 builds
   of the database's units must pass them all. dc gets stdin tests the same way (`--programs bc,dc`).
3. `compilerlm tune compdb:…/compile_commands.json --budget N --json tune.json --out OUT` per program;
   prints per module -Oz vs tuned and verification, the linked executables (-Oz vs tuned: allocated bytes
   and .text, `programs` in the JSON) and `linked_improvement_geomean`.
4. Unpacks the source again in another folder, configures it, and builds bc with
   `make CC="python -m compilerlm.cli cc --tuned tune.json --cc-verbose"`, first with the package's own
   CFLAGS (-g -O2), then configured with CFLAGS=-Oz (no -g), counting units compiled as tuned and fallbacks
   to -Oz; and `./configure CFLAGS=-Oz; make CC=clang-19` as the -Oz reference (CC="clang-19 -Oz" would lose to
   the package's -O2). Prints binary sizes (allocated sections, .text) and the declared tests on each.

    python benchmarks/tune_compdb.py [--scratch /tmp/compilerlm-compdb-bench] [--budget 20] [--jobs 2]
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

import compilerlm
from compilerlm.programs.compdb import compdb_program
from compilerlm.programs.program import Program
from compilerlm.programs.testing import run_test, run_tests
from compilerlm.sandbox import Limits
from compilerlm.toolchain.frontend import FRONTEND_FLAGS, compile_c
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.module import content_key
from compilerlm.toolchain.objsize import object_size

PACKAGE = "bc"
NO_AUTOTOOLS = ["ACLOCAL=:", "AUTOMAKE=:", "AUTOCONF=:", "AUTOHEADER=:", "MAKEINFO=:"]  # patched *.am: no regen
DC_CFLAGS = ["-Wno-error=implicit-function-declaration"]  # gcc 12 warns about dc's undeclared calls; clang errs
OWN_STDIN = {
    "bc": {
        "power": "2^100\n",
        "seventh": "scale=30; 1/7\n",
        "bases": "obase=16; 255; ibase=16; FF\n",
        "factorial": "define f(n) { if (n < 2) return 1; return n*f(n-1); }\nf(30)\n",
        "sqrt": "scale=40; sqrt(2)\n",
    },
    "dc": {
        "power": "2 100 ^ p\n",
        "sqrt": "20 k 2 v p\n",
        "hex": "16 o 255 p\n",
        "loop": "[la 1 + d sa 10 >b]sb 0 sa lbx la p\n",
    },
}
MATH_STDIN = "scale=20\ns(1)\nc(1)\n4*a(1)\nl(10)\ne(2)\nj(2, 1.5)\n"
TESTFN_STDIN = "define f(x) { return (e(x)); }\nt(0, 1, .25, 10, 20)\n"
MAX_O0_SECONDS = 1.0
LIMITS = Limits(wall_seconds=20.0, cpu_seconds=20)
console = Console(width=150)


def run(cmd: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True, **kw)


def make_steps(tools: list[str], extra: list[str]) -> str:
    return " && ".join(f"make {' '.join(NO_AUTOTOOLS + extra)} -C {d}" for d in ["lib", *tools])


def unpack(scratch: Path, dest: Path, configure: tuple[str, ...] = ()) -> Path:
    """A fresh, configured copy of the source package in `dest`."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    run(["dpkg-source", "-x", str(next(scratch.glob(f"{PACKAGE}_*.dsc"))), str(dest)], scratch)
    run(["./configure", *configure], dest)
    return dest


def fetch_and_build(scratch: Path) -> Path:
    """`apt-get source bc`, then its configure and make (lib, bc, dc) under Bear; returns the source tree."""
    for tool in ("apt-get", "bear", "dpkg-source"):
        if not shutil.which(tool):
            sys.exit(f"needs {tool} (apt-get install bear dpkg-dev)")
    scratch.mkdir(parents=True, exist_ok=True)
    if not list(scratch.glob(f"{PACKAGE}_*.dsc")):
        got = subprocess.run(["apt-get", "source", "--download-only", PACKAGE], cwd=scratch, capture_output=True)
        if got.returncode != 0:
            sys.exit(f"apt-get source {PACKAGE} failed (add a deb-src line for bookworm): {got.stderr.decode()[-300:]}")
    for old in scratch.glob(f"{PACKAGE}-[0-9]*/"):
        shutil.rmtree(old)
    dsc = next(scratch.glob(f"{PACKAGE}_*.dsc"))
    version = dsc.name.split("_")[1].split("-")[0]
    tree = unpack(scratch, scratch / f"{PACKAGE}-{version}")
    run(["bear", "--", "sh", "-c", make_steps(["bc", "dc"], [])], tree)
    return tree


def build_clang(program: Program, level: str, exe: Path) -> Path:
    """The database's units compiled by clang at `level`, each in its own directory, linked."""
    with tempfile.TemporaryDirectory(prefix="tune-compdb-") as tmp:
        objects = []
        for i, unit in enumerate(program.units):
            obj = Path(tmp) / f"u{i}.o"
            cmd = [llvm_tool("clang"), f"-{level}", *unit.flags, *program.flags, "-c", str(unit.source), "-o", str(obj)]
            run(cmd, unit.directory)
            objects.append(str(obj))
        run([llvm_tool("clang"), *objects, "-o", str(exe), *program.ldflags, "-lm"], Path(tmp))
    return exe


def toml_list(values: list[str]) -> str:
    return json.dumps(values)  # a JSON list of plain strings is a TOML array


def write_toml(folder: Path, tool: str, specs: list[dict]) -> None:
    lines = [
        f'name = "gnu-{tool}"',  # GNU's name for it (tune --out puts the executables in OUT/bin/)
        f'units = ["{tool}/*.c", "lib/*.c"]',
        f"cflags = {toml_list(DC_CFLAGS if tool == 'dc' else [])}",
        "ldflags = []",
    ]
    for s in specs:
        lines += ["", "[[tests]]", f'name = "{s["name"]}"']
        for key in ("args", "files"):
            if s.get(key):
                lines.append(f"{key} = {toml_list(s[key])}")
        if s.get("stdin"):
            lines.append(f'stdin = "{s["stdin"]}"')
        if s.get("exit_code"):
            lines.append(f"exit_code = {s['exit_code']}")
    (folder / "program.toml").write_text("\n".join(lines) + "\n")


def candidate_tests(tree: Path, tool: str, folder: Path) -> list[dict]:
    """Every test one would declare: name, args, files, stdin (paths relative to the program folder)."""
    specs: list[dict] = []
    for own, text in OWN_STDIN[tool].items():
        name = f"own-{own}"
        (folder / "tests" / f"{name}.in").write_text(text)
        specs.append({"name": name, "stdin": f"tests/{name}.in", "how": "stdin"})
    if tool != "bc":
        return specs
    (folder / "tests" / "math-stdin.in").write_text(MATH_STDIN)
    specs.append({"name": "math-stdin", "args": ["-l"], "stdin": "tests/math-stdin.in", "how": "-l, stdin"})
    (folder / "tests" / "testfn.in").write_text(TESTFN_STDIN)
    specs.append(
        {
            "name": "testfn",
            "args": ["-l", "testfn.b"],
            "files": ["Test/testfn.b"],
            "stdin": "tests/testfn.in",
            "how": "-l, file argument, stdin",
        }
    )
    specs.append({"name": "missing-file", "args": ["missing.b"], "how": "file argument that is not there"})
    plain = 0
    for script in sorted((folder / "Test").glob("*.b")):
        if script.name == "testfn.b":
            continue
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(script, tmp)
            alone = subprocess.run(
                [tree / "bc/bc", script.name], cwd=tmp, stdin=subprocess.DEVNULL, capture_output=True, timeout=60
            )
        name = script.stem
        if b"not defined" in alone.stderr:  # calls s(), c(), a(), l(), e() or j(): the math library
            specs.append(
                {"name": name, "args": ["-l", script.name], "files": [f"Test/{script.name}"], "how": "-l, file"}
            )
        elif plain % 2 == 0:
            specs.append({"name": name, "args": [script.name], "files": [f"Test/{script.name}"], "how": "file"})
            plain += 1
        else:
            specs.append({"name": name, "stdin": f"Test/{script.name}", "how": "stdin"})
            plain += 1
    return specs


def write_program(tree: Path, tool: str, folder: Path) -> Program:
    """The program folder: compile_commands.json, Test/, program.toml with [[tests]] and their expected stdout
    (the package's own build), checked against clang -O0 and -O2 builds of the units."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "tests").mkdir(parents=True)
    shutil.copy(tree / "compile_commands.json", folder)
    shutil.copytree(tree / "Test", folder / "Test")
    specs = candidate_tests(tree, tool, folder)
    write_toml(folder, tool, specs)
    program = compdb_program(folder / "compile_commands.json")
    reference = tree / tool / tool
    with tempfile.TemporaryDirectory(prefix="tune-compdb-") as tmp:
        o0 = build_clang(program, "O0", Path(tmp) / f"{tool}.O0")
        kept = []
        for spec, test in zip(specs, program.tests, strict=True):
            slow = run_test(o0, test, LIMITS)  # expected stdout unknown yet: not compared
            ref = run_test(reference, test, LIMITS)
            if slow.result.wall_seconds > MAX_O0_SECONDS or ref.result.status not in ("ok", "exit-code"):
                why = f"{slow.result.wall_seconds:.1f} s at -O0" if ref.result.status in ("ok", "exit-code") else ""
                console.print(f"[dim]left out: {spec['name']} ({spec['how']}): {why or ref.result.status}[/dim]")
                continue
            spec["exit_code"] = ref.result.exit_code or 0
            (folder / "tests" / f"{spec['name']}.out").write_bytes(ref.stdout)
            kept.append(spec)
        write_toml(folder, tool, kept)
        program = compdb_program(folder / "compile_commands.json")
        o2 = build_clang(program, "O2", Path(tmp) / f"{tool}.O2")
        agree = {
            level: sum(r.passed for r in run_tests(exe, program.tests, LIMITS))
            for level, exe in [("O0", o0), ("O2", o2)]
        }
    n = len(program.tests)
    hows = sorted({s["how"] for s in kept})
    console.print(
        f"{tool}: {n} tests ({'; '.join(hows)}); expected results from the package's own build ({reference}); "
        f"clang -O0 passes {agree['O0']}/{n}, clang -O2 passes {agree['O2']}/{n}"
    )
    if min(agree.values()) != n:
        sys.exit(f"{tool}: the clang builds disagree with the package's build: not a usable test set")
    return program


def tune(folder: Path, budget: int, jobs: int) -> dict:
    db, out, store = folder / "compile_commands.json", folder / "tune.json", folder / "store.sqlite"
    for old in (out, store, folder / "out"):
        if old.is_dir():
            shutil.rmtree(old)
        elif old.exists():
            old.unlink()
    cmd = [sys.executable, "-m", "compilerlm.cli", "tune", f"compdb:{db}", "--budget", str(budget), "-j", str(jobs)]
    cmd += ["--json", str(out), "--out", str(folder / "out"), "--store", str(store)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    for line in res.stderr.splitlines():
        if line.startswith(("skipped", "error")):
            console.print(line, style="yellow", markup=False, soft_wrap=True)
    if res.returncode != 0:
        sys.exit(f"compilerlm tune failed ({res.returncode}): {res.stderr.strip()[-800:]}")
    return json.loads(out.read_text())


def cc_build(tree: Path, cc: str) -> tuple[Path, list[str], list[str]]:
    """make lib and bc in `tree` with CC; the binary and, from `compilerlm cc --cc-verbose`, the sources
    compiled as tuned and those that fell back to -Oz."""
    extra = [f"CC={cc}"]
    env = {**os.environ, "PYTHONPATH": str(Path(compilerlm.__file__).resolve().parents[1])}
    res = subprocess.run(
        ["make", *NO_AUTOTOOLS, *extra, "-C", "lib"], cwd=tree, capture_output=True, text=True, env=env
    )
    if res.returncode == 0:
        more = subprocess.run(
            ["make", *NO_AUTOTOOLS, *extra, "-C", "bc"], cwd=tree, capture_output=True, text=True, env=env
        )
        res = subprocess.CompletedProcess(
            more.args, more.returncode, res.stdout + more.stdout, res.stderr + more.stderr
        )
    if res.returncode != 0:
        sys.exit(f"make with CC={cc} failed: {res.stderr.strip()[-800:]}")
    tuned = [
        ln.split("compilerlm cc: ")[1].split(" as tuned")[0]
        for ln in res.stderr.splitlines()
        if "as tuned module" in ln
    ]
    fell = [
        ln.split("compilerlm cc: ")[1].split(" is not in")[0]
        for ln in res.stderr.splitlines()
        if "not in the tuned results" in ln
    ]
    return tree / "bc" / "bc", tuned, fell


def why_fallback(program: Program, tuned_root: Path, rebuilt: Path, source: str) -> str:
    """The first IR line (path lines aside) where make's compile of `source` differs from the tuned module's."""
    matches = [u for u in program.units if u.source.name == Path(source).name]
    if not matches:
        return "not a unit of the tuned program"
    unit = matches[0]
    folder = rebuilt / unit.directory.relative_to(tuned_root)
    ours = compile_c(unit.source, unit.name, [*unit.flags, *program.flags], "Oz", unit.directory).ir
    cmd = [llvm_tool("clang"), "-Oz", *FRONTEND_FLAGS, *unit.flags, *program.flags, source, "-o", "-"]
    theirs = run(cmd, folder).stdout  # as make compiles it: the file named relative to its folder
    if content_key(theirs) == content_key(ours):
        return "same IR here: the make command line differs (flags)"
    strip = [ln for ln in ours.splitlines() if not ln.startswith(("; ModuleID", "source_filename"))]
    other = [ln for ln in theirs.splitlines() if not ln.startswith(("; ModuleID", "source_filename"))]
    diff = [
        d for d in difflib.unified_diff(strip, other, lineterm="", n=0) if d[:1] in "+-" and d[:3] not in ("+++", "---")
    ]
    return "IR differs: " + (diff[0][:110] if diff else "?")


def size_row(label: str, exe: Path, program: Program) -> tuple[str, str, str, str]:
    size = object_size(exe.read_bytes())
    runs = list(run_tests(exe, program.tests, LIMITS))
    return label, str(size.size), str(size.text), f"{sum(r.passed for r in runs)}/{len(runs)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/compilerlm-compdb-bench"))
    parser.add_argument("--budget", type=int, default=20, help="search evaluations per module")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="skip fetch and tune: reuse the last run's folders")
    parser.add_argument("--programs", default="bc,dc", help="which of the package's programs to tune (bc first)")
    args = parser.parse_args()
    started = time.time()
    scratch = args.scratch.resolve()
    tree = next(scratch.glob(f"{PACKAGE}-[0-9]*/")) if args.reuse else fetch_and_build(scratch)
    version = tree.name.removeprefix(f"{PACKAGE}-")
    console.print(f"built GNU {PACKAGE} {version} (Debian source package {PACKAGE}, GPL-2+) under Bear in {tree}")
    modules = Table(title=f"compilerlm tune compdb: Debian {PACKAGE} {version}, budget {args.budget} per module")
    for col in ("module", "-Oz", "tuned", "improvement", "verified", "source"):
        modules.add_column(col, justify="left" if col in ("module", "verified") else "right")
    linked = Table(title="linked executables (tune JSON `programs`; allocated bytes and .text)")
    for col in ("program", "-Oz", "tuned", "improvement", ".text -Oz", ".text tuned", "linked geomean"):
        linked.add_column(col, justify="left" if col == "program" else "right")
    tools = [t for t in args.programs.split(",") if t]
    programs, docs = {}, {}
    for tool in tools:
        folder = scratch / f"{tool}-program"
        t0 = time.time()
        if args.reuse:
            programs[tool] = compdb_program(folder / "compile_commands.json")
            docs[tool] = doc = json.loads((folder / "tune.json").read_text())
        else:
            programs[tool] = write_program(tree, tool, folder)
            t0 = time.time()
            docs[tool] = doc = tune(folder, args.budget, args.jobs)
        for m in doc["modules"]:
            verified = m["verification"] if m["verified"] else f"no: {m['verification']}"
            modules.add_row(
                m["name"], str(m["size_oz"]), str(m["size"]), f"{m['improvement']:+.2%}", verified, m["source"]
            )
        modules.add_section()
        s = doc["summary"]
        for p in doc["programs"]:
            if p["error"]:
                linked.add_row(p["program"], "", "", p["error"], "", "", "")
                continue
            linked.add_row(
                p["program"], str(p["size_oz"]), str(p["size"]), f"{p['improvement']:+.2%}",
                str(p["text_oz"]), str(p["text"]), f"{s['linked_improvement_geomean']:+.2%}",
            )  # fmt: skip
        console.print(
            f"{tool}: {s['modules']} modules, module geomean {s['improvement_geomean']:+.2%}, "
            f"smaller than -Oz {s['share_better']:.0%}, verified {s['verified_share']:.0%}, "
            f"{s['compiled_total']} compiled, tune {time.time() - t0:.0f} s"
        )
    console.print(modules)
    console.print(linked)

    if "bc" not in programs:
        return
    program, tuned_json = programs["bc"], scratch / "bc-program" / "tune.json"
    rebuild = scratch / "rebuild"
    if rebuild.exists():
        shutil.rmtree(rebuild)
    # bc's configure copies CFLAGS into AM_CFLAGS, so `make CFLAGS=` cannot drop its -g -O2: configure it
    bases = {
        "default": unpack(scratch, rebuild / "configured"),
        "Oz": unpack(scratch, rebuild / "configured-Oz", ("CFLAGS=-Oz",)),
    }
    cc = f"{sys.executable} -m compilerlm.cli cc --tuned {tuned_json} --cc-verbose"
    builds = {}
    for label, compiler, base in [
        ("cc-default-cflags", cc, "default"),
        ("cc", cc, "Oz"),
        ("clang-Oz", llvm_tool("clang"), "Oz"),
    ]:
        shutil.copytree(bases[base], rebuild / label, symlinks=True)
        builds[label] = cc_build(rebuild / label, compiler)
    results = Table(
        title=f"bc rebuilt from a fresh copy ({rebuild}) by its own make; tests: the {len(program.tests)} declared"
    )
    for col in ("binary", "size", ".text", "tests passed"):
        results.add_column(col, justify="left" if col == "binary" else "right")
    results.add_row(*size_row("package build (gcc -g -O2, the expected results)", tree / "bc" / "bc", program))
    results.add_row(
        *size_row("./configure CFLAGS=-Oz; make CC=clang-19 (the -Oz build)", builds["clang-Oz"][0], program)
    )
    results.add_row(
        *size_row('./configure CFLAGS=-Oz; make CC="compilerlm cc --tuned tune.json"', builds["cc"][0], program)
    )
    results.add_row(
        *size_row('./configure; make CC="compilerlm cc ..." (its -g -O2)', builds["cc-default-cflags"][0], program)
    )
    results.add_row(
        *size_row("tune --out: bc (tuned, linked by tune)", scratch / "bc-program" / "out" / "bin" / "gnu-bc", program)
    )
    for label in ("cc", "cc-default-cflags"):
        _, tuned, fell = builds[label]
        flags = "configure CFLAGS=-Oz" if label == "cc" else "the package's default CFLAGS (-g -O2)"
        console.print(
            f"compilerlm cc with {flags}: {len(tuned)} units compiled as tuned modules, {len(fell)} fell back to -Oz"
            + (f" ({', '.join(fell)})" if fell else "")
        )
    for source in builds["cc"][2]:
        console.print(f"  fallback {source}: {why_fallback(program, tree, rebuild / 'cc', source)}", soft_wrap=True)
    if not builds["cc-default-cflags"][1]:
        console.print("  with -g: no unit matched a tuned module")
    console.print(results)
    console.print(f"wall time {time.time() - started:.0f} s, budget {args.budget} per module, {args.jobs} jobs")


if __name__ == "__main__":
    main()
