"""A shared library as a program (`library` and `driver` in program.toml): it is built `-fPIC`/`-shared` four
standard ways and whole, sized as the .so, and tested through the build's executable that links it, run
confined with the library under test at /prog-lib; what ships rebuilds the library to the reported bytes."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from compilerlm.errors import CompilerLMError
from compilerlm.programs.compdb import compdb_program, compdb_programs
from compilerlm.programs.library import library_driver, soname
from compilerlm.programs.testing import run_test
from compilerlm.search.verify import verify_executable
from compilerlm.search.whole_program import RECIPES, build_recipes, recipe_executable, whole_program
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.objsize import object_size

SOURCES = {
    "lib/text.c": """
#include "text.h"
static const char rot[] = "nopqrstuvwxyzabcdefghijklm";
static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
int rot13(int c) { int l = lower(c); return l >= 'a' && l <= 'z' ? rot[l - 'a'] - (l != c ? 32 : 0) : c; }
""",
    "lib/count.c": """
#include "text.h"
int is_word(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
int count_words(const char *s) { int n = 0, in = 0; for (; *s; s++) { if (is_word(*s) && !in) n++; in = is_word(*s); }
  return n; }
""",
    "lib/text.h": "int rot13(int c);\nint is_word(int c);\nint count_words(const char *s);\n",
    "tools/textool.c": """
#include <stdio.h>
#include <string.h>
#include "text.h"
int main(int argc, char **argv) {
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        if (argc > 1 && strcmp(argv[1], "-c") == 0) { printf("%d\\n", count_words(line)); continue; }
        for (char *p = line; *p; p++) putchar(rot13(*p));
    }
    return 0;
}
""",
}

TOML = """
name = "libtext"
library = "libtext.so.1"
units = ["lib/*.c"]
driver = ["tools/*.c"]
ldflags = ["-Wl,-soname,libtext.so.1"]

[[tests]]
name = "rot"
stdin = "inputs/hello.txt"

[[tests]]
name = "count"
args = ["-c"]
stdin = "inputs/hello.txt"
"""

HELLO = "Hello, big World 42!\nthe quick brown fox\n"


def make_build(root: Path, toml: str = TOML, sources: dict[str, str] = SOURCES) -> Path:
    """A library's build as Bear records it (-fPIC from the Makefile), program.toml and tests beside it."""
    for name, text in sources.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    args = ["cc", "-O2", "-g", "-fPIC", "-Ilib", "-c"]
    entries = [
        {"directory": str(root), "file": name, "arguments": [*args, name, "-o", "x.o"]}
        for name in sources
        if name.endswith(".c")
    ]
    (root / "compile_commands.json").write_text(json.dumps(entries))
    (root / "program.toml").write_text(toml)
    (root / "inputs").mkdir(exist_ok=True)
    (root / "inputs" / "hello.txt").write_text(HELLO)
    (root / "tests").mkdir(exist_ok=True)
    (root / "tests" / "rot.out").write_text(HELLO.translate(str.maketrans(ROT_FROM, ROT_TO)))
    (root / "tests" / "count.out").write_text("4\n4\n")
    return root / "compile_commands.json"


ROT_FROM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
ROT_TO = "nopqrstuvwxyzabcdefghijklmNOPQRSTUVWXYZABCDEFGHIJKLM"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return compdb_program(make_build(tmp_path_factory.mktemp("libtext")))


def test_a_library_program_is_its_units_built_pic_and_shared_with_a_driver(library):
    assert library.library == "libtext.so.1"
    assert [u.name for u in library.units] == ["libtext/lib/text.c", "libtext/lib/count.c"]
    assert [u.name for u in library.driver] == ["libtext/tools/textool.c"]
    assert "-fPIC" in library.flags and library.ldflags[0] == "-shared"
    assert [m.name for m in library.modules()] == ["libtext/lib/text.c", "libtext/lib/count.c"]


def test_the_standard_builds_are_shared_libraries_tested_through_the_driver(library, tmp_path):
    builds = build_recipes(library, tmp_path)
    assert all(b.size for b in builds.values()), builds
    for recipe in RECIPES:
        name = recipe.name
        so = recipe_executable(library, recipe, tmp_path)
        assert so.read_bytes()[16] == 3  # ET_DYN ...
        assert soname(so.read_bytes()) == "libtext.so.1"  # ... with the build's own soname, in its size
        assert object_size(so.read_bytes()).size == builds[name].size
        verdict = verify_executable(library, so)
        assert verdict.verified and verdict.detail == "2/2 tests passed", (name, verdict)


def test_a_library_that_computes_wrong_or_lacks_a_symbol_fails_its_tests(library, tmp_path):
    wrong = dict(SOURCES, **{"lib/count.c": SOURCES["lib/count.c"].replace("if (is_word(*s) && !in) n++", "n++")})
    broken = compdb_program(make_build(tmp_path / "wrong", sources=wrong))
    so = build_recipes(broken, tmp_path / "wrong-out")["Oz"]
    assert so.size
    built = recipe_executable(broken, RECIPES[0], tmp_path / "wrong-out")
    assert verify_executable(library, built).detail == "test count: wrong output"
    missing = dict(SOURCES, **{"lib/count.c": SOURCES["lib/count.c"].replace("int count_words", "static int cw")})
    lacking = compdb_program(make_build(tmp_path / "lacking", sources=missing))
    build_recipes(lacking, tmp_path / "lacking-out")
    verdict = verify_executable(library, recipe_executable(lacking, RECIPES[0], tmp_path / "lacking-out"))
    assert not verdict.verified and "does not link with the library" in verdict.detail
    assert "count_words" in verdict.detail


def test_the_driver_finds_the_library_only_where_the_sandbox_binds_it(library, tmp_path):
    build_recipes(library, tmp_path)
    so = recipe_executable(library, RECIPES[0], tmp_path)
    driver, libraries = library_driver(library, so, tmp_path / "driver")
    assert list(libraries) == ["libtext.so.1"]  # the soname: what the driver asks the loader for
    test = library.tests[0]
    assert run_test(driver, test, libraries=libraries).passed
    alone = run_test(driver, test)  # the same run without the library bound: the loader cannot find it
    assert not alone.passed and b"libtext.so.1" in alone.result.stderr


def test_the_merged_module_keeps_what_the_library_exports(library):
    module = whole_program(library)
    assert module.ldflags[0] == "-shared"
    for exported in ("rot13", "is_word", "count_words"):  # a library's API is not internalised
        assert re.search(rf"^define (?!internal)[^@]*@{exported}\(", module.ir, re.M), exported
    assert re.search(r"^@rot = internal", module.ir, re.M) or "@rot" not in module.ir  # ... its statics are


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda t: t.replace('driver = ["tools/*.c"]\n', ""), "name that executable's units in 'driver'"),
        (lambda t: t.replace('library = "libtext.so.1"\n', ""), "'driver' is the test executable of a 'library'"),
        (lambda t: t.replace('"libtext.so.1"\n', '"lib/libtext.so"\n'), "the shared library's file name"),
        (lambda t: t.replace('units = ["lib/*.c"]', 'units = ["tools/*.c"]'), "every unit it picks is the driver's"),
    ],
)
def test_a_wrong_library_table_is_a_one_line_error(tmp_path, change, says):
    with pytest.raises(CompilerLMError, match=says):
        compdb_programs(make_build(tmp_path, change(TOML)))


@pytest.mark.slow  # tune --lto of a library end to end; test_whole_program covers executables by default
def test_tune_lto_ships_a_library_that_rebuilds_to_the_reported_bytes(cli, tmp_path):
    db = make_build(tmp_path / "build")
    cli("tune", f"compdb:{db}", "--lto", "--budget", "8", "--json", "o.json", check=True)
    doc = json.loads((tmp_path / "o.json").read_text())
    (ship,) = doc["whole_program"]
    assert ship["program"] == "libtext" and ship["verified"] and ship["size"] <= ship["best_recipe_size"]
    assert set(ship["routes"]) == {"whole-program", "units"} and all(r["verified"] for r in ship["routes"].values())
    # the library's own Makefile with the JSON's flags (-fPIC and -shared are the build's, as its soname)
    objects = []
    for unit in ("lib/text.c", "lib/count.c"):
        obj = tmp_path / f"{Path(unit).stem}.o"
        compiler = shlex.split(ship["cc"]) if ship["cc"] else [llvm_tool("clang")]
        own = ["-O2", "-g", "-fPIC", "-Ilib"]
        cmd = [*compiler, *own, *shlex.split(ship["cflags_shell"]), "-c", unit, "-o", str(obj)]
        subprocess.run(cmd, cwd=tmp_path / "build", check=True)
        objects.append(str(obj))
    so = tmp_path / "libtext.so.1"
    link = [llvm_tool("clang"), "-shared", *objects, "-Wl,-soname,libtext.so.1", "-o", str(so)]
    subprocess.run([*link, *shlex.split(ship["ldflags_shell"])], check=True)
    assert object_size(so.read_bytes()).size == ship["size"]
    library = compdb_program(db)
    assert verify_executable(library, so).verified


def test_coverage_runs_the_driver_with_the_instrumented_library(cli, tmp_path):
    """An API no test calls leaves its unit unverified; the units the driver calls are verified by its runs."""
    sources = dict(SOURCES, **{"lib/extra.c": "int unused_api(int x) { return x * 3 + 1; }\n"})
    db = make_build(tmp_path / "build", sources=sources)
    cli("tune", f"compdb:{db}", "--budget", "4", "--json", "o.json", check=True)
    modules = {m["name"]: m for m in json.loads((tmp_path / "o.json").read_text())["modules"]}
    assert modules["libtext/lib/text.c"]["verified"] and modules["libtext/lib/count.c"]["verified"]
    assert modules["libtext/lib/text.c"]["verification"] == "2/2 tests passed"
    extra = modules["libtext/lib/extra.c"]
    assert not extra["verified"] and "no test executes its code" in extra["verification"]
