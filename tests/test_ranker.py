"""The CPU flag-tuning ranker end to end on a tiny real corpus (built-in programs, real clang/opt/llc):
labels in the store (resumable), training, the model file, `ranker:` as a model for tune and eval flags,
the shipped model, and bad input (odd IR, a corrupted model file, damaged labels)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from compilerlm.errors import CompilerLMError
from compilerlm.models import load_model
from compilerlm.programs.generated import llvm_stress_programs
from compilerlm.ranker.coreset import cover_value, greedy_cover
from compilerlm.ranker.features import FEATURE_NAMES, ir_features
from compilerlm.ranker.model import DEFAULT_MODEL, load_ranker, read_labels
from compilerlm.tasks.flags import flags_prompt, parse_flags_answer

PROJECTS = {"base64": "train", "bitcount": "train", "checksums": "train", "sieve": "train", "rpn_calc": "train",
            "trie": "train", "nqueens": "validation", "sha256": "test"}  # fmt: skip


@pytest.fixture(scope="module")
def trained(tmp_path_factory, request):
    """A corpus of eight built-in programs, labelled with a small search and trained on: (corpus, model)."""
    root = tmp_path_factory.mktemp("ranker")
    manifest = root / "manifest.toml"
    manifest.write_text(
        "".join(f'[[source]]\nname = "{n}"\ntarget = "builtin:{n}"\nsplit = "{s}"\n\n' for n, s in PROJECTS.items())
    )
    corpus = root / "corpus"
    run = request.getfixturevalue("cli_root")
    res = run("corpus", "build", "--manifest", str(manifest), "--out", str(corpus), "--jobs", "2")
    assert res.returncode == 0, res.stderr
    label = ["corpus", "label", "--out", str(corpus), "--jobs", "2", "--search-modules", "5", "--search-budget", "16"]
    res = run(*label, "--candidates", "6")
    assert res.returncode == 0, res.stderr
    assert "modules labelled" in res.stdout
    model = root / "ranker.json"
    res = run("train", "ranker", "--data", str(corpus / "labels.parquet"), "--out", str(model), "--trees", "20",
              "--min-modules-per-leaf", "2", "--library-size", "5")  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "validation" in res.stdout
    return corpus, model


@pytest.fixture(scope="module")
def cli_root(tmp_path_factory):
    import os
    import subprocess
    import sys

    where = tmp_path_factory.mktemp("cwd")

    def run(*args: str):
        return subprocess.run(
            [sys.executable, "-m", "compilerlm.cli", *args],
            capture_output=True,
            text=True,
            cwd=where,
            timeout=900,
            env={**os.environ, "COLUMNS": "200"},
        )

    return run


def test_labels_hold_real_sizes_for_every_module(trained):
    corpus, _ = trained
    labels = read_labels(corpus / "labels.parquet")
    candidates = json.loads((corpus / "candidates.json").read_text())["pipelines"]
    assert labels.pipelines == candidates and len(candidates) == 6
    index = [json.loads(line) for line in (corpus / "corpus.jsonl").read_text().splitlines()]
    assert len(labels.ratios) == len(index)  # every module labelled (all are small)
    assert set(labels.splits) == {"train", "validation", "test"}
    assert labels.features.shape == (len(index), len(FEATURE_NAMES))
    finite = labels.ratios[np.isfinite(labels.ratios)]
    assert finite.size and (finite > 0.3).all() and (finite < 3).all()
    # the store is the source: one label recomputed by the real compiler agrees
    import pyarrow.parquet as pq

    from compilerlm.toolchain.evaluator import make_evaluator
    from compilerlm.toolchain.module import IRModule

    row = index[0]
    module = IRModule("m", (corpus / "modules" / f"{row['key']}.ll").read_text())
    with make_evaluator("subprocess") as ev:
        oz = ev.evaluate(module, "default<Oz>").size
        first = ev.evaluate(module, candidates[0]).size
    keys = pq.read_table(corpus / "labels.parquet").column("key").to_pylist()
    assert math.isclose(labels.ratios[keys.index(row["key"])][0], first / oz)


def test_labelling_resumes_without_compiling_again(trained, cli_root):
    corpus, _ = trained
    res = cli_root("corpus", "label", "--out", str(corpus), "--jobs", "2")
    assert res.returncode == 0, res.stderr
    assert "(0 this run, 0 compilations)" in res.stdout


def test_trained_model_ranks_its_library(trained):
    corpus, path = trained
    ranker = load_ranker(path)
    assert len(ranker.pipelines) == 5
    assert ranker.meta["modules"]["train"] > 0 and "validation" in ranker.meta["scores"]
    ir = next((corpus / "modules").glob("*.ll")).read_text()
    order = ranker.rank(ir)
    assert sorted(order) == sorted(ranker.pipelines)
    assert ranker.rank(ir) == order  # greedy: deterministic
    gains = ranker.gains(ir)
    first = int(np.argmax(gains))
    assert ranker.pipelines.index(order[0]) == first
    # the rest: the training modules' cover given the first pipeline, recomputed from the labels
    labels = read_labels(corpus / "labels.parquet").split("train")
    columns = [labels.pipelines.index(p) for p in ranker.pipelines]
    library = np.where(np.isfinite(labels.ratios), labels.ratios, 2.0)[:, columns]
    assert [ranker.pipelines.index(p) for p in order] == greedy_cover(library, len(columns), [first])


def test_ranker_is_a_model_for_flag_tuning_prompts(trained):
    corpus, path = trained
    ir = next((corpus / "modules").glob("*.ll")).read_text()
    with load_model(f"ranker:{path}") as model:
        (completion, other) = model.generate([flags_prompt(ir), "What is 2+2?"], n=3)
    parsed = [parse_flags_answer(t).pipeline for t in completion.texts]
    assert parsed == load_ranker(path).rank(ir, 3)
    assert other.skipped and "flag-tuning prompt" in other.skipped


def test_odd_modules_get_proposals_never_a_crash(trained):
    _, path = trained
    ranker = load_ranker(path)
    stress = llvm_stress_programs(1, seed=3)[0].modules()[0].ir
    for ir in (stress, "; ModuleID = 'empty'\n", "not IR at all", ""):
        assert len(ranker.rank(ir, 3)) == 3
    assert ir_features("")["instructions"] == 0


@pytest.mark.parametrize(
    "damage, says",
    [
        (lambda t: t[: len(t) // 2], "not readable JSON"),
        (lambda t: json.dumps({"format": "other"}), "not a compilerlm ranker model"),
        (lambda t: json.dumps({**json.loads(t), "booster": "tree\ngarbage"}), "LightGBM model does not load"),
        (lambda t: json.dumps({**json.loads(t), "features": ["x"]}), "other IR features"),
        (lambda t: json.dumps({**json.loads(t), "followups": [[0]]}), "'followups' must hold one order"),
    ],
)
def test_corrupted_model_file_is_one_line(trained, tmp_path, damage, says, cli_root):
    _, path = trained
    bad = tmp_path / "bad.json"
    bad.write_text(damage(path.read_text()))
    with pytest.raises(CompilerLMError, match=says):
        load_ranker(bad)
    res = cli_root("tune", "builtin:bitcount", "--budget", "2", "--model", f"ranker:{bad}", "--no-verify")
    assert res.returncode != 0
    assert says in res.stderr and "Traceback" not in res.stderr


def test_damaged_labels_are_one_line(tmp_path, cli_root):
    bad = tmp_path / "labels.parquet"
    bad.write_bytes(b"PAR1 not really")
    res = cli_root("train", "ranker", "--data", str(bad), "--out", str(tmp_path / "m.json"))
    assert res.returncode != 0 and "is not a labels table" in res.stderr and "Traceback" not in res.stderr


def test_tune_with_the_ranker_tries_its_proposals_first(trained, cli_root, tmp_path):
    _, path = trained
    out = tmp_path / "t.json"
    res = cli_root("tune", "builtin:sha256", "--budget", "3", "--model", f"ranker:{path}", "--json", str(out))
    assert res.returncode == 0, res.stderr
    doc = json.loads(out.read_text())
    ranker = load_ranker(path)
    for m in doc["modules"]:
        assert m["model_pipelines"] == ranker.rank(_ir(m["name"]), 3)
        assert m["search_evaluations"] <= 3 and m["verified"]
        assert m["size"] <= m["size_oz"]


def _ir(name: str) -> str:
    from compilerlm.programs.suites import resolve_target

    program = resolve_target(f"builtin:{name.split('/')[0]}")[0]
    return {m.name: m.ir for m in program.modules()}[name]


def test_eval_flags_prints_the_papers_table_for_the_ranker(trained, cli_root, tmp_path):
    _, path = trained
    out = tmp_path / "e.json"
    res = cli_root("eval", "flags", "--model", f"ranker:{path}", "--suite", "builtin:sha256", "--json", str(out))
    assert res.returncode == 0, res.stderr
    doc = json.loads(out.read_text())
    summary = doc["summary"]
    assert summary["modules"] == 1 and summary["invalid_share"] == 0 and summary["skipped_share"] == 0
    assert summary["improvement_fallback"] >= max(0.0, summary["improvement_zero_shot"])
    assert "zero-shot" in res.stdout and "with -Oz fallback" in res.stdout


def test_coreset_is_greedy_cover():
    ratios = [[0.9, 1.0, 0.95], [1.0, 0.9, 0.95], [1.0, 1.0, 0.95]]
    order = greedy_cover(ratios, 3)
    assert order[0] == 2  # 0.95 on all three modules beats 0.9 on one
    assert cover_value(ratios, order[:3]) > cover_value(ratios, order[:1]) > 0
    assert greedy_cover([], 3) == []
    # started from column 0, column 1 covers the module 0 leaves (0.9) better than 0.95 on the other two
    assert greedy_cover(ratios, 3, [0]) == [0, 1, 2]


@pytest.mark.skipif(not DEFAULT_MODEL.is_file(), reason="no shipped model")
def test_shipped_model_loads_and_ranks():
    """Its speed (load + predict per module) is measured by benchmarks/flags_model.py, not here."""
    from compilerlm.programs.suites import resolve_target

    ranker = load_ranker(DEFAULT_MODEL)
    modules = resolve_target("builtin:stack_vm")[0].modules()
    orders = [ranker.rank(m.ir) for m in modules]
    assert all(sorted(o) == sorted(ranker.pipelines) for o in orders)
    assert DEFAULT_MODEL.stat().st_size < 8 * 1024 * 1024
    with load_model("ranker:default") as model:
        assert model.generate([flags_prompt(modules[0].ir)], n=2)[0].texts


COMMITTED_LABELS = Path(__file__).resolve().parents[1] / "data" / "ranker" / "labels.parquet"


@pytest.mark.skipif(not (DEFAULT_MODEL.is_file() and COMMITTED_LABELS.is_file()), reason="no shipped model or labels")
@pytest.mark.slow  # retrains the shipped ranker: the default suite stays under 15 minutes
def test_shipped_model_is_reproduced_from_the_committed_labels(cli_root, tmp_path):
    """`compilerlm train ranker` on data/ranker/labels.parquet with the default settings gives the shipped model."""
    out = tmp_path / "ranker.json"
    res = cli_root("train", "ranker", "--data", str(COMMITTED_LABELS), "--out", str(out))
    assert res.returncode == 0, res.stderr
    mine, shipped = json.loads(out.read_text()), json.loads(DEFAULT_MODEL.read_text())
    assert mine["pipelines"] == shipped["pipelines"] and mine["followups"] == shipped["followups"]
    for split, scores in shipped["meta"]["scores"].items():
        assert mine["meta"]["scores"][split] == pytest.approx(scores, abs=1e-4)


@pytest.mark.slow
def test_labels_on_ray_match_worker_processes(trained, cli_root, tmp_path):
    """The same labelling through Ray tasks (a fresh store) gives the same table."""
    import shutil

    corpus, _ = trained
    copy = tmp_path / "corpus"
    shutil.copytree(corpus, copy, ignore=shutil.ignore_patterns("labels.*"))
    res = cli_root("corpus", "label", "--out", str(copy), "--ray", "local", "--jobs", "2")
    assert res.returncode == 0, res.stderr
    assert "compilations" in res.stdout and "(0 this run" not in res.stdout.split("label:")[-1]
    mine, theirs = read_labels(copy / "labels.parquet"), read_labels(corpus / "labels.parquet")
    assert mine.pipelines == theirs.pipelines
    assert np.array_equal(mine.ratios, theirs.ratios)
