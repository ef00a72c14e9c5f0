"""Red team: untrusted text that reaches the host through names and test files (issue 24, "Trust II").

A dataset row's program, test and file names, a program folder's test files and program.toml, and every
name printed on a terminal are someone else's text. Each hostile variant is its own case: a name is refused
in one line before anything is written (`programs.names.check_name`, one rule everywhere), printed escaped
(`printable`, and rich markup escaped), a test file that is a link out of its program folder is refused
naming where it points, and a wrongly typed row field is one line, never a traceback. Fast: no sandbox runs.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from compilerlm.errors import CompilerLMError
from compilerlm.programs.names import MAX_NAME_BYTES, check_name, file_name, name_problem, printable
from compilerlm.programs.program import Program, TestCase, load_program_dir, load_tests
from compilerlm.programs.supercoder import make_row, program_from_row, write_rows

C_CODE = '#include <stdio.h>\nint main(void) { int x; if (scanf("%d", &x) != 1) return 1; printf("%d\\n", x); }\n'
ASM = "\t.text\nmain:\n\tret\n"

# Every hostile name, by what it tries. "{tmp}" becomes the test's own tmp_path (an absolute path to write to).
HOSTILE = {
    "absolute": "{tmp}/victim",
    "traversal": "../../../../../victim",
    "dotdot": "..",
    "dot": ".",
    "slash": "a/b",
    "empty": "",
    "nul": "a\0b",
    "newline": "ok\nall tests passed",
    "carriage-return": "x\rall tests passed",
    "esc-clear-screen": "\x1b[2J\x1b[Hall tests passed",
    "esc-window-title": "\x1b]0;pwned\x07",
    "c1-csi": "\x9b2J",
    "tab": "a\tb",
    "del": "a\x7f",
    "bidi-override": "\u202etxt.exe",
    "zero-width": "a\u200bb",
    "lone-surrogate": "a\udcff",
    "leading-dash": "-rf",
    "hidden": ".bashrc",
    "too-long": "x" * (MAX_NAME_BYTES + 1),
    "too-long-multibyte": "é" * (MAX_NAME_BYTES // 2 + 1),
    "very-long": "y" * 5000,
    "int": 5,
    "list": ["a"],
    "none": None,
}
PLAIN = ["1", "small", "hidden-3", "row0007-p02", "with space", "café", "[bold]x", "a..b", "x" * MAX_NAME_BYTES]


def _hostile(key: str, tmp_path: Path) -> object:
    value = HOSTILE[key]
    return value.replace("{tmp}", str(tmp_path)) if isinstance(value, str) else value


def _one_line(message: str) -> str:
    """A refusal is one printable line: no name in it can break the line or drive a terminal."""
    assert "\n" not in message and message == printable(message), repr(message)
    return message


def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink())


# ---------------------------------------------------------------- the rule and the printing helpers


@pytest.mark.parametrize("key", HOSTILE)
def test_the_rule_refuses_each_hostile_name_in_one_escaped_line(key, tmp_path):
    name = _hostile(key, tmp_path)
    assert name_problem(name) is not None
    with pytest.raises(CompilerLMError, match="must be a plain file name") as err:
        check_name(name, "test name", "somewhere")
    message = _one_line(str(err.value))
    assert message.startswith("somewhere: test name '") and len(message) < 400  # a long name is cut


@pytest.mark.parametrize("name", PLAIN)
def test_the_rule_accepts_plain_names(name):
    assert check_name(name, "test name") == name


@pytest.mark.parametrize("key", [k for k, v in HOSTILE.items() if isinstance(v, str)])
def test_printable_shows_any_name_without_a_control_character(key, tmp_path):
    name = _hostile(key, tmp_path)
    shown = printable(name)
    assert shown.isprintable() and printable(shown) == shown  # escaping twice changes nothing
    assert "\x1b" not in shown and "\x9b" not in shown and "\0" not in shown


@pytest.mark.parametrize("key", [k for k, v in HOSTILE.items() if isinstance(v, str)])
def test_file_name_makes_a_plain_name_of_any_name(key, tmp_path):
    plain = file_name(_hostile(key, tmp_path))
    assert name_problem(plain) is None, (plain, name_problem(plain))


def test_printable_escapes_as_python_does_and_keeps_plain_text():
    assert printable("\x1b[2J\n\t\x00\x9b\u202e\udcff é [red]") == "\\x1b[2J\\n\\t\\x00\\x9b\\u202e\\udcff é [red]"
    assert printable("z" * 100, limit=10) == "z" * 10 + "…"


# ---------------------------------------------------------------- dataset rows: names


def _row(**extra: object) -> dict:
    """A real row (make_row) whose test takes an argument, an input file and an output file, so its tests go
    to extra_info.tests with every name a row can hold."""
    test = TestCase("t", b"7\n", b"7\n", args=("in.txt",), files=(("in.txt", b"data"),), outputs=(("out.txt", b"x"),))
    row = make_row("prog", C_CODE, ASM, [test], [], "val", 0, question="q")
    row["extra_info"].update(extra)
    return row


def _set_name(row: dict, place: str, name: object) -> None:
    extra = row["extra_info"]
    if place == "program":
        extra["name"] = name
    elif place == "test":
        extra["tests"][0]["name"] = name
    elif place == "input-file":
        extra["tests"][0]["files"][0]["name"] = name
    else:
        extra["tests"][0]["outputs"][0]["name"] = name


ROW_PLACES = ["program", "test", "input-file", "output-file"]
ROW_CASES = [
    (place, key) for place in ROW_PLACES for key in HOSTILE if not (place == "program" and key in ("empty", "none"))
]


def test_a_plain_row_is_a_program(tmp_path):
    program = program_from_row(_row(), 0, tmp_path / "cache")
    assert program.name == "prog" and [t.name for t in program.tests] == ["t"]
    assert program.tests[0].files == (("in.txt", b"data"),) and program.tests[0].output_names == ("out.txt",)


@pytest.mark.parametrize("place", ["program"])
@pytest.mark.parametrize("key", ["empty", "none"])
def test_a_row_without_a_name_is_named_after_its_index(place, key, tmp_path):
    row = _row()
    _set_name(row, place, HOSTILE[key])
    assert program_from_row(row, 3, tmp_path / "cache").name == "row0003-0"  # extra_info.index is 0


@pytest.mark.parametrize(("place", "key"), ROW_CASES)
def test_a_hostile_name_in_a_row_is_refused_before_anything_is_written(place, key, tmp_path):
    row = _row()
    _set_name(row, place, _hostile(key, tmp_path))
    cache = tmp_path / "a" / "b" / "cache"
    with pytest.raises(CompilerLMError) as err:
        program_from_row(row, 0, cache)
    message = _one_line(str(err.value))
    assert message.startswith("row 0") and ("plain file name" in message or "must be a string" in message), message
    assert _files_under(tmp_path) == []  # not `victim.in`, not `victim.out`, not the cache


# ---------------------------------------------------------------- dataset rows: wrongly typed fields


def _stdin_row(**extra: object) -> dict:
    """A released-style row: tests in the inputs/outputs columns."""
    row = make_row("prog", C_CODE, ASM, [TestCase("1", b"7\n", b"7\n")], [TestCase("2", b"8\n", b"8\n")], "val", 0, "q")
    row["extra_info"].update(extra)
    return row


def _record(**fields: object) -> dict:
    row = _row()
    row["extra_info"]["tests"][0].update(fields)
    return row


def _without_stdout() -> dict:
    row = _row()
    del row["extra_info"]["tests"][0]["stdout"]
    return row


def _twice() -> dict:
    row = _row()
    row["extra_info"]["tests"] *= 2
    return row


BAD_ROWS = {
    "inputs-int": lambda: _stdin_row(inputs=5),
    "inputs-string": lambda: _stdin_row(inputs="7\n"),
    "inputs-of-ints": lambda: _stdin_row(inputs=[7]),
    "inputs-of-none": lambda: _stdin_row(inputs=[None]),
    "outputs-int": lambda: _stdin_row(outputs=5),
    "outputs-dict": lambda: _stdin_row(outputs={"a": "b"}),
    "outputs-shorter": lambda: _stdin_row(outputs=[]),
    "hidden-inputs-int": lambda: _stdin_row(hidden_inputs=5),
    "hidden-outputs-of-bytes": lambda: _stdin_row(hidden_outputs=[b"8\n"]),
    "extra-info-not-json": lambda: {"extra_info": "{not json", "reward_model": {"ground_truth": ASM}},
    "extra-info-int": lambda: {"extra_info": 5},
    "extra-info-list": lambda: {"extra_info": [C_CODE]},
    "row-a-list": lambda: [C_CODE],
    "c-code-int": lambda: _stdin_row(c_code=5),
    "name-int": lambda: _stdin_row(name=5),
    "name-dict": lambda: _stdin_row(name={"a": 1}),
    "tests-int": lambda: _row(tests=5),
    "tests-string": lambda: _row(tests="abc"),
    "tests-dict": lambda: _row(tests={"name": "t"}),
    "test-record-int": lambda: _row(tests=[5]),
    "test-record-list": lambda: _row(tests=[["t"]]),
    "test-record-no-stdout": _without_stdout,
    "test-stdout-int": lambda: _record(stdout=5),
    "test-stdin-not-base64": lambda: _record(stdin="!!not base64!!"),
    "test-stdin-not-ascii": lambda: _record(stdin="é"),
    "test-args-string": lambda: _record(args="in.txt"),
    "test-args-of-ints": lambda: _record(args=[1]),
    "test-files-dict": lambda: _record(files={"in.txt": "ZGF0YQ=="}),
    "test-files-of-strings": lambda: _record(files=["in.txt"]),
    "test-file-content-int": lambda: _record(files=[{"name": "in.txt", "content": 5}]),
    "test-files-same-name": lambda: _record(files=[{"name": "a", "content": ""}, {"name": "a", "content": ""}]),
    "test-outputs-int": lambda: _record(outputs=5),
    "test-exit-code-string": lambda: _record(exit_code="1"),
    "test-exit-code-300": lambda: _record(exit_code=300),
    "test-exit-code-negative": lambda: _record(exit_code=-1),
    "test-exit-code-float": lambda: _record(exit_code=1.5),
    "test-exit-code-bool": lambda: _record(exit_code=True),
    "test-timeout-string": lambda: _record(timeout="10"),
    "test-timeout-negative": lambda: _record(timeout=-1),
    "test-timeout-nan": lambda: _record(timeout=math.nan),
    "test-timeout-inf": lambda: _record(timeout=math.inf),
    "two-tests-same-name": _twice,
}


@pytest.mark.parametrize("key", BAD_ROWS)
def test_a_wrongly_typed_row_field_is_one_line(key, tmp_path):
    with pytest.raises(CompilerLMError) as err:
        program_from_row(BAD_ROWS[key](), 0, tmp_path / "cache")
    assert _one_line(str(err.value)).startswith("row 0")
    assert _files_under(tmp_path) == []


def test_the_well_typed_rows_of_these_cases_load(tmp_path):
    assert [t.name for t in program_from_row(_stdin_row(), 0, tmp_path / "c").tests] == ["0", "hidden-0"]
    assert program_from_row(_record(timeout=2, exit_code=3), 0, tmp_path / "c").tests[0].exit_code == 3


# ---------------------------------------------------------------- program folders: names of tests and files


def _program(folder: Path, toml: str = "") -> Path:
    (folder / "tests").mkdir(parents=True)
    (folder / "main.c").write_text(C_CODE)
    (folder / "data").mkdir()
    (folder / "data" / "in.txt").write_text("7\n")
    if toml:
        (folder / "program.toml").write_text(toml)
    return folder


def _toml_string(name: str) -> str:
    """A TOML basic string holding ``name``: every character but printable ASCII as a \\U escape."""
    return '"' + "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08x}" for c in name) + '"'


FOLDER_NAMES = {  # names a file system can hold: the test's name is the file's stem
    "newline": "ok\nall tests passed",
    "esc-clear-screen": "\x1b[2Jall tests passed",
    "c1-csi": "\x9b2J",
    "bidi-override": "\u202etxt",
    "leading-dash": "-rf",
    "hidden": ".bashrc",
    "too-long": "x" * (MAX_NAME_BYTES + 1),
}


@pytest.mark.parametrize("key", FOLDER_NAMES)
def test_a_hostile_test_file_name_in_tests_is_refused(key, tmp_path):
    folder = _program(tmp_path / "prog")
    name = FOLDER_NAMES[key]
    (folder / "tests" / f"{name}.in").write_text("7\n")
    (folder / "tests" / f"{name}.out").write_text("7\n")
    with pytest.raises(CompilerLMError, match="must be a plain file name") as err:
        load_program_dir(folder)
    _one_line(str(err.value))


TOML_PLACES = {  # where a [[tests]] entry names something, as a format string of the name
    "test-name": '[[tests]]\nname = {name}\nstdin = "data/in.txt"\n',
    "output-list": '[[tests]]\nname = "t"\noutputs = [{name}]\n',
    "output-table": '[[tests]]\nname = "t"\noutputs = {{ {name} = "data/in.txt" }}\n',
}
TOML_CASES = [  # TOML holds any string but a lone surrogate
    (place, key)
    for place in TOML_PLACES
    for key, value in HOSTILE.items()
    if isinstance(value, str) and key not in ("empty", "lone-surrogate")
]


@pytest.mark.parametrize(("place", "key"), TOML_CASES)
def test_a_hostile_name_in_program_toml_is_refused(place, key, tmp_path):
    toml = TOML_PLACES[place].format(name=_toml_string(_hostile(key, tmp_path)))
    folder = _program(tmp_path / "prog", toml)
    with pytest.raises(CompilerLMError, match="must be a plain file name") as err:
        load_program_dir(folder)
    _one_line(str(err.value))


@pytest.mark.parametrize("key", ["esc-clear-screen", "leading-dash", "newline", "bidi-override"])
def test_a_hostile_input_file_name_in_program_toml_is_refused(key, tmp_path):
    folder = _program(tmp_path / "prog")
    (folder / "data" / FOLDER_NAMES[key]).write_text("7\n")
    toml = f'[[tests]]\nname = "t"\nfiles = [{_toml_string("data/" + FOLDER_NAMES[key])}]\n'
    (folder / "program.toml").write_text(toml)
    with pytest.raises(CompilerLMError, match="must be a plain file name") as err:
        load_program_dir(folder)
    _one_line(str(err.value))


@pytest.mark.parametrize(
    "line",
    ['stdout = "../secret"', 'outputs = { "o.txt" = "../../secret" }', 'stdin = "/etc/passwd"', 'stdout = "a\\u0000b"'],
)
def test_a_path_in_program_toml_cannot_leave_the_folder(line, tmp_path):
    folder = _program(tmp_path / "prog", f'[[tests]]\nname = "t"\n{line}\n')
    with pytest.raises(CompilerLMError) as err:
        load_program_dir(folder)
    assert "outside the program folder" in _one_line(str(err.value)) or "must be a path" in str(err.value)


def test_a_program_folder_named_dot_is_named_after_the_folder(tmp_path, monkeypatch):
    """`compilerlm tune .` named the program "" and its modules "/main.c": `tune --out` wrote to /main.o."""
    folder = _program(tmp_path / "mine")
    (folder / "tests" / "1.in").write_text("7\n")
    (folder / "tests" / "1.out").write_text("7\n")
    monkeypatch.chdir(folder)
    program = load_program_dir(Path("."))
    assert program.name == "mine" and program.module_name(program.sources[0]) == "mine/main.c"
    monkeypatch.chdir(folder / "tests")
    assert load_program_dir(Path("..")).name == "mine"


# ---------------------------------------------------------------- program folders: links out of the folder


def _targets(tmp_path: Path) -> dict[str, str]:
    secret = tmp_path / "secret.key"
    secret.write_text("TOP SECRET host key\n")
    return {"etc-passwd": "/etc/passwd", "absolute-secret": str(secret), "relative-escape": "../../secret.key"}


LINKED = {  # which file of the program folder is the link, and the program.toml that reads it
    "tests-N.in": ("tests/1.in", ""),
    "tests-N.out": ("tests/1.out", ""),
    "declared-stdin": ("data/stdin.txt", '[[tests]]\nname = "t"\nstdin = "data/stdin.txt"\n'),
    "declared-input-file": ("data/input.dat", '[[tests]]\nname = "t"\nfiles = ["data/input.dat"]\n'),
    "declared-stdout": ("tests/t.out", '[[tests]]\nname = "t"\n'),
    "declared-output-file": ("tests/t.outputs/o.txt", '[[tests]]\nname = "t"\noutputs = ["o.txt"]\n'),
    "declared-outputs-folder": ("tests/t.outputs", '[[tests]]\nname = "t"\noutputs = ["o.txt"]\n'),
    "old-layout-output-file": ("tests/t.o.txt", '[[tests]]\nname = "t"\noutputs = ["o.txt"]\n'),
    "declared-stdout-path": ("data/expected.txt", '[[tests]]\nname = "t"\nstdout = "data/expected.txt"\n'),
}


@pytest.mark.parametrize("target", ["etc-passwd", "absolute-secret", "relative-escape"])
@pytest.mark.parametrize("linked", LINKED)
def test_a_test_file_linked_out_of_the_folder_is_refused_naming_where_it_points(linked, target, tmp_path):
    where, toml = LINKED[linked]
    folder = _program(tmp_path / "prog", toml)
    for name in ("1.in", "1.out"):
        (folder / "tests" / name).write_text("7\n")
    link = folder / where
    link.parent.mkdir(parents=True, exist_ok=True)
    link.unlink(missing_ok=True)
    goal = _targets(tmp_path)[target]
    if target == "relative-escape":
        goal = os.path.relpath(tmp_path / "secret.key", link.parent)  # ../../secret.key from its folder
    link.symlink_to(goal)
    with pytest.raises(CompilerLMError, match=r"is a link to .*, outside the program folder") as err:
        load_program_dir(folder)
    message = _one_line(str(err.value))
    assert link.name in message and str(Path(os.path.normpath(link.parent / goal)).resolve()) in message
    assert "SECRET" not in message and "root:" not in message


@pytest.mark.parametrize("target", ["absolute", "relative"])
def test_a_tests_folder_linked_out_of_the_program_is_refused(target, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "1.in").write_text("secret\n")
    (outside / "1.out").write_text("secret\n")
    folder = tmp_path / "prog"
    folder.mkdir()
    (folder / "main.c").write_text(C_CODE)
    (folder / "tests").symlink_to(outside if target == "absolute" else Path("..") / "elsewhere")
    with pytest.raises(CompilerLMError, match="is a link to") as err:
        load_program_dir(folder)
    _one_line(str(err.value))


def test_a_loop_of_links_is_one_line(tmp_path):
    folder = _program(tmp_path / "prog")
    (folder / "tests" / "1.in").symlink_to("1.in")
    (folder / "tests" / "1.out").write_text("7\n")
    with pytest.raises(CompilerLMError) as err:
        load_program_dir(folder)
    _one_line(str(err.value))


@pytest.mark.timeout(30)  # before the check, reading the FIFO waited forever
def test_a_test_that_is_not_a_regular_file_is_refused(tmp_path):
    folder = _program(tmp_path / "prog")
    os.mkfifo(folder / "tests" / "1.in")  # reading it would wait forever
    (folder / "tests" / "1.out").write_text("7\n")
    with pytest.raises(CompilerLMError, match="not a regular file"):
        load_program_dir(folder)


def test_links_that_stay_inside_the_folder_are_allowed(tmp_path):
    folder = _program(tmp_path / "prog", '[[tests]]\nname = "t"\nstdin = "tests/alias.txt"\nfiles = ["data/f"]\n')
    (folder / "tests" / "1.in").symlink_to("../data/in.txt")
    (folder / "tests" / "1.out").write_text("7\n")
    (folder / "tests" / "alias.txt").symlink_to("1.in")
    (folder / "data" / "f").symlink_to("in.txt")
    program = load_program_dir(folder)
    assert [(t.name, t.stdin) for t in program.tests] == [("1", b"7\n"), ("t", b"7\n")]
    assert [name for name, _ in program.tests[1].files] == ["f"]  # the name given, not the link's target


def test_tests_given_with_tests_dir_cannot_link_out_of_its_folder(tmp_path):
    tests = tmp_path / "work" / "tests"
    tests.mkdir(parents=True)
    (tests / "1.in").symlink_to(_targets(tmp_path)["absolute-secret"])
    (tests / "1.out").write_text("x\n")
    with pytest.raises(CompilerLMError, match="is a link to"):
        load_tests(tests)


def test_bless_does_not_write_through_a_link_out_of_the_folder(tmp_path):
    folder = _program(tmp_path / "prog")
    (folder / "tests" / "1.in").write_text("7\n")
    secret = tmp_path / "secret.key"
    secret.write_text("keep me\n")
    (folder / "tests" / "1.out").symlink_to(secret)
    res = subprocess.run(
        [sys.executable, "-m", "compilerlm.programs.bless", str(folder)], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 1 and "is a link to" in res.stderr, (res.stdout, res.stderr)
    assert secret.read_text() == "keep me\n"


# ---------------------------------------------------------------- files named after names


@pytest.mark.parametrize("key", [k for k, v in HOSTILE.items() if isinstance(v, str)])
def test_assembly_files_stay_in_the_out_folder_and_the_json_is_written(key, tmp_path, monkeypatch):
    """`asm --out DIR` writes NAME.s per program: a name with a NUL byte raised before the JSON was written."""
    import compilerlm.cli.asm as asm_cli
    from compilerlm.tracks.speed import AsmRun

    names = [_hostile(key, tmp_path), "plain"]
    shared = {"error": "", "source": "portfolio", "config": "gcc -O2", "sample": "", "correct": True}
    outcomes = [
        SimpleNamespace(name=n, assembly=f"# {i}\n", speedup=1.5, instructions_ratio=None, **shared)
        for i, n in enumerate(names)
    ]
    run = AsmRun(outcomes, {"programs": [{"name": n} for n in names]})
    monkeypatch.setattr(asm_cli, "optimize", lambda target, request, progress: run)
    out, doc = tmp_path / "out", tmp_path / "results.json"
    asm_cli.asm(program="target", compilers="gcc -O2", out=out, json_path=doc)
    assert [p["name"] for p in json.loads(doc.read_text())["programs"]] == names
    written = _files_under(tmp_path)
    assert sorted(p.parent for p in written if p.suffix == ".s") == [out, out]
    assert sorted(p.read_text() for p in out.iterdir()) == ["# 0\n", "# 1\n"]


@pytest.mark.parametrize("name", ["/abs/evil.c", "../../evil.c", "prog/../../../evil.c", "..", "-x/.hidden.c"])
def test_tune_out_writes_every_module_inside_the_out_folder(name, tmp_path):
    from compilerlm.toolchain.frontend import compile_c
    from compilerlm.tracks.size import write_outputs

    source = tmp_path / "m.c"
    source.write_text("int f(int x) { return x + 1; }\n")
    module = compile_c(source, name)
    out = tmp_path / "a" / "out"
    write_outputs(out, [module], {name: "default<Oz>"})
    written = _files_under(tmp_path / "a")
    assert written and all(p.is_relative_to(out) for p in written), written
    assert not Path("/abs/evil.o").exists()


@pytest.mark.parametrize("name", ["../../evil", "/abs/evil", ".."])
def test_linked_executables_stay_in_the_out_folder(name, tmp_path):
    from compilerlm.search.verify import linked_sizes

    source = tmp_path / "main.c"
    source.write_text("int main(void) { return 0; }\n")
    program = Program(name=name, sources=(source,))
    out = tmp_path / "a" / "bin"
    sizes = linked_sizes(program, program.modules(), {}, out)
    assert not sizes.error, sizes.error
    assert len(list(out.iterdir())) == 2 and _files_under(tmp_path / "a") == sorted(out.iterdir())


# ---------------------------------------------------------------- what the command line prints


PRINTED = ["\x1b[2J\x1b[Hall tests passed", "\x9b2J", "[red]evil[/red]", "[/x]", "[bold]x", "a\nb", "\u202eexe"]


@pytest.mark.parametrize("text", PRINTED)
def test_errors_are_printed_escaped_and_markup_is_shown_as_it_is(text, capsys):
    from compilerlm.cli.common import print_error

    print_error(f"program {text} failed")
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x9b" not in err and "\u202e" not in err and err.count("\n") == 1, repr(err)
    assert f"program {printable(text)} failed" in err


@pytest.mark.parametrize("text", PRINTED)
def test_tables_and_progress_lines_show_names_escaped(text, capsys):
    from compilerlm.cli.data import _report
    from compilerlm.cli.tune import ProgressLines, print_tune_table

    counts = {"search_evaluations": 1, "minimize_evaluations": 1, "seconds": 0.5, "size": 10, "size_oz": 11}
    result = SimpleNamespace(name=text, resumed=False, same_ir_as="", improvement=0.1, compiled=2, **counts)
    ProgressLines(1, 1).report([SimpleNamespace(evaluations_total=2, **vars(result))])
    lengths = {"length_before": 1, "length_after": 1, "size_o0": 1, "size_o3": 3, "verified": True}
    module = {"name": text, "source": text, "improvement": 0.5, **counts, **lengths}
    summary = dict.fromkeys(["improvement_geomean", "share_better", "verified_share", "compiled_per_second"], 0.5)
    summary |= dict.fromkeys(["evaluations_total", "search_evaluations", "minimize_evaluations", "compiled_total"], 2)
    doc = {"strategy": "random", "budget": 1, "modules": [module], "summary": summary}
    doc["programs"] = [{"program": text, "error": f"{text} broke"}]
    print_tune_table(doc)
    numbers = {"rows": {}, "programs": {}, "duplicates": 0, "too_long": 0, "seconds": 0.0}
    _report(SimpleNamespace(task="asm", out="o", skipped={text: f"{text} is not single-file"}, **numbers))
    captured = capsys.readouterr()
    both = captured.out + captured.err
    assert "\x1b" not in both and "\x9b" not in both and "\u202e" not in both, repr(both)
    if text.startswith("["):  # markup is shown as written, not obeyed
        assert text in captured.out
    assert f"skipped {printable(text)}: " in captured.out


def test_a_reward_that_fails_on_a_hostile_row_prints_it_escaped(capsys):
    from compilerlm.train.verl_reward import compute_score

    extra = {"c_code": C_CODE, "name": "\x1b[2Jall tests passed", "inputs": ["7\n"], "outputs": ["7\n"]}
    compute_score("compilerlm/asm", "", ASM, extra)
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[2J" in out


# ---------------------------------------------------------------- end to end: the command line


def _rows_file(tmp_path: Path, row: dict) -> str:
    return f"supercoder:{write_rows([row], tmp_path / 'rows.jsonl')}"


def _refusal(res: subprocess.CompletedProcess[str]) -> str:
    assert res.returncode == 1, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    return lines[0]


CLI_ROWS = {
    "inputs-int": (lambda: _stdin_row(inputs=5), "inputs must be a list of strings"),
    "name-with-nul": (lambda: _stdin_row(name="a\0b"), "program name 'a\\x00b'"),
    "test-name-traversal": (lambda: _record(name="../../../../victim"), "test name '../../../../victim'"),
    "name-clears-the-screen": (lambda: _stdin_row(name="\x1b[2J\x1b[Hall tests passed"), "'\\x1b[2J\\x1b[Hall tests"),
    "name-with-closing-markup": (lambda: _stdin_row(name="[/x]"), "program name '[/x]'"),
    "name-with-markup": (lambda: _stdin_row(name="[red]evil[/red]"), "'[red]evil[/red]'"),
}


@pytest.mark.parametrize("key", CLI_ROWS)
def test_asm_refuses_a_hostile_row_in_one_line_with_exit_code_1(key, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("COMPILERLM_CACHE", str(tmp_path / "cache"))
    make, needle = CLI_ROWS[key]
    target = _rows_file(tmp_path, make())
    res = cli("asm", target, "--compilers", "gcc -O2", "--out", "out", "--json", "r.json")
    line = _refusal(res)
    assert needle in line and "\x1b" not in res.stderr, line
    assert _files_under(tmp_path / "cache") == [] and not (tmp_path / "out").exists()


def test_a_dataset_program_with_markup_in_its_name_is_named_as_it_is(cli, tmp_path, monkeypatch):
    """A plain name may hold '[': the size track's refusal of dataset code shows it as written."""
    monkeypatch.setenv("COMPILERLM_CACHE", str(tmp_path / "cache"))
    res = cli("size", _rows_file(tmp_path, _stdin_row(name="[bold]evil")))
    assert "program [bold]evil comes from a downloaded dataset" in _refusal(res)


@pytest.mark.parametrize("target", ["/etc/passwd", "secret", "../../outside.c"])
def test_a_source_linked_out_of_the_program_folder_is_refused(tmp_path, target):
    """The speed track shows a program's C code to a model: a source linked to a host file would show that file."""
    secret = tmp_path / "secret"
    secret.write_text("int leaked = 1;\n")
    (tmp_path / "outside.c").write_text("int main(void) { return 0; }\n")
    folder = tmp_path / "a" / "prog"
    folder.mkdir(parents=True)
    (folder / "main.c").symlink_to(secret if target == "secret" else target)
    with pytest.raises(CompilerLMError, match="outside the program folder"):
        load_program_dir(folder)
