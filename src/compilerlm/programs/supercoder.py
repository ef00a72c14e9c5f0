"""SuperCoder's dataset rows (verl format) in and out.

A released row: ``data_source``, ``prompt`` (chat messages), ``ability``, ``reward_model{style, ground_truth}``
(the gcc -O3 assembly the prompt shows, in a ```` ```assembly ```` fence), ``extra_info`` with ``split``,
``index``, ``c_code``, ``question`` (the prompt's text), ``c_only_question``, ``answer``, ``inputs`` and
``outputs`` (lists of strings, up to 10 tests, every one used), ``unoptimized_assembly`` (what SuperCoder
times a candidate against: the baseline) and ``unoptimized_compiled`` (its binary). Rows we write carry all
of these (the binary built here, so SuperCoder's own reward accepts them) and add
``hidden_inputs``/``hidden_outputs``: tests kept out of anything a model sees (the released rows have none;
their tests are split into visible and hidden when they are read). In jsonl, bytes are stored as
``{"$bytes": base64}`` (parquet holds them as they are).

Reading materialises each row as a program folder under a cache directory (``prog.c`` + ``tests/``), so
every command that takes programs takes a dataset file: ``supercoder:PATH`` as a TARGET. A row is someone
else's text: every field is checked for its type, and every name in it (the program's, its tests', their
files') must be plain (`names.check_name`) before anything is written; a bad row is one line naming it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from compilerlm.cache import cache_dir
from compilerlm.errors import CompilerLMError
from compilerlm.programs.names import check_name
from compilerlm.programs.program import HIDDEN_PREFIX, Program, TestCase

DATA_SOURCE = "compilerlm/asm"
SUFFIXES = (".parquet", ".jsonl", ".json")


def read_rows(path: Path | str) -> list[dict[str, Any]]:
    """Rows of a parquet or jsonl file (or of every such file in a folder, sorted by name)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in SUFFIXES)
        if not files:
            raise CompilerLMError(f"{path} holds no .parquet or .jsonl files")
        return [row for f in files for row in read_rows(f)]
    if not path.is_file():
        raise CompilerLMError(f"{path} does not exist; give a SuperCoder .parquet or .jsonl file")
    if path.suffix == ".parquet":
        try:
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise CompilerLMError("reading parquet needs pyarrow: pip install pyarrow") from exc
        try:
            return pq.read_table(path).to_pylist()
        except Exception as exc:  # pyarrow raises several types for corrupt files
            raise CompilerLMError(f"{path} is not a readable parquet file: {exc}") from exc
    rows = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line, object_hook=_from_json)
            except json.JSONDecodeError as exc:
                raise CompilerLMError(f"{path}:{number} is not valid JSON: {exc.msg}") from exc
            if not isinstance(row, dict):
                raise CompilerLMError(f"{path}:{number}: a row must be a JSON object")
            rows.append(row)
    return rows


def write_rows(rows: Sequence[Mapping[str, Any]], path: Path | str) -> Path:
    """jsonl (one row per line) or parquet, by the file's suffix."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist([dict(r) for r in rows]), path)
    else:
        path.write_text("".join(json.dumps(r, default=_to_json) + "\n" for r in rows))
    return path


def _to_json(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode()}
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _from_json(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and isinstance(obj.get("$bytes"), str):
        return base64.b64decode(obj["$bytes"])
    return obj


def _field(row: Mapping[str, Any], *keys: str) -> Any:
    value: Any = row
    for key in keys:
        if isinstance(value, str) and key != keys[0]:
            try:
                value = json.loads(value)  # some exports store nested columns as JSON strings
            except json.JSONDecodeError:
                return None
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def _extra_info(row: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    """The row's ``extra_info`` as a mapping (a JSON string of one too); one line when it is neither."""
    extra = _field(row, "extra_info")
    if isinstance(extra, str):
        try:
            extra = json.loads(extra)
        except json.JSONDecodeError as exc:
            raise CompilerLMError(f"{where}: extra_info is a string that is not JSON ({exc.msg})") from exc
    if not isinstance(extra, Mapping):
        raise CompilerLMError(f"{where}: extra_info is missing or not an object; is this a SuperCoder (verl) row?")
    return extra


def _kind(value: Any) -> str:
    return "null" if value is None else f"a {type(value).__name__}"


def _strings(extra: Mapping[str, Any], key: str, where: str) -> list[str]:
    """``extra[key]``: a list of strings (one test's stdin or expected stdout each), or nothing."""
    value = extra.get(key)
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise CompilerLMError(f"{where}: extra_info.{key} must be a list of strings, not {_kind(value)}")
    return list(value)


def _tests(extra: Mapping[str, Any], column: str, prefix: str, where: str) -> list[TestCase]:
    """The tests of the columns ``{column}inputs`` and ``{column}outputs``, named ``{prefix}N``."""
    inputs, outputs = _strings(extra, f"{column}inputs", where), _strings(extra, f"{column}outputs", where)
    if len(inputs) != len(outputs):
        raise CompilerLMError(f"{where}: {len(inputs)} {column}inputs but {len(outputs)} {column}outputs")
    return [
        TestCase(f"{prefix}{i}", stdin.encode(), expected.encode())
        for i, (stdin, expected) in enumerate(zip(inputs, outputs, strict=True))
    ]


def row_name(row: Mapping[str, Any], index: int) -> str:
    """The program's name: ``extra_info.name``, else ``rowNNNN`` with the row's problem id or index (checked by
    the caller: a name becomes a folder and is printed)."""
    extra = _field(row, "extra_info")
    if isinstance(extra, str):
        extra = _extra_info(row, f"row {index}")
    name = extra.get("name") if isinstance(extra, Mapping) else None
    if name is not None and not isinstance(name, str):
        raise CompilerLMError(f"row {index}: extra_info.name must be a string, not {_kind(name)}")
    if name:
        return name
    ident = extra.get("problem_id") or extra.get("index") if isinstance(extra, Mapping) else None
    return f"row{index:04d}" if ident is None else f"row{index:04d}-{ident}"


def row_tests(extra: Mapping[str, Any], where: str) -> list[TestCase]:
    """The row's tests: ``extra_info.tests`` (compilerlm's rows of programs whose tests take arguments or
    files), else the visible and hidden stdin/stdout columns; names unique and plain."""
    records = extra.get("tests")
    if records:
        if not isinstance(records, list | tuple):
            raise CompilerLMError(f"{where}: extra_info.tests must be a list of test objects, not {_kind(records)}")
        tests = [_from_record(r, where) for r in records]
    else:
        tests = _tests(extra, "", "", where) + _tests(extra, "hidden_", HIDDEN_PREFIX, where)
    names = [t.name for t in tests]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise CompilerLMError(f"{where}: two tests are called {twice[0]!r}")
    return tests


def program_from_row(row: Mapping[str, Any], index: int, cache: Path) -> Program:
    """The row as a program folder under ``cache`` (written once; the folder name carries a content hash). Every
    name is checked before anything is written: a test named ``../../tmp/x`` would write outside the folder."""
    where = f"row {index}"
    c_code = _field(row, "extra_info", "c_code")
    if not isinstance(c_code, str) or not c_code.strip():
        raise CompilerLMError(f"{where}: extra_info.c_code is missing; is this a SuperCoder (verl) row?")
    extra = _extra_info(row, where)
    name = check_name(row_name(row, index), "program name", where)
    tests = row_tests(extra, where)
    if not tests:
        raise CompilerLMError(f"{where}: extra_info has no inputs/outputs to test answers with")
    # the baseline is what SuperCoder times: unoptimized_assembly, else the prompt's ground truth
    baseline = next(
        (a for a in (extra.get("unoptimized_assembly"), _field(row, "reward_model", "ground_truth")) if _text_set(a)),
        None,
    )
    digest = hashlib.sha256(json.dumps([c_code, [_test_record(t, False) for t in tests]]).encode())
    folder = cache / f"{name}-{digest.hexdigest()[:10]}"
    source = folder / "prog.c"
    if not source.exists():
        (folder / "tests").mkdir(parents=True, exist_ok=True)
        for t in tests:
            (folder / "tests" / f"{t.name}.in").write_bytes(t.stdin)
            (folder / "tests" / f"{t.name}.out").write_bytes(t.expected or b"")
        tmp = folder / "prog.c.tmp"
        tmp.write_text(c_code)
        tmp.replace(source)  # last: a half-written folder is rewritten on the next read
    return Program(
        name=name,
        sources=(source,),
        include_dirs=(str(folder.resolve()),),
        tests=tuple(tests),
        root=folder,
        baseline_asm=unfenced(baseline) if baseline else None,
        from_dataset=True,
    )


def unfenced(text: str) -> str:
    """The assembly inside a Markdown fence (the released rows wrap ``ground_truth`` in ```` ```assembly ````);
    text without a fence as it is."""
    lines = text.strip().splitlines()
    if len(lines) >= 2 and lines[0].startswith("```") and lines[-1].rstrip().endswith("```"):
        last = lines[-1].rstrip()[:-3]  # a closing fence glued to the last line ("ret```") closes too
        return "\n".join(lines[1:-1] + ([last] if last.strip() else [])) + "\n"
    return text


def fenced(asm: str) -> str:
    """Assembly in a ```` ```assembly ```` fence, as the released rows store ``ground_truth`` and ``answer``."""
    body = asm if asm.endswith("\n") else asm + "\n"
    return f"```assembly\n{body}```"


def _text_set(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def default_cache() -> Path:
    return cache_dir("supercoder")


def supercoder_programs(path: Path | str, cache: Path | None = None) -> list[Program]:
    return [program_from_row(row, i, cache or default_cache()) for i, row in enumerate(read_rows(path))]


def make_row(
    name: str,
    c_code: str,
    baseline_asm: str,
    visible: Iterable[TestCase],
    hidden: Iterable[TestCase],
    split: str,
    index: int,
    question: str,
    c_only_question: str = "",
    baseline_binary: bytes | None = None,
) -> dict[str, Any]:
    """One row in SuperCoder's verl layout with every field its own reward reads (``baseline_binary`` is
    ``unoptimized_compiled``: ``gcc x.s -o x -lm`` of the baseline; ``question`` the prompt's text, also
    the single user message of ``prompt``); hidden tests go to
    ``hidden_inputs``/``hidden_outputs``.

    SuperCoder's columns hold stdin → stdout tests only: tests with arguments, input or output files or an
    exit code go, with every test, to ``extra_info.tests`` (compilerlm's extension, read back by
    ``program_from_row``), and the stdin-only ones stay in ``inputs``/``outputs`` as well."""
    visible, hidden = list(visible), list(hidden)
    row: dict[str, Any] = {
        "data_source": DATA_SOURCE,
        "prompt": [{"role": "user", "content": question}],
        "ability": "code",
        "reward_model": {"style": "rule", "ground_truth": fenced(baseline_asm)},
        "extra_info": {
            "name": name,
            "split": split,
            "index": index,
            "c_code": c_code,
            "question": question,
            "c_only_question": c_only_question,
            "answer": fenced(baseline_asm),
            "inputs": [_text(t.stdin, name) for t in visible],
            "outputs": [_expected_text(t, name) for t in visible],
            "unoptimized_assembly": baseline_asm,
            "unoptimized_compiled": baseline_binary or b"",
            "hidden_inputs": [_text(t.stdin, name) for t in hidden],
            "hidden_outputs": [_expected_text(t, name) for t in hidden],
        },
    }
    if not all(t.stdin_only for t in visible + hidden):
        extra = row["extra_info"]
        for key, tests in (("inputs", visible), ("hidden_inputs", hidden)):
            simple = [t for t in tests if t.stdin_only]
            extra[key] = [_text(t.stdin, name) for t in simple]
            extra[key.replace("inputs", "outputs")] = [_expected_text(t, name) for t in simple]
        extra["tests"] = [_test_record(t, hidden=t in hidden) for t in visible + hidden]
    return row


def _b64(data: Path | bytes | None) -> str | None:
    if data is None:
        return None
    return base64.b64encode(data if isinstance(data, bytes) else Path(data).read_bytes()).decode()


def _test_record(test: TestCase, hidden: bool) -> dict[str, Any]:
    """A test as JSON: byte contents base64-encoded (input and output files may be binary); files as lists of
    {name, content}, which parquet stores as they are (a table of names would become one struct of all)."""
    return {
        "name": (HIDDEN_PREFIX if hidden and not test.name.startswith(HIDDEN_PREFIX) else "") + test.name,
        "args": list(test.args),
        "stdin": _b64(test.stdin),
        "files": [{"name": name, "content": _b64(source)} for name, source in test.files],
        "stdout": _b64(test.expected),
        "outputs": [{"name": name, "content": _b64(content)} for name, content in test.outputs],
        "exit_code": test.exit_code,
        "timeout": test.timeout,
    }


def _from_record(record: Any, where: str) -> TestCase:
    """One test of ``extra_info.tests`` (as `_test_record` writes it), every field checked for its type."""
    if not isinstance(record, Mapping):
        raise CompilerLMError(f"{where}: extra_info.tests holds {_kind(record)}, not a test object")
    name = check_name(record.get("name"), "test name", where)
    where = f"{where}: test {name!r}"
    if "stdout" not in record:
        raise CompilerLMError(f"{where}: no 'stdout' (the expected standard output, base64)")
    args = record.get("args") or []
    if not isinstance(args, list | tuple) or not all(isinstance(a, str) for a in args):
        raise CompilerLMError(f"{where}: 'args' must be a list of strings, not {_kind(args)}")
    exit_code = record.get("exit_code") or 0
    if not isinstance(exit_code, int) or isinstance(exit_code, bool) or not 0 <= exit_code <= 255:
        raise CompilerLMError(f"{where}: 'exit_code' must be an integer 0-255, not {exit_code!r:.40}")
    timeout = record.get("timeout")
    if timeout is not None and (
        not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 0 < timeout < math.inf
    ):
        raise CompilerLMError(f"{where}: 'timeout' must be a positive number of seconds, not {timeout!r:.40}")
    return TestCase(
        name=name,
        stdin=_raw(record.get("stdin"), "stdin", where),
        expected=_raw(record["stdout"], "stdout", where),
        args=tuple(args),
        files=_named_files(record.get("files"), "files", where),
        outputs=_named_files(record.get("outputs"), "outputs", where),
        exit_code=exit_code,
        timeout=float(timeout) if timeout else None,
    )


def _raw(value: Any, what: str, where: str) -> bytes:
    """Bytes from a base64 string (nothing: empty)."""
    if value is None:
        return b""
    if not isinstance(value, str):
        raise CompilerLMError(f"{where}: {what} must be a base64 string, not {_kind(value)}")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CompilerLMError(f"{where}: {what} is not base64") from exc


def _named_files(value: Any, what: str, where: str) -> tuple[tuple[str, bytes], ...]:
    """A test's input or output files: a list of {name, content}, each name plain (it becomes a file in the
    test's working directory) and used once."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or not all(isinstance(f, Mapping) for f in value):
        raise CompilerLMError(f"{where}: '{what}' must be a list of {{name, content}} objects, not {_kind(value)}")
    files = tuple((check_name(f.get("name"), "file name", where), _raw(f.get("content"), what, where)) for f in value)
    if len({n for n, _ in files}) != len(files):
        raise CompilerLMError(f"{where}: two of its {what} have the same name")
    return files


def _text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CompilerLMError(f"{name}: a test is not UTF-8 text; verl rows store tests as strings") from exc


def _expected_text(test: TestCase, name: str) -> str:
    """A test's expected stdout as text; `make_row` is given blessed tests (its callers ran them: `run_tests`
    refuses a test without its expected output)."""
    assert test.expected is not None, f"{name}: test {test.name!r} has no expected output"
    return _text(test.expected, name)
