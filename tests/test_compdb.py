"""compdb:PATH targets with real tools: a small CMake project, its compile_commands.json, `compilerlm tune`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from compilerlm.errors import CompilerLMError
from compilerlm.programs.compdb import ir_flags
from compilerlm.programs.suites import program_target, resolve_target

pytestmark = pytest.mark.skipif(not (shutil.which("cmake") and shutil.which("make")), reason="needs cmake and make")

FILES = {
    "include/calc.h": """
struct stack { long v[64]; int n; };
void stack_init(struct stack *s);
void stack_push(struct stack *s, long x);
long op_sum(const struct stack *s);
long op_scale(long x);
long gnu_max(const struct stack *s);
""",
    "src/main.c": """
#include <stdio.h>
#include "calc.h"
int main(void) {
    long x;
    struct stack s;
    stack_init(&s);
    while (scanf("%ld", &x) == 1) stack_push(&s, x);
    printf("sum %ld\\nscaled %ld\\nmax %ld\\n", op_sum(&s), op_scale(op_sum(&s)), gnu_max(&s));
    return 0;
}
""",
    "src/stack.c": """
#include "calc.h"
void stack_init(struct stack *s) { s->n = 0; }
void stack_push(struct stack *s, long x) { if (s->n < 64) s->v[s->n++] = x; }
""",
    "src/ops.c": """
#include "calc.h"
#ifndef SCALE
#error "SCALE must be defined (-DSCALE=N)"
#endif
_Static_assert(__STDC_VERSION__ == 199901L, "built as C99 (CMAKE_C_STANDARD 99)");
long op_sum(const struct stack *s) { long t = 0; for (int i = 0; i < s->n; i++) t += s->v[i]; return t; }
long op_scale(long x) { return x * SCALE; }
""",
    "src/gnu.c": """
#include "calc.h"
#define MAX(a, b) ({ typeof(a) a_ = (a); typeof(b) b_ = (b); a_ > b_ ? a_ : b_; })
long gnu_max(const struct stack *s) { long m = 0; for (int i = 0; i < s->n; i++) m = MAX(m, s->v[i]); return m; }
""",
    "CMakeLists.txt": """
cmake_minimum_required(VERSION 3.13)
project(calc C)
set(CMAKE_C_STANDARD 99)
set(CMAKE_C_EXTENSIONS OFF)
add_executable(calc src/main.c src/stack.c src/ops.c src/gnu.c)
target_include_directories(calc PRIVATE include)
target_compile_definitions(calc PRIVATE SCALE=7919)
target_compile_options(calc PRIVATE -Wall -g)
set_source_files_properties(src/gnu.c PROPERTIES COMPILE_OPTIONS -std=gnu11)
""",
}
UNITS = ["calc/gnu.c", "calc/main.c", "calc/ops.c", "calc/stack.c"]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The project configured by real cmake (compile_commands.json in build/) and built by make."""
    root = tmp_path_factory.mktemp("proj")
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text.lstrip())
    subprocess.run(
        ["cmake", "-S", ".", "-B", "build", "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON", "-DCMAKE_C_COMPILER=gcc"],
        cwd=root,
        check=True,
        capture_output=True,
    )
    subprocess.run(["make", "-C", "build"], cwd=root, check=True, capture_output=True)
    ran = subprocess.run([root / "build" / "calc"], input=b"3 5 10\n", capture_output=True, check=True)
    assert ran.stdout == b"sum 18\nscaled 142542\nmax 10\n"
    build = root / "build"
    (build / "program.toml").write_text('name = "calc"\nldflags = []\n')
    (build / "tests").mkdir()
    (build / "tests" / "1.in").write_bytes(b"3 5 10\n")
    (build / "tests" / "1.out").write_bytes(ran.stdout)
    return root


def test_units_carry_their_own_flags(project):
    (program,) = resolve_target(f"compdb:{project / 'build'}")
    assert sorted(u.name for u in program.units) == UNITS and not program.skipped
    assert len(program.tests) == 1 and program.is_c
    by_name = {u.name: u for u in program.units}
    assert "-std=gnu11" in by_name["calc/gnu.c"].flags and "-DSCALE=7919" in by_name["calc/ops.c"].flags
    assert not any(f.startswith(("-W", "-g", "-O", "-o", "-c")) for u in program.units for f in u.flags)
    ir = {m.name: m.ir for m in program.modules()}
    assert "7919" in ir["calc/ops.c"]  # the define took effect
    assert "minsize" in ir["calc/main.c"]
    assert program_target(program) == f"compdb:{(project / 'build').resolve()}"


def test_ir_flags_keeps_what_changes_the_ir(tmp_path):
    args = "cc -O2 -g -Wall -Werror=format -c -o x.o -MD -MF x.d -DA=1 -D B -U C -Iinc -I /abs -isystem sys"
    args += " -include cfg.h -std=gnu99 -fPIC -flto -march=x86-64 -Wp,-D_FORTIFY_SOURCE=2 -Xclang -foo x.c"
    args += " -malign-data=abi -fconserve-stack"  # gcc-only (busybox's build): clang would refuse the unit
    flags = ir_flags(args.split(), tmp_path)
    assert flags == (
        "-DA=1",
        "-DB",
        "-UC",
        "-I",
        str(tmp_path / "inc"),
        "-I",
        "/abs",
        "-isystem",
        str(tmp_path / "sys"),
        "-include",
        str(tmp_path / "cfg.h"),
        "-std=gnu99",
        "-fPIC",
        "-march=x86-64",
        "-D_FORTIFY_SOURCE=2",
    )


def test_tune_verifies_and_skips_a_broken_unit(project, cli, tmp_path):
    build = tmp_path / "b"
    shutil.copytree(project / "build", build, ignore=shutil.ignore_patterns("CMakeFiles", "calc"))
    (project / "src" / "broken.c").write_text("int broken(void) { return 1 +; }\n")
    entries = json.loads((build / "compile_commands.json").read_text())
    extra = dict(entries[0], file=str(project / "src" / "broken.c"))
    extra.pop("output", None)
    extra["command"] = extra["command"].replace(entries[0]["file"], extra["file"])
    (build / "compile_commands.json").write_text(json.dumps([*entries, extra]))
    res = cli("tune", f"compdb:{build / 'compile_commands.json'}", "--budget", "10", "--json", "out.json", "-j", "2")
    assert res.returncode == 0, res.stderr
    skipped = [ln for ln in res.stderr.splitlines() if ln.startswith("skipped")]
    assert len(skipped) == 1 and "calc/broken.c" in skipped[0] and "error" in skipped[0]
    doc = json.loads((tmp_path / "out.json").read_text())
    assert sorted(m["name"] for m in doc["modules"]) == UNITS
    assert all(m["verified"] for m in doc["modules"]), [m["verification"] for m in doc["modules"]]
    assert all(m["size"] <= m["size_oz"] for m in doc["modules"])


def test_without_tests_sized_but_unverified(project, cli, tmp_path):
    db = tmp_path / "compile_commands.json"
    shutil.copy(project / "build" / "compile_commands.json", db)
    res = cli("tune", f"compdb:{tmp_path}", "--budget", "1", "--json", "out.json", "-j", "2")
    assert res.returncode == 0, res.stderr
    doc = json.loads((tmp_path / "out.json").read_text())
    assert len(doc["modules"]) == 4 and not any(m["verified"] for m in doc["modules"])


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "no such file"),
        ("{not json", "is not JSON"),
        ('{"file": "a.c"}', "not a list of compile commands"),
        ('[{"directory": "/tmp", "arguments": ["cc", "-c", "a.c"]}]', "entry 0 has no file"),
        ('[{"directory": "/tmp", "file": "a.S", "command": "cc -c a.S"}]', "no C or C++ translation unit"),
    ],
)
def test_bad_databases_are_one_line_errors(cli, tmp_path, content, says):
    db = tmp_path / "compile_commands.json"
    if content is not None:
        db.write_text(content)
    with pytest.raises(CompilerLMError, match=re.escape(says)):
        resolve_target(f"compdb:{db}")
    res = cli("tune", f"compdb:{db}", "--budget", "1")
    assert res.returncode == 1 and says in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr


def test_units_are_compiled_by_the_name_the_build_gives_them(tmp_path):
    """`__FILE__` (and the IR's file name) must be what the build's own compile gives, so a make rebuild with
    `compilerlm cc` finds the unit by its content key."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "where.c").write_text("const char *where(void) { return __FILE__; }\n")
    # Bear records `file` absolute even when make passed a relative name: the command's spelling wins
    entry = {
        "directory": str(tmp_path),
        "file": str(tmp_path / "src/where.c"),
        "arguments": ["cc", "-c", "src/where.c"],
    }
    (tmp_path / "compile_commands.json").write_text(json.dumps([entry]))
    [program] = resolve_target(f"compdb:{tmp_path}")
    [module] = program.modules()
    assert 'c"src/where.c\\00"' in module.ir and str(tmp_path) not in module.ir.split("source_filename")[1]
