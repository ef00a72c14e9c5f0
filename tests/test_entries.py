"""`eval TASK`, `size`, `passes`, `corpus build` and `corpus label` go through one library entry each: the entry
called directly gives what the command prints or writes, and the command hands the entry its options as given."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compilerlm.cli import build_app
from compilerlm.corpus.build import CorpusResult, build_from_manifest
from compilerlm.errors import CompilerLMError, PipelineError
from compilerlm.eval.tasks import TaskEval, TaskProgress, TaskRequest, evaluate_task
from compilerlm.ranker.labels import LabelConfig, LabelOutcome, LabelProgress, label_corpus
from compilerlm.toolchain.search_space import EXCLUDED, SEARCH_SPACE
from compilerlm.tracks.measure import SizeRequest, measure_target, pass_listing
from compilerlm.tracks.size import SIZE_SEARCH, TuneProgress

SOURCE = (
    "int twice(int x) { return 2 * x; }\nint sum(const int *a, int n) { int s = 0; while (n--) s += *a++; return s; }\n"
)


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(build_app(), list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


# ------------------------------------------------------------------ eval TASK


def test_eval_task_hands_its_options_to_the_entry_and_writes_its_document(monkeypatch, tmp_path):
    asked: list[TaskRequest] = []
    result = TaskEval("flags", [{"key": "k", "module": "m"}], {"task": "flags", "settings": "s"})

    def entry(task, request, progress, options):
        asked.append(request)
        assert options is None  # flags has no options of its own
        return result

    monkeypatch.setattr("compilerlm.cli.eval.evaluate_task", entry)
    out = tmp_path / "e.json"
    _invoke(
        "eval", "flags", "--model", "hf:m", "--suite", "builtin:nqueens", "--limit", "2", "--json", str(out), "-j", "3"
    )
    (request,) = asked
    assert request == TaskRequest(model="hf:m", suite="builtin:nqueens", limit=2, jobs=3)
    assert json.loads(out.read_text()) == result.document(request)
    assert set(result.document(request)) == {"version", "task", "model", "suite", "summary", "rows"}


@pytest.mark.slow  # the default suite stays under 15 minutes; CI runs it
def test_eval_task_entry_gives_the_rows_the_command_writes(tmp_path, cli, tiny_model_dir):
    src = tmp_path / "small.c"
    src.write_text(SOURCE)
    out = tmp_path / "e.json"
    spec = f"hf:{tiny_model_dir}"
    cli("eval", "disasm", "--model", spec, "--suite", str(src), "--max-tokens", "16", "--json", str(out), check=True)
    stages: list[tuple[str, int | None, int]] = []
    direct = evaluate_task("disasm", TaskRequest(model=spec, suite=str(src), max_tokens=16), Recorder(stages))
    written = json.loads(out.read_text())
    assert written["rows"] == direct.rows and written["summary"] == direct.summary
    assert stages == [("compiling (-Oz front end)", 1, 1), ("eval disasm", len(direct.rows), len(direct.rows))]


class Recorder(TuneProgress, TaskProgress):
    """A progress that notes each stage: (what, total, steps heard)."""

    def __init__(self, stages: list[tuple[str, int | None, int]]) -> None:
        self.stages, self.steps = stages, 0

    @contextmanager
    def stage(self, what: str, total: int | None, passes: int = 1) -> Iterator[None]:
        self.steps = 0
        yield
        self.stages.append((what, total, self.steps))

    def step(self) -> None:
        self.steps += 1


# ------------------------------------------------------------------ size and passes


def test_size_entry_gives_the_document_the_command_writes(cli, tmp_path):
    out = tmp_path / "s.json"
    cli("size", "builtin:bitcount", "-p", "mem2reg , simplifycfg", "--json", str(out), "-j", "2", check=True)
    stages: list[tuple[str, int | None, int]] = []
    run = measure_target("builtin:bitcount", SizeRequest(pipeline="mem2reg , simplifycfg", jobs=2), Recorder(stages))
    assert json.loads(out.read_text()) == run.doc
    assert run.pipeline == run.doc["pipeline"] == "mem2reg,simplifycfg"  # normalised
    modules = len(run.rows)
    assert [s[0] for s in stages] == ["compiling (-Oz front end)", "compiling (-O3 front end)", "measuring"]
    assert stages[-1][1] == stages[-1][2] == 4 * modules  # every evaluation heard, O3's included
    with pytest.raises(PipelineError, match="bogus-pass"):
        measure_target("builtin:bitcount", SizeRequest(pipeline="mem2reg,bogus-pass"))


def test_size_hands_its_options_to_the_entry(monkeypatch):
    asked: list[tuple[str, SizeRequest]] = []

    def entry(target, request, progress):
        asked.append((target, request))
        raise CompilerLMError("stop here")

    monkeypatch.setattr("compilerlm.cli.size.measure_target", entry)
    CliRunner().invoke(
        build_app(), ["size", "builtin:nqueens", "--evaluator", "subprocess", "-p", "mem2reg", "-j", "2"]
    )
    assert asked == [("builtin:nqueens", SizeRequest(pipeline="mem2reg", evaluator="subprocess", jobs=2))]


def test_passes_prints_the_entrys_listing():
    assert _invoke("passes", "--space").split() == [row[0] for row in pass_listing(space=True).rows]
    assert [row[0] for row in pass_listing(space=True).rows] == list(SEARCH_SPACE)
    excluded = pass_listing(excluded=True)
    assert len(excluded.rows) == len(EXCLUDED) and excluded.title in _invoke("passes", "--excluded")
    catalogue = pass_listing()
    text = _invoke("passes")
    named = {row[0]: row for row in catalogue.rows}
    assert catalogue.title in text and named["instcombine"][-1] == "yes" and "instcombine" in text
    assert {row[-1] for row in catalogue.rows} == {"yes", "no", "require<…>"}


# ------------------------------------------------------------------ corpus build and corpus label

needs_build_tools = pytest.mark.skipif(
    not (shutil.which("bear") and shutil.which("cmake")), reason="needs bear and cmake"
)


def test_corpus_build_hands_the_sources_it_names_to_the_entry(monkeypatch, tmp_path):
    asked: list[dict] = []

    def entry(manifest, out, *, jobs, only, report, triple):
        asked.append({"manifest": manifest, "out": out, "jobs": jobs, "only": only, "triple": triple})
        return CorpusResult()

    monkeypatch.setattr("compilerlm.cli.corpus.build_from_manifest", entry)
    manifest = tmp_path / "m.toml"
    _invoke("corpus", "build", "--out", str(tmp_path / "c"), "-m", str(manifest), "--only", "a,,b", "-j", "2")
    _invoke("corpus", "build", "--out", str(tmp_path / "c"), "-m", str(manifest), "--target", "riscv64-linux-gnu")
    assert [a["only"] for a in asked] == [["a", "b"], None]
    assert asked[0]["manifest"] == manifest and asked[0]["jobs"] == 2
    assert [a["triple"] for a in asked] == ["x86_64-linux-gnu", "riscv64-linux-gnu"]


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    """builtin:bitcount (train) and builtin:nqueens (test) as a corpus, built through the entry for `nqueens` alone
    first, then for both."""
    root = tmp_path_factory.mktemp("corpus")
    manifest = root / "manifest.toml"
    manifest.write_text(
        '[[source]]\nname = "bitcount"\ntarget = "builtin:bitcount"\nsplit = "train"\n\n'
        '[[source]]\nname = "nqueens"\ntarget = "builtin:nqueens"\nsplit = "test"\n'
    )
    out = root / "new" / "corpus"  # made by the entry
    first = build_from_manifest(manifest, out, only=["nqueens"])
    assert [r.name for r in first.done] == ["nqueens"] and not first.failed
    both = build_from_manifest(manifest, out, jobs=2)
    assert [(r.name, r.cached) for r in both.done] == [("bitcount", False), ("nqueens", True)]
    return out


@needs_build_tools
def test_corpus_build_prints_what_its_entry_built(small_corpus, cli):
    manifest = small_corpus.parents[1] / "manifest.toml"
    res = cli("corpus", "build", "--out", str(small_corpus), "--manifest", str(manifest), check=True)
    assert f"corpus {small_corpus}: " in res.stdout and "from 2 sources" in res.stdout and "0 failed" in res.stdout


def test_corpus_label_hands_its_options_to_the_entry_and_prints_its_outcome(monkeypatch, tmp_path):
    asked: list[dict] = []
    outcome = LabelOutcome(
        steps=[LabelProgress("label", modules=3, done_before=2, done=3, compiled=12)],
        candidates=["instcombine", "simplifycfg"],
        candidates_file=tmp_path / "candidates.json",
        modules=7,
        labelled=5,
        rows=4,
        labels=tmp_path / "l.parquet",
        evaluations=99,
        store="s.sqlite",
    )

    def entry(corpus, **kwargs):
        asked.append({"corpus": corpus, **kwargs})
        return outcome

    monkeypatch.setattr("compilerlm.cli.corpus.label_corpus", entry)
    text = " ".join(
        _invoke("corpus", "label", "--out", str(tmp_path), "--candidates", "2", "--max-minutes", "1").split()
    )
    (call,) = asked
    assert call["corpus"] == tmp_path and call["searcher"] is SIZE_SEARCH and call["max_minutes"] == 1
    assert call["config"] == LabelConfig(candidates=2) and call["store"] is None and call["export"] is None
    assert "label: 5/5 modules done (3 this run, 12 compilations)" in text
    assert (
        f"2 candidate pipelines ({tmp_path / 'candidates.json'}); 4 modules labelled of 5 (2 left out, over 20000 "
        f"instructions); wrote {tmp_path / 'l.parquet'}; 99 evaluations in s.sqlite"
    ) in text


@pytest.mark.slow  # the default suite stays under 15 minutes; CI runs it
@needs_build_tools
def test_corpus_label_entry_labels_what_the_command_then_reports(small_corpus, cli, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(small_corpus, corpus)
    config = LabelConfig(search_modules=2, search_budget=6, candidates=3)
    outcome = label_corpus(corpus, searcher=SIZE_SEARCH, config=config, jobs=2)
    assert [s.stage for s in outcome.steps] == ["search", "broadcast", "label"]
    assert outcome.candidates and outcome.rows == outcome.labelled == outcome.modules
    assert outcome.labels == corpus / "labels.parquet" and outcome.labels.is_file()
    assert outcome.store == str(corpus / "labels.sqlite")
    options = ("--search-modules", "2", "--search-budget", "6", "--candidates", "3", "-j", "2")
    res = cli("corpus", "label", "--out", str(corpus), *options, check=True)
    text = " ".join(res.stdout.split())
    # the candidates the entry chose are kept, and every module is read back from the store
    assert f"label: {outcome.labelled}/{outcome.labelled} modules done (0 this run, 0 compilations)" in text
    assert re.search(rf"{len(outcome.candidates)} candidate pipelines .* {outcome.rows} modules labelled", text)
    assert f"{outcome.evaluations} evaluations in" in text
