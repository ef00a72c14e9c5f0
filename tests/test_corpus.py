"""`compilerlm corpus`: manifest, build of a local CMake project and a built-in program, dedup by normalised
IR, splits by project, the index, resumability, failures (no network: no Debian source here)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import compilerlm
from compilerlm.corpus.build import INDEX_COLUMNS, build_corpus, read_index
from compilerlm.corpus.manifest import DEFAULT_MANIFEST, read_manifest
from compilerlm.corpus.splits import manifest_splits, project_split
from compilerlm.errors import CompilerLMError

pytestmark = pytest.mark.skipif(not (shutil.which("bear") and shutil.which("cmake")), reason="needs bear and cmake")

SUM = "int sum(const int *a, int n) {\n  int s = 0;\n  for (int i = 0; i < n; i++) s += a[i];\n  return s;\n}\n"
MAIN = (
    '#include "config.h"\nint sum(const int *a, int n);\n'
    "int main(void) { int a[3] = {1, 2, VALUE}; return sum(a, 3); }\n"
)
CMAKE = "cmake_minimum_required(VERSION 3.10)\nproject(demo C)\nadd_compile_definitions(VALUE=3)\n"


def _project(root: Path, name: str, files: dict[str, str]) -> Path:
    folder = root / name
    (folder / "src").mkdir(parents=True)
    for file, text in files.items():
        (folder / "src" / file).write_text(text)
    sources = " ".join(f"src/{f}" for f in files if f.endswith(".c"))
    (folder / "CMakeLists.txt").write_text(f"{CMAKE}include_directories(src)\nadd_library({name} STATIC {sources})\n")
    return folder


def _manifest(tmp_path: Path, extra: str = "") -> Path:
    # demo: two identical files (sum.c, copy.c) and main.c; other: sum.c again (a duplicate across projects)
    _project(tmp_path, "demo", {"sum.c": SUM, "copy.c": SUM.replace("  ", "  "), "main.c": MAIN, "config.h": ""})
    _project(tmp_path, "other", {"sum.c": "/* the same code, another comment */\n" + SUM})
    path = tmp_path / "manifest.toml"
    path.write_text(
        '[[source]]\nname = "demo"\nkind = "local"\npath = "demo"\n\n'
        '[[source]]\nname = "builtin"\ntarget = "builtin:base64"\n\n'
        '[[source]]\nname = "other"\npath = "other"\n' + extra
    )
    return path


def test_build_dedups_splits_and_indexes(tmp_path):
    manifest = read_manifest(_manifest(tmp_path))
    out = tmp_path / "corpus"
    events = []
    result = build_corpus(manifest, out, jobs=2, report=events.append)
    assert not result.failed
    by_name = {r.name: r for r in result.done}
    # demo: sum.c and copy.c have the same normalised IR: one module, one duplicate; main.c its own
    assert (by_name["demo"].units, by_name["demo"].modules, by_name["demo"].duplicates) == (3, 2, 1)
    # other/sum.c differs only in a comment and its path: a duplicate of demo's, not a new module
    assert (by_name["other"].modules, by_name["other"].duplicates) == (0, 1)
    rows = read_index(out)
    assert all(set(row) == set(INDEX_COLUMNS) for row in rows)
    assert len(rows) == len({r["norm_key"] for r in rows}) == result.modules == by_name["builtin"].modules + 2
    demo = {r["file"]: r for r in rows if r["project"] == "demo"}
    assert set(demo) == {"src/copy.c", "src/main.c"}  # the first origin (files by path) is kept
    assert demo["src/copy.c"]["duplicates"] == 2 and demo["src/copy.c"]["duplicate_projects"] == ["demo", "other"]
    assert demo["src/copy.c"]["origin"].startswith("local:") and demo["src/copy.c"]["instructions"] > 5
    for row in rows:
        assert (out / "modules" / f"{row['key']}.ll").is_file()
    # main.c got VALUE from the build's flags (the compile database), not from compilerlm
    assert "i32 3" in (out / "modules" / f"{demo['src/main.c']['key']}.ll").read_text()
    # splits by project: each project on one side, as the seeded hash says
    splits = manifest_splits(manifest)
    assert {(r["project"], r["split"]) for r in rows} == {(p, splits[p]) for p in ("demo", "builtin")}
    assert json.loads((out / "projects.json").read_text())["demo"]["split"] == splits["demo"]
    assert any(e.kind == "unit" for e in events)

    # a second run does no work: every source is done, nothing is fetched, built or compiled
    again = []
    rerun = build_corpus(manifest, out, jobs=2, report=again.append)
    assert {e.kind for e in again} == {"done"} and all(r.cached for r in rerun.done)
    assert read_index(out) == rows


def test_failing_source_is_reported_and_the_rest_built(tmp_path):
    extra = '\n[[source]]\nname = "broken"\npath = "broken"\n\n[[source]]\nname = "nobuild"\npath = "nobuild"\n'
    path = _manifest(tmp_path, extra)
    _project(tmp_path, "broken", {"bad.c": "int f(void) { return }\n"})
    (tmp_path / "nobuild").mkdir()
    (tmp_path / "nobuild" / "x.c").write_text(SUM)
    out = tmp_path / "corpus"
    result = build_corpus(read_manifest(path), out, jobs=2)
    assert set(result.failed) == {"broken", "nobuild"}
    assert "cmake --build failed" in result.failed["broken"]  # the build itself breaks
    assert "no configure, CMakeLists.txt or Makefile" in result.failed["nobuild"]
    assert all("\n" not in why for why in result.failed.values())
    assert {r.name for r in result.done} == {"demo", "builtin", "other"}
    assert not (out / "state" / "broken.json").exists()  # retried by the next run


def test_splits_by_project_are_stable():
    fractions = {"train": 0.8, "validation": 0.1, "test": 0.1}
    names = [f"p{i}" for i in range(300)]
    first = {n: project_split(n, 0, fractions) for n in names}
    assert first == {n: project_split(n, 0, fractions) for n in reversed(names)}
    assert set(first.values()) == {"train", "validation", "test"}
    assert 0.7 < list(first.values()).count("train") / len(names) < 0.9
    assert first != {n: project_split(n, 1, fractions) for n in names}


def test_the_committed_manifest_reads():
    manifest = read_manifest(DEFAULT_MANIFEST)
    debian = [s for s in manifest.sources if s.kind == "debian"]
    assert len(debian) >= 20 and {"builtin", "csmith"} <= {s.name for s in manifest.sources}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[[source]\nname = 1", "not valid TOML"),
        ("[corpus]\nseed = 1\n", "no [[source]] tables"),
        ('[[source]]\nname = "a"\nkind = "svn"\n', "kind 'svn' is not one of"),
        ('[[source]]\nname = "a"\n[[source]]\nname = "a"\n', "repeated: a"),
        ('[[source]]\nname = "a"\nconfgure = ["x"]\n', "unknown key(s) confgure"),
        ('[[source]]\nname = "a"\nkind = "local"\n', "needs path = FOLDER"),
        ('[corpus]\nsplits = { train = 0.5 }\n[[source]]\nname = "a"\n', "summing to 1"),
    ],
)
def test_bad_manifest_is_one_line(tmp_path, text, says):
    path = tmp_path / "m.toml"
    path.write_text(text)
    with pytest.raises(CompilerLMError) as err:
        read_manifest(path)
    assert says in str(err.value) and "\n" not in str(err.value)


def test_cli_bad_manifest_and_only(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(compilerlm.__file__).parents[1])}
    bad = tmp_path / "m.toml"
    bad.write_text("not toml [")
    cmd = [sys.executable, "-m", "compilerlm.cli", "corpus", "build", "--out", str(tmp_path / "c")]
    res = subprocess.run([*cmd, "--manifest", str(bad)], capture_output=True, text=True, env=env)
    assert res.returncode == 1 and "not valid TOML" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    good = _manifest(tmp_path)
    res = subprocess.run([*cmd, "--manifest", str(good), "--only", "nope"], capture_output=True, text=True, env=env)
    assert res.returncode == 1 and "nope not in" in res.stderr
    res = subprocess.run(
        [*cmd, "--manifest", str(good), "--only", "builtin", "-j", "2"], capture_output=True, text=True, env=env
    )
    assert res.returncode == 0, res.stderr
    assert "done builtin" in res.stderr and "modules from 1 sources" in res.stdout


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="dpkg orders Debian versions")
def test_source_versions_are_tried_newest_first_in_dpkgs_order():
    """A mirror may list a security update whose files it lacks; the fetch then tries the next older version."""
    from compilerlm.corpus.fetch import newest_first

    listed = ["10.42-1", "10.42-1+deb12u10", "10.42-1+deb12u2", "10.42-1+deb12u2", "1:9.0-1"]
    assert newest_first(listed) == ["1:9.0-1", "10.42-1+deb12u10", "10.42-1+deb12u2", "10.42-1"]


CONFIGURE = r"""#!/bin/sh
# configure as autoconf writes it, in small: --host picks the cross compiler, and a compile-only check
# (no program runs when cross-compiling) finds the size of long, which config.h then records
host=""
for arg in "$@"; do case "$arg" in --host=*) host="${arg#--host=}" ;; esac; done
cc="${host:+$host-}gcc"
if echo 'int x[sizeof(long) == 8 ? 1 : -1];' | $cc -x c -c - -o /dev/null 2>/dev/null; then bits=64; else bits=32; fi
echo "#define LONG_BITS $bits" > config.h
printf 'CC = %s\nlib.o: lib.c config.h\n\t$(CC) -O2 -c lib.c -o lib.o\n' "$cc" > Makefile
"""
LIB = '#include "config.h"\nint long_bits(void) { return LONG_BITS * 1000 + 7; }\n'


def test_a_corpus_for_another_machine_is_cross_built_and_its_modules_are_that_machines(tmp_path):
    """configure --host, CMake's cross compiler and a plain Makefile's CC: each project built for the machine, its
    checks describe that machine (config.h), its units' IR is that machine's; a custom build command is refused
    for a target, and a corpus folder keeps one machine."""
    from compilerlm.toolchain.targets import TARGETS, unusable

    machine = TARGETS["arm-linux-gnueabihf"]
    if unusable(machine, run=False) or not shutil.which(f"{machine.name}-gcc"):
        pytest.skip(unusable(machine, run=False) or f"no {machine.name}-gcc")
    _project(tmp_path, "demo", {"sum.c": SUM, "main.c": MAIN, "config.h": ""})  # CMake
    (tmp_path / "auto").mkdir()
    (tmp_path / "auto" / "configure").write_text(CONFIGURE)
    (tmp_path / "auto" / "lib.c").write_text(LIB)
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "sum.c").write_text(SUM.replace("s += a[i]", "s ^= a[i]"))
    (tmp_path / "plain" / "Makefile").write_text("sum.o: sum.c\n\t$(CC) -O2 -c sum.c -o sum.o\n")
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / "x.c").write_text(SUM)
    manifest = tmp_path / "m.toml"
    manifest.write_text(
        "".join(f'[[source]]\nname = "{n}"\nkind = "local"\npath = "{n}"\n\n' for n in ("demo", "auto", "plain"))
        + '[[source]]\nname = "own"\nkind = "local"\npath = "own"\nbuild = "cc -c x.c"\n'
    )
    out = tmp_path / "arm"
    result = build_corpus(read_manifest(manifest), out, jobs=2, triple=machine.name)
    assert set(result.failed) == {"own"} and "cannot be told to build for arm-linux-gnueabihf" in result.failed["own"]
    rows = read_index(out)
    assert {r["project"] for r in rows} == {"demo", "auto", "plain"}
    for row in rows:
        ir = (out / "modules" / f"{row['key']}.ll").read_text()
        assert f'target triple = "{machine.llvm_triple}"' in ir and "+thumb-mode" in ir, row["file"]
    (lib,) = [r for r in rows if r["project"] == "auto"]
    assert "32007" in (out / "modules" / f"{lib['key']}.ll").read_text()  # config.h: 32-bit long, the target's
    assert f"--host={machine.name}" in (out / "src" / "auto" / "build.log").read_text()
    with pytest.raises(CompilerLMError, match=f"is a corpus for {machine.name}; build the x86_64-linux-gnu corpus"):
        build_corpus(read_manifest(manifest), out)
