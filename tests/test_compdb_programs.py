"""A build that links several programs from its units: program.toml names each in `[[programs]]`, each is tuned
and verified with its own tests, and a unit they share is searched once."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

import pytest

from compilerlm.errors import CompilerLMError
from compilerlm.programs.compdb import compdb_program, compdb_programs
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.objsize import object_size

SOURCES = {
    "lib/text.c": """
#include "text.h"
#include <ctype.h>
int upper(int c) { return toupper(c); }
int is_word(int c) { return isalnum(c) || c == '_'; }
""",
    "lib/text.h": "int upper(int c);\nint is_word(int c);\n",
    "tools/up.c": """
#include <stdio.h>
#include "text.h"
int main(void) { int c; while ((c = getchar()) != EOF) putchar(upper(c)); return 0; }
""",
    "tools/words.c": """
#include <stdio.h>
#include "text.h"
int main(void) {
    int c, in = 0, n = 0;
    while ((c = getchar()) != EOF) { if (is_word(c) && !in) n++; in = is_word(c); }
    printf("%d words\\n", n);
    return 0;
}
""",
}

TOML = """
name = "textutils"
ldflags = []

[[programs]]
name = "up"
units = ["lib/*.c", "tools/up.c"]
[[programs.tests]]
name = "up-hello"
stdin = "inputs/hello.txt"

[[programs]]
name = "words"
units = ["lib/*.c", "tools/words.c"]
[[programs.tests]]
name = "words-hello"
stdin = "inputs/hello.txt"
"""


def make_build(root: Path, toml: str = TOML) -> Path:
    """A compile database as `bear -- make` writes one, program.toml and tests beside it."""
    for name, text in SOURCES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    entries = [
        {"directory": str(root), "file": name, "arguments": ["cc", "-O2", "-g", "-Ilib", "-c", name, "-o", "x.o"]}
        for name in SOURCES
        if name.endswith(".c")
    ]
    (root / "compile_commands.json").write_text(json.dumps(entries))
    (root / "program.toml").write_text(toml)
    (root / "inputs").mkdir()
    (root / "inputs" / "hello.txt").write_text("hello big_world, 2 times\n")
    (root / "tests").mkdir()
    (root / "tests" / "up-hello.out").write_text("HELLO BIG_WORLD, 2 TIMES\n")
    (root / "tests" / "words-hello.out").write_text("4 words\n")
    return root / "compile_commands.json"


def test_each_program_has_its_units_flags_and_tests(tmp_path):
    db = make_build(tmp_path)
    up, words = compdb_programs(db)
    assert (up.name, words.name) == ("up", "words")
    assert [u.name for u in up.units] == ["up/lib/text.c", "up/tools/up.c"]
    assert [u.name for u in words.units] == ["words/lib/text.c", "words/tools/words.c"]
    assert [t.name for t in up.tests] == ["up-hello"] and [t.name for t in words.tests] == ["words-hello"]
    # -g is not in the searched IR, but a build measured to the byte compiles with it, as the build did
    assert all(u.debug == ("-g",) and "-g" not in u.flags for u in up.units)
    assert "-g" in up.compile_steps()[0].command("clang", ["-Oz"], Path("x.o"), debug=True)
    # the shared unit is the same IR in both: a run searches it once
    assert up.modules()[0].content_key == words.modules()[0].content_key
    with pytest.raises(CompilerLMError, match="builds 2 programs"):
        compdb_program(db)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda t: t.replace('name = "words"', 'name = "up"'), "two \\[\\[programs\\]\\] are called 'up'"),
        (lambda t: t.replace('units = ["lib/*.c", "tools/up.c"]', "units = []"), "needs 'name' and 'units'"),
        (lambda t: t.replace('tools/up.c"]', 'tools/nope.c"]').replace('"lib/*.c", ', ""), "up: no unit matches"),
        (lambda t: t.replace('name = "words-hello"', 'name = "up-hello"'), "test called 'up-hello'"),
        (lambda t: t.replace('name = "up"\n', 'name = "up"\nlinker = "x"\n'), "unknown key\\(s\\) linker"),
        (lambda t: t.replace('name = "up"\n', 'name = "../up"\n'), "program name"),
        (lambda t: t + "[[tests]]\nname = 'x'\n", "each program's tests go in its"),
    ],
)
def test_a_wrong_programs_table_is_a_one_line_error(tmp_path, change, says):
    db = make_build(tmp_path, change(TOML))
    with pytest.raises(CompilerLMError, match=says):
        compdb_programs(db)


def test_tune_tunes_every_program_and_searches_a_shared_unit_once(cli, tmp_path):
    db = make_build(tmp_path / "build")
    cli("tune", f"compdb:{db}", "--budget", "6", "--strategy", "random", "--json", "o.json", check=True)
    doc = json.loads((tmp_path / "o.json").read_text())
    assert [p["program"] for p in doc["programs"]] == ["up", "words"]
    modules = {m["name"]: m for m in doc["modules"]}
    assert set(modules) == {"up/lib/text.c", "up/tools/up.c", "words/lib/text.c", "words/tools/words.c"}
    assert modules["words/lib/text.c"]["same_ir_as"] == "up/lib/text.c"
    assert modules["words/lib/text.c"]["compiled"] == 0
    assert all(m["verified"] for m in modules.values())  # each by its own program's tests


@pytest.mark.slow  # two programs, each searched both ways: the default suite stays under 15 minutes
def test_tune_lto_ships_each_program_of_the_build(cli, tmp_path):
    db = make_build(tmp_path / "build")
    cli("tune", f"compdb:{db}", "--lto", "--budget", "6", "--json", "o.json", check=True)
    doc = json.loads((tmp_path / "o.json").read_text())
    shipped = {w["program"]: w for w in doc["whole_program"]}
    assert set(shipped) == {"up", "words"}
    for name, ship in shipped.items():
        assert ship["verified"] and ship["size"] <= ship["best_recipe_size"], name
        # each program builds from its own units with the JSON's flags, to the reported bytes
        objects = []
        for unit in ("lib/text.c", f"tools/{name}.c"):
            obj = tmp_path / f"{name}-{Path(unit).stem}.o"
            own = ["-O2", "-g", "-Ilib"]  # the build's own CFLAGS, then the JSON's
            cmd = [llvm_tool("clang"), *own, *shlex.split(ship["cflags_shell"]), "-c", unit, "-o", str(obj)]
            subprocess.run(cmd, cwd=tmp_path / "build", check=True)
            objects.append(str(obj))
        exe = tmp_path / name
        subprocess.run([llvm_tool("clang"), *objects, "-o", str(exe), *shlex.split(ship["ldflags_shell"])], check=True)
        assert object_size(exe.read_bytes()).size == ship["size"], name


def test_several_mains_without_programs_say_how_to_name_them(cli, tmp_path):
    db = make_build(tmp_path / "build", 'name = "textutils"\n')
    res = cli("tune", f"compdb:{db}", "--lto", "--budget", "2")
    assert res.returncode == 1
    (line,) = res.stderr.strip().splitlines()[-1:]
    assert "duplicate symbol: main" in line and "name each program of the build in program.toml" in line
