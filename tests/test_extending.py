"""docs/extending.md's recipes, each done here as the recipe says: a TARGET kind, a model backend and a portfolio
compiler (a task: tests/test_registry.py; a search technique: tests/test_techniques.py). Each new member is one
entry, and the rest of compilerlm uses it without another change."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from compilerlm.errors import CompilerLMError
from compilerlm.models import BACKENDS, Backend, Completion, Model, load_model, register_backend
from compilerlm.programs.program import load_program_dir, single_file_program
from compilerlm.programs.suites import TARGETS, TargetKind, register_target, resolve_target
from compilerlm.sandbox import run_sandboxed
from compilerlm.speed import portfolio as portfolio_module
from compilerlm.speed.build import build_candidate
from compilerlm.speed.portfolio import compile_assembly, portfolio
from compilerlm.tracks.size import TuneRequest, tune_target

DATA = Path(__file__).parent / "data"


class EchoModel(Model):
    """Answers every prompt with the pipeline its spec names (`echo:PIPELINE`), as a flag-tuning model would."""

    def __init__(self, pipeline: str, *, seed: int | None = None) -> None:
        self.pipeline, self.spec = pipeline, f"echo:{pipeline}"

    def generate(
        self, prompts: Sequence[str], n: int = 1, temperature: float = 0.0, max_tokens: int = 1024
    ) -> list[Completion]:
        return [Completion([self.pipeline] * n) for _ in prompts]


def test_a_model_backend_is_one_entry_and_tune_asks_it():
    register_backend(Backend("echo:PIPELINE", "answers every prompt with PIPELINE", __name__, "EchoModel"))
    try:
        with pytest.raises(CompilerLMError, match="not used by the echo backend: it takes seed"):
            load_model("echo:default<Oz>", temperature=1)
        request = TuneRequest(model="echo:default<Oz>,default<Oz>", budget=3, strategy="random", verify=False)
        doc = tune_target("builtin:sha256", request)
        (module,) = doc["modules"]
        assert module["model_pipelines"] == ["default<Oz>,default<Oz>"] and module["search_evaluations"] == 3
    finally:
        BACKENDS.pop("echo")
    with pytest.raises(CompilerLMError, match="unknown model spec 'echo:x': use hf:ID_OR_PATH"):
        load_model("echo:x")


def test_a_target_kind_is_one_entry_and_every_command_resolves_it():
    twice = TargetKind("twice:FILE", "a C file as two programs", lambda rest: [single_file_program(Path(rest))] * 2)
    register_target(twice)
    try:
        source = next((DATA / "cfiles").glob("*.c"))
        programs = resolve_target(f"twice:{source}")
        assert [p.sources for p in programs] == [(source,), (source,)]
        with pytest.raises(CompilerLMError, match="'twice' is already registered"):
            register_target(twice)
    finally:
        TARGETS.remove(twice)
    with pytest.raises(CompilerLMError, match="unknown target 'twice:x'"):
        resolve_target("twice:x")


def test_a_portfolio_compiler_is_one_entry_and_builds_correct_assembly(monkeypatch, tmp_path):
    entry = portfolio_module._config("clang -Os -fomit-frame-pointer")
    monkeypatch.setattr(portfolio_module, "PORTFOLIO", (*portfolio_module.PORTFOLIO, entry))
    (config,) = portfolio(["clang -Os -fomit-frame-pointer"])
    program = load_program_dir(DATA / "asm" / "squares")
    built = build_candidate(compile_assembly(program, config), tmp_path, "extra")
    assert built.ok, built.error
    assert all(run_sandboxed(built.binary, t.stdin, expected=t.expected).ok for t in program.tests)
