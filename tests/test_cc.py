"""`compilerlm cc`: make builds a tuned program with it, from another folder and by other paths, and gets the
objects whose sizes `tune` reported; a changed file falls back to -Oz with a note; bad input is one line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compilerlm.programs.program import load_program_dir
from compilerlm.programs.testing import run_tests
from compilerlm.toolchain.cc import parse
from compilerlm.toolchain.objsize import object_size

MAIN = r"""
#include <stdio.h>
int checksum(const int *v, int n);
int lookup(int i);
int main(void) {
    int v[64], n = 0, x;
    while (n < 64 && scanf("%d", &x) == 1) v[n++] = x * SCALE;
    printf("%d %d\n", checksum(v, n), lookup(n));
    return 0;
}
"""
UTIL = r"""
int checksum(const int *v, int n) {
    int s = 0;
    for (int i = 0; i < n; i++) s = s * 31 + v[i];
    return s;
}
"""
TABLE = r"""
static const int table[16] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3};
static int helper(int i) { return table[i & 15] * 2; }
int lookup(int i) { return helper(i) + helper(i + 1); }
"""
MAKEFILE = """OBJS = main.o util.o table.o
CFLAGS = -DSCALE=3 -std=c11
prog: $(OBJS)
\t$(CC) $(OBJS) -o prog
%.o: %.c
\t$(CC) $(CFLAGS) -O2 -MMD -c $< -o $@
-include $(OBJS:.o=.d)
"""


def write_project(root: Path) -> Path:
    root.mkdir(parents=True)
    for name, text in (("main.c", MAIN), ("util.c", UTIL), ("table.c", TABLE), ("Makefile", MAKEFILE)):
        (root / name).write_text(text)
    (root / "program.toml").write_text('defines = ["SCALE=3"]\ncflags = ["-std=c11"]\n')
    (root / "tests").mkdir()
    for i, stdin in enumerate(["1 2 3\n", "5\n", "", "7 7 7 7 7 7 7\n", "-3 100 42\n"]):
        (root / "tests" / f"{i}.in").write_text(stdin)
    subprocess.run([sys.executable, "-m", "compilerlm.programs.bless", str(root)], capture_output=True, check=False)
    return root


@pytest.fixture(scope="module")
def tuned(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("cc")
    project = write_project(root / "proj")
    out = root / "tune.json"
    cmd = [sys.executable, "-m", "compilerlm.cli", "tune", str(project), "--budget", "40", "--json", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return out, json.loads(out.read_text())


def _make(folder: Path, tuned_json: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    cc = f"{sys.executable} -m compilerlm.cli cc --tuned {tuned_json} --cc-verbose"
    return subprocess.run(["make", "-C", str(folder), f"CC={cc}", *extra], capture_output=True, text=True, timeout=600)


def test_make_with_compilerlm_cc_builds_the_objects_tune_reported(tuned, tmp_path):
    tuned_json, doc = tuned
    assert all(m["content_key"] for m in doc["modules"])
    elsewhere = tmp_path / "other" / "checkout"  # another folder: other paths in every command line
    shutil.copytree(tuned_json.parent / "proj", elsewhere)
    done = _make(elsewhere, tuned_json)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.count("as tuned module") == 3, done.stderr
    for module in doc["modules"]:
        obj = elsewhere / Path(module["name"]).with_suffix(".o").name
        assert object_size(obj.read_bytes()).size == module["size"], module["name"]
    assert (elsewhere / "main.d").read_text().startswith("main.o:")  # make's dependency files, as asked
    program = load_program_dir(tuned_json.parent / "proj")
    assert all(run.passed for run in run_tests(elsewhere / "prog", program.tests))


def test_a_changed_file_falls_back_to_Oz_with_a_note(tuned, tmp_path):
    tuned_json, _ = tuned
    folder = tmp_path / "changed"
    shutil.copytree(tuned_json.parent / "proj", folder)
    (folder / "util.c").write_text(UTIL.replace("31", "37"))
    done = _make(folder, tuned_json)
    assert done.returncode == 0, done.stderr
    assert "util.c is not in the tuned results (new or changed): compiled at -Oz" in done.stderr
    assert done.stderr.count("as tuned module") == 2
    clang = subprocess.run(["clang-19", "-Oz", "-DSCALE=3", "-std=c11", "-c", "util.c", "-o", "ref.o"], cwd=folder)
    assert clang.returncode == 0
    assert (folder / "util.o").read_bytes() == (folder / "ref.o").read_bytes()


@pytest.mark.parametrize("server", ["0", "1"])
def test_a_tuned_unit_s_warnings_are_shown_once_as_clang_shows_them(tuned, tmp_path, server):
    tuned_json, _ = tuned
    shutil.copy(tuned_json.parent / "proj" / "util.c", tmp_path)
    cmd = [sys.executable, "-m", "compilerlm.cli", "cc", "--tuned", str(tuned_json), "--cc-verbose"]
    cmd += ["-DSCALE=3", "-std=c11", "-Wmissing-prototypes", "-c", "util.c", "-o", "util.o"]
    env = {**os.environ, "COMPILERLM_CC_SERVER": server, "COMPILERLM_CC_SERVER_IDLE": "3"}
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert done.returncode == 0 and "as tuned module" in done.stderr, done.stderr
    assert done.stderr.count("warning: no previous prototype for function 'checksum'") == 1, done.stderr


def test_bad_input_is_one_line(tuned, tmp_path):
    tuned_json, _ = tuned
    cli = [sys.executable, "-m", "compilerlm.cli", "cc"]
    env = {**os.environ, "COLUMNS": "200"}
    (tmp_path / "x.c").write_text("int x;\n")
    for tuned_file, message in (
        (tmp_path / "none.json", "no such file"),
        (tmp_path / "x.c", "is not a tune JSON file"),
    ):
        done = subprocess.run([*cli, "--tuned", str(tuned_file), "-c", "x.c"], capture_output=True, text=True, env=env)
        assert done.returncode == 1 and message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    (tmp_path / "bad.c").write_text("int main(void) { return nope; }\n")
    done = subprocess.run(
        [*cli, "--tuned", str(tuned_json), "-c", str(tmp_path / "bad.c")], capture_output=True, text=True
    )
    assert done.returncode != 0 and "nope" in done.stderr  # clang's own diagnostic, as a compiler gives it


def test_parse_understands_launchers_and_leaves_other_work_to_clang():
    inv = parse(["/usr/bin/cc", "-DX=1", "-O2", "-c", "src/a.c", "-o", "build/a.o", "-MD"])
    assert inv.source == Path("src/a.c") and inv.output == Path("build/a.o") and "-O2" not in inv.args
    assert parse(["-c", "a.c"]).output == Path("a.o")
    for other in (["a.o", "b.o", "-o", "prog"], ["-E", "a.c"], ["-S", "-c", "a.c"], ["-c", "a.c", "b.c"]):
        assert parse(other).source is None


def test_tune_reports_the_linked_executables_and_writes_them_with_out(tuned, tmp_path):
    _, doc = tuned
    [program] = doc["programs"]
    assert program["program"] == "proj" and not program["error"]
    assert 0 < program["size"] <= program["size_oz"] and 0 < program["text"] <= program["text_oz"]
    assert program["improvement"] == pytest.approx(1 - program["size"] / program["size_oz"])
    assert doc["summary"]["linked_programs"] == 1
    out = tmp_path / "out"
    project = tmp_path / "proj"
    shutil.copytree(tuned[0].parent / "proj", project)
    cmd = [sys.executable, "-m", "compilerlm.cli", "tune", str(project), "--budget", "5", "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    assert "linked proj: -Oz" in done.stdout
    tests = load_program_dir(project).tests
    for exe in (out / "bin" / "proj", out / "bin" / "proj.Oz"):
        assert all(run.passed for run in run_tests(exe, tests)), exe


def test_a_debug_build_is_recognised_and_keeps_its_debug_info(tuned, tmp_path):
    tuned_json, doc = tuned
    folder = tmp_path / "debug"
    shutil.copytree(tuned_json.parent / "proj", folder)
    done = _make(folder, tuned_json, "CFLAGS=-DSCALE=3 -std=c11 -g")
    assert done.returncode == 0 and done.stderr.count("as tuned module") == 3, done.stderr
    for module in doc["modules"]:
        data = (folder / Path(module["name"]).with_suffix(".o").name).read_bytes()
        assert object_size(data).size == module["size"] and b".debug_info" in data, module["name"]


def _cc(tuned_json: Path, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "compilerlm.cli", "cc", "--tuned", str(tuned_json), "--cc-verbose", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=folder)


def test_sections_reach_code_generation_and_gc_sections_composes(tuned, tmp_path):
    tuned_json, _ = tuned
    folder = tmp_path / "gc"
    shutil.copytree(tuned_json.parent / "proj", folder)
    done = _make(folder, tuned_json, "CFLAGS=-DSCALE=3 -std=c11 -ffunction-sections -fdata-sections")
    assert done.returncode == 0 and done.stderr.count("as tuned module") == 3, done.stderr
    table = (folder / "table.o").read_bytes()
    assert b".text.lookup" in table  # a section per function, as the flag asks, in the tuned object
    link = subprocess.run(
        ["clang-19", "-fuse-ld=lld", "-Wl,--gc-sections", "main.o", "util.o", "table.o", "-o", "gc"], cwd=folder
    )
    assert link.returncode == 0
    program = load_program_dir(tuned_json.parent / "proj")
    assert all(run.passed for run in run_tests(folder / "gc", program.tests))


def test_one_command_compiles_and_links_several_tuned_units(tuned, tmp_path):
    tuned_json, doc = tuned
    folder = tmp_path / "one"
    shutil.copytree(tuned_json.parent / "proj", folder)
    done = _cc(tuned_json, folder, "-DSCALE=3", "-std=c11", "-O2", "main.c", "util.c", "table.c", "-o", "prog")
    assert done.returncode == 0 and done.stderr.count("as tuned module") == 3, done.stderr
    program = load_program_dir(tuned_json.parent / "proj")
    assert all(run.passed for run in run_tests(folder / "prog", program.tests))
    assert not list(folder.glob("*.o"))  # the objects of a compile-and-link are temporary, as clang's are
    # -c with several files: one object each, in the working folder, each the size tune reported
    done = _cc(tuned_json, folder, "-DSCALE=3", "-std=c11", "-c", "main.c", "util.c", "table.c")
    assert done.returncode == 0 and done.stderr.count("as tuned module") == 3, done.stderr
    for module in doc["modules"]:
        obj = folder / Path(module["name"]).with_suffix(".o").name
        assert object_size(obj.read_bytes()).size == module["size"], module["name"]


def test_every_unit_that_falls_back_says_so_and_lto_emits_bitcode(tuned, tmp_path):
    tuned_json, _ = tuned
    folder = tmp_path / "fallback"
    shutil.copytree(tuned_json.parent / "proj", folder)
    (folder / "extra.c").write_text("int extra(void) { return 4; }\n")
    cc = [sys.executable, "-m", "compilerlm.cli", "cc", "--tuned", str(tuned_json), "-DSCALE=3", "-std=c11"]
    done = subprocess.run(
        [*cc, "main.c", "util.c", "table.c", "extra.c", "-o", "prog"],
        capture_output=True,
        text=True,
        cwd=folder,
    )  # without --cc-verbose: only the fallback is said, one line for the one unit that was not tuned
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "compilerlm cc: extra.c is not in the tuned results (new or changed): compiled at -Oz"
    ]
    done = _cc(tuned_json, folder, "-DSCALE=3", "-std=c11", "-flto", "-c", "util.c", "-o", "util.o")
    assert done.returncode == 0 and (folder / "util.o").read_bytes().startswith(b"BC")  # bitcode for the link
    assert "left to the link's pipeline" in done.stderr


def test_a_unit_that_embeds_its_build_time_is_still_found(tmp_path):
    project = tmp_path / "dated"
    project.mkdir()
    (project / "main.c").write_text(
        '#include <stdio.h>\nint main(void) { printf("built %s %s\\n", __DATE__, __TIME__); return 0; }\n'
    )
    out = tmp_path / "tune.json"
    cmd = [sys.executable, "-m", "compilerlm.cli", "tune", str(project), "--budget", "3", "--no-verify"]
    assert subprocess.run([*cmd, "--json", str(out)], capture_output=True, timeout=600).returncode == 0
    done = _cc(out, project, "-c", "main.c", "-o", "main.o")
    assert done.returncode == 0 and "as tuned module" in done.stderr, done.stderr


def test_the_compilerlm_executable_compiles_without_loading_the_command_line(tuned, tmp_path):
    """`compilerlm cc` is run once per unit by a build: it goes straight to the compiler path (the command line's
    typer app, rich and the other commands are never imported) and gives the same object and errors."""
    tuned_json, doc = tuned
    folder = tmp_path / "fast"
    shutil.copytree(tuned_json.parent / "proj", folder)
    probe = (
        "import sys; from compilerlm.launcher import main; sys.argv = ['compilerlm', *sys.argv[1:]]\n"
        "try:\n    main()\nfinally:\n    print(sorted(m for m in sys.modules if m.startswith(('typer', 'rich',"
        " 'compilerlm.cli'))), file=sys.stderr)"
    )
    args = ["cc", "--tuned", str(tuned_json), "--cc-verbose", "-DSCALE=3", "-std=c11", "-c", "util.c", "-o", "u.o"]
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=folder)
    assert done.returncode == 0 and "as tuned module" in done.stderr, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"  # nothing of the full command line was imported
    util = next(m for m in doc["modules"] if m["name"].endswith("util.c"))
    assert object_size((folder / "u.o").read_bytes()).size == util["size"]
    bad = subprocess.run([sys.executable, "-c", probe, "cc", "--tuned", "nope.json", "-c", "util.c"], cwd=folder,
                         capture_output=True, text=True)  # fmt: skip
    assert bad.returncode == 1
    assert bad.stderr.splitlines()[0] == (
        "error: --tuned nope.json: no such file (write one with compilerlm tune --json)"
    )
    missing = subprocess.run([sys.executable, "-c", probe, "cc", "-c", "util.c"], cwd=folder, capture_output=True,
                             text=True)  # fmt: skip
    assert missing.returncode == 1 and "--tuned FILE is required" in missing.stderr
