"""`compilerlm data`: datasets built with the real compiler, written as parquet and read back; splits by
program (never one program on both sides), dedup by IR, token-length filter, SuperCoder rows."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compilerlm.data import load_splits, read_meta, split_programs
from compilerlm.data.build import DataConfig, build_dataset
from compilerlm.data.splits import dedup
from compilerlm.data.tokens import load_tokenizer, model_ref
from compilerlm.errors import CompilerLMError
from compilerlm.programs.suites import resolve_target
from compilerlm.programs.supercoder import program_from_row
from compilerlm.registry.disasm import DisasmDataConfig
from compilerlm.registry.emulate import EmulateDataConfig
from compilerlm.registry.flags import FlagsDataConfig
from compilerlm.registry.speed import AsmDataConfig
from compilerlm.sandbox import run_sandboxed
from compilerlm.speed.build import baseline_assembly
from compilerlm.speed.prompt import ASM_PROMPT
from compilerlm.tasks.disasm import prepare_disasm, score_disasm
from compilerlm.tasks.emulate import EMULATE_IR_PROMPT, parse_emulation_answer
from compilerlm.tasks.flags import flags_prompt, parse_flags_answer
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.search_space import SEARCH_SPACE
from compilerlm.tracks.size import SIZE_SEARCH, TuneRequest, tune_target

# Small single-file programs with tests (outputs blessed from their gcc -O0 build below). sumsq clamps its input
# so differential mutants stay fast; it runs ~15-40 ms at -O0, long enough to time against -O3.
PROGRAMS = {
    "sumsq": (
        '#include <stdio.h>\nint main(void) {\n    long n = 0;\n    if (scanf("%ld", &n) != 1) return 1;\n'
        "    if (n < 0 || n > 20000000) n = 20000000;\n    unsigned long acc = 0;\n"
        "    for (long i = 0; i < n; i++) acc += (unsigned long)(i * i) ^ (acc >> 3);\n"
        '    printf("%lu\\n", acc);\n    return 0;\n}\n',
        ["12000000", "15000000", "10000000", "14000000"],
    ),
    "fib": (
        '#include <stdio.h>\nint main(void) {\n    int n = 0;\n    if (scanf("%d", &n) != 1) return 1;\n'
        "    unsigned a = 0, b = 1;\n    for (int i = 0; i < n; i++) { unsigned t = a + b; a = b; b = t; }\n"
        '    printf("%u\\n", a);\n    return 0;\n}\n',
        ["10", "20", "30", "40"],
    ),
    "rev": (
        "#include <stdio.h>\n#include <string.h>\nint main(void) {\n    char buf[256];\n"
        "    while (fgets(buf, sizeof buf, stdin)) {\n"
        '        size_t n = strcspn(buf, "\\n");\n        for (size_t i = n; i > 0; i--) putchar(buf[i - 1]);\n'
        "        putchar('\\n');\n    }\n    return 0;\n}\n",
        ["abc\n", "hello world\n", "x\ny\n", "racecar\n"],
    ),
    "count": (
        "#include <stdio.h>\nint main(void) {\n    int c, lines = 0, chars = 0;\n"
        "    while ((c = getchar()) != EOF) { chars++; if (c == '\\n') lines++; }\n"
        '    printf("%d %d\\n", lines, chars);\n    return 0;\n}\n',
        ["a\nb\n", "", "hello\n", "1\n2\n3\n"],
    ),
}


def write_program(folder: Path, sources: dict[str, str], inputs: list[str]) -> Path:
    """A program folder with tests whose expected outputs come from its gcc -O0 build."""
    (folder / "tests").mkdir(parents=True, exist_ok=True)
    for name, code in sources.items():
        (folder / name).write_text(code)
    exe = folder / "ref.bin"
    subprocess.run(["gcc", "-O0", *[str(folder / n) for n in sources], "-o", str(exe)], check=True)
    for i, stdin in enumerate(inputs):
        out = subprocess.run([str(exe)], input=stdin.encode(), capture_output=True, check=True).stdout
        (folder / "tests" / f"{i}.in").write_text(stdin)
        (folder / "tests" / f"{i}.out").write_bytes(out)
    exe.unlink()
    return folder


def make_suite(root: Path, names: tuple[str, ...] = tuple(PROGRAMS)) -> Path:
    for name in names:
        code, inputs = PROGRAMS[name]
        write_program(root / name, {"main.c": code}, inputs)
    return root


@pytest.fixture(scope="module")
def suite(tmp_path_factory) -> Path:
    """The four programs, a copy of fib under another name (same IR once file names are dropped: a duplicate)
    and a two-file program (no asm row: the asm task takes one C file)."""
    root = make_suite(tmp_path_factory.mktemp("suite"))
    shutil.copytree(root / "fib", root / "fib_copy")
    write_program(
        root / "twofile",
        {"main.c": '#include <stdio.h>\nint twice(int);\nint main(void) { printf("%d\\n", twice(21)); }\n',
         "lib.c": "int twice(int x) { return 2 * x; }\n"},
        ["", "x"],
    )  # fmt: skip
    return root


def _rows(folder: Path) -> dict[str, list[dict]]:
    return {name: ds.to_list() for name, ds in load_splits(folder).items()}


def _assert_split_by_program(rows: dict[str, list[dict]], program_of=lambda r: r["program"]) -> None:
    train = {program_of(r) for r in rows["train"]}
    validation = {program_of(r) for r in rows["validation"]}
    assert train and validation and not train & validation


# --- splits and dedup ----------------------------------------------------------------------------------


def test_split_is_by_name_deterministic_and_seeded():
    names = [f"p{i}" for i in range(40)]
    split = split_programs(names, 0.25, seed=0)
    assert split == split_programs(list(reversed(names)), 0.25, seed=0)  # order does not matter
    assert sum(s == "validation" for s in split.values()) == 10
    assert split != split_programs(names, 0.25, seed=1)
    assert list(split_programs(["a", "b"], 0.01).values()).count("validation") == 1  # at least one held out
    assert set(split_programs(["a"], 0.5).values()) == {"train"}  # a single program trains
    with pytest.raises(CompilerLMError, match="unique"):
        split_programs(["a", "a"], 0.5)
    with pytest.raises(CompilerLMError, match="validation"):
        split_programs(names, 1.0)


def test_dedup_keeps_the_first_of_each_key():
    rows = [{"k": "x", "i": 0}, {"k": "y", "i": 1}, {"k": "x", "i": 2}]
    kept, dropped = dedup(rows, key=lambda r: r["k"])
    assert [r["i"] for r in kept] == [0, 1] and dropped == 1


# --- LLM Compiler tasks ----------------------------------------------------------------------------------


@pytest.mark.slow  # labels by verified tune runs; test_data_command_line builds flags rows by default
def test_flags_dataset_labels_are_verified_parse_back_and_dedup(suite, tmp_path):
    store = tmp_path / "tune.sqlite"
    config = DataConfig(str(suite), str(tmp_path / "flags"), validation=0.3, seed=3)
    report = build_dataset("flags", config, FlagsDataConfig(store=str(store), budget=20, jobs=2, tuner=SIZE_SEARCH))
    rows = _rows(tmp_path / "flags")
    everything = rows["train"] + rows["validation"]
    # 6 programs, 7 modules; fib_copy's module is fib's once source names are dropped: one row fewer
    assert report.duplicates == 1 and len(everything) == 6
    assert len({r["program"] for r in everything} & {"fib", "fib_copy"}) == 1
    _assert_split_by_program(rows)
    meta = read_meta(tmp_path / "flags")
    assert meta["task"] == "flags" and meta["splits"] == report.rows
    assert not set(meta["programs"]["train"]) & set(meta["programs"]["validation"])
    for row in everything:
        assert row["prompt"] == flags_prompt(row["ir"])
        parsed = parse_flags_answer(row["completion"])
        assert parsed.pipeline == row["pipeline"] and parsed.predicted_size == row["size"]
        assert row["size"] <= row["size_oz"] and row["verified"]
        assert row["completion"].rstrip().endswith("</code>")
        assert resolve_target(row["program_target"])[0].name == row["program"]
    assert any(r["size"] < r["size_oz"] for r in everything)  # the tuner found something below -Oz

    # the same labels again from the store alone (no tuning), e.g. after `compilerlm tune --store`
    again = build_dataset(
        "flags", DataConfig(str(suite), str(tmp_path / "again"), 0.3, 3), FlagsDataConfig(store=str(store))
    )
    assert again.rows == report.rows and _rows(tmp_path / "again") == rows

    # the labels' search is tune's (the same auto, model first, run key): tune with the same settings resumes it
    doc = tune_target(str(suite), TuneRequest(budget=20, store=store, jobs=2))
    modules = doc["modules"]
    assert len(modules) == 7 and all(m["resumed"] for m in modules)
    assert any(m["model_pipelines"] for m in modules)  # auto asked the shipped ranker first, as tune does


def test_emulate_dataset_pairs_are_real_opt_output(suite, tmp_path):
    config = DataConfig(f"dir:{suite}", str(tmp_path / "em"), validation=0.3)
    report = build_dataset("emulate", config, EmulateDataConfig(per_module=2, jobs=2))
    rows = _rows(tmp_path / "em")
    _assert_split_by_program(rows)
    assert sum(report.rows.values()) == len(rows["train"]) + len(rows["validation"]) > 0
    head = EMULATE_IR_PROMPT.split("{passes}")[0]
    for row in rows["train"] + rows["validation"]:
        assert row["prompt"].startswith(head) and f"opt -p '{row['pipeline']}'" in row["prompt"]
        elements = _elements(row["pipeline"])
        assert 1 <= len(elements) <= 50 and all(e in SEARCH_SPACE for e in elements)
        parsed = parse_emulation_answer(row["completion"])
        assert parsed.code.startswith("; ModuleID") and parsed.size and parsed.instructions


def _elements(pipeline: str) -> list[str]:
    from compilerlm.toolchain.pipelines import split_top_level

    return split_top_level(pipeline)


def test_disasm_dataset_round_trips_through_llc(suite, tmp_path):
    build_dataset("disasm", DataConfig(str(suite), str(tmp_path / "dis"), 0.3), DisasmDataConfig(jobs=2))
    rows = _rows(tmp_path / "dis")
    _assert_split_by_program(rows)
    by_module = {m.name: m for p in resolve_target(str(suite)) for m in p.modules()}
    for row in rows["train"] + rows["validation"]:
        item = prepare_disasm(by_module[row["module"]])
        assert row["prompt"] == item.prompt
        assert score_disasm(item, row["completion"]).round_trip  # the label compiles back to the input


# --- the speed task -----------------------------------------------------------------------------------


def test_asm_dataset_is_supercoder_rows_with_hidden_tests_apart(suite, tmp_path):
    """Every field SuperCoder's own reward reads is there, as it reads it: its binary `unoptimized_compiled` is
    written to a file and run on each input (here in the sandbox), and must print the expected output."""
    report = build_dataset("asm", DataConfig(str(suite), str(tmp_path / "asm"), 0.3), AsmDataConfig(visible=2))
    assert report.skipped == {"twofile": "not a single C file"}
    rows = _rows(tmp_path / "asm")
    _assert_split_by_program(rows, lambda r: r["extra_info"]["name"])
    programs = {p.name: p for p in resolve_target(str(suite))}
    for split, split_rows in rows.items():
        assert [r["extra_info"]["index"] for r in split_rows] == list(range(len(split_rows)))
        for row in split_rows:
            info, program = row["extra_info"], programs[row["extra_info"]["name"]]
            assert row["data_source"] and info["split"] == split and row["reward_model"]["style"] == "rule"
            assert row["ability"] == "code"
            asm = baseline_assembly(program)
            assert info["unoptimized_assembly"] == asm  # what SuperCoder times against, bare
            assert row["reward_model"]["ground_truth"] == info["answer"] == f"```assembly\n{asm}```"  # as released
            [message] = row["prompt"]
            assert message["role"] == "user" and message["content"] == info["question"]
            assert message["content"].startswith(ASM_PROMPT.split("{c_code}")[0])
            assert info["c_code"] in message["content"] and asm in message["content"]
            assert info["c_only_question"].startswith("Given the following C code, your task")
            assert info["c_code"] in info["c_only_question"] and asm not in info["c_only_question"]
            assert len(info["inputs"]) == 2 and len(info["hidden_inputs"]) == len(program.tests) - 2
            assert all(isinstance(x, str) for x in info["inputs"] + info["outputs"])
            shown = sorted(info["inputs"] + info["hidden_inputs"])
            assert shown == sorted(t.stdin.decode() for t in program.tests)
            binary = tmp_path / "unopt.bin"
            binary.write_bytes(info["unoptimized_compiled"])
            binary.chmod(0o755)
            for stdin, expected in zip(info["inputs"], info["outputs"], strict=True):
                assert run_sandboxed(binary, stdin.encode(), expected=expected.encode()).ok
            back = program_from_row(row, 0, tmp_path / "cache")  # the row is a program again, tests and all
            assert sorted(t.expected for t in back.tests) == sorted(t.expected for t in program.tests)
            assert back.baseline_asm == asm
            bare = {**row, "extra_info": {k: v for k, v in info.items() if k != "unoptimized_assembly"}}
            assert program_from_row(bare, 0, tmp_path / "cache").baseline_asm == asm  # from the fenced ground truth


# --- token-length filter and errors -------------------------------------------------------------------------


def test_token_filter_drops_rows_longer_than_the_model_takes(suite, tmp_path, tiny_model_dir):
    tokenizer = load_tokenizer(f"hf:{tiny_model_dir}")
    full = build_dataset("disasm", DataConfig(str(suite), str(tmp_path / "all"), 0.3), DisasmDataConfig())
    lengths = sorted(
        len(tokenizer(r["prompt"] + r["completion"])["input_ids"]) for s in _rows(tmp_path / "all").values() for r in s
    )
    limit = lengths[len(lengths) // 2]
    config = DataConfig(str(suite), str(tmp_path / "short"), 0.3, tokenizer=f"hf:{tiny_model_dir}", max_tokens=limit)
    short = build_dataset("disasm", config, DisasmDataConfig())
    kept = [r for s in _rows(tmp_path / "short").values() for r in s]
    assert short.too_long == sum(n > limit for n in lengths) > 0
    assert len(kept) == sum(full.rows.values()) - short.too_long
    assert all(len(tokenizer(r["prompt"] + r["completion"])["input_ids"]) <= limit for r in kept)


def test_bad_input_is_one_line_error(tmp_path, suite):
    with pytest.raises(CompilerLMError, match="--store FILE and/or --budget N"):
        build_dataset("flags", DataConfig(str(suite), str(tmp_path / "x")), FlagsDataConfig())
    with pytest.raises(CompilerLMError, match="--tokenizer SPEC and --max-tokens N"):
        build_dataset("disasm", DataConfig(str(suite), str(tmp_path / "x"), max_tokens=10), DisasmDataConfig())
    with pytest.raises(CompilerLMError, match="not a dataset folder"):
        load_splits(tmp_path / "missing")
    with pytest.raises(CompilerLMError, match="transformers model"):
        model_ref("openai:http://localhost:8000/v1#m")
    with pytest.raises(CompilerLMError, match="fits the asm task"):
        build_dataset("asm", DataConfig(str(suite / "twofile"), str(tmp_path / "x")), AsmDataConfig())


def test_data_command_line(suite, tmp_path):
    """Through the real `compilerlm` entry point: a dataset written, then a bad call as one line, exit 1."""
    out = tmp_path / "cli-dis"
    cmd = [sys.executable, "-m", "compilerlm.cli", "data"]
    ok = subprocess.run([*cmd, "disasm", "--suite", str(suite), "--out", str(out)],
                        capture_output=True, text=True, timeout=300)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "wrote disasm dataset" in ok.stdout and json.loads((out / "dataset.json").read_text())["task"] == "disasm"
    bad = subprocess.run([*cmd, "flags", "--suite", str(suite), "--out", str(tmp_path / "y")],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert bad.returncode == 1 and "--budget" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_ir_dedup_ignores_file_names():
    """Why fib_copy is a duplicate of fib: the dedup key drops what names the source file."""
    from compilerlm.tasks.base import content_hash
    from compilerlm.tasks.common import normalize_ir

    a = IRModule("a", "; ModuleID = 'a.c'\nsource_filename = \"a.c\"\ndefine i32 @f() {\n  ret i32 0\n}\n")
    b = IRModule("b", "; ModuleID = 'b.c'\nsource_filename = \"b.c\"\ndefine i32 @f() {\n  ret i32 0\n}\n")
    assert a.key != b.key and content_hash(normalize_ir(a.ir)) == content_hash(normalize_ir(b.ir))
