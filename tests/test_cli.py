"""The command line as a user meets it: help, suites, size tables and JSON."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import pytest

from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.objsize import object_size

DATA = Path(__file__).parent / "data"


def test_help_lists_commands_with_examples(cli):
    res = cli("--help", check=True)
    for command in ("suites", "size", "passes"):
        assert command in res.stdout
    for command in ("suites", "size", "passes"):
        assert "Example:" in cli(command, "--help", check=True).stdout


def test_suites_lists_specs_and_programs(cli):
    out = cli("suites", "--programs", check=True).stdout
    for spec in ("builtin", "dir:PATH", "csmith:N", "llvm-stress:N", "nbody"):
        assert spec in out


def test_every_target_kind_is_in_each_commands_help_and_the_readme():
    """One table (`TARGETS`): the TARGET help of every command and the README's list are made from it or
    checked against it, so a new kind cannot be left out of one of them."""
    from typer.testing import CliRunner

    from compilerlm.cli import build_app
    from compilerlm.programs.suites import TARGETS

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    paragraph = readme[readme.index("`TARGET` is a") :].split("\n\n")[0]
    app = build_app()
    helps = {
        " ".join(c): CliRunner().invoke(app, [*c, "--help"], env={"COLUMNS": "400"}).output
        for c in (("tune",), ("size",), ("asm",), ("data", "flags"), ("eval", "asm"))
    }
    for kind in TARGETS:
        assert f"`{kind.prefix}" in paragraph, kind.spec
        for command, text in helps.items():
            assert kind.spec in " ".join(text.split()), (command, kind.spec)


def _clang_oz(path: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        obj = Path(tmp) / "x.o"
        subprocess.run([llvm_tool("clang"), "-Oz", "-c", "-w", str(path), "-o", str(obj)], check=True)
        return object_size(obj.read_bytes()).size


@pytest.mark.slow
def test_size_on_foreign_folder_matches_clang_and_both_paths(cli, tmp_path):
    docs = {}
    for evaluator in ("inprocess", "subprocess"):
        out = tmp_path / f"{evaluator}.json"
        cli(
            "size",
            str(DATA / "cfiles"),
            "--evaluator",
            evaluator,
            "--json",
            str(out),
            "--pipeline",
            "mem2reg,simplifycfg",
            check=True,
        )
        docs[evaluator] = json.loads(out.read_text())
    fast, slow = docs["inprocess"]["modules"], docs["subprocess"]["modules"]
    assert [m["name"] for m in fast] == ["calc.c", "crc.c", "matrix.c"]
    for f, s in zip(fast, slow, strict=True):
        for key in ("size_o0", "size_oz", "size_o3", "size", "text_oz", "ir_instructions_oz"):
            assert f[key] == s[key], (f["name"], key)
        reference = _clang_oz(DATA / "cfiles" / f["name"])
        assert abs(f["size_oz"] - reference) <= 0.01 * reference, (f["name"], f["size_oz"], reference)
        assert f["size_o0"] > f["size_oz"] > 0
    assert docs["inprocess"]["definitions"]["size"].startswith("bytes of SHF_ALLOC")


def test_size_table_for_a_builtin_program(cli):
    res = cli("size", "builtin:nbody", check=True)
    assert "nbody" in res.stdout and "-Oz" in res.stdout


def test_passes_lists_catalogue_and_space(cli):
    assert "instcombine" in cli("passes", check=True).stdout
    space = cli("passes", "--space", check=True).stdout.split()
    assert len(space) >= 50
    assert "reason" in cli("passes", "--excluded", check=True).stdout


def test_without_a_terminal_a_long_step_still_prints_a_line_every_interval(monkeypatch):
    """A log gets a line at least every $COMPILERLM_PROGRESS_EVERY seconds while a task runs, even when no step
    ends for longer (one program's search can take minutes), and none after the progress has stopped."""
    import io
    import time

    from rich.console import Console

    from compilerlm.cli.common import LoggedProgress

    monkeypatch.setenv("COMPILERLM_PROGRESS_EVERY", "0.2")
    log = io.StringIO()
    with LoggedProgress(console=Console(file=log, force_terminal=False, width=100), transient=True) as bar:
        task = bar.add_task("asm", total=3)
        time.sleep(1.0)  # no step ends
        quiet = log.getvalue()
        bar.advance(task, 3)
    assert quiet.count("asm: 0/3, 0m") >= 2, quiet  # the heartbeat's lines, each saying how far it is
    assert log.getvalue().rstrip().endswith("asm: 3/3, 0m01s"), log.getvalue()  # the last line, at the end
    ended = log.getvalue()
    time.sleep(0.5)
    assert log.getvalue() == ended  # the heartbeat stopped with the progress
