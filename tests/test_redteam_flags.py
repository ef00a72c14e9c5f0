"""Red-team tests for text that becomes flags of host tools: pass pipelines (a model's answer, a --library
file, a ranker file) run by opt and libLLVM, a compile database's flags and response files run by clang, and
the ranker file LightGBM reads.

Each hostile case is shown to be hostile with the real tool first where that is cheap (opt writes the file,
clang loads the plugin, LightGBM aborts), then shown contained: refused with one line naming what and why,
nothing written and nothing loaded on the host. Real opt, clang, gcc and LightGBM throughout.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from compilerlm.errors import CompilerLMError, PipelineError
from compilerlm.programs.compdb import compdb_program
from compilerlm.programs.compdb_flags import split_flags
from compilerlm.ranker.model import DEFAULT_MODEL
from compilerlm.search.strategies import BUILTIN_LIBRARY, read_library
from compilerlm.tasks.flags import parse_flags_answer, score_flags
from compilerlm.toolchain.catalogue import pass_catalogue
from compilerlm.toolchain.frontend import compile_c
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.pipelines import clang_pipeline, normalize
from compilerlm.toolchain.search_space import CLANG_RUNS, MODULE_ONLY, SEARCH_SPACE, outside_the_module

IR_KINDS = {"module": "{}", "cgscc": "cgscc({})", "function": "function({})", "loop": "function(loop-mssa({}))"}
IR_KINDS["loopnest"] = "function(loop({}))"

C_WITH_LOOPS = r"""
#include <stdio.h>
static int square(int x) { return x * x; }
int table[64];
int sum(int n) { int s = 0; for (int i = 0; i < n; i++) s += square(i) + table[i & 63]; return s; }
int (*pointer)(int) = square;
int main(int argc, char **argv) { (void)argv; printf("%d\n", sum(argc * 10) + pointer(argc)); return 0; }
"""


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def debug_ll(tmp_path_factory) -> Path:
    """Unoptimized IR with debug information (insert-gcov-profiling writes notes only for such modules)."""
    work = tmp_path_factory.mktemp("debug_ll")
    (work / "t.c").write_text(C_WITH_LOOPS)
    cmd = [llvm_tool("clang"), "-g", "-Oz", "-Xclang", "-disable-llvm-passes", "-emit-llvm", "-S", "t.c", "-o", "t.ll"]
    subprocess.run(cmd, cwd=work, check=True, capture_output=True, timeout=60)
    return work / "t.ll"


def _opt_in_empty_folder(ir: Path, pipeline: str, folder: Path) -> list[str]:
    """Run the real opt with `pipeline` in an empty folder (also its TMPDIR and HOME; no graph viewer on PATH);
    the files it left there."""
    folder.mkdir(parents=True, exist_ok=True)
    env = {"PATH": "/nonexistent", "TMPDIR": str(folder), "HOME": str(folder)}
    cmd = [llvm_tool("opt"), f"-passes={pipeline}", "-o", "/dev/null", "-"]
    subprocess.run(cmd, input=ir.read_bytes(), cwd=folder, env=env, capture_output=True, timeout=120)
    return _files(folder)


# ---------------------------------------------------------------- pipelines: passes with effects outside the module

WRITERS = [
    "debugify,insert-gcov-profiling",
    "insert-gcov-profiling",
    "dot-callgraph",
    "function(dot-cfg)",
    "function(dot-cfg-only)",
    "function(dot-dom)",
    "function(dot-dom-only)",
    "function(dot-post-dom)",
    "function(dot-post-dom-only)",
    "function(loop-mssa(dot-ddg))",
    "view-callgraph",
    "function(view-cfg)",
    "function(view-cfg-only)",
    "function(view-dom)",
    "function(view-dom-only)",
    "function(view-post-dom)",
    "function(view-post-dom-only)",
    "module(function(dot-cfg))",
    "cgscc(devirt<4>(function(dot-cfg)))",
    "function<eager-inv>(dot-cfg)",
    "module(module(insert-gcov-profiling))",
]


@pytest.mark.parametrize("pipeline", WRITERS)
def test_pipelines_that_write_files_are_refused(pipeline, debug_ll, tmp_path, subprocess_ev, monkeypatch):
    """The real opt writes a file in its working folder (.gcno, .dot) for each of these; compilerlm refuses
    the pipeline as text, with one line naming the pass, and so no evaluator runs it."""
    assert _opt_in_empty_folder(debug_ll, pipeline, tmp_path / "opt"), "opt wrote nothing: not a hostile case"
    with pytest.raises(PipelineError, match=r"pass '[\w<>-]+' is not allowed in a pipeline: .+") as info:
        normalize(pipeline)
    assert "\n" not in str(info.value)
    here = tmp_path / "compilerlm"
    here.mkdir()
    monkeypatch.chdir(here)
    result = subprocess_ev.evaluate(IRModule("t", debug_ll.read_text()), pipeline)
    assert result.error_kind == "pipeline" and "is not allowed" in result.error
    assert _files(here) == []


REFUSED = {
    "memprof-use-names-a-file": "memprof-use<profile-filename=/etc/passwd>",
    "pgo-instr-use": "pgo-instr-use",
    "sample-profile": "sample-profile",
    "pgo-instrumentation": "pgo-instr-gen,instrprof",
    "function-import": "function-import",
    "extract-blocks": "extract-blocks",
    "sanitizer": "asan",
    "memprof-runtime": "function(memprof),memprof-module",
    "crash-on-purpose": "function(trigger-crash-function)",
    "lcg-dot": "print-lcg-dot",
    "printer": "function(print<domtree>)",
    "printer-with-params": "function(print<da><normalized-results>)",
    "file-parameter-on-allowed-pass": "function(gvn<profile-filename=/tmp/x>)",
    "relative-path-parameter": "function(instcombine<max-iterations=../x>)",
    "file-name-parameter": "globalopt<module.gcno>",
    "unknown-pass": "no-such-pass",
    "machine-pass": "machine-function(dead-mi-elimination)",
    "lto-with-a-file-parameter": "lto<O2;file=/tmp/x>",
    "thinlto-pipeline": "thinlto-pre-link<O2>",
    "bad-level": "default<O2;x=/tmp/y>",
    "not-an-adaptor": "inline(insert-gcov-profiling)",
    "opt-spelling": "opt -passes='insert-gcov-profiling'",
    "p-spelling": "-p=debugify,insert-gcov-profiling",
    "double-dash-spelling": "--passes=module(insert-gcov-profiling)",
    "unicode-parameter": "function(instcombine<max-iterations=１>)",
    "deep-nesting": "function(" * 5000 + "dce" + ")" * 5000,
    "legacy-flags": "-debugify -insert-gcov-profiling",
}


@pytest.mark.parametrize("pipeline", REFUSED.values(), ids=REFUSED.keys())
def test_pipelines_outside_the_allow_list_are_refused_as_model_answers(pipeline):
    """Each is refused as text with one line; a model's answer naming it is an invalid answer with the
    reason, never run."""
    with pytest.raises(PipelineError) as info:
        normalize(pipeline)
    assert "\n" not in str(info.value)
    parsed = parse_flags_answer(pipeline if pipeline.startswith(("opt", "-")) else f"opt -p '{pipeline}'")
    assert parsed.pipeline is None and parsed.error


def test_the_users_own_size_pipeline_follows_the_same_rule(cli, tmp_path):
    """One rule for every pipeline: the evaluators cannot tell where a string came from."""
    res = cli("size", "builtin:bitcount", "--pipeline", "debugify,insert-gcov-profiling")
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.returncode == 1 and len(lines) == 1 and "'debugify' is not allowed" in lines[0], res.stderr
    assert list(tmp_path.iterdir()) == []


def test_every_catalogue_pass_that_writes_a_file_is_refused(debug_ll, tmp_path):
    """The sweep: every IR transform pass of LLVM's catalogue, alone, in an empty folder. Each that leaves a
    file there must be outside the allow-list; and the passes known to write must be among those found."""

    def run(entry: tuple[int, str, str]) -> tuple[str, list[str]]:
        i, name, kind = entry
        return name, _opt_in_empty_folder(debug_ll, IR_KINDS[kind].format(name), tmp_path / str(i))

    passes = sorted({(p.name, p.kind) for p in pass_catalogue() if not p.is_analysis and p.kind in IR_KINDS})
    with ThreadPoolExecutor(4) as pool:
        wrote = {name: files for name, files in pool.map(run, [(i, n, k) for i, (n, k) in enumerate(passes)]) if files}
    assert {"insert-gcov-profiling", "dot-cfg", "view-cfg", "dot-callgraph"} <= wrote.keys(), wrote
    assert not [name for name in wrote if outside_the_module(name) is None], wrote


def test_what_must_keep_working_is_allowed():
    """The search space, the built-in library, the shipped ranker's library and clang's own pipelines at every
    level (opt_pipeline's text) all pass; CLANG_RUNS is exactly what it claims."""
    for pipeline in (*SEARCH_SPACE, *BUILTIN_LIBRARY, *json.loads(DEFAULT_MODEL.read_text())["pipelines"]):
        normalize(pipeline)
    clang_names: set[str] = set()
    for level in ("O1", "O2", "O3", "Os", "Oz"):
        text = clang_pipeline(level)
        normalize(text)
        normalize(f"module({text})")
        clang_names |= {re.sub(r"<.*", "", w) for w in re.split(r"[(),]", text) if w}
    assert clang_names >= CLANG_RUNS


def test_allowed_passes_take_no_text_parameters():
    """LLVM's string-valued pass parameters (file names, symbol names) belong only to refused passes."""
    for info in pass_catalogue():
        if info.name in MODULE_ONLY and info.params:
            values = re.findall(r"=(\w+)", info.params)
            assert set(values) <= {"N"}, (info.name, info.params)


def test_a_hostile_model_answer_is_a_failed_candidate_not_a_failed_run(debug_ll, tmp_path, subprocess_ev, monkeypatch):
    monkeypatch.chdir(tmp_path)
    module = IRModule("t", debug_ll.read_text())
    size_oz = subprocess_ev.evaluate(module, "default<Oz>").size
    answers = ["Run opt -p 'debugify,insert-gcov-profiling' to get size 1 bytes", "-passes=default<Oz>"]
    score = score_flags(module, answers, subprocess_ev, size_oz)
    assert score.valid and score.size == size_oz
    assert not score.per_answer[0].valid and "insert-gcov-profiling" not in (score.per_answer[0].pipeline or "")
    assert "debugify" in score.per_answer[0].reason and "not allowed" in score.per_answer[0].reason
    assert _files(tmp_path) == []


# ---------------------------------------------------------------- --library files


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"default<Oz>\ndebugify,insert-gcov-profiling\n", "line 2: pass 'debugify' is not allowed"),
        (b"function(dot-cfg)\n", "line 1: pass 'dot-cfg' is not allowed"),
        (b"# a comment\nmemprof-use<profile-filename=/etc/passwd>\n", "line 2: pass 'memprof-use'"),
        (b"default<Oz>\n\xff\xfe not text\n", "not UTF-8 text (line 2"),
        (b"\x80", "not UTF-8 text (line 1"),
    ],
)
def test_library_files_are_checked_before_any_work(content, says, tmp_path):
    library = tmp_path / "lib.txt"
    library.write_bytes(content)
    with pytest.raises(CompilerLMError, match=re.escape(says)) as info:
        read_library(library)
    assert "\n" not in str(info.value)


def test_library_errors_on_the_command_line_are_one_line(cli, tmp_path):
    for content, says in [(b"debugify,insert-gcov-profiling\n", "not allowed"), (b"\xff\xfe\n", "not UTF-8")]:
        (tmp_path / "lib.txt").write_bytes(content)
        res = cli("tune", "builtin:bitcount", "--budget", "2", "--strategy", "library", "--library", "lib.txt")
        lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
        assert res.returncode == 1 and len(lines) == 1 and says in lines[0], res.stderr
        assert "Traceback" not in res.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == ["lib.txt"]  # no .gcno, no store, nothing


# ---------------------------------------------------------------- ranker files

_LOAD = """
import sys
from compilerlm.errors import CompilerLMError
from compilerlm.ranker.model import load_ranker
try:
    load_ranker(sys.argv[1])
except CompilerLMError as exc:
    print(exc)
    sys.exit(1)
print("loaded")
"""


def _edit_first_tree(text: str, old: str, new: str) -> str:
    """Replace `old` by `new` in tree 0 and correct the header's tree sizes, so that only the tree is wrong."""
    first = text.index("\nTree=0\n") + 1
    sizes = [int(s) for s in re.search(r"tree_sizes=([^\n]*)", text)[1].split()]
    tree = text[first : first + sizes[0]]
    assert old in tree
    edited = tree.replace(old, new, 1)
    sizes[0] = len(edited)
    header = re.sub(r"tree_sizes=[^\n]*", "tree_sizes=" + " ".join(map(str, sizes)), text[:first])
    return header + edited + text[first + len(tree) :]


def _damaged_booster(text: str, how: str) -> str:
    """The shipped model's LightGBM text, damaged as `how` says."""
    first = text.index("\nTree=0\n") + 1
    damages = {
        "cut-5%": lambda: text[: len(text) // 20],
        "cut-50%": lambda: text[: len(text) // 2],
        "cut-99%": lambda: text[: len(text) * 99 // 100],
        "cut-in-parameters": lambda: text[: text.index("end of parameters")],
        "header-only": lambda: text[:first],
        "tree-sizes-too-large": lambda: re.sub(r"tree_sizes=(\d+)", lambda m: f"tree_sizes={int(m[1]) + 900}", text),
        "tree-sizes-too-small": lambda: re.sub(r"tree_sizes=(\d+)", lambda m: f"tree_sizes={int(m[1]) - 40}", text),
        "newline-in-parameters": lambda: text.replace("[two_round: 0]", "[two_roun\nd: 0]"),
        "cyclic-tree": lambda: _edit_first_tree(text, "left_child=-1 2 3", "left_child=-1 1 3"),
        "split-on-missing-input": lambda: _edit_first_tree(text, "split_feature=138 ", "split_feature=99999 "),
        "short-leaf-values": lambda: _edit_first_tree(text, "leaf_value=0.0078317111090944816 ", "leaf_value="),
        "line-without-equals": lambda: _edit_first_tree(text, "\nnum_cat=2\n", "\nnum_cat=2\nnum_cat\n"),
        "nul-byte": lambda: _edit_first_tree(text, "num_leaves=15", "num_leaves=15\0"),
        "two-classes": lambda: text.replace("num_class=1", "num_class=2", 1),
        "category-set-missing": lambda: _edit_first_tree(text, "threshold=0 ", "threshold=7 "),
    }
    return damages[how]()


BOOSTER_DAMAGE = [
    "cut-5%",
    "cut-50%",
    "cut-99%",
    "cut-in-parameters",
    "header-only",
    "tree-sizes-too-large",
    "tree-sizes-too-small",
    "newline-in-parameters",
    "cyclic-tree",
    "split-on-missing-input",
    "short-leaf-values",
    "line-without-equals",
    "nul-byte",
    "two-classes",
    "category-set-missing",
]


@pytest.mark.parametrize(  # each case starts the command line: three in the default suite, the rest in CI's slow run
    "how",
    [
        h if h in ("cut-50%", "cyclic-tree", "nul-byte") else pytest.param(h, marks=pytest.mark.slow)
        for h in BOOSTER_DAMAGE
    ],
)
def test_damaged_ranker_models_are_one_line_not_an_abort(how, tmp_path):
    """Each damaged file is refused with one line and exit code 1; LightGBM never sees the text (it would
    abort with 134, crash with 139, load nothing or loop)."""
    doc = json.loads(DEFAULT_MODEL.read_text())
    damaged = _damaged_booster(doc["booster"], how)
    assert damaged != doc["booster"], "the damage changed nothing"
    path = tmp_path / "ranker.json"
    path.write_text(json.dumps({**doc, "booster": damaged}))
    res = subprocess.run([sys.executable, "-c", _LOAD, str(path)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 1, (res.returncode, res.stdout[-500:], res.stderr[-500:])
    assert res.stdout.count("\n") == 1 and "its LightGBM model does not load" in res.stdout
    assert "[LightGBM]" not in res.stdout + res.stderr


@pytest.mark.parametrize("how", ["cut-50%", "newline-in-parameters"])
def test_lightgbm_itself_dies_on_those_models(how):
    """Why the check exists: handed the damaged text, LightGBM kills the process (not an exception)."""
    doc = json.loads(DEFAULT_MODEL.read_text())
    code = (
        "import sys, numpy, lightgbm\n"
        "b = lightgbm.Booster(model_str=sys.stdin.read())\n"
        "x = numpy.zeros((4, b.num_feature()))\nb.predict(x)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], input=_damaged_booster(doc["booster"], how), text=True,
                         capture_output=True, timeout=120)  # fmt: skip
    assert res.returncode < 0 or res.returncode in (134, 139), (res.returncode, res.stderr[-300:])


@pytest.mark.parametrize(
    "pipeline", ["debugify,insert-gcov-profiling", "function(dot-cfg)", "memprof-use<profile-filename=/etc/passwd>"]
)
def test_ranker_files_with_hostile_pipelines_are_refused(pipeline, tmp_path):
    doc = json.loads(DEFAULT_MODEL.read_text())
    doc["pipelines"][3] = pipeline
    path = tmp_path / "ranker.json"
    path.write_text(json.dumps(doc))
    res = subprocess.run([sys.executable, "-c", _LOAD, str(path)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 1 and "pipeline 3: pass" in res.stdout and "is not allowed" in res.stdout, res.stdout


# ---------------------------------------------------------------- compile databases


@pytest.fixture(scope="module")
def plugin(tmp_path_factory) -> tuple[Path, Path]:
    """A shared library that writes a marker file when anything loads it: (library, marker)."""
    work = tmp_path_factory.mktemp("plugin")
    marker = work / "loaded.marker"
    (work / "evil.c").write_text(
        "#include <stdio.h>\n__attribute__((constructor)) static void on_load(void) {\n"
        f'    FILE *f = fopen("{marker}", "w"); if (f) {{ fputs("loaded", f); fclose(f); }}\n}}\n'
    )
    cmd = ["gcc", "-shared", "-fPIC", "evil.c", "-o", "evil.so"]
    subprocess.run(cmd, cwd=work, check=True, capture_output=True, timeout=60)
    return work / "evil.so", marker


def _project(root: Path, flags: list[str], files: dict[str, str] | None = None, units: int = 1) -> Path:
    """A project folder with `units` C files and a compile database passing `flags` to each; the database."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in (files or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    entries = []
    for i in range(units):
        (root / f"u{i}.c").write_text(f"int u{i}(int x) {{ return x * {i + 2}; }}\n")
        args = ["cc", "-O2", "-c", f"u{i}.c", "-o", f"u{i}.o", *flags]
        entries.append({"directory": str(root), "file": f"u{i}.c", "arguments": args})
    db = root / "compile_commands.json"
    db.write_text(json.dumps(entries))
    return db


def _dropped_lines(err: str) -> list[str]:
    return [ln for ln in err.splitlines() if ln.startswith("compilerlm: ") and "dropped from its compile" in ln]


PLUGIN_FORMS = {
    "fplugin": (["-fplugin={so}"], {}),
    "fplugin-separate": (["-fplugin", "{so}"], {}),
    "fpass-plugin": (["-fpass-plugin={so}"], {}),
    "xclang-load": (["-Xclang", "-load", "-Xclang", "{so}"], {}),
    "wp-fplugin": (["-Wp,-fplugin={so}"], {}),
    "response-file": (["@plugin.rsp"], {"plugin.rsp": "-fplugin={so}\n"}),
    "response-file-xclang": (["@flags/load.rsp"], {"flags/load.rsp": "-Xclang -load -Xclang '{so}'\n"}),
    "nested-response-file": (["@outer.rsp"], {"outer.rsp": "-DX=1 @inner.rsp\n", "inner.rsp": "-fpass-plugin={so}"}),
    "response-file-cycle": (["@a.rsp"], {"a.rsp": "@b.rsp -fplugin={so}", "b.rsp": "@a.rsp"}),
}


@pytest.mark.parametrize("form", PLUGIN_FORMS.keys())
def test_compile_database_plugins_are_never_loaded(form, plugin, tmp_path, capsys):
    """The plugin would run in clang on the host (shown for the forms clang itself takes); through compilerlm,
    reading the database, probing its flags and compiling every unit, it never loads, and the dropped flags
    are named on one line."""
    library, marker = plugin
    flags, files = PLUGIN_FORMS[form]
    flags = [f.replace("{so}", str(library)) for f in flags]
    files = {k: v.replace("{so}", str(library)) for k, v in files.items()}
    db = _project(tmp_path / "proj", flags, files)
    if form not in ("fplugin-separate", "response-file-cycle", "wp-fplugin"):
        clang = [llvm_tool("clang"), "-Oz", "-Xclang", "-disable-llvm-passes", "-emit-llvm", "-S", "u0.c", "-o", "-"]
        subprocess.run([*clang, *flags], cwd=db.parent, capture_output=True, timeout=60)
        assert marker.exists(), "clang did not load the plugin: not a hostile case"
        marker.unlink()
    program = compdb_program(db)
    modules = program.modules()
    assert len(modules) == 1 and not marker.exists()
    assert not any(str(library) in f for u in program.units for f in u.flags)
    lines = _dropped_lines(capsys.readouterr().err)
    assert len(lines) == 1 and str(db) in lines[0]
    assert ("plugin" in lines[0] or "-load" in lines[0]) and "\n" not in lines[0]


@pytest.mark.parametrize("how", ["absolute", "traversal", "symlink"])
def test_response_files_outside_the_project_are_not_read(how, plugin, tmp_path, capsys):
    library, marker = plugin
    outside = tmp_path / "outside.rsp"
    outside.write_text(f"-fplugin={library} -DFROM_OUTSIDE=1\n")
    root = tmp_path / "proj"
    root.mkdir()
    arg = {"absolute": f"@{outside}", "traversal": "@../outside.rsp", "symlink": "@inside.rsp"}[how]
    if how == "symlink":
        (root / "inside.rsp").symlink_to(outside)
    db = _project(root, [arg])
    program = compdb_program(db)
    program.modules()
    assert not marker.exists() and not any("FROM_OUTSIDE" in f for u in program.units for f in u.flags)
    (line,) = _dropped_lines(capsys.readouterr().err)
    assert f"{arg} (outside the project)" in line


WRITING_FLAGS = {
    "ftime-trace": (["-ftime-trace"], True),
    "ftime-trace-file": (["-ftime-trace=trace.json"], True),
    "fproc-stat-report": (["-fproc-stat-report=stat.txt"], True),
    "save-temps": (["-save-temps"], True),
    "save-temps-obj": (["-save-temps=obj"], True),
    "serialize-diagnostics": (["--serialize-diagnostics", "diag.dia"], True),
    "MJ": (["-MJ", "fragment.json"], True),
    "MJ-joined": (["-MJfragment.json"], True),
    "fsave-optimization-record": (["-fsave-optimization-record"], True),
    "foptimization-record-file": (["-foptimization-record-file=rec.yaml"], True),
    "fprofile-generate": (["-fprofile-generate=prof"], False),
    "fprofile-instr-generate": (["-fprofile-instr-generate=x.profraw"], False),
    "fcoverage": (["-fprofile-arcs", "-ftest-coverage"], False),
    "fcrash-diagnostics-dir": (["-fcrash-diagnostics-dir=crash"], False),
    "fmodules-cache": (["-fmodules", "-fmodules-cache-path=cache"], False),
    "fstack-usage": (["-fstack-usage"], False),
    "mllvm": (["-mllvm", "-stats-file=stats.json"], False),
    "xclang-cc1-output": (["-Xclang", "-dependency-file", "-Xclang", "dep.d"], False),
    "fsanitize": (["-fsanitize=address"], False),
    "response-file-with-writer": (["@w.rsp"], False),
}


@pytest.mark.parametrize("name", WRITING_FLAGS.keys())
def test_compile_database_flags_that_write_files_are_dropped(name, tmp_path, capsys, monkeypatch):
    """Each flag writes a file (shown with real clang where it does so on a frontend run) or makes the build
    write one; through compilerlm none is passed, nothing appears in the project or the working folder, and
    the flag is named once."""
    flags, writes_now = WRITING_FLAGS[name]
    files = {"w.rsp": "-ftime-trace=from-rsp.json -fproc-stat-report=rsp.txt\n"}
    db = _project(tmp_path / "proj", flags, files)
    if writes_now:
        clang = [llvm_tool("clang"), "-Oz", "-Xclang", "-disable-llvm-passes", "-emit-llvm", "-S", "u0.c", "-o", "-"]
        probe = tmp_path / "probe"
        probe.mkdir()
        (probe / "u0.c").write_text("int f(void) { return 1; }\n")
        subprocess.run([*clang, *flags], cwd=probe, capture_output=True, timeout=60)
        assert len(_files(probe)) > 1, "clang wrote nothing: not a hostile case"
    before = _files(db.parent)
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)
    program = compdb_program(db)
    program.modules()
    assert _files(db.parent) == before and _files(here) == []
    kept = {f for u in program.units for f in u.flags}
    assert not kept & {*flags, "-ftime-trace=from-rsp.json"}, kept
    (line,) = _dropped_lines(capsys.readouterr().err)
    assert flags[0] in line or name.startswith("response")


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["-fplugin=/x/evil.so"] * 2, "-fplugin=/x/evil.so"),
        (["-Xclang", "-load", "-Xclang", "/x/evil.so"], "-Xclang -load"),
    ],
)
def test_dropped_flags_are_named_once_per_database_not_per_unit(flags, named, tmp_path, capsys):
    db = _project(tmp_path / "proj", flags, units=3)
    assert len(compdb_program(db).units) == 3
    (line,) = _dropped_lines(capsys.readouterr().err)
    assert line.count(named) == 1


def test_unprintable_flags_are_named_escaped(tmp_path, capsys):
    db = _project(tmp_path / "proj", ["-fplugin=\x1b[2J\x1b[Hall tests passed.so"])
    compdb_program(db)
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[2J" in err


def test_an_ordinary_build_drops_nothing_worth_naming(tmp_path, capsys):
    """Debian's default flags, CMake's and autotools' usual ones: kept or dropped silently, no line."""
    args = "cc -g -O2 -ffile-prefix-map=/build/x=. -fstack-protector-strong -fstack-clash-protection -Wformat"
    args += " -Werror=format-security -fcf-protection -Wdate-time -D_FORTIFY_SOURCE=2 -fPIE -std=gnu99 -pipe"
    args += " -DHAVE_CONFIG_H -I. -I.. -MT x.o -MD -MP -MF .deps/x.Tpo -c -o x.o x.c -flto=auto -ffat-lto-objects"
    kept, dropped = split_flags(args.split(), tmp_path)
    assert dropped == ()
    assert "-fstack-protector-strong" in kept and "-D_FORTIFY_SOURCE=2" in kept and "-std=gnu99" in kept
    db = _project(tmp_path / "proj", [a for a in args.split()[1:] if a != "x.c"])
    compdb_program(db)
    assert _dropped_lines(capsys.readouterr().err) == []


def test_frontend_of_compile_database_units_never_sees_dropped_flags(tmp_path):
    """The module compiled from a unit carries the defines the database gave, and no trace of the rest."""
    db = _project(tmp_path / "proj", ["-DSCALE=7919", "-fplugin=/nonexistent/evil.so", "-ftime-trace"])
    (tmp_path / "proj" / "u0.c").write_text("int f(int x) { return x * SCALE; }\n")
    (module,) = compdb_program(db).modules()
    assert "7919" in module.ir
    assert module.content_key == compile_c(tmp_path / "proj" / "u0.c", "u0.c", ["-DSCALE=7919"]).content_key
