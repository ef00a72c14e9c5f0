"""The two evaluation paths agree byte for byte, and the -Oz/-O3 baselines land on clang's own objects."""

from __future__ import annotations

import random
import subprocess
import tempfile
from pathlib import Path

import pytest

from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.objsize import object_size
from compilerlm.toolchain.subprocess_path import evaluate_with_clang

PIPELINES = [
    "default<Oz>",
    "",
    "mem2reg,simplifycfg,instcombine<no-verify-fixpoint>",
    "sroa,early-cse,loop-mssa(licm),gvn,dce,simplifycfg",
    "inline,function-attrs,globalopt,globaldce,mergefunc",
]


def _clang_object_size(program, source: Path, level: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        obj = Path(tmp) / "x.o"
        subprocess.run(
            [llvm_tool("clang"), f"-{level}", "-c", "-w", *program.flags, str(source), "-o", str(obj)],
            check=True,
            capture_output=True,
        )
        return object_size(obj.read_bytes()).size


def _random_pipelines(count: int, seed: int) -> list[str]:
    from compilerlm.toolchain.search_space import SEARCH_SPACE, pipeline_text

    if not SEARCH_SPACE:
        return []
    rng = random.Random(seed)
    return [pipeline_text(rng.choices(SEARCH_SPACE, k=rng.randint(1, 30))) for _ in range(count)]


@pytest.mark.slow
def test_inprocess_matches_subprocess_on_every_builtin_module(modules, inprocess, subprocess_ev):
    pipelines = PIPELINES + _random_pipelines(3, seed=7)
    jobs = [(m, p) for m in modules for p in pipelines]
    fast = inprocess.evaluate_many(jobs, count_instructions=True)
    slow = subprocess_ev.evaluate_many(jobs, count_instructions=True)
    mismatches = [
        (m.name, p, f.size, s.size, f.ir_instructions, s.ir_instructions, f.error, s.error)
        for (m, p), f, s in zip(jobs, fast, slow, strict=True)
        if (f.size, f.text_size, f.ir_instructions, f.error_kind)
        != (s.size, s.text_size, s.ir_instructions, s.error_kind)
    ]
    assert not mismatches, mismatches[:5]
    assert sum(f.ok for f in fast) >= 0.9 * len(jobs)


@pytest.mark.slow
def test_oz_baseline_within_one_percent_of_clang(programs, modules, inprocess):
    by_name = {m.name: m for m in modules}
    results = inprocess.evaluate_many([(m, "default<Oz>") for m in modules])
    sizes = {m.name: r.raise_for_error(m.name).size for m, r in zip(modules, results, strict=True)}
    worst = []
    for program in programs:
        for source in program.sources:
            name = program.module_name(source)
            reference = _clang_object_size(program, source, "Oz")
            ours = sizes[name]
            assert name in by_name
            worst.append((abs(ours - reference) / reference, name, ours, reference))
    worst.sort(reverse=True)
    assert worst[0][0] <= 0.01, worst[:5]


@pytest.mark.slow
def test_o3_baseline_is_clang_o3(programs):
    checked = 0
    for program in programs[:8]:
        for source, module in zip(program.sources, program.modules("O3"), strict=True):
            assert evaluate_with_clang(module, "O3").size == _clang_object_size(program, source, "O3")
            checked += 1
    assert checked >= min(8, len(programs))


def test_fast_path_sizes_and_instruction_counts_are_consistent(modules, inprocess, subprocess_ev):
    module = modules[0]
    fast = inprocess.evaluate(module, "default<Oz>", count_instructions=True)
    slow = subprocess_ev.evaluate(module, "default<Oz>", count_instructions=True)
    assert fast.ok and slow.ok
    assert (fast.size, fast.text_size, fast.ir_instructions) == (slow.size, slow.text_size, slow.ir_instructions)
    assert 0 < fast.text_size < fast.size
    unoptimized = inprocess.evaluate(module, "", count_instructions=True)
    assert unoptimized.ir_instructions > fast.ir_instructions


@pytest.mark.slow
def test_sizes_do_not_depend_on_worker_history(modules):
    """Nondeterministic passes (gvn-sink was one) would make search results irreproducible: the same jobs in
    a different order, on other worker processes, must give the same sizes."""
    from compilerlm.toolchain.evaluator import InProcessEvaluator

    pipelines = _random_pipelines(2 * len(modules), seed=11)
    jobs = [(modules[i % len(modules)], p) for i, p in enumerate(pipelines)]
    order = list(range(len(jobs)))
    random.Random(3).shuffle(order)
    with InProcessEvaluator(jobs=2) as a, InProcessEvaluator(jobs=2) as b:
        first = [r.size for r in a.evaluate_many(jobs)]
        shuffled = b.evaluate_many([jobs[i] for i in order])
    second = [None] * len(jobs)
    for k, i in enumerate(order):
        second[i] = shuffled[k].size
    differing = [(jobs[i][0].name, first[i], second[i], jobs[i][1]) for i in range(len(jobs)) if first[i] != second[i]]
    assert not differing, differing[:3]


def test_engine_traces_say_where_time_went_and_what_was_compiled():
    """benchmarks/eval_reuse.py reads these: a repeated module skips code generation and says so."""
    from compilerlm.programs.suites import resolve_target
    from compilerlm.toolchain.inprocess import InProcessEngine
    from compilerlm.toolchain.pipelines import expand

    module = resolve_target("builtin:bitcount")[0].modules()[0]
    engine = InProcessEngine()
    engine.traces = []
    for pipeline in ("default<Oz>", "default<Oz>", "mem2reg"):
        assert engine.evaluate(module.key, module.ir, pipeline, expand(pipeline), False).ok
    first, again, other = engine.traces
    assert first.pass_seconds > 0 and first.codegen_seconds > 0 and len(first.object_sha) == 40
    assert again.digest == first.digest and again.codegen_seconds == 0 and again.object_sha == ""
    assert other.digest != first.digest and other.object_sha not in ("", first.object_sha)
