"""The autotuner: cache and budget, strategies, minimisation, verification with fallback, resumable runs."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from compilerlm.programs.suites import resolve_target
from compilerlm.search.minimize import minimize
from compilerlm.search.objective import Objective
from compilerlm.search.progress import SearchProgress, listening
from compilerlm.search.strategies import STRATEGIES, parse_pipeline, run_strategy
from compilerlm.search.tune import TuneConfig, tune_program
from compilerlm.search.verify import verify_program
from compilerlm.store import Store
from compilerlm.toolchain.search_space import SEARCH_SPACE


@pytest.fixture(scope="module")
def heap_module():
    return resolve_target("builtin:huffman")[0].modules()[0]  # huffman/heap.c, small


def test_objective_caches_and_counts_budget(heap_module, inprocess, tmp_path):
    store = Store(tmp_path / "s.sqlite")
    obj = Objective(heap_module, inprocess, budget=3, store=store)
    a, b = parse_pipeline("default<Oz>"), parse_pipeline("function(mem2reg)")
    assert obj.evaluate([a, a, b]) == [obj.size_of(a), obj.size_of(a), obj.size_of(b)]
    assert (obj.used, obj.compiled) == (2, 2)  # the repeat cost nothing
    obj.evaluate([parse_pipeline("function(dce)"), parse_pipeline("function(adce)")])
    assert obj.used == 3 and obj.remaining == 0  # only as many as the budget allows
    assert obj.best_size == min(s for s in (obj.size_of(a), obj.size_of(b)) if s)
    replay = Objective(heap_module, inprocess, budget=3, store=store)
    replay.evaluate([a, b])
    assert (replay.used, replay.compiled) == (2, 0)  # read back from the store, not compiled


def test_a_search_says_how_far_it_is_as_each_evaluation_ends(heap_module, inprocess):
    heard: list[SearchProgress] = []
    obj = Objective(heap_module, inprocess, budget=30)
    with listening(heard.append):
        run_strategy("random", obj, SEARCH_SPACE, random.Random(3))
    smallest = min(r.size for r in obj.seen.values() if r.ok)
    obj.budget += 1
    obj.evaluate([parse_pipeline("function(sroa)")])  # outside the block: nobody hears
    assert len(heard) >= 30  # every evaluation, not only every batch
    assert {p.module for p in heard} == {heap_module.name} and {p.budget for p in heard} == {30}
    used = [p.used for p in heard]
    assert used == sorted(used) and used[-1] == 30
    sizes = [p.best_size for p in heard if p.best_size is not None]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] == smallest


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_strategies_respect_budget_and_seed(strategy, heap_module, inprocess):
    runs = []
    for _ in range(2):
        obj = Objective(heap_module, inprocess, budget=40)
        run_strategy(strategy, obj, SEARCH_SPACE, random.Random(5))
        assert obj.used <= 40
        runs.append((obj.best, obj.best_size))
    assert runs[0] == runs[1], "same seed, same search"
    assert runs[0][1] is not None


def test_random_search_finds_many_distinct_sizes(heap_module, inprocess):
    obj = Objective(heap_module, inprocess, budget=48)
    run_strategy("random", obj, SEARCH_SPACE, random.Random(1))
    assert obj.used == 48
    assert len({r.size for r in obj.seen.values() if r.ok}) > 3
    assert obj.trajectory and obj.trajectory[-1][1] == obj.best_size


def test_minimize_drops_useless_passes(heap_module, inprocess):
    obj = Objective(heap_module, inprocess, budget=10)
    core = parse_pipeline("default<Oz>")
    padded = ("function(lower-expect)", *core, "function(lower-expect)", "function(float2int)")
    size = obj.evaluate([padded])[0]
    result = minimize(obj, padded, size)
    assert result.size <= size
    assert result.length_before == 4 and result.length_after < 4
    assert obj.evaluate([result.pipeline])[0] == result.size


def test_verify_builds_and_runs_tests(inprocess):
    program = resolve_target("builtin:huffman")[0]
    modules = program.modules()
    ok = verify_program(program, modules, {m.name: "default<Oz>" for m in modules})
    assert ok.verified and ok.detail == f"{len(program.tests)}/{len(program.tests)} tests passed"


def _broken_program(tmp_path):
    prog = tmp_path / "wrong"
    (prog / "tests").mkdir(parents=True)
    (prog / "main.c").write_text(
        "#include <stdio.h>\nint f(int x){int s=0;for(int i=0;i<x;i++)s+=i*i;return s;}\n"
        'int main(void){int n;if(scanf("%d",&n)!=1)return 1;printf("%d\\n",f(n));return 0;}\n'
    )
    (prog / "tests" / "1.in").write_text("10\n")
    (prog / "tests" / "1.out").write_text("999\n")  # no pipeline can make this pass
    return resolve_target(str(prog))[0]


def test_failing_tests_discard_pipelines_and_fall_back(tmp_path, inprocess):
    program = _broken_program(tmp_path)
    modules = program.modules()
    assert verify_program(program, modules, {}).detail == "test 1: wrong output"
    config = TuneConfig(strategy="random", budget=30, candidates=2)
    [result] = tune_program(program, modules, None, config, inprocess)
    assert result.verified is False and result.verification == "test 1: wrong output"
    assert result.size <= result.size_oz


def test_tune_never_worse_than_oz_and_unverified_without_tests(tmp_path, inprocess):
    src = tmp_path / "lone.c"
    src.write_text("int g(int x) { return x * 7 + 3; }\nint h(int y) { return g(y) - g(y + 1); }\n")
    program = resolve_target(str(src))[0]
    [result] = tune_program(program, program.modules(), None, TuneConfig(budget=20), inprocess)
    assert result.size <= result.size_oz
    assert result.verified is False and "no tests" in result.verification
    assert result.source in ("search", "Oz") and result.pipeline


def _tune_cli(tmp_path, *args, **kw):
    return subprocess.Popen(
        [sys.executable, "-m", "compilerlm.cli", "tune", *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


@pytest.mark.slow
def test_tune_cli_json_and_resume_after_kill(tmp_path):
    store, out_json = tmp_path / "runs.sqlite", tmp_path / "t.json"
    args = ["builtin:stack_vm,huffman", "--budget", "40", "--store", str(store), "--jobs", "2"]
    victim = _tune_cli(tmp_path, *args, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and (not store.exists() or Store(store).count() < 30):
        time.sleep(0.5)
    os.killpg(victim.pid, signal.SIGKILL)  # kill -9 the whole run, workers included
    victim.wait()
    done_before = Store(store).count()
    assert done_before >= 30
    proc = _tune_cli(tmp_path, *args, "--json", str(out_json), "--out", str(tmp_path / "out"))
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    doc = json.loads(out_json.read_text())
    assert doc["summary"]["compiled_total"] < doc["summary"]["evaluations_total"]  # resumed work was not redone
    assert {m["name"] for m in doc["modules"]} >= {"stack_vm/vm.c", "huffman/heap.c"}
    for m in doc["modules"]:
        for key in ("name", "pipeline", "size", "size_oz", "improvement", "verified", "evaluations", "source"):
            assert key in m
        assert m["size"] <= m["size_oz"] and m["verified"] is True
        assert abs(m["improvement"] - (1 - m["size"] / m["size_oz"])) < 1e-12
        assert (tmp_path / "out" / m["name"]).with_suffix(".o").stat().st_size > 0
    s = doc["summary"]
    assert 0 <= s["share_better"] <= 1 and s["improvement_geomean"] >= 0
    again = _tune_cli(tmp_path, *args)
    again.communicate(timeout=600)
    assert again.returncode == 0


@pytest.mark.slow  # tune runs through the command line; test_errors checks the one-line errors by default
def test_tune_cli_report_and_errors(tmp_path, cli):
    out_json = tmp_path / "t.json"
    res = cli("tune", "builtin:huffman", "--budget", "8", "--json", str(out_json), check=True)
    assert "geomean improvement" in res.stdout
    doc = json.loads(out_json.read_text())
    # stderr is a pipe here, where the progress bar is invisible: one plain line per finished module instead
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("tune [")]
    assert len(lines) == 3 and lines[0].startswith("tune [1/3] huffman/heap.c: ") and lines[2].startswith("tune [3/3]")
    for m, line in zip(doc["modules"], lines, strict=True):
        assert f"{m['name']}: {m['size']} bytes, -Oz {m['size_oz']} " in line
        assert f"{m['evaluations_total']} evaluations ({m['search_evaluations']} search + " in line
        assert line.endswith(f"{m['seconds']:.1f} s") and m["seconds"] > 0
        assert m["evaluations_total"] == m["search_evaluations"] + m["minimize_evaluations"]
        assert m["evaluations"] == m["search_evaluations"] and m["opt_pipeline"] and m["reproduce"]
    s = doc["summary"]
    assert s["evaluations_total"] == sum(m["evaluations_total"] for m in doc["modules"])
    # the text summary uses the JSON's words for the same numbers
    text = " ".join(res.stdout.split())
    assert f"{s['evaluations_total']} evaluations ({s['search_evaluations']} search + " in text
    assert f"{s['compiled_total']} compiled" in text and "compilations" not in text
    rep = cli("report", str(out_json), "--out", str(tmp_path / "rep"), check=True)
    assert (tmp_path / "rep" / "report.md").exists() and "plots" in rep.stdout
    bad = cli("tune", "builtin:huffman", "--strategy", "magic")
    assert bad.returncode == 1 and "unknown strategy" in bad.stderr
    corrupt = tmp_path / "bad.sqlite"
    corrupt.write_text("not a database")
    bad = cli("tune", "builtin:huffman", "--store", str(corrupt))
    assert bad.returncode == 1 and "not a usable compilerlm store" in bad.stderr


@pytest.mark.slow  # about 45 s: a Ray cluster starts; the default suite keeps local workers
def test_ray_runs_the_same_tuning_as_local_workers_and_resumes(tmp_path):
    """`--ray`: programs as Ray tasks on a local Ray instance give the local run's results, fill the driver's
    store, and a rerun against that store resumes every module without compiling."""
    from compilerlm.search.runner import TuneJob, tune_jobs

    programs = resolve_target("builtin:huffman,stack_vm")
    jobs = [TuneJob(p, p.modules(), None) for p in programs]
    config = TuneConfig(strategy="random", budget=24, minimize=False)
    local = tune_jobs(jobs, config, Store(), workers=2)
    store = Store(tmp_path / "ray.sqlite")
    seen = []
    remote = tune_jobs(jobs, config, store, ray_address="local", on_program=lambda job, out: seen.append(job))
    assert [(r.name, r.pipeline, r.size, r.verified) for r in remote] == [
        (r.name, r.pipeline, r.size, r.verified) for r in local
    ]
    assert sorted(j.program.name for j in seen) == ["huffman", "stack_vm"]
    assert store.count() >= 24 * len(remote) and all(r.compiled > 0 for r in remote)
    again = tune_jobs(jobs, config, store, ray_address="local")
    assert all(r.resumed and r.compiled == 0 for r in again)
    assert [r.size for r in again] == [r.size for r in remote]


GOOD_HEAP_PIPELINE = (  # found by random search on huffman/heap.c: 825 bytes against -Oz's 826, tests pass
    "function(jump-threading),module-inline,function(simplifycfg<switch-range-to-icmp>),function(gvn),"
    "function(instcombine<no-verify-fixpoint>),function(simplifycfg<hoist-common-insts>)"
)


def test_model_proposals_come_first_and_are_credited(inprocess):
    """A model's pipelines are evaluated before any search, count against the budget, are reported as the
    model gave them (source "model"), and unusable ones are recorded with the reason."""
    from compilerlm.search.tune import Proposals

    program = resolve_target("builtin:huffman")[0]
    modules = [m for m in program.modules() if m.name == "huffman/heap.c"]
    proposals = {"huffman/heap.c": Proposals(("function(no-such-pass)", GOOD_HEAP_PIPELINE), ("answer 3: empty",))}
    config = TuneConfig(budget=2, model="test", samples=3, verify=False)
    [res] = tune_program(program, modules, None, config, inprocess, proposals=proposals)
    assert res.evaluations == 2 and res.source == "model" and res.pipeline == GOOD_HEAP_PIPELINE
    assert res.size < res.size_oz and res.minimize_evaluations == 0  # not minimised
    assert res.model_errors[0] == "answer 3: empty" and "no-such-pass" in res.model_errors[1]
    [plain] = tune_program(program, modules, None, TuneConfig(budget=2, verify=False), inprocess)
    assert plain.source != "model" and plain.model_pipelines == []


@pytest.mark.slow  # a suite searched twice over
def test_auto_broadcasts_the_suites_winners_to_every_module():
    """On a suite, `auto` keeps a tenth of the budget to try every other module's best pipeline (LLM Compiler's
    broadcast step); the search before it replays from the store, so it costs only the broadcast."""
    from dataclasses import replace

    from compilerlm.search.runner import TuneJob, broadcast_budget, tune_jobs

    programs = resolve_target("builtin:huffman,stack_vm")
    jobs = [TuneJob(p, p.modules(), None) for p in programs]
    config = TuneConfig(strategy="auto", budget=40, minimize=False, verify=False)
    assert broadcast_budget(config, jobs) == 4 and broadcast_budget(replace(config, strategy="random"), jobs) == 0
    store = Store()
    results = tune_jobs(jobs, config, store, workers=2)
    first_key = replace(config, broadcast=4, first_pass=True).run_key()
    first = [r["result"] for r in store.results(first_key)]
    assert len(first) == len(results) == 6
    winners = {r["pipeline"] for r in first if r["source"] == "search"}
    assert winners
    modules = [m for job in jobs for m in job.modules]
    everywhere = [p for p in winners if all(store.get(m.key, p) is not None for m in modules)]
    assert len(everywhere) >= min(4, len(winners))
    assert all(r.evaluations <= 40 for r in results)
    assert sum(r.compiled for r in results) <= 6 * 40  # the second pass compiled only the broadcast
