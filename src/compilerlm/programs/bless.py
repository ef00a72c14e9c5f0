"""Write a program's expected results from its -O0 build, and check it is fit for the suites.

Usage: python -m compilerlm.programs.bless PROGRAM_DIR... [--check] [--sanitize]

A user writes a test's inputs only: `tests/N.in` (stdin), or a `[[tests]]` table in program.toml (args,
input files, stdin, which output files it writes, its exit code). The expected results — standard output
(`tests/N.out`, `tests/NAME.out`) and every declared output file (`tests/NAME.FILE`) — come from the
clang -O0 build (the oracle). The same tests are then run on the clang -O3 and gcc -O3 builds (and, with
--sanitize, an ASan+UBSan build), which must agree byte for byte: a program whose results depend on the
optimization level has undefined behaviour. The -O3 run times are reported: speed-track inputs should take
0.02-0.5 s each at -O3. Every run goes through `programs.testing.run_test`, confined like any other test.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from compilerlm.errors import CompilerLMError
from compilerlm.parallel import run_process
from compilerlm.programs.names import printable
from compilerlm.programs.program import (
    TestCase,
    classic_tests,
    declared_tests,
    expected_paths,
    read_program_toml,
    test_entries,
)
from compilerlm.programs.testing import expecting, run_test
from compilerlm.sandbox import Limits
from compilerlm.toolchain.frontend import c_flags
from compilerlm.toolchain.locate import llvm_tool

LIMITS = Limits(wall_seconds=60.0, cpu_seconds=60)
SANITIZER_LIMITS = Limits(wall_seconds=60.0, cpu_seconds=60, address_space_bytes=1 << 47)  # ASan's shadow memory


def _build(prog: Path, compiler: str, flags: list[str], out: Path) -> None:
    conf = read_program_toml(prog / "program.toml")
    sources = sorted(str(p) for p in prog.glob("*.c"))
    includes = [str(prog.resolve()), *(str((prog / d).resolve()) for d in conf.get("include_dirs", []))]
    program_flags = c_flags(includes, conf.get("defines", []), conf.get("cflags", []))
    cmd = [compiler, *flags, *program_flags, *sources, "-o", str(out), *conf.get("ldflags", []), "-lm"]
    res = run_process(cmd, text=True)
    if res.returncode != 0:
        raise SystemExit(f"{prog.name}: build failed: {' '.join(cmd)}\n{res.stderr}")


def _tests(prog: Path) -> list[tuple[TestCase, Path, dict[str, Path]]]:
    """Every test with its expectations unknown, and where its expected stdout and output files go."""
    meta = prog / "program.toml"
    conf = read_program_toml(meta)
    cases = declared_tests(prog, conf, meta)
    declared = {c.name for c in cases}
    out = []
    for name, stdin, expected in classic_tests(prog / "tests", declared, prog):  # checked: no link leaves the folder
        out.append((TestCase(name, stdin.read_bytes(), None), expected, {}))
    for test, entry in zip(cases, test_entries(conf, meta), strict=True):
        stdout, outputs = expected_paths(prog, entry)
        unknown = replace(test, expected=None, outputs=tuple((name, None) for name in test.output_names))
        out.append((unknown, stdout, outputs))
    return out


def _write_or_check(path: Path, content: bytes, check_only: bool, label: str) -> bool:
    if check_only:
        if not path.exists() or path.read_bytes() != content:
            print(f"{label}: expected {path.name} missing or stale")
            return False
        return True
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def bless(prog: Path, check_only: bool, sanitize: bool) -> bool:
    tests = _tests(prog)
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
        for test, stdout_path, output_paths in tests:
            label = printable(f"{prog.name}/{test.name}")
            ref = run_test(bins["O0"], test, LIMITS)
            if not ref.passed:
                print(f"{label}: the -O0 build failed it ({ref.status}: {ref.detail})")
                ok = False
                continue
            blessed = expecting(test, ref)
            ok &= _write_or_check(stdout_path, ref.stdout, check_only, label)
            for name, path in output_paths.items():
                ok &= _write_or_check(path, ref.outputs[name], check_only, label)
            times = {}
            for name, binary in bins.items():
                if name == "O0":
                    continue
                run = run_test(binary, blessed, SANITIZER_LIMITS if name == "asan+ubsan" else LIMITS)
                times[name] = run.result.wall_seconds
                if not run.passed:
                    why = "differs from -O0 (undefined behaviour?)" if "wrong" in run.status else run.detail
                    print(f"{label}: {name}: {run.status}: {why}")
                    ok = False
            t = times.get("gcc-O3", 0.0)  # the speed-track baseline is gcc -O3
            flag = "" if 0.02 <= t <= 0.5 else "  <-- outside 0.02-0.5 s"
            clang_t = times.get("clang-O3", 0.0)
            print(f"{label}: clang -O3 {clang_t:.3f}s gcc -O3 {t:.3f}s, {len(ref.stdout)} bytes out{flag}")
    if len(tests) < 5:
        print(f"{printable(prog.name)}: only {len(tests)} tests (need at least 5)")
        ok = False
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("programs", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="only check that expected outputs are current")
    parser.add_argument("--sanitize", action="store_true", help="also run an ASan+UBSan build on every test")
    args = parser.parse_args()
    try:
        results = [bless(p, args.check, args.sanitize) for p in args.programs]
    except CompilerLMError as exc:
        sys.exit(f"error: {exc}")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
