"""Write a program's expected outputs from its -O0 build, and check it is fit for the suites.

Usage: python -m compilerlm.programs.bless PROGRAM_DIR... [--check] [--sanitize]

Expected outputs come from the clang -O0 build (the oracle). The same tests are then run on the
clang -O3 and gcc -O3 builds, which must agree byte for byte (a program whose output depends on the
optimization level has undefined behaviour), and their -O3 run times are reported: speed-track
inputs should take 0.02-0.5 s each at -O3. Builds and runs go through `parallel.run_process`: a test that
hangs is stopped after 60 s with everything it started.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from compilerlm.parallel import run_process
from compilerlm.toolchain.locate import llvm_tool


def _build(prog: Path, compiler: str, flags: list[str], out: Path) -> None:
    meta = prog / "program.toml"
    conf = tomllib.loads(meta.read_text()) if meta.exists() else {}
    sources = sorted(str(p) for p in prog.glob("*.c"))
    cmd = [compiler, *flags, *conf.get("cflags", []), *sources, "-o", str(out), *conf.get("ldflags", []), "-lm"]
    res = run_process(cmd, text=True)
    if res.returncode != 0:
        raise SystemExit(f"{prog.name}: build failed: {' '.join(cmd)}\n{res.stderr}")


def _run(binary: Path, stdin: bytes) -> tuple[bytes, float]:
    start = time.perf_counter()
    res = run_process([binary], input=stdin, timeout=60, what=binary.name)
    elapsed = time.perf_counter() - start
    if res.returncode != 0:
        raise RuntimeError(f"exit code {res.returncode}: {res.stderr.decode(errors='replace')[:500]}")
    return res.stdout, elapsed


def bless(prog: Path, check_only: bool, sanitize: bool) -> bool:
    tests = sorted((prog / "tests").glob("*.in"), key=lambda p: int(p.stem) if p.stem.isdigit() else p.stem)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        builds = {
            "O0": [llvm_tool("clang"), "-O0", "-w"],
            "clang-O3": [llvm_tool("clang"), "-O3", "-w"],
            "gcc-O3": ["gcc", "-O3", "-w"],
        }
        if sanitize:
            builds["asan+ubsan"] = [
                llvm_tool("clang"),
                "-O1",
                "-g",
                "-fsanitize=address,undefined",
                "-fno-sanitize-recover=all",
            ]
        bins = {}
        for name, cmd in builds.items():
            bins[name] = Path(tmp) / name
            _build(prog, cmd[0], cmd[1:], bins[name])
        for test in tests:
            stdin = test.read_bytes()
            expected_path = test.with_suffix(".out")
            ref, _ = _run(bins["O0"], stdin)
            if check_only:
                if not expected_path.exists() or expected_path.read_bytes() != ref:
                    print(f"{prog.name}/{test.name}: expected output missing or stale")
                    ok = False
            else:
                expected_path.write_bytes(ref)
            times = {}
            for name in bins:
                if name == "O0":
                    continue
                try:
                    out, times[name] = _run(bins[name], stdin)
                except Exception as exc:
                    print(f"{prog.name}/{test.name}: {name} failed: {exc}")
                    ok = False
                    continue
                if out != ref:
                    print(f"{prog.name}/{test.name}: {name} output differs from -O0 (undefined behaviour?)")
                    ok = False
            t = times.get("gcc-O3", 0.0)  # the speed-track baseline is gcc -O3
            flag = "" if 0.02 <= t <= 0.5 else "  <-- outside 0.02-0.5 s"
            clang_t = times.get("clang-O3", 0.0)
            print(f"{prog.name}/{test.name}: clang -O3 {clang_t:.3f}s gcc -O3 {t:.3f}s, {len(ref)} bytes out{flag}")
    if len(tests) < 5:
        print(f"{prog.name}: only {len(tests)} tests (need at least 5)")
        ok = False
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("programs", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="only check that expected outputs are current")
    parser.add_argument("--sanitize", action="store_true", help="also run an ASan+UBSan build on every test")
    args = parser.parse_args()
    results = [bless(p, args.check, args.sanitize) for p in args.programs]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
