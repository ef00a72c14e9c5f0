"""`corpus label` and `data flags` search as `tune` does: one `auto`, from the size track (`tracks.size.SIZE_SEARCH`),
with the ranker's proposals an explicit switch for the ranker's own labels; `corpus label`'s options come from
`LabelConfig`, each default written once."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compilerlm.cli.corpus import corpus_app, label
from compilerlm.errors import CompilerLMError
from compilerlm.programs.suites import resolve_target
from compilerlm.ranker.labels import LabelConfig, LabelRun, _task
from compilerlm.ranker.model import DEFAULT_MODEL, load_ranker
from compilerlm.registry.flags import FlagsDataConfig
from compilerlm.search.objective import text_of
from compilerlm.search.strategies import BUILTIN_LIBRARY, parse_pipeline
from compilerlm.search.tune import StoredModule
from compilerlm.store import Store
from compilerlm.toolchain.pipelines import OZ_PIPELINE
from compilerlm.tracks.size import SIZE_SEARCH, TuneRequest, tune_target


def _help(*args: str) -> str:
    return CliRunner().invoke(corpus_app, [*args, "--help"], env={"COLUMNS": "400"}).output


def test_corpus_label_options_are_label_configs_fields_with_their_defaults_once():
    text = _help("label")
    params = inspect.signature(label).parameters
    for f in dataclasses.fields(LabelConfig):
        option = f"--{f.name.replace('_', '-')}"
        lines = [line for line in text.splitlines() if f" {option} " in line]
        assert len(lines) == 1, (option, lines)  # one option per field, its help from the field
        assert f.metadata["help"] in lines[0]
        assert params[f.name].default == f.default
        if f.default is not False:
            assert f"[default: {f.default}]" in lines[0]
    assert text.count("[default: 120]") == 1 and text.count("[default: 20000]") == 1


def test_corpus_label_builds_its_config_from_the_options_and_searches_with_the_size_track(monkeypatch, tmp_path):
    seen: dict = {}

    class Stop(CompilerLMError):
        pass

    def fake_run(**kwargs) -> LabelRun:
        seen.update(kwargs)
        raise Stop("stopped before any work")

    monkeypatch.setattr("compilerlm.ranker.labels.LabelRun", fake_run)
    args = ["label", "--out", str(tmp_path), "--search-budget", "7", "--use-ranker", "--per-project", "3"]
    result = CliRunner().invoke(corpus_app, args)
    assert isinstance(result.exception, Stop), result.output
    assert seen["config"] == LabelConfig(search_budget=7, use_ranker=True, per_project=3)
    assert seen["searcher"] is SIZE_SEARCH


def _pipelines(result: dict) -> list[str]:
    return [e["pipeline"] for e in result["evaluations"]]


@pytest.mark.skipif(not DEFAULT_MODEL.is_file(), reason="no shipped ranker")
@pytest.mark.slow  # labels searched twice: the default suite stays under 15 minutes
def test_label_search_is_tunes_auto_and_the_ranker_is_an_explicit_switch(tmp_path: Path):
    (program,) = resolve_target("builtin:bitcount")
    module = program.modules()[0]
    budget = 40

    # without the ranker (the default for the ranker's own labels): auto's library first, then the bandit
    plain = _task("search", module.name, module.ir, SIZE_SEARCH, budget, 0, False)
    assert _pipelines(plain)[0] == OZ_PIPELINE  # the baseline, outside the budget
    assert _pipelines(plain)[1 : 1 + len(BUILTIN_LIBRARY)] == [text_of(parse_pipeline(p)) for p in BUILTIN_LIBRARY]
    assert plain["record"]["evaluations"] == budget

    # with it: the ranker's proposals first, as tune's auto does, then the library
    ranked = _task("search", module.name, module.ir, SIZE_SEARCH, budget, 0, True)
    proposals = [text_of(parse_pipeline(p)) for p in load_ranker(DEFAULT_MODEL).rank(module.ir, 32)]
    assert _pipelines(ranked)[1 : 1 + len(proposals)] == proposals
    rest = [text_of(parse_pipeline(p)) for p in BUILTIN_LIBRARY if text_of(parse_pipeline(p)) not in proposals]
    assert _pipelines(ranked)[1 + len(proposals) :][: len(rest)] == rest[: budget - len(proposals)]

    # tune with its defaults keeps its results under the key labels use with the ranker: the same settings
    store = tmp_path / "tune.sqlite"
    doc = tune_target("builtin:bitcount", TuneRequest(budget=budget, store=store, jobs=1))
    assert doc["modules"][0]["model_pipelines"] == proposals
    key = SIZE_SEARCH.search_key(budget, 0, use_ranker=True)
    assert Store(store).get_result(key, f"{module.name}@{module.key}", StoredModule) is not None
    assert SIZE_SEARCH.search_key(budget, 0, use_ranker=False) != key


def test_label_runs_keep_searches_under_the_searchs_key(tmp_path: Path):
    run = LabelRun(corpus=tmp_path, store=Store(tmp_path / "s.sqlite"), searcher=SIZE_SEARCH)
    c = run.config
    assert not c.use_ranker  # the ranker's own labels: no proposals from it unless asked
    assert run._search_kind() == f"ranker-search:{SIZE_SEARCH.search_key(c.search_budget, c.seed, use_ranker=False)}"


def test_flags_labels_with_a_budget_need_the_size_tracks_tuner():
    with pytest.raises(CompilerLMError, match="size track's tuner"):
        FlagsDataConfig(budget=5).check()
    FlagsDataConfig(budget=5, tuner=SIZE_SEARCH).check()
    FlagsDataConfig(store="s.sqlite").check()  # labels read from a store run no tuner


def test_data_flags_hands_the_size_tracks_tuner_to_the_labels(monkeypatch, tmp_path):
    from compilerlm.cli.data import make_data_app

    seen: dict = {}

    class Stop(CompilerLMError):
        pass

    def fake_build(task, config, task_config, progress):
        seen["config"] = task_config
        raise Stop("stopped before any work")

    monkeypatch.setattr("compilerlm.data.build.build_dataset", fake_build)
    args = ["flags", "--suite", "builtin:fib", "--out", str(tmp_path / "d"), "--budget", "9", "--model", "none"]
    result = CliRunner().invoke(make_data_app(), args)
    assert isinstance(result.exception, Stop), result.output
    assert seen["config"] == FlagsDataConfig(budget=9, model="none", jobs=seen["config"].jobs, tuner=SIZE_SEARCH)
