"""A tune result is reproducible as printed: `opt_pipeline` through real `opt | llc` processes and the `reproduce`
shell command give the reported size byte for byte; identical modules of different programs are searched once;
the definitions say what PIC means."""

from __future__ import annotations

import shlex
import subprocess
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest

from compilerlm.programs.program import Program
from compilerlm.search.runner import TuneJob, tune_jobs
from compilerlm.search.tune import TuneConfig, ir_file, object_file, reproduction, tune_program
from compilerlm.toolchain.baselines import DEFINITIONS
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.objsize import object_size
from compilerlm.toolchain.pipelines import OZ_PIPELINE

# the code generation of docs/design.md, written out here rather than taken from compilerlm
OPT = ("-relocation-model=pic",)
LLC = ("-O2", "-relocation-model=pic", "-filetype=obj")


def plain_opt_llc(ir: str, opt_pipeline: str) -> bytes:
    """`opt -relocation-model=pic -passes='<opt_pipeline>' | llc -O2 -relocation-model=pic -filetype=obj`."""
    optimized = subprocess.run(
        [llvm_tool("opt"), *OPT, f"-passes={opt_pipeline}", "-", "-o", "-"],
        input=ir.encode(),
        capture_output=True,
        check=True,
    ).stdout
    return subprocess.run(
        [llvm_tool("llc"), *LLC, "-", "-o", "-"], input=optimized, capture_output=True, check=True
    ).stdout


def run_reproduce(tmp_path, name: str, ir: str, command: str) -> bytes:
    """The `reproduce` line run by `sh -c` in a fresh folder holding only the module's unoptimized IR."""
    folder = tmp_path / name.replace("/", "_")
    folder.mkdir()
    (folder / ir_file(name)).write_text(ir)
    subprocess.run(["sh", "-c", command], cwd=folder, check=True, capture_output=True)
    return (folder / object_file(name)).read_bytes()


@pytest.mark.slow  # about 40 s on 2 cores: every module's reported pipeline rebuilt; CI runs it
def test_reported_pipelines_reproduce_with_plain_opt_and_llc(programs, modules, inprocess, tmp_path):
    """Every fourth built-in module (about 14, from multi-file programs too), tuned with a small budget: the
    printed opt_pipeline and reproduce command give exactly the reported size, searched and -Oz results alike."""
    sample = modules[::4]
    by_program: dict[str, list] = defaultdict(list)
    for m in sample:
        by_program[m.name.split("/")[0]].append(m)
    config = TuneConfig(strategy="random", budget=5, verify=False)
    results = []
    for program in programs:
        if by_program.get(program.name):
            results += tune_program(program, by_program[program.name], None, config, inprocess)
    assert {r.source for r in results} == {"search", "Oz"}, "the sample should cover both kinds of result"
    ir_of = {m.name: m.ir for m in sample}

    def check(r):
        assert r.opt_pipeline and "default<" not in r.opt_pipeline  # every default<O?> spelled out
        obj = plain_opt_llc(ir_of[r.name], r.opt_pipeline)
        assert object_size(obj).size == r.size, (r.name, r.pipeline)
        assert shlex.quote(f"-passes={r.opt_pipeline}") in r.reproduce
        assert run_reproduce(tmp_path, r.name, ir_of[r.name], r.reproduce) == obj, r.name

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(check, results))
    oz = [r for r in results if r.source == "Oz"]
    assert len({r.opt_pipeline for r in oz}) == 1 and oz[0].opt_pipeline == reproduction("x", OZ_PIPELINE)[0]


def test_the_issues_pipeline_reproduces(modules, inprocess, tmp_path):
    """`default<Oz>,function(gvn-hoist)`: plain `opt -passes='default<Oz>,…'` is another pipeline (opt's
    default<Oz> is not clang's); the opt_pipeline text gives what compilerlm measured."""
    pipeline = "default<Oz>,function(gvn-hoist)"
    checked = [m for m in modules if m.name in ("regex_nfa", "lisp/eval.c", "huffman/heap.c")]
    assert checked
    for m in checked:
        text, command = reproduction(m.name, pipeline)
        [measured] = inprocess.evaluate_many([(m, pipeline)])
        assert object_size(plain_opt_llc(m.ir, text)).size == measured.size
        assert object_size(run_reproduce(tmp_path, m.name, m.ir, command)).size == measured.size


def test_empty_pipeline_reproduces_with_llc_alone(modules, inprocess, tmp_path):
    m = modules[0]
    text, command = reproduction(m.name, "")
    assert text == "" and "|" not in command and shlex.split(command)[0].endswith("llc")
    [measured] = inprocess.evaluate_many([(m, "")])
    assert object_size(run_reproduce(tmp_path, m.name, m.ir, command)).size == measured.size


def _two_programs_of_one_module(modules, tmp_path) -> list[TuneJob]:
    """Programs `first` and `second`, each of one IR file, byte for byte huffman/heap.c's unoptimized IR."""
    ir = next(m for m in modules if m.name == "huffman/heap.c").ir
    programs = []
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "heap.ll").write_text(ir)
        programs.append(Program(name, (tmp_path / name / "heap.ll",)))
    return [TuneJob(p, p.modules(), None) for p in programs]


def test_identical_modules_of_different_programs_are_searched_once(modules, tmp_path):
    """Two programs whose IR files are byte for byte the same (same module key): the second reuses the first's
    search (nothing compiled, `same_ir_as`) and reports the same outcome; both come back, in job order."""
    jobs = _two_programs_of_one_module(modules, tmp_path)
    assert jobs[0].modules[0].key == jobs[1].modules[0].key
    config = TuneConfig(strategy="random", budget=12, verify=False)
    first, second = tune_jobs(jobs, config, workers=1)
    assert (first.name, second.name) == ("first", "second") and second.program == "second"
    assert first.compiled > 0 and first.same_ir_as == ""
    assert second.compiled == 0 and second.same_ir_as == "first" and second.seconds == 0.0
    same = ("pipeline", "size", "search_evaluations", "minimize_evaluations", "trajectory", "opt_pipeline")
    assert all(getattr(first, k) == getattr(second, k) for k in same)
    assert second.reproduce == first.reproduce.replace("first", "second")  # names only; here both are heap


def test_the_same_c_file_in_two_folders_is_searched_once(tmp_path):
    """A source file shared by two programs (a benchmark's common driver) compiles to IR that differs only in
    the lines naming the file: same `content_key`, one search, reported for both."""
    source = "int scale(int x) { int s = 0; for (int i = 0; i < x; i++) s += i * 3; return s; }\n"
    programs = []
    for name in ("alpha", "beta"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "shared.c").write_text(source)
        programs.append(Program(name, (tmp_path / name / "shared.c",), root=tmp_path / name))
    jobs = [TuneJob(p, p.modules(), None) for p in programs]
    a, b = (job.modules[0] for job in jobs)
    assert a.key != b.key and a.content_key == b.content_key
    first, second = tune_jobs(jobs, TuneConfig(strategy="random", budget=8, verify=False), workers=1)
    assert first.compiled > 0 and second.compiled == 0 and second.same_ir_as == first.name
    assert (second.size, second.pipeline) == (first.size, first.pipeline)
    assert (first.module_key, second.module_key) == (a.key, b.key)  # each result names its own IR


def test_after_a_resume_an_identical_module_reuses_the_finished_search(modules, tmp_path):
    """A run stopped after the first program finished: on resume the first comes back from the store (`resumed`)
    and the second, identical, reuses it (`same_ir_as`), compiling nothing."""
    from compilerlm.store import Store

    jobs = _two_programs_of_one_module(modules, tmp_path)
    config = TuneConfig(strategy="random", budget=12, verify=False)
    store = Store(tmp_path / "s.sqlite")
    (done,) = tune_jobs(jobs[:1], config, store, workers=1)  # the run that was stopped after the first program
    first, second = tune_jobs(jobs, config, store, workers=1)
    assert first.resumed and first.compiled == 0 and first.pipeline == done.pipeline
    assert second.same_ir_as == "first" and second.compiled == 0 and second.pipeline == done.pipeline


def test_counts_are_named_consistently(modules, inprocess):
    """`evaluations_total` = search + minimize, per module and in the summary (which sums the modules); the old
    key `evaluations` is the search's count; `compiled` counts what this run compiled."""
    from compilerlm.search.tune import summarize

    program = Program("heap", ())
    module = next(m for m in modules if m.name == "huffman/heap.c")
    [r] = tune_program(program, [module], None, TuneConfig(strategy="random", budget=10, verify=False), inprocess)
    assert r.evaluations == r.search_evaluations == 10
    assert r.evaluations_total == r.search_evaluations + r.minimize_evaluations
    assert r.compiled <= r.evaluations_total and r.seconds > 0
    s = summarize([r, r], 2.0)
    assert s["evaluations_total"] == 2 * r.evaluations_total
    assert s["search_evaluations"] + s["minimize_evaluations"] == s["evaluations_total"]
    assert s["compiled_per_second"] == s["evaluations_per_second"] == r.compiled


@pytest.mark.parametrize("flag", ['!"PIC Level", i32 2', '!"PIE Level", i32 2'])
def test_definitions_say_what_pic_means(modules, flag):
    """The unoptimized IR is built as for a position-independent executable (Debian clang's default -fPIE), and
    the definitions say so rather than just "PIC"."""
    assert all(flag in m.ir for m in modules)
    assert "-fPIE" in DEFINITIONS["codegen"] and "not -fPIC" in DEFINITIONS["codegen"]
    assert "PIE Level 2" in DEFINITIONS["codegen"]
