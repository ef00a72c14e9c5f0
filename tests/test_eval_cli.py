"""`compilerlm eval TASK --model hf:…` prints the paper-style table for every task with a local tiny model,
writes JSON and a report, and resumes from its store."""

from __future__ import annotations

import json

import pytest

SOURCE = """
int clamp(int x, int lo, int hi) { return x < lo ? lo : x > hi ? hi : x; }
int sum(const int *a, int n) { int s = 0; for (int i = 0; i < n; i++) s += clamp(a[i], 0, 9); return s; }
"""


@pytest.mark.parametrize(
    ("task", "heading"),
    [
        ("flags", "zero-shot"),  # the default suite runs one task's command; tests/test_entries.py the entry's
        pytest.param("emulate", "exact match", marks=pytest.mark.slow),
        pytest.param("emulate-asm", "exact match", marks=pytest.mark.slow),
        pytest.param("disasm", "round trip", marks=pytest.mark.slow),
    ],
)
def test_eval_prints_the_table_for_each_task(task, heading, tmp_path, cli, tiny_model_dir):
    src = tmp_path / "small.c"
    src.write_text(SOURCE)
    out, store = tmp_path / "e.json", tmp_path / "e.sqlite"
    args = ["eval", task, "--model", f"hf:{tiny_model_dir}", "--suite", str(src), "--max-tokens", "24"]
    res = cli(*args, "--json", str(out), "--store", str(store), "--report", str(tmp_path / "rep"), check=True)
    assert heading in res.stdout.lower()
    doc = json.loads(out.read_text())
    assert doc["task"] == task and doc["rows"] and doc["summary"]
    assert (tmp_path / "rep" / "report.md").exists()
    again = cli(*args, "--json", str(out), "--store", str(store), check=True)
    assert again.returncode == 0 and all(r.get("resumed") for r in json.loads(out.read_text())["rows"])


def test_eval_errors_are_one_line(tmp_path, cli):
    bad = cli("eval", "flags", "--model", "nonsense:thing", "--suite", "builtin:huffman")
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1 and "hf:" in bad.stderr


@pytest.mark.slow  # test_models checks the server and the client by default: the default suite stays under 15 minutes
def test_eval_through_an_openai_compatible_server(tmp_path, cli, tiny_model_dir):
    """The same tasks through `openai:` against compilerlm's server on 127.0.0.1 give the hf backend's rows."""
    from compilerlm.models import load_model
    from compilerlm.models.server import serve

    src = tmp_path / "small.c"
    src.write_text(SOURCE)
    rows = {}
    with load_model(f"hf:{tiny_model_dir}") as model, serve(model, name="tiny") as server:
        for spec in (f"hf:{tiny_model_dir}", f"openai:{server.url}#tiny"):
            out = tmp_path / "e.json"
            cli(
                "eval",
                "disasm",
                "--model",
                spec,
                "--suite",
                str(src),
                "--max-tokens",
                "24",
                "--json",
                str(out),
                check=True,
            )
            rows[spec.split(":")[0]] = [
                (r["key"], r["answers"], r["round_trip"]) for r in json.loads(out.read_text())["rows"]
            ]
    assert rows["hf"] == rows["openai"] and rows["hf"]
