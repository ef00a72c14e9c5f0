"""Red team: a `--store` whose rows were forged or damaged, stale speed outcomes, and `compilerlm serve` against
requests no OpenAI client sends (issue 24, "Trust II").

Stores are real SQLite files written by real runs of the command line, then edited as an attacker (or a bad
disk) would, one variant per case; the same command run again must refuse the store with one line naming it,
the row and what is wrong, never use the row or print a traceback. The server cases are real HTTP requests to a
real server on 127.0.0.1 over the tiny model, and real `compilerlm serve` processes sent real signals."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from compilerlm.models import load_model
from compilerlm.models.server import serve
from compilerlm.programs.program import Program, TestCase
from compilerlm.speed.suite import program_fingerprint

SMALL_C = "int f(int x) { return x * 3 + 1; }\nint g(int *p, int n) { int s = 0; while (n--) s += *p++; return s; }\n"
NO_TESTS_C = "int main(void) { return 0; }\n"  # the asm task stores an outcome for it at once (error: no tests)
REFUSED = "is not what compilerlm writes"
FIX = "delete it or pass another --store"

# --------------------------------------------------------------------------------------------------- stores


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command line in `cwd`."""
    return subprocess.run(
        [sys.executable, "-m", "compilerlm.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
        env={**os.environ, "COLUMNS": "200"},
    )


def _inputs(folder: Path) -> Path:
    """The programs every store command runs on, written into `folder` (same names, so the same keys)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "small.c").write_text(SMALL_C)
    (folder / "nt").mkdir(exist_ok=True)
    (folder / "nt" / "nt.c").write_text(NO_TESTS_C)
    return folder


def _command(kind: str, request: pytest.FixtureRequest) -> tuple[str, ...]:
    """The command that writes (and, run again, reads) the store of `kind`; only task rows need the tiny model."""
    store = ("--store", "store.sqlite")
    if kind == "task":
        model = request.getfixturevalue("tiny_model_dir")
        return ("eval", "flags", "--model", f"hf:{model}", "--suite", "small.c", "--max-tokens", "8", *store)
    return {"tune": ("tune", "small.c", "--budget", "3", *store), "asm": ("asm", "nt", *store)}[kind]


@pytest.fixture(scope="module")
def honest(tmp_path_factory) -> Callable[[str, tuple[str, ...]], Path]:
    """`honest(kind, command)`: a store written by the real `command`, once per module: tune (evaluations and
    module results), asm (an `asm` outcome record), eval flags (`task:flags` records)."""
    stores: dict[str, Path] = {}

    def store(kind: str, command: tuple[str, ...]) -> Path:
        if kind not in stores:
            folder = _inputs(tmp_path_factory.mktemp(f"honest-{kind}"))
            res = _run(folder, *command)
            assert "Traceback" not in res.stderr, res.stderr
            with closing(sqlite3.connect(folder / "store.sqlite")) as db:
                table = "results" if kind == "tune" else "records"
                assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] > 0, (kind, res.stderr)
            stores[kind] = folder / "store.sqlite"
        return stores[kind]

    return store


def _forged(honest_store: Path, folder: Path, sql: str) -> Path:
    """A copy of an honest store in `folder`, edited by `sql`."""
    copy = folder / "store.sqlite"
    with closing(sqlite3.connect(honest_store)) as src, closing(sqlite3.connect(copy)) as dst:
        src.backup(dst)
        dst.executescript(sql)
        dst.commit()
    return copy


def _refusal(res: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused store gives (exit code 1, no traceback; a model's loading bar may come before)."""
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert "Traceback" not in res.stderr, res.stderr
    assert res.returncode == 1 and [ln for ln in lines if ln.startswith("error:")] == lines[-1:], res.stderr
    return lines[-1]


NOT_JSON = "its data is not JSON"
RESULTS = "UPDATE results SET data = "
EVALUATIONS = "DELETE FROM results; UPDATE evaluations SET "  # no finished result: the search reads them back
RECORDS = "UPDATE records SET data = "

# (store, SQL that forges it, the row named, what is said to be wrong)
FORGED = {
    # tune: module results, read back as `search.tune.StoredModule`
    "result-not-json": ("tune", RESULTS + """'{"result": '""", "results row", NOT_JSON),
    "result-nested-too-deep": ("tune", RESULTS + "'" + "[" * 100_000 + "'", "results row", NOT_JSON),
    "result-a-list": ("tune", RESULTS + "'[1, 2]'", "results row", "data is [1, 2], not an object"),
    "result-a-string": ("tune", RESULTS + """'"done"'""", "results row", 'data is "done", not an object'),
    "result-a-blob": ("tune", RESULTS + "X'7b7d'", "results row", "its data is bytes, not JSON text"),
    "result-size-a-string": (
        "tune",
        RESULTS + "json_set(data, '$.result.size', 'big')",
        "results row",
        'data.result.size is "big", not a valid integer',
    ),
    "result-size-a-float": (
        "tune",
        RESULTS + "json_set(data, '$.result.size', 0.5)",
        "results row",
        "data.result.size is 0.5, not a valid integer",
    ),
    "result-verified-a-string": (
        "tune",
        RESULTS + "json_set(data, '$.result.verified', 'yes')",
        "results row",
        'data.result.verified is "yes", not a valid boolean',
    ),
    "result-field-missing": (
        "tune",
        RESULTS + "json_remove(data, '$.result.size_oz')",
        "results row",
        "data.result has no field 'size_oz'",
    ),
    "result-unknown-field": (
        "tune",
        RESULTS + "json_set(data, '$.result.evil', 1)",
        "results row",
        "data.result has an unknown field 'evil'",
    ),
    "result-candidates-short": (
        "tune",
        RESULTS + "json_set(data, '$.candidates', json('[[1]]'))",
        "results row",
        "data.candidates[0] has no item [1]",
    ),
    "result-candidate-pipeline-numbers": (
        "tune",
        RESULTS + "json_set(data, '$.candidates', json('[[1, [2]]]'))",
        "results row",
        "data.candidates[0][1][0] is 2, not a valid string",
    ),
    "result-from-model-numbers": (
        "tune",
        RESULTS + "json_set(data, '$.from_model', json('[3]'))",
        "results row",
        "data.from_model[0] is 3, not a valid string",
    ),
    # tune: evaluations, read back as `Evaluation`
    "evaluation-size-text": (
        "tune",
        EVALUATIONS + "size = 'abc'",
        "evaluations row",
        'size is "abc", not a valid integer',
    ),
    "evaluation-size-real": ("tune", EVALUATIONS + "size = 1.5", "evaluations row", "size is 1.5, not a valid integer"),
    "evaluation-size-blob": ("tune", EVALUATIONS + "size = X'00'", "evaluations row", "size is a blob of 1 bytes"),
    "evaluation-text-size-text": (
        "tune",
        EVALUATIONS + "text_size = 'x'",
        "evaluations row",
        'text_size is "x", not a valid integer',
    ),
    "evaluation-no-size-no-error": (
        "tune",
        EVALUATIONS + "size = NULL, error = NULL",
        "evaluations row",
        "it has neither a size nor an error",
    ),
    "evaluation-unknown-error-kind": (
        "tune",
        EVALUATIONS + "size = NULL, error = 'boom', error_kind = 'bogus'",
        "evaluations row",
        'error_kind is "bogus", not one of',
    ),
    "evaluation-error-blob": ("tune", EVALUATIONS + "error = X'01'", "evaluations row", "error is a blob of 1 bytes"),
    # asm / eval asm: speed outcomes, read back as `AsmOutcome`
    "asm-not-json": ("asm", RECORDS + "'not json'", "records row (kind 'asm'", NOT_JSON),
    "asm-a-list": ("asm", RECORDS + "'[]'", "records row (kind 'asm'", "data is [], not an object"),
    "asm-speedup-a-string": (
        "asm",
        RECORDS + "json_set(data, '$.speedup', 'fast')",
        "records row (kind 'asm'",
        'data.speedup is "fast", not a valid number',
    ),
    "asm-correct-a-string": (
        "asm",
        RECORDS + "json_set(data, '$.correct', 'yes')",
        "records row (kind 'asm'",
        'data.correct is "yes", not a valid boolean',
    ),
    "asm-ratio-an-object": (
        "asm",
        RECORDS + "json_set(data, '$.instructions_ratio', json('{}'))",
        "records row (kind 'asm'",
        "data.instructions_ratio is {}, not a valid number",
    ),
    "asm-name-missing": (
        "asm",
        RECORDS + "json_remove(data, '$.name')",
        "records row (kind 'asm'",
        "data has no field 'name'",
    ),
    "asm-unknown-field": (
        "asm",
        RECORDS + "json_set(data, '$.reward', 99)",
        "records row (kind 'asm'",
        "data has an unknown field 'reward'",
    ),
    "asm-tests-a-list": (
        "asm",
        RECORDS + "json_set(data, '$.tests', json('[]'))",
        "records row (kind 'asm'",
        "data.tests is [], not an object",
    ),
    "asm-interval-of-strings": (
        "asm",
        RECORDS + """json_set(data, '$.speedup_ci', json('{"mean": [1, "x"]}'))""",
        "records row (kind 'asm'",
        'data.speedup_ci.mean[1] is "x", not a valid number',
    ),
    # eval flags: task rows, read back as `eval.tasks.row_shape(FlagsTask)`
    "task-not-json": ("task", RECORDS + "'{'", "records row (kind 'task:flags'", NOT_JSON),
    "task-a-list": ("task", RECORDS + "'[1]'", "records row (kind 'task:flags'", "data is [1], not an object"),
    "task-answers-numbers": (
        "task",
        RECORDS + "json_set(data, '$.answers', json('[5]'))",
        "records row (kind 'task:flags'",
        "data.answers[0] is 5, not a valid string",
    ),
    "task-ratio-a-string": (
        "task",
        RECORDS + "json_set(data, '$.ratio', 'x')",
        "records row (kind 'task:flags'",
        'data.ratio is "x", not a valid number',
    ),
    "task-score-missing": (
        "task",
        RECORDS + "json_remove(data, '$.valid')",
        "records row (kind 'task:flags'",
        "data has no field 'valid'",
    ),
}


SLOW = pytest.mark.slow  # every command start costs seconds: the default suite runs one variant per reader
QUICK = {"result-size-a-string", "evaluation-size-text", "asm-speedup-a-string"}  # task rows: see below


@pytest.mark.parametrize("case", [pytest.param(c, marks=() if c in QUICK else SLOW) for c in FORGED])
def test_a_forged_store_row_is_refused_with_one_line(case, honest, tmp_path, request):
    kind, sql, row, wrong = FORGED[case]
    command = _command(kind, request)
    store = _forged(honest(kind, command), _inputs(tmp_path), sql)
    line = _refusal(_run(tmp_path, *command))
    assert line.startswith(f"error: {store.name}: {row}"), line
    assert REFUSED in line and wrong in line and FIX in line, line


@pytest.mark.parametrize("kind", ["tune", "asm", pytest.param("task", marks=SLOW)])
def test_an_honest_store_is_read_back(kind, honest, tmp_path, request):
    """The same copy, unedited: the run reads its rows back (so the cases above fail only for the forgery)."""
    command = _command(kind, request)
    _forged(honest(kind, command), _inputs(tmp_path), "")
    res = _run(tmp_path, *command, "--json", "out.json")
    assert REFUSED not in res.stderr and "Traceback" not in res.stderr, res.stderr
    doc = json.loads((tmp_path / "out.json").read_text())
    rows = {"tune": "modules", "asm": "programs", "task": "rows"}[kind]
    if kind == "asm":  # the outcome is the stored one (no timing could give the same seconds)
        with closing(sqlite3.connect(tmp_path / "store.sqlite")) as db:
            stored = json.loads(db.execute("SELECT data FROM records").fetchone()[0])
        assert doc[rows][0]["seconds"] == stored["seconds"]
    else:
        assert all(r["resumed"] for r in doc[rows]), doc[rows]


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("tune", "small.c", "--budget", "3"), marks=SLOW),  # as result-size-a-string above
        ("tune", "small.c", "--export-library", "lib.txt"),
        ("data", "flags", "--suite", "small.c", "--out", "data"),
    ],
    ids=["tune", "tune-export-library", "data-flags"],
)
def test_every_reader_of_module_results_refuses_a_forged_one(args, honest, tmp_path, request):
    forged = FORGED["result-size-a-string"][1]
    store = _forged(honest("tune", _command("tune", request)), _inputs(tmp_path), forged)
    line = _refusal(_run(tmp_path, *args, "--store", store.name))
    assert "results row" in line and 'data.result.size is "big", not a valid integer' in line and FIX in line, line
    assert not (tmp_path / "lib.txt").exists() and not (tmp_path / "data").exists()


def test_records_of_any_kind_must_be_json_objects(tmp_path):
    """A kind whose reader names no shape (the ranker's search records) is still at least a JSON object."""
    from compilerlm.errors import CompilerLMError
    from compilerlm.store import Store

    store = Store(tmp_path / "s.sqlite")
    store.put_record("ranker-search:k", "m", {"winners": ["instcombine"]})
    assert store.get_record("ranker-search:k", "m") == {"winners": ["instcombine"]}
    with closing(sqlite3.connect(tmp_path / "s.sqlite")) as db, db:
        db.execute("UPDATE records SET data = '[\"instcombine\"]'")
    with pytest.raises(CompilerLMError, match=r"records row \(kind 'ranker-search:k', key 'm'\).*not an object"):
        store.get_record("ranker-search:k", "m")
    with pytest.raises(CompilerLMError, match="not an object"):
        store.records("ranker-search:k")
    store.close()


def _task_row(**score) -> dict:
    common = {"task": "t", "key": "k", "module": "m", "settings": "s", "skipped": None, "prompt_tokens": 3}
    return {**common, "error": None, "answers": ["-p 'instcombine'"], **score}


SCORED = {"module": "m", "size_oz": 10, "pipeline": "instcombine", "valid": True, "reason": None, "size": 9}
SCORED |= {"ratio": 0.9, "ratio_fallback": 0.9, "per_answer": [{"pipeline": "instcombine", "valid": True,
           "reason": None, "size": 9, "predicted_size": None}]}  # fmt: skip
TASK_ROWS = {  # name -> (task, row, what is wrong or None); the flags task declares FlagsScore
    "scored": ("flags", _task_row(**SCORED), None),
    "no-ground-truth": ("flags", {**_task_row(), "error": "-Oz does not compile", "answers": []}, None),
    "score-missing": ("flags", _task_row(**{k: v for k, v in SCORED.items() if k != "valid"}), "no field 'valid'"),
    "ratio-a-string": ("flags", _task_row(**{**SCORED, "ratio": "x"}), 'data.ratio is "x", not a valid number'),
    "nested-score": (
        "flags",
        _task_row(**{**SCORED, "per_answer": [{**SCORED["per_answer"][0], "size": "9"}]}),
        'data.per_answer[0].size is "9", not a valid integer',
    ),
    "unknown-field": ("flags", _task_row(**SCORED, reward=1.0), "data has an unknown field 'reward'"),
    "error-row-with-numbers": ("flags", {**_task_row(), "error": "e", "answers": [5]}, "data.answers[0] is 5"),
    "undeclared-task-extra-fields": ("plain", _task_row(anything=[1, {"x": None}]), None),
    "undeclared-task-common-field": ("plain", _task_row(prompt_tokens="3"), 'data.prompt_tokens is "3"'),
}


@pytest.mark.parametrize("case", list(TASK_ROWS))
def test_task_rows_read_back_are_checked_against_the_tasks_fields(case, tmp_path):
    """What `eval <task> --store` reads back (the CLI cases above are slow: the model loads first)."""
    from compilerlm import registry
    from compilerlm.errors import CompilerLMError
    from compilerlm.store import Store
    from compilerlm.tasks.base import Task
    from compilerlm.tasks.evaluation import row_shape

    name, row, wrong = TASK_ROWS[case]
    task = registry.get(name) if name == "flags" else type("Plain", (Task,), {"name": "plain"})()
    store = Store(tmp_path / "s.sqlite")
    store.put_record(f"task:{name}", "k", row)
    if wrong is None:
        assert store.get_record(f"task:{name}", "k", row_shape(task)) == row
    else:
        with pytest.raises(CompilerLMError, match=re.escape(wrong)):
            store.get_record(f"task:{name}", "k", row_shape(task))
    store.close()


# --------------------------------------------------------------------------------------- program fingerprint


def _program(tmp_path: Path, **test_fields) -> Program:
    """A program with one test that sets every field of TestCase (input files from disk and from bytes)."""
    src = tmp_path / "p.c"
    if not src.exists():
        tmp_path.mkdir(parents=True, exist_ok=True)
        src.write_text("int main(void) { return 0; }\n")
        (tmp_path / "in.txt").write_bytes(b"input file\n")
    test = TestCase(
        name="t1",
        stdin=b"1 2\n",
        expected=b"3\n",
        args=("-v", "x"),
        files=(("in.txt", tmp_path / "in.txt"), ("gen.bin", b"\x00\x01")),
        outputs=(("out.txt", b"result\n"),),
        exit_code=0,
        timeout=5.0,
    )
    return Program("p", (src,), cflags=("-DN=1",), tests=(dataclasses.replace(test, **test_fields),))


# one edit per TestCase field: a field added to TestCase without an edit here fails the test below
EDITED = {
    "name": "t2",
    "stdin": b"1 3\n",
    "expected": b"4\n",
    "args": ("-v", "y"),
    "files": (("in.txt", b"input file\n"), ("gen.bin", b"\x00\x02")),
    "outputs": (("out.txt", b"other\n"),),
    "exit_code": 1,
    "timeout": 6.0,
}


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(TestCase)])
def test_editing_any_field_of_a_test_changes_the_fingerprint(field, tmp_path):
    assert field in EDITED, f"TestCase.{field} has no edit here: add one, and hash it"
    assert program_fingerprint(_program(tmp_path, **{field: EDITED[field]})) != program_fingerprint(_program(tmp_path))


ABSENT_OR_RENAMED = {
    "expected-none": lambda folder: {"expected": None},  # not compared, against compared and empty
    "output-unblessed": lambda folder: {"outputs": (("out.txt", None),)},
    "timeout-none": lambda folder: {"timeout": None},
    "file-renamed": lambda folder: {"files": (("other.txt", folder / "in.txt"), ("gen.bin", b"\x00\x01"))},
}


@pytest.mark.parametrize("case", list(ABSENT_OR_RENAMED))
def test_absent_and_renamed_values_change_the_fingerprint(case, tmp_path):
    edited = _program(tmp_path, **ABSENT_OR_RENAMED[case](tmp_path))
    assert program_fingerprint(edited) != program_fingerprint(_program(tmp_path))


def test_input_files_are_hashed_by_content_not_host_path(tmp_path):
    before = program_fingerprint(_program(tmp_path))
    (tmp_path / "in.txt").write_bytes(b"edited in place\n")
    edited = program_fingerprint(_program(tmp_path))
    assert edited != before
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "copy.txt").write_bytes(b"edited in place\n")
    moved = _program(tmp_path, files=(("in.txt", elsewhere / "copy.txt"), ("gen.bin", b"\x00\x01")))
    assert program_fingerprint(moved) == edited


PROGRAM_EDITS = {
    "cflags": lambda folder: {"cflags": ("-DN=2",)},
    "defines": lambda folder: {"defines": ("FAST",)},
    "include_dirs": lambda folder: {"include_dirs": (str(folder / "inc"),)},
    "ldflags": lambda folder: {"ldflags": ("-lm",)},
    "baseline_asm": lambda folder: {"baseline_asm": "main:\n\tret\n"},
}


@pytest.mark.parametrize("change", ["source", *PROGRAM_EDITS])
def test_sources_flags_and_baseline_change_the_fingerprint(change, tmp_path):
    program = _program(tmp_path)
    before = program_fingerprint(program)
    (tmp_path / "inc").mkdir()
    if change == "source":
        program.sources[0].write_text("int main(void) { return 1; }\n")
    else:
        program = dataclasses.replace(program, **PROGRAM_EDITS[change](tmp_path))
    assert program_fingerprint(program) != before


def test_the_same_program_in_another_folder_keeps_its_fingerprint(tmp_path):
    """Include folders count as the confined compiler sees them (/src/N), so a moved program is reused."""
    here, there = (_program(tmp_path / d) for d in ("a", "b"))
    here, there = (dataclasses.replace(p, include_dirs=(str(p.sources[0].parent),)) for p in (here, there))
    assert program_fingerprint(here) == program_fingerprint(there)


# ------------------------------------------------------------------------------------------------- server

PROMPT = "define i32 @add(i32 %a, i32 %b) {\nentry:\n  %add = add nsw"


@pytest.fixture(scope="module")
def server(tiny_model_dir):
    with load_model(f"hf:{tiny_model_dir}") as model, serve(model, name="tiny") as handle:
        yield handle


def _post(url: str, body: dict | bytes) -> tuple[int, dict]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(f"{url}/completions", data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def _body(**fields) -> dict:
    return {"model": "tiny", "prompt": PROMPT, "max_tokens": 4, "temperature": 0} | fields


NAN, INF = float("nan"), float("inf")  # json.dumps writes them as NaN and Infinity, as a careless client does

# (field, value) -> words of the one-line 400; every sampling field the server reads, each bad value a case
BAD_FIELDS = [
    ("top_p", NAN, "'top_p' must be 1"),
    ("top_p", 1.5, "the API allows (0, 1]"),
    ("top_p", 0, "'top_p' must be 1"),
    ("top_p", -0.5, "'top_p' must be 1"),
    ("top_p", 0.9, "no nucleus sampling here"),
    ("top_p", "1", "'top_p' must be 1"),
    ("top_p", True, "'top_p' must be 1"),
    ("temperature", NAN, "'temperature' must be a finite number >= 0"),
    ("temperature", INF, "'temperature' must be a finite number >= 0"),
    ("temperature", -0.1, "'temperature' must be a finite number >= 0"),
    ("temperature", "hot", "'temperature' must be a finite number >= 0"),
    ("temperature", True, "'temperature' must be a finite number >= 0"),
    ("n", 0, "'n' must be an integer >= 1"),
    ("n", 1.5, "'n' must be an integer >= 1"),
    ("n", "2", "'n' must be an integer >= 1"),
    ("n", True, "'n' must be an integer >= 1"),
    ("max_tokens", 0, "'max_tokens' must be an integer >= 1"),
    ("max_tokens", 2.0, "'max_tokens' must be an integer >= 1"),
    ("max_tokens", [4], "'max_tokens' must be an integer >= 1"),
    ("stop", 5, "'stop' must be a non-empty string or a list of at most 4"),
    ("stop", "", "'stop' must be a non-empty string"),
    ("stop", ["a", "b", "c", "d", "e"], "a list of at most 4"),
    ("stop", ["a", 1], "'stop' must be"),
    ("seed", "42", "'seed' must be an integer"),
    ("seed", 1.5, "'seed' must be an integer"),
    ("seed", 2**64, "'seed' must be an integer in [-2^63, 2^64)"),
    ("seed", False, "'seed' must be an integer"),
    ("logprobs", 1, "'logprobs' must be null (no log probabilities here"),
    ("logprobs", True, "'logprobs' must be null"),
    ("echo", True, "'echo' must be false"),
    ("echo", 1, "'echo' must be false"),
    ("best_of", 3, "'best_of' must be equal to n"),
    ("best_of", "1", "'best_of' must be equal to n"),
    ("presence_penalty", 0.5, "'presence_penalty' must be 0"),
    ("presence_penalty", NAN, "'presence_penalty' must be 0"),
    ("frequency_penalty", 3, "'frequency_penalty' must be 0"),
    ("logit_bias", {"50256": -100}, "'logit_bias' must be an empty object"),
    ("logit_bias", [], "'logit_bias' must be an empty object"),
    ("suffix", "}", "'suffix' must be an empty string"),
    ("stream", True, "'stream' must be false (no streaming here)"),
    ("stream_options", {"include_usage": True}, "'stream_options' must be null"),
    ("user", 5, "'user' must be a string"),
    ("top_k", 40, "unknown field 'top_k': this server reads model, prompt"),
    ("prompt", 3, "'prompt' must be a string or a non-empty list of strings"),
    ("prompt", [], "'prompt' must be a string or a non-empty list of strings"),
    ("model", 7, "'model' must be a string"),
]


@pytest.mark.parametrize(("field", "value", "words"), BAD_FIELDS, ids=[f"{f}={v!r}" for f, v, _ in BAD_FIELDS])
def test_a_bad_request_field_is_a_400_naming_it(server, field, value, words):
    status, reply = _post(server.url, _body(**{field: value}))
    assert status == 400, reply
    error = reply["error"]
    assert error["param"] == field and error["type"] == "invalid_request_error", error
    assert words in error["message"] and "\n" not in error["message"], error["message"]


NEUTRAL = {
    "top_p": 1,
    "seed": -(2**63),
    "logprobs": None,
    "echo": False,
    "best_of": 1,
    "presence_penalty": 0,
    "frequency_penalty": 0.0,
    "logit_bias": {},
    "suffix": "",
    "stream": False,
    "stream_options": None,
    "user": "someone",
    "stop": ["\u2603"],
}


@pytest.mark.parametrize(("field", "value"), list(NEUTRAL.items()), ids=list(NEUTRAL))
def test_a_field_at_a_value_the_server_honours_is_served(server, field, value):
    status, reply = _post(server.url, _body(**{field: value}))
    assert status == 200, reply
    assert len(reply["choices"]) == 1


def test_stop_sequences_end_the_answer(server):
    status, reply = _post(server.url, _body(max_tokens=24))
    assert status == 200
    whole = reply["choices"][0]["text"]
    stop = next(c for c in whole[2:] if c.strip())  # a character the greedy answer holds after its start
    status, reply = _post(server.url, _body(max_tokens=24, stop=[stop, "\u2603"]))
    assert status == 200
    choice = reply["choices"][0]
    assert choice["text"] == whole[: whole.index(stop)] and choice["finish_reason"] == "stop", (whole, choice)


SURROGATES = {
    "prompt": b'{"prompt": "\\ud800", "max_tokens": 2}',
    "prompt-in-a-list": b'{"prompt": ["ok", "x\\udfff"], "max_tokens": 2}',
    "stop": b'{"prompt": "x", "stop": ["\\ud83d"], "max_tokens": 2}',
    "model": b'{"prompt": "x", "model": "\\udc80", "max_tokens": 2}',
    "user": b'{"prompt": "x", "user": "\\ud800\\ud800", "max_tokens": 2}',
}


@pytest.mark.parametrize("case", list(SURROGATES))
def test_a_lone_surrogate_is_a_400_not_a_logged_traceback(server, case, caplog):
    caplog.set_level(logging.DEBUG, logger="compilerlm")
    status, reply = _post(server.url, SURROGATES[case])
    assert status == 400, reply
    error = reply["error"]
    assert error["param"] == case.split("-")[0] and "lone UTF-16 surrogate" in error["message"], error
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING], caplog.text
    assert _post(server.url, _body())[0] == 200  # and the server goes on


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"])
def test_serve_exits_143_on_sigterm_and_130_on_ctrl_c(signum, code, tiny_model_dir, tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "compilerlm.cli", "serve", f"hf:{tiny_model_dir}", "--port", "0", "--name", "tiny"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        ready = next((ln for ln in proc.stderr if ln.startswith("serving")), "")
        url = re.search(r"at (http://\S+/v1)", ready)
        assert url, (ready, proc.poll())
        with urllib.request.urlopen(f"{url.group(1)}/models", timeout=30) as response:
            assert json.loads(response.read())["data"][0]["id"] == "tiny"  # it was serving when signalled
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == code, err
    assert "Traceback" not in err and err.strip().splitlines()[-1] == "interrupted", err
