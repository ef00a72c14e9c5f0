"""Tune a real multi-file C program through its own build's compile database: GNU bc and dc from Debian.

Why: `compdb:PATH` is meant for real builds (autotools here), not programs written for compilerlm. The script
fetches Debian's `bc` source package (GNU bc 1.07.1, GPL-2+; needs a deb-src line for bookworm), builds it
with its own configure and make under Bear (`apt-get install bear`) to get compile_commands.json, writes a
program.toml per program (bc: bc/*.c + lib/*.c; dc: dc/*.c + lib/*.c) with stdin tests whose expected output
is the package's own gcc -O2 build's, runs `compilerlm tune compdb:…` on each and prints per-module and
overall improvement vs -Oz and verification. The package's Test/*.b scripts that run without -l and finish
fast are stdin tests; the ones that need `bc -l` are printed as the args/stdin tests one would declare.
Everything lives in a scratch folder; nothing fetched is committed.

    python benchmarks/tune_compdb.py [--scratch /tmp/compilerlm-compdb-bench] [--budget 50] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from compilerlm.stats import improvement_geomean

PACKAGE = "bc"
NO_AUTOTOOLS = ["ACLOCAL=:", "AUTOMAKE=:", "AUTOCONF=:", "AUTOHEADER=:", "MAKEINFO=:"]  # patched *.am: no regen
OWN_TESTS = {
    "bc": [
        "2^100\n",
        "scale=30; 1/7\n",
        "obase=16; 255; ibase=16; FF\n",
        "define f(n) { if (n < 2) return 1; return n*f(n-1); }\nf(30)\n",
        "scale=40; sqrt(2)\n",
    ],
    "dc": ["2 100 ^ p\n", "20 k 2 v p\n", "16 o 255 p\n", "[la 1 + d sa 10 >b]sb 0 sa lbx la p\n"],
}
console = Console(width=140)


def run(cmd: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True, **kw)


def fetch_and_build(scratch: Path) -> Path:
    """`apt-get source bc`, then configure and make lib, bc and dc under Bear; returns the source tree."""
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
    run(["dpkg-source", "-x", next(scratch.glob(f"{PACKAGE}_*.dsc")).name], scratch)
    tree = next(p for p in scratch.glob(f"{PACKAGE}-[0-9]*") if p.is_dir())
    run(["./configure"], tree)
    make = " && ".join(f"make {' '.join(NO_AUTOTOOLS)} -C {d}" for d in ("lib", "bc", "dc"))
    run(["bear", "--", "sh", "-c", make], tree)
    return tree


def reference_tests(tree: Path, tool: str) -> list[str]:
    """Stdin tests: our own plus the package's Test/*.b that the reference build runs fast without -l."""
    tests = list(OWN_TESTS[tool])
    if tool == "bc":
        for script in sorted((tree / "Test").glob("*.b")):
            t0 = time.time()
            ref = subprocess.run([tree / "bc/bc"], input=script.read_text(), capture_output=True, text=True, timeout=60)
            if ref.returncode == 0 and not ref.stderr and ref.stdout and time.time() - t0 < 1.0:
                tests.append(script.read_text())
            else:
                needs_l = "not defined" in ref.stderr or not ref.stdout
                why = "needs bc -l" if needs_l else "too slow for a test (a timing script)"
                console.print(
                    f"[dim]would declare: name={script.stem!r} args={['-l'] if needs_l else []} "
                    f"stdin=Test/{script.name} (expected: the reference build's stdout) — {why}[/dim]"
                )
    return tests


def write_program(tree: Path, tool: str, folder: Path) -> None:
    """compile_commands.json, program.toml (which units, the name) and tests/N.in + N.out for one program."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "tests").mkdir(parents=True)
    shutil.copy(tree / "compile_commands.json", folder)
    # gcc 12 only warns about dc's undeclared checkferror_* calls; clang 16+ rejects them unless told otherwise
    cflags = '["-Wno-error=implicit-function-declaration"]' if tool == "dc" else "[]"
    (folder / "program.toml").write_text(
        f'name = "{tool}"\nunits = ["{tool}/*.c", "lib/*.c"]\ncflags = {cflags}\nldflags = []\n'
    )
    for n, stdin in enumerate(reference_tests(tree, tool), 1):
        ref = subprocess.run([tree / tool / tool], input=stdin, capture_output=True, text=True, check=True)
        (folder / "tests" / f"{n}.in").write_text(stdin)
        (folder / "tests" / f"{n}.out").write_text(ref.stdout)


def tune(folder: Path, budget: int, jobs: int) -> dict:
    out = folder / "tune.json"
    cmd = [sys.executable, "-m", "compilerlm.cli", "tune", f"compdb:{folder}", "--budget", str(budget)]
    res = subprocess.run([*cmd, "-j", str(jobs), "--json", str(out)], capture_output=True, text=True)
    for line in res.stderr.splitlines():
        if line.startswith(("skipped", "error")):
            console.print(line, style="yellow", markup=False, soft_wrap=True)
    if res.returncode != 0:
        sys.exit(f"compilerlm tune failed ({res.returncode}): {res.stderr.strip()[-500:]}")
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/compilerlm-compdb-bench"))
    parser.add_argument("--budget", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="print the last run's results (tune.json) again")
    args = parser.parse_args()
    started = time.time()
    tree = next(args.scratch.glob(f"{PACKAGE}-[0-9]*/")) if args.reuse else fetch_and_build(args.scratch)
    version = tree.name.removeprefix(f"{PACKAGE}-")
    console.print(f"built GNU {PACKAGE} {version} (Debian source package {PACKAGE}, GPL-2+) in {tree}")
    table = Table(title=f"compdb tune of Debian {PACKAGE} {version}, budget {args.budget} per module")
    for col in ("module", "-Oz", "tuned", "improvement", "verified", "source"):
        table.add_column(col, justify="left" if col == "module" else "right")
    summaries, every = [], []
    for tool in ("bc", "dc"):
        folder = args.scratch / f"{tool}-program"
        if not args.reuse:
            write_program(tree, tool, folder)
        doc = json.loads((folder / "tune.json").read_text()) if args.reuse else tune(folder, args.budget, args.jobs)
        for m in doc["modules"]:
            table.add_row(
                m["name"],
                str(m["size_oz"]),
                str(m["size"]),
                f"{m['improvement']:+.2%}",
                "yes" if m["verified"] else "no",
                m["source"],
            )
        every += doc["modules"]
        oz, size = sum(m["size_oz"] for m in doc["modules"]), sum(m["size"] for m in doc["modules"])
        tests = len(list((folder / "tests").glob("*.in")))
        summaries.append(
            f"{tool}: {len(doc['modules'])} modules, {tests} tests, total {oz} -> {size} bytes "
            f"({1 - size / oz:+.2%}), geomean {doc['summary']['improvement_geomean']:+.2%}, "
            f"verified {doc['summary']['verified_share']:.0%}"
        )
        table.add_section()
    console.print(table)
    for line in summaries:
        console.print(line)
    sized = [m for m in every if m["size_oz"]]  # an empty unit (lib/vfprintf.c with a libc vprintf) is 0 bytes
    overall = improvement_geomean(min(m["size"], m["size_oz"]) / m["size_oz"] for m in sized)
    verified = sum(m["verified"] for m in every)
    console.print(
        f"overall: {len(sized)} modules of non-zero size, geomean improvement vs -Oz {overall:+.2%}, "
        f"verified {verified}/{len(every)}, "
        f"wall time {time.time() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
