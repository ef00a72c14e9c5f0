"""bless on a user's programs: expected output files that cannot meet the stdout file (and the old layout read,
then moved), and compile-database folders (several programs, a shared library tested through its driver)
blessed and then verified as tune verifies them. Real clang and gcc, real confined runs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compilerlm.programs.compdb import compdb_programs
from compilerlm.programs.program import load_program_dir
from compilerlm.programs.testing import run_tests
from compilerlm.search.verify import verify_executable
from compilerlm.search.whole_program import compile_units, link
from tests.test_program_tests import TOML, make_upcase


def bless(target: Path | str, *flags: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "compilerlm.programs.bless", str(target), *flags]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


OUT_TOML = """[[tests]]
name = "t"
args = ["words.txt", "out"]
files = ["data/words.txt"]
outputs = ["out"]
"""


def test_an_output_file_named_out_does_not_clobber_the_expected_stdout(tmp_path):
    folder = make_upcase(tmp_path / "up", OUT_TOML)
    done = bless(folder)
    assert done.returncode == 0 and "warning: only 1 test(s)" in done.stdout, done.stdout + done.stderr
    assert (folder / "tests" / "t.out").read_text() == "117 chars, 9 lines\n"  # stdout
    upper = (folder / "data" / "words.txt").read_text().upper()
    assert (folder / "tests" / "t.outputs" / "out").read_text() == upper  # the file called `out`
    [test] = load_program_dir(folder).tests
    assert test.expected == b"117 chars, 9 lines\n" and dict(test.outputs) == {"out": upper.encode()}
    binary = tmp_path / "bin"
    subprocess.run(["gcc", "-O2", str(folder / "main.c"), "-o", str(binary)], check=True)
    assert [r.status for r in run_tests(binary, [test])] == ["ok"]
    assert bless(folder, "--check").returncode == 0

    # the old layout wrote both to tests/t.out (the file overwrote stdout): that file is never read as the output
    shutil.rmtree(folder / "tests" / "t.outputs")
    (folder / "tests" / "t.out").write_text(upper)
    [old] = load_program_dir(folder).tests
    assert dict(old.outputs) == {"out": None} and not old.blessed  # refused by run_tests: "run bless"


def test_output_files_in_the_old_layout_are_read_with_a_note_and_moved_by_bless(tmp_path, capsys):
    folder = make_upcase(tmp_path / "up")
    assert bless(folder).returncode == 0
    before = load_program_dir(folder).tests
    for name in ("plain", "numbered"):  # as bless wrote them before tests/NAME.outputs/
        (folder / "tests" / f"{name}.outputs" / "out.txt").rename(folder / "tests" / f"{name}.out.txt")
        (folder / "tests" / f"{name}.outputs").rmdir()
    capsys.readouterr()
    assert load_program_dir(folder).tests == before  # still verifiable
    note = capsys.readouterr().err
    assert "2 expected output file(s) read from the old layout (tests/plain.out.txt, tests/numbered.out.txt)" in note
    assert note.count("\n") == 1 and "compilerlm.programs.bless" in note

    check = bless(folder, "--check")
    assert check.returncode == 1
    assert (
        "expected tests/plain.outputs/out.txt missing or stale (tests/plain.out.txt is the old layout" in check.stdout
    )
    assert (folder / "tests" / "plain.out.txt").exists()  # --check writes nothing

    moved = bless(folder)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert "up/plain: moved tests/plain.out.txt to tests/plain.outputs/out.txt" in moved.stdout
    assert not list((folder / "tests").glob("*.out.txt"))
    capsys.readouterr()
    assert load_program_dir(folder).tests == before and capsys.readouterr().err == ""


# A build of two programs: `counter` (its units need the -DSCALE=3 their compile commands give) and the shared
# library `libshout.so` (built with -DBANG=33), tested through the executable `shout_main.c` that links it.
SOURCES = {
    "util.c": "#ifndef SCALE\n#error SCALE: from the compile command\n#endif\nint scale(int x) { return x * SCALE; }\n",
    "counter.c": r"""
#include <stdio.h>
int scale(int x);
int main(int argc, char **argv) {
    long total = 0; int x, n = 0;
    while (scanf("%d", &x) == 1) { total += scale(x); n++; }
    if (n == 0) { printf("no numbers\n"); return 3; }
    if (argc > 1) {
        FILE *f = fopen(argv[1], "w");
        fprintf(f, "total %ld over %d\n", total, n);
        fclose(f);
        printf("wrote %s\n", argv[1]);
        return 0;
    }
    printf("%ld\n", total);
    return 0;
}
""",
    "shout.c": r"""
#include <ctype.h>
#include <string.h>
void shout(const char *in, char *out) {
    size_t i = 0;
    for (; in[i] && in[i] != '\n'; i++) out[i] = (char)toupper((unsigned char)in[i]);
    out[i++] = (char)BANG;
    out[i] = 0;
}
""",
    "shout_main.c": r"""
#include <stdio.h>
void shout(const char *in, char *out);
int main(void) {
    char line[256], loud[260];
    while (fgets(line, sizeof line, stdin)) { shout(line, loud); puts(loud); }
    return 0;
}
""",
}
FLAGS = {"util.c": ["-DSCALE=3"], "shout.c": ["-DBANG=33", "-fPIC"]}
PROGRAMS_TOML = """[[programs]]
name = "counter"
units = ["counter.c", "util.c"]

[[programs.tests]]
name = "sum"
stdin = "data/numbers.txt"

[[programs.tests]]
name = "file"
args = ["out"]
stdin = "data/numbers.txt"
outputs = ["out"]

[[programs.tests]]
name = "empty"
exit_code = 3

[[programs]]
name = "libshout"
units = ["shout.c"]
library = "libshout.so"
driver = ["shout_main.c"]

[[programs.tests]]
name = "shout"
stdin = "data/words.txt"
"""


def make_build(root: Path) -> Path:
    src, build = root / "src", root / "build"
    src.mkdir(parents=True)
    (build / "data").mkdir(parents=True)
    entries = []
    for name, text in SOURCES.items():
        (src / name).write_text(text)
        args = ["cc", "-O2", *FLAGS.get(name, []), "-c", name, "-o", name.replace(".c", ".o")]
        entries.append({"directory": str(src), "file": name, "arguments": args})
    (build / "compile_commands.json").write_text(json.dumps(entries))
    (build / "program.toml").write_text(PROGRAMS_TOML)
    (build / "data" / "numbers.txt").write_text("1 2 3\n40\n")
    (build / "data" / "words.txt").write_text("hello\nquiet words\n")
    return build


@pytest.mark.slow  # bless and tune over a compile database; test_bless checks folders by default
def test_a_compile_database_folder_is_blessed_and_its_programs_then_verify(tmp_path):
    build = make_build(tmp_path / "proj")
    done = bless(build)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "counter: warning: only 3 test(s)" in done.stdout and "libshout: warning: only 1 test(s)" in done.stdout
    assert "-O3" not in done.stdout  # no timing advice unless asked
    tests = build / "tests"
    assert (tests / "sum.out").read_text() == "138\n"  # (1+2+3+40) * SCALE, the unit's own -DSCALE=3
    assert (tests / "file.out").read_text() == "wrote out\n"
    assert (tests / "file.outputs" / "out").read_text() == "total 138 over 4\n"
    assert (tests / "empty.out").read_text() == "no numbers\n"
    assert (tests / "shout.out").read_text() == "HELLO!\nQUIET WORDS!\n"  # the library's -DBANG=33, via its driver

    programs = {p.name: p for p in compdb_programs(build)}
    assert sorted(programs) == ["counter", "libshout"]
    assert all(t.blessed for p in programs.values() for t in p.tests)
    built = {}
    for program in programs.values():  # built as tune builds them, tested as tune verifies them
        folder = tmp_path / program.name
        folder.mkdir()
        built[program.name] = link(program, compile_units(program, ["-Oz"], folder), [], folder / "exe")
        verdict = verify_executable(program, built[program.name])
        assert verdict.verified and "tests passed" in verdict.detail, (program.name, verdict.detail)

    assert bless(f"compdb:{build / 'compile_commands.json'}", "--check").returncode == 0
    (tests / "file.outputs" / "out").write_text("total 0\n")
    tampered = {p.name: p for p in compdb_programs(build)}["counter"]
    assert (
        verify_executable(tampered, built["counter"]).detail
        == "test file: wrong-output-file: out differs from the expected file"
    )
    stale = bless(build, "--check", "--timing")
    assert stale.returncode == 1 and "counter/file: expected tests/file.outputs/out missing or stale" in stale.stdout
    assert "counter/sum: clang -O2" in stale.stdout and "clang -O3" in stale.stdout
    assert "counter: only 3 tests (the built-in suite needs at least 5)" in bless(build, "--suite").stdout


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: None, "no such folder"),
        (lambda d: (d.mkdir(), (d / "compile_commands.json").write_text("{oops")), "is not JSON"),
        (lambda d: (d.mkdir(), (d / "notes.txt").write_text("x")), "has no .c files"),
    ],
)
def test_what_bless_cannot_use_is_one_line(tmp_path, setup, message):
    setup(tmp_path / "target")
    done = bless(tmp_path / "target")
    assert done.returncode == 1 and message in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_suite_accepts_five_tests_and_times_each(tmp_path):
    extra = '\n[[tests]]\nname = "extra{i}"\nargs = ["words.txt", "o{i}.txt"]\nfiles = ["data/words.txt"]\n'
    folder = make_upcase(
        tmp_path / "up", TOML + "".join(extra.format(i=i) + f'outputs = ["o{i}.txt"]\n' for i in range(2))
    )
    timed = bless(folder, "--suite")
    assert timed.returncode == 0, timed.stdout + timed.stderr  # 5 tests: the suite's minimum is met
    assert timed.stdout.count("gcc -O3") == 5 and "warning" not in timed.stdout


UB = r"""
#include <stdio.h>
#include <stdlib.h>
int main(void) {
    int n = 0;
    if (scanf("%d", &n) != 1) return 1;
    int *a = malloc(4 * sizeof *a);
    for (int i = 0; i < 4; i++) a[i] = i * n;
    volatile int past = a[4]; /* one past the end: every optimization level prints the same */
    (void)past;
    printf("%d\n", a[3]);
    free(a);
    return 0;
}
"""


def test_sanitize_finds_what_every_optimization_level_agrees_on(tmp_path):
    folder = tmp_path / "ub"
    (folder / "tests").mkdir(parents=True)
    (folder / "main.c").write_text(UB)
    (folder / "tests" / "1.in").write_text("5\n")
    assert bless(folder).returncode == 0  # -O0, clang -O3 and gcc -O3 agree
    found = bless(folder, "--sanitize")
    assert found.returncode == 1 and "ub/1: asan+ubsan: " in found.stdout, found.stdout + found.stderr
    assert "main.c:9" in found.stdout and ("runtime error" in found.stdout or "AddressSanitizer" in found.stdout)


def test_a_folder_is_a_compile_database_when_it_holds_no_sources_or_says_so(tmp_path):
    from compilerlm.programs.bless import _is_compdb

    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "compile_commands.json").write_text("[]")
    assert _is_compdb(str(folder)) == (True, folder)  # a build folder
    (folder / "main.c").write_text("int main(void) { return 0; }\n")
    assert _is_compdb(str(folder)) == (False, folder)  # a program folder with a database for an editor
    (folder / "program.toml").write_text('units = ["main.c"]\n')
    assert _is_compdb(str(folder)) == (True, folder)
    assert _is_compdb(f"compdb:{folder}") == (True, folder)
    assert _is_compdb(str(folder / "compile_commands.json")) == (True, folder / "compile_commands.json")
