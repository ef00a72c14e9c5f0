"""The task registry: a toy task added through `registry.register` alone shows up in datasets, evaluation,
rewards and the command line — nothing else names it. Runs with a real tiny model and the real front end."""

from __future__ import annotations

import json
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from typer.testing import CliRunner

from compilerlm import registry
from compilerlm.cli import build_app
from compilerlm.cli.train import make_train_app, task_options
from compilerlm.data import load_splits
from compilerlm.errors import CompilerLMError
from compilerlm.programs.program import Program
from compilerlm.tasks.base import Example, Metric, RewardOutcome, Task, base_row, content_hash
from compilerlm.tasks.evaluation import EvalItem
from compilerlm.train.config import RLRunConfig
from compilerlm.train.pool import RewardPool
from compilerlm.train.rl import RLReport, reward_settings, trainable
from compilerlm.train.trl_rewards import TaskReward

from .test_data import make_suite


def functions_in(ir: str) -> int:
    return sum(line.startswith("define ") for line in ir.splitlines())


@dataclass(frozen=True)
class ToyDataConfig:
    repeat: int = field(default=1, metadata={"help": "rows per module (the toy's own option)"})
    jobs: int = 1


@dataclass(frozen=True, kw_only=True)
class ToyRLOptions:
    right: float = field(default=1.0, metadata={"help": "reward of a right count (the toy's own RL option)"})


class ToyTask(Task):
    """How many functions does this module define? Answer: the number."""

    name = "toy-count"
    track = "size"
    help = "Toy: count the functions an IR module defines."
    data_config = ToyDataConfig
    metrics = (Metric("items", "Items", "count"), Metric("correct_share", "Correct counts"))
    item_columns = ("answer", "truth", "correct")
    plot_field = "truth"
    reward_columns = ("truth",)
    rl_options = ToyRLOptions

    def examples(self, programs: Sequence[Program], split_of, config: ToyDataConfig, advance):
        out = []
        for program in programs:
            for module in program.modules():
                for k in range(config.repeat):
                    row = base_row(self.name, program, module, f"Count: {module.ir}", str(functions_in(module.ir)))
                    out.append(Example(row, program.name, content_hash(module.ir, str(k)), row["prompt"]))
                advance(1)
        return out, {}

    def eval_items(self, inputs, options, seed):
        return [EvalItem(f"{m.key}:toy", m, functions_in(m.ir)) for m in inputs]

    def prepare(self, batch, evaluator, timeout):
        for item in batch:
            item.prompt = f"Count: {item.subject.name}"

    def score(self, batch, answers, evaluator, timeout):
        rows = []
        for item, texts in zip(batch, answers, strict=True):
            answer = (texts or [""])[0]
            rows.append({"answer": answer[:20], "truth": item.payload, "correct": answer.strip() == str(item.payload)})
        return rows

    def summarize(self, rows):
        scored = [r for r in rows if not r.get("error")]
        return {"items": len(scored), "correct_share": sum(r["correct"] for r in scored) / max(1, len(scored))}

    def score_reward(self, request, config: ToyRLOptions):
        right = request["completion"].strip() == str(request["truth"])
        return RewardOutcome(config.right if right else 0.0, True, "right" if right else "wrong")


@pytest.fixture
def toy():
    task = registry.register(ToyTask())
    yield task
    registry.unregister(task.name)


def test_registry_lists_the_builtin_tasks_and_refuses_unknown_names():
    assert registry.names() == ["flags", "emulate", "emulate-asm", "disasm", "asm"]
    assert registry.names(lambda t: t.evaluable) == ["flags", "emulate", "emulate-asm", "disasm", "asm"]
    assert registry.names(lambda t: t.trainable) == ["flags", "asm"]
    assert registry.names(lambda t: t.data_config is not None) == ["flags", "emulate", "disasm", "asm"]
    with pytest.raises(CompilerLMError, match="unknown task 'optimize': choose one of flags, emulate"):
        registry.get("optimize")
    with pytest.raises(CompilerLMError, match="not a named"):
        registry.register(object())  # type: ignore[arg-type]


def test_a_task_added_through_the_registry_is_in_data_eval_rewards_and_the_cli(toy, tmp_path, tiny_model_dir):
    suite = make_suite(tmp_path / "suite", ("fib", "sumsq"))
    runner = CliRunner()
    app = build_app()  # the command line as the registry stands now

    assert "toy-count" in runner.invoke(app, ["data", "--help"]).output
    assert "--repeat" in runner.invoke(app, ["data", "toy-count", "--help"]).output
    out = tmp_path / "data"
    done = runner.invoke(app, ["data", "toy-count", "--suite", str(suite), "--out", str(out), "--repeat", "2"])
    assert done.exit_code == 0, done.output
    rows = [r for split in load_splits(out).values() for r in split.to_list()]
    assert len(rows) == 4 and {r["task"] for r in rows} == {"toy-count"}  # 2 programs × 1 module × repeat 2
    assert {r["split"] for r in rows} == {"train", "validation"}
    assert all(r["completion"] == str(functions_in(r["prompt"])) for r in rows)

    report = tmp_path / "json"
    args = ["eval", "toy-count", "--model", f"hf:{tiny_model_dir}", "--suite", str(suite), "--max-tokens", "4"]
    done = runner.invoke(app, [*args, "--json", str(report), "--report", str(tmp_path / "report")])
    assert done.exit_code == 0, done.output
    doc = json.loads(report.read_text())
    assert doc["task"] == "toy-count" and doc["summary"]["items"] == 2
    assert [r["truth"] for r in doc["rows"]] == [functions_in(p.modules()[0].ir) for p in _programs(suite)]
    assert "Correct counts" in done.output and "Correct counts" in (tmp_path / "report" / "report.md").read_text()

    assert trainable("toy-count") is toy
    with RewardPool(workers=1, timeout=60.0) as pool:
        reward = TaskReward(pool, toy, ToyRLOptions())
        assert reward.__name__ == "toy_count_reward"
        assert reward(["p", "p"], [" 2 ", "3"], truth=[2, 2]) == [1.0, 0.0]  # scored in a worker process


def test_a_tasks_rl_options_are_train_rl_options_that_reach_its_reward(toy, tmp_path, monkeypatch):
    """The toy's `rl_options` field is a `train rl` option of its own, under its name in --help, refused with any
    other task; its value is what the reward, in a worker process, is given."""
    runs: list[RLRunConfig] = []

    def run_rl(config, callbacks=None):  # the run's config as the command made it; the training itself elsewhere
        runs.append(config)
        return RLReport(out=config.out, steps=0)

    monkeypatch.setattr("compilerlm.train.rl.run_rl", run_rl)
    runner, app = CliRunner(), make_train_app()  # `train` as the registry stands now
    help_text = runner.invoke(app, ["rl", "--help"], env={"COLUMNS": "400"}).output
    assert "Options of --task toy-count" in help_text and help_text.count("the toy's own RL option") == 1
    assert "a task with a reward: flags or asm or toy-count" in help_text
    args = ["rl", "--model", "hf:x", "--data", str(tmp_path), "--out", str(tmp_path / "o")]
    done = runner.invoke(app, [*args, "--task", "toy-count", "--right", "5"])
    assert done.exit_code == 0, done.output
    task, settings = reward_settings(runs[-1])
    assert task is toy and settings == ToyRLOptions(right=5.0)
    with RewardPool(workers=1, timeout=60.0) as pool:
        assert TaskReward(pool, task, settings)(["p", "p"], ["2", "3"], truth=[2, 2]) == [5.0, 0.0]
    refused = runner.invoke(app, [*args, "--task", "flags", "--right", "5"])
    assert isinstance(refused.exception, CompilerLMError) and len(runs) == 1
    assert str(refused.exception).startswith("--right is an option of --task toy-count, not of --task flags")
    refused = runner.invoke(app, [*args, "--task", "toy-count", "--reward", "hidden"])
    assert "--reward is an option of --task asm, not of --task toy-count (its own: --right)" in str(refused.exception)


@dataclass(frozen=True, kw_only=True)
class OtherRLOptions:
    right: float = field(default=2.0, metadata={"help": "another task's reward of a right answer"})


def test_an_option_two_tasks_declare_alike_is_one_option_of_both_and_a_clash_is_named():
    other = ToyTask()
    other.name, other.rl_options = "toy-other", OtherRLOptions
    params, owners = task_options([ToyTask(), other], ["task", "seed"])
    assert [p.name for p in params] == ["right"] and owners == {"right": ["toy-count", "toy-other"]}
    info = typing.get_args(params[0].annotation)[1]
    assert info.rich_help_panel == "Options of --task toy-count, toy-other" and not info.show_default
    assert info.help == "toy-count: reward of a right count (the toy's own RL option); toy-other: another task's " \
        "reward of a right answer"  # fmt: skip
    with pytest.raises(CompilerLMError, match="task 'toy-count': its RL option --right is one of train rl's own"):
        task_options([ToyTask()], ["task", "right"])


def test_unknown_and_unsuited_tasks_are_one_line_errors(toy):
    runner = CliRunner()
    app = build_app()
    assert runner.invoke(app, ["eval", "nonesuch", "--model", "hf:x"]).exit_code == 2
    with pytest.raises(CompilerLMError, match="unknown --task 'disasm': choose one of flags, asm, toy-count"):
        trainable("disasm")  # disasm has no reward


def _programs(suite):
    from compilerlm.programs.suites import resolve_target

    return resolve_target(str(suite))
