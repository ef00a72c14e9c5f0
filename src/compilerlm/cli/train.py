"""`compilerlm train sft|rl`: fine-tune a model on a `compilerlm data` dataset (a thin layer over train.sft/rl),
with a progress bar on stderr; `compilerlm train ranker`: the CPU flag-tuning ranker from corpus labels."""

from __future__ import annotations

import inspect
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from compilerlm.cli.common import (
    KEYWORD,
    check_output_file,
    check_output_folder,
    command_from,
    dataclass_options,
    err_console,
)
from compilerlm.ranker.model import RankerConfig
from compilerlm.train.config import LoraSettings, RLRunConfig, SFTRunConfig

train_app = typer.Typer(
    help="Train models: sft (TRL SFTTrainer) and rl (TRL GRPOTrainer; PPO through verl, see examples/).",
    no_args_is_help=True,
    add_completion=False,
)

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


def rl(**options: Any) -> None:
    from compilerlm.train.rl import check_algo, run_rl

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


train_app.command("sft")(
    command_from(
        sft,
        dataclass_options(SFTRunConfig) + LORA,
        "Supervised fine-tuning on prompt/completion rows (loss on the completion only).",
    )
)
train_app.command("rl")(
    command_from(
        rl,
        dataclass_options(RLRunConfig) + LORA,
        "RL with compiler-verified rewards (GRPO); rewards of every completion go to OUT/rewards.jsonl.",
    )
)


def ranker(**options: Any) -> None:
    import time

    from compilerlm.ranker.model import read_labels, train_ranker

    config = RankerConfig(**options)
    check_output_file(config.out, "--out")
    started = time.perf_counter()
    labels = read_labels(config.data)
    model, scores = train_ranker(labels, config)
    model.save(config.out)
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


train_app.command("ranker")(
    command_from(
        ranker,
        dataclass_options(RankerConfig),
        "The CPU flag-tuning ranker from corpus labels: a learned pass-list library and its LightGBM predictor.",
    )
)
