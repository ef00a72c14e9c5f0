"""`compilerlm train sft|rl`: fine-tune a model on a `compilerlm data` dataset (a thin layer over train.sft/rl),
with a progress bar on stderr; `compilerlm train ranker`: the CPU flag-tuning ranker from corpus labels.

`train rl` is one command for every task with a reward (`--task NAME`, as the README spells it): its options
are the run's (`RLRunConfig`) and every such task's own (`Task.rl_options`), the latter listed under their
task's name in `--help` and refused, with a one-line error, when given with another task. One command rather
than one per task keeps the shared run options in one place and `--task` where users already type it.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from compilerlm import registry
from compilerlm.cli.common import (
    KEYWORD,
    check_output_file,
    check_output_folder,
    command_from,
    dataclass_options,
    err_console,
)
from compilerlm.errors import CompilerLMError
from compilerlm.ranker.model import RankerConfig
from compilerlm.train.config import LoraSettings, RLRunConfig, SFTRunConfig

if TYPE_CHECKING:
    from compilerlm.tasks.base import Task

Lora = Annotated[bool, typer.Option("--lora", help="train LoRA adapters (peft) instead of all weights")]
LoraR = Annotated[int, typer.Option(help="LoRA rank")]
LORA = [
    inspect.Parameter("lora", KEYWORD, default=False, annotation=Lora),
    inspect.Parameter("lora_r", KEYWORD, default=16, annotation=LoraR),
]


def progress_callback(description: str) -> Any:
    """A transformers TrainerCallback drawing a progress bar on stderr (imported lazily: needs transformers)."""
    from transformers import TrainerCallback

    class RichProgress(TrainerCallback):
        def __init__(self) -> None:
            self.bar: Progress | None = None
            self.task: Any = None
            self.latest: dict[str, float] = {}

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.bar = Progress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                TimeRemainingColumn(), TextColumn("{task.fields[note]}"), console=err_console,
            )  # fmt: skip
            self.bar.start()
            self.task = self.bar.add_task(description, total=state.max_steps or None, note="")

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if self.bar is not None:
                self.bar.update(self.task, completed=state.global_step, note=self.note)

        def on_log(self, args: Any, state: Any, control: Any, logs: dict | None = None, **kwargs: Any) -> None:
            logs = logs or {}
            self.latest.update({k: float(logs[k]) for k in ("loss", "reward", "eval_loss") if k in logs})

        @property
        def note(self) -> str:
            return ", ".join(f"{k} {v:.4g}" for k, v in self.latest.items())

        def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if self.bar is not None:
                self.bar.update(self.task, completed=state.global_step, note=self.note)
                self.bar.stop()
                self.bar = None

    return RichProgress()


def _config(config_type: type, options: dict[str, Any]) -> Any:
    """The run config from the command's options (--lora and --lora-r make its LoraSettings)."""
    enabled, r = options.pop("lora"), options.pop("lora_r")
    return config_type(**options, lora=LoraSettings(r=r, alpha=2 * r) if enabled else None)


def sft(**options: Any) -> None:
    from compilerlm.train.sft import run_sft

    config: SFTRunConfig = _config(SFTRunConfig, options)
    check_output_folder(config.out, "--out")
    report = run_sft(config, callbacks=[progress_callback("sft")])
    losses = report.losses
    first, last = (f"{losses[0]:.4f}", f"{losses[-1]:.4f}") if losses else ("-", "-")
    print(f"sft: {report.steps} steps in {report.seconds:.1f} s ({report.steps_per_second:.3f} steps/s)")
    print(f"loss {first} -> {last}" + (f", eval loss {report.eval_loss:.4f}" if report.eval_loss is not None else ""))
    print(f"saved to {report.out} (use --model hf:{report.out})")


def _option(param: inspect.Parameter) -> Any:
    """The typer OptionInfo of a parameter made by `dataclass_options` (a new one per call: safe to adjust)."""
    return typing.get_args(param.annotation)[1]


def _flag(name: str) -> str:
    return f"--{name.replace('_', '-')}"


def task_options(tasks: Sequence[Task], taken: Sequence[str]) -> tuple[list[inspect.Parameter], dict[str, list[str]]]:
    """The own options of every task in `tasks` (its `rl_options` fields with help), each listed once, under
    "Options of --task NAME"; a field two tasks declare with one type is one option of both. Also returns
    which tasks take each option. A field named as a run option (`taken`), or declared with two types, would
    make `train rl` ambiguous: the task's author learns it here, from a one-line error."""
    params: dict[str, inspect.Parameter] = {}
    owners: dict[str, list[str]] = {}
    helps: dict[str, list[str]] = {}
    for task in tasks:
        for param in dataclass_options(task.rl_options) if task.rl_options is not None else []:
            name = param.name
            if name in taken:
                raise CompilerLMError(f"task {task.name!r}: its RL option {_flag(name)} is one of train rl's own")
            if name not in params:
                params[name], owners[name], helps[name] = param, [], []
            elif typing.get_args(params[name].annotation)[0] != typing.get_args(param.annotation)[0]:
                raise CompilerLMError(f"tasks {', '.join(owners[name])} and {task.name} type {_flag(name)} differently")
            elif params[name].default != param.default:
                _option(params[name]).show_default = False  # one default would be wrong for one of them
            owners[name].append(task.name)
            helps[name].append(f"{task.name}: {_option(param).help}")
    for name, param in params.items():
        info = _option(param)
        info.help = info.help if len(owners[name]) == 1 else "; ".join(helps[name])
        info.rich_help_panel = f"Options of --task {', '.join(owners[name])}"
    return list(params.values()), owners


def rl(owners: Mapping[str, Sequence[str]], ctx: typer.Context, **options: Any) -> None:
    """`owners`: the tasks each task option belongs to; an option given for a task that does not own it (one
    the user typed, not a default) is refused before any work."""
    from compilerlm.train.rl import check_algo, run_rl, trainable

    values = {name: options.pop(name) for name in owners}
    given = {k: v for k, v in values.items() if _source(ctx, k) not in ("DEFAULT", "DEFAULT_MAP")}
    task = trainable(options["task"])
    for name in given:
        if task.name not in owners[name]:
            own = [_spelling(ctx, n) for n, tasks in owners.items() if task.name in tasks]
            has = f"its own: {', '.join(own)}" if own else "it has no options of its own"
            raise CompilerLMError(
                f"{_spelling(ctx, name)} is an option of --task {' or --task '.join(owners[name])}, not of --task "
                f"{task.name} ({has})"
            )
    options["task_options"] = task.rl_options(**given) if task.rl_options is not None else None
    config: RLRunConfig = _config(RLRunConfig, options)
    check_algo(config.algo)
    check_output_folder(config.out, "--out")
    report = run_rl(config, callbacks=[progress_callback(f"rl {config.task}")])
    curve = " ".join(f"{r:.3f}" for r in report.rewards)
    print(
        f"rl ({config.algo}, {config.task}): {report.steps} steps in {report.seconds:.1f} s "
        f"({report.steps_per_second:.3f} steps/s)"
    )
    print(f"mean reward per logged step: {curve}")
    print(f"rewards of every completion: {report.reward_log}; model saved to {report.out}")


def _spelling(ctx: typer.Context, name: str) -> str:
    """An option as the command line spells it (`--verify/--no-verify`)."""
    param = next(p for p in ctx.command.params if p.name == name)
    return "/".join([*param.opts, *getattr(param, "secondary_opts", [])])


def _source(ctx: typer.Context, name: str) -> str:
    """Where a parameter's value came from (click's ParameterSource, by name: typer may carry its own click)."""
    source = ctx.get_parameter_source(name)
    return source.name if source is not None else "DEFAULT"


def rl_command() -> Any:
    """`train rl` for the tasks with a reward as the registry stands now: the run's options, then each task's."""
    trainable = registry.tasks(lambda t: t.trainable)
    run = dataclass_options(RLRunConfig) + LORA
    choices = " or ".join(t.name for t in trainable)
    task = _option(next(p for p in run if p.name == "task"))
    task.help = f"a task with a reward: {choices}; its own options are listed under its name"
    taken = [*(f.name for f in dataclasses.fields(RLRunConfig)), *(p.name for p in LORA), "ctx"]
    own, owners = task_options(trainable, taken)
    context = inspect.Parameter("ctx", KEYWORD, annotation=typer.Context)
    return command_from(
        partial(rl, owners),
        [context, *run, *own],
        "RL with compiler-verified rewards (GRPO); rewards of every completion go to OUT/rewards.jsonl.",
    )


def ranker(**options: Any) -> None:
    import time

    from compilerlm.ranker.model import train_ranker_file

    config = RankerConfig(**options)
    check_output_file(config.out, "--out")
    started = time.perf_counter()
    model, scores = train_ranker_file(config)
    seconds = time.perf_counter() - started
    counts = model.meta["modules"]
    print(
        f"ranker: {len(model.pipelines)} pipelines learned from {counts['train']} training modules in {seconds:.1f} s; "
        f"saved to {config.out} ({config.out.stat().st_size // 1024} KiB; use --model ranker:{config.out})"
    )
    for split, s in scores.items():
        print(
            f"  {split} ({s['modules']} modules): best of 1/3/10 ranked {s['ranker@1']:+.2%} {s['ranker@3']:+.2%} "
            f"{s['ranker@10']:+.2%}, library order {s['library@1']:+.2%} {s['library@3']:+.2%} {s['library@10']:+.2%}; "
            f"zero-shot {s['zero_shot']:+.2%}, better than -Oz on {s['zero_shot_better']:.0%}; all {s['oracle']:+.2%}"
        )


def make_train_app() -> typer.Typer:
    """The `train` group; `train rl`'s task options follow the registry as it stands when this is called."""
    app = typer.Typer(
        help="Train models: sft (TRL SFTTrainer) and rl (TRL GRPOTrainer; PPO through verl, see examples/).",
        no_args_is_help=True,
        add_completion=False,
    )
    app.command("sft")(
        command_from(
            sft,
            dataclass_options(SFTRunConfig) + LORA,
            "Supervised fine-tuning on prompt/completion rows (loss on the completion only).",
        )
    )
    app.command("rl")(rl_command())
    app.command("ranker")(
        command_from(
            ranker,
            dataclass_options(RankerConfig),
            "The CPU flag-tuning ranker from corpus labels: a learned pass-list library and its LightGBM predictor.",
        )
    )
    return app
