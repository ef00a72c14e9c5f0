"""The speed track's settings (`speed.request`) and entry (`tracks.speed`): the presets and which options win over
them, the `--protocol` check, `asm`'s options made from `AsmRequest` and `eval asm`'s from the asm task's
`AsmEvalOptions`, with the search's own defaults."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compilerlm.errors import CompilerLMError
from compilerlm.speed.config import AsmSearchConfig
from compilerlm.speed.request import PRESETS, AsmEvalOptions
from compilerlm.tracks.speed import AsmRequest

SQUARES = Path(__file__).parent / "data" / "asm" / "squares"


@pytest.mark.parametrize("protocol", ["hyperfine", "", "SuperCoder"])
def test_an_unknown_protocol_is_refused_in_one_line(protocol):
    with pytest.raises(CompilerLMError) as err:
        AsmRequest(protocol=protocol).search_config()
    assert str(err.value) == f"unknown --protocol {protocol!r}: choose compilerlm or supercoder"
    assert AsmRequest(protocol="supercoder").search_config().protocol == "supercoder"


def test_the_command_line_refuses_a_bad_protocol_or_preset_before_any_work(cli, tmp_path):
    for option, value in (("--protocol", "hyperfine"), ("--preset", "greedy")):
        res = cli("asm", str(SQUARES), "--compilers", "gcc -O2", option, value, "--json", "a.json")
        assert res.returncode == 1, res.stderr
        assert f"unknown {option} '{value}'" in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr
        assert not (tmp_path / "a.json").exists()


def test_options_given_win_over_the_preset_and_the_rest_come_from_it():
    supercoder = PRESETS["supercoder"]
    config = AsmRequest(model="m", preset="supercoder", samples=3, temperature=0.5).search_config()
    assert (config.samples, config.temperature) == (3, 0.5)  # given
    assert (config.rounds, config.max_tokens) == (supercoder.rounds, supercoder.max_tokens)  # from the preset
    assert (config.rounds, config.max_tokens) != (AsmSearchConfig().rounds, AsmSearchConfig().max_tokens)
    zero = AsmRequest(model="m", preset="compilerlm", rounds=0, temperature=0.0).search_config()
    assert (zero.rounds, zero.temperature, zero.samples) == (0, 0.0, AsmSearchConfig().samples)  # 0 is given
    with pytest.raises(CompilerLMError, match="unknown --preset 'fast': choose supercoder or compilerlm"):
        AsmRequest(preset="fast").search_config()


def test_asm_defaults_to_the_search_defaults_and_eval_asm_to_the_paper():
    defaults, ours = AsmSearchConfig(), AsmRequest(model="m").search_config()
    assert ours == AsmSearchConfig(compilers=(), final_runs=2 * defaults.runs)  # a model alone: no portfolio
    paper = AsmEvalOptions().config_for("m")
    assert (paper.samples, paper.rounds, paper.temperature, paper.max_tokens) == (1, 0, 0.0, 2000)
    assert AsmRequest().search_config().compilers is None  # no model: the whole portfolio
    with pytest.raises(CompilerLMError, match="nothing makes candidates"):
        AsmRequest(compilers="none").search_config()
    with pytest.raises(CompilerLMError, match="unknown compiler configuration"):
        AsmRequest(compilers="gcc -O2, gcc -Ofast").search_config()


def test_asm_and_eval_asm_options_are_the_requests_fields_with_their_defaults(monkeypatch):
    import compilerlm.cli.asm as asm_cli
    import compilerlm.cli.eval as eval_cli
    from compilerlm import registry
    from compilerlm.cli import build_app

    eval_asm = eval_cli._eval_command(registry.get("asm"))
    for command, request_type in ((asm_cli.asm, AsmRequest), (eval_asm, AsmEvalOptions)):
        params = inspect.signature(command).parameters
        for name in ("runs", "seed", "mutants", "instructions", "protocol", "preset"):
            assert params[name].default == getattr(request_type(), name), (command.__name__, name)
    assert inspect.signature(asm_cli.asm).parameters["runs"].default == AsmSearchConfig().runs
    asked: list[object] = []

    def optimize(target, request, progress):
        asked.append(request)
        raise CompilerLMError("stop here")

    def evaluate_task(task, request, progress, options):
        asked.append((task.name, request, options))
        raise CompilerLMError("stop here")

    monkeypatch.setattr(asm_cli, "optimize", optimize)
    monkeypatch.setattr(eval_cli, "evaluate_task", evaluate_task)
    app = build_app()
    CliRunner().invoke(app, ["asm", "p.c", "--preset", "supercoder", "--samples", "2", "--runs", "4"])
    CliRunner().invoke(app, ["eval", "asm", "--suite", "builtin", "--rounds", "1", "--limit", "2"])
    first, (task, request, options) = asked
    assert type(first) is AsmRequest and task == "asm" and type(options) is AsmEvalOptions
    assert (first.preset, first.samples, first.rounds, first.runs) == ("supercoder", 2, None, 4)
    assert (options.preset, options.rounds, request.limit, options.runs) == ("supercoder", 1, 2, AsmSearchConfig().runs)
    assert (first.search_config().samples, first.search_config().final_runs, options.config_for(None).rounds) == (
        2,
        8,
        1,
    )
