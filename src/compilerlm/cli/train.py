"""`compilerlm train sft|rl`: fine-tune a model on a `compilerlm data` dataset (a thin layer over train.sft/rl),
with a progress bar on stderr."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from compilerlm.cli.common import check_output_folder, err_console
from compilerlm.train.config import LoraSettings, RLRunConfig, SFTRunConfig

train_app = typer.Typer(
    help="Train models: sft (TRL SFTTrainer) and rl (TRL GRPOTrainer; PPO through verl, see examples/).",
    no_args_is_help=True,
    add_completion=False,
)

Model = Annotated[str, typer.Option(help="model to start from: hf:ID_OR_PATH (a local folder or a hub id)")]
Data = Annotated[str, typer.Option(help="dataset folder written by compilerlm data (train.parquet, ...)")]
Out = Annotated[str, typer.Option(help="folder for the trained model (hf:OUT loads it)")]
Lora = Annotated[bool, typer.Option("--lora", help="train LoRA adapters (peft) instead of all weights")]
LoraR = Annotated[int, typer.Option(help="LoRA rank")]
Seed = Annotated[int, typer.Option(help="seed")]


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


def _lora(enabled: bool, r: int) -> LoraSettings | None:
    return LoraSettings(r=r, alpha=2 * r) if enabled else None


@train_app.command("sft")
def sft(
    model: Model,
    data: Data,
    out: Out,
    epochs: Annotated[float, typer.Option(help="passes over the train split")] = 1.0,
    max_steps: Annotated[int, typer.Option(help="optimizer steps (overrides --epochs when > 0)")] = -1,
    learning_rate: Annotated[float, typer.Option(help="peak learning rate")] = 2e-5,
    batch_size: Annotated[int, typer.Option(help="rows per device step")] = 4,
    grad_accum: Annotated[int, typer.Option(help="gradient accumulation steps")] = 1,
    max_length: Annotated[int | None, typer.Option(help="truncate prompt+completion to N tokens")] = None,
    lora: Lora = False,
    lora_r: LoraR = 16,
    logging_steps: Annotated[int, typer.Option(help="log the loss every N steps")] = 10,
    seed: Seed = 0,
) -> None:
    """Supervised fine-tuning on prompt/completion rows (loss on the completion only)."""
    from compilerlm.train.sft import run_sft

    check_output_folder(out, "--out")
    config = SFTRunConfig(
        model=model,
        data=data,
        out=out,
        epochs=epochs,
        max_steps=max_steps,
        learning_rate=learning_rate,
        batch_size=batch_size,
        grad_accum=grad_accum,
        max_length=max_length,
        lora=_lora(lora, lora_r),
        seed=seed,
        logging_steps=logging_steps,
    )
    report = run_sft(config, callbacks=[progress_callback("sft")])
    losses = report.losses
    first, last = (f"{losses[0]:.4f}", f"{losses[-1]:.4f}") if losses else ("-", "-")
    print(f"sft: {report.steps} steps in {report.seconds:.1f} s ({report.steps_per_second:.3f} steps/s)")
    print(f"loss {first} -> {last}" + (f", eval loss {report.eval_loss:.4f}" if report.eval_loss is not None else ""))
    print(f"saved to {report.out} (use --model hf:{report.out})")


@train_app.command("rl")
def rl(
    task: Annotated[str, typer.Option(help="asm (speed, SuperCoder rows) or flags (size, flags rows)")],
    model: Model,
    data: Data,
    out: Out,
    algo: Annotated[str, typer.Option(help="grpo (TRL) or ppo (verl: see examples/verl_ppo_asm.sh)")] = "grpo",
    reward: Annotated[str, typer.Option(help="asm reward: supercoder, partial or hidden")] = "supercoder",
    num_generations: Annotated[int, typer.Option(help="completions per prompt (the GRPO group)")] = 4,
    batch_size: Annotated[int, typer.Option(help="completions per device step (multiple of the group)")] = 4,
    grad_accum: Annotated[int, typer.Option(help="gradient accumulation steps")] = 1,
    max_steps: Annotated[int, typer.Option(help="optimizer steps")] = 100,
    learning_rate: Annotated[float, typer.Option(help="learning rate (SuperCoder: 1e-6)")] = 1e-6,
    temperature: Annotated[float, typer.Option(help="sampling temperature (SuperCoder: 0.5)")] = 0.5,
    beta: Annotated[float, typer.Option(help="KL coefficient (SuperCoder: 0, no KL)")] = 0.0,
    max_completion_length: Annotated[int, typer.Option(help="tokens per completion")] = 2048,
    reward_workers: Annotated[int, typer.Option(help="worker processes computing rewards")] = 2,
    reward_timeout: Annotated[float, typer.Option(help="seconds per reward before it scores as failed")] = 300.0,
    timing_runs: Annotated[int, typer.Option(help="asm: timed runs per test and answer")] = 3,
    verify: Annotated[bool, typer.Option(help="flags: run the program's tests with each answer's pipeline")] = True,
    invalid_score: Annotated[float, typer.Option(help="flags: reward of an invalid or miscompiling answer")] = -1.0,
    prompt_format: Annotated[str, typer.Option(help="asm: chat, text or auto (chat if the model has a template)")] = (
        "auto"
    ),
    lora: Lora = False,
    lora_r: LoraR = 16,
    seed: Seed = 0,
) -> None:
    """RL with compiler-verified rewards (GRPO); rewards of every completion go to OUT/rewards.jsonl."""
    from compilerlm.train.rl import check_algo, run_rl

    check_algo(algo)
    check_output_folder(out, "--out")
    config = RLRunConfig(
        task=task,
        model=model,
        data=data,
        out=out,
        algo=algo,
        reward=reward,
        num_generations=num_generations,
        batch_size=batch_size,
        grad_accum=grad_accum,
        max_steps=max_steps,
        learning_rate=learning_rate,
        temperature=temperature,
        beta=beta,
        max_completion_length=max_completion_length,
        reward_workers=reward_workers,
        reward_timeout=reward_timeout,
        timing_runs=timing_runs,
        verify=verify,
        invalid_score=invalid_score,
        prompt_format=prompt_format,
        lora=_lora(lora, lora_r),
        seed=seed,
    )
    report = run_rl(config, callbacks=[progress_callback(f"rl {task}")])
    curve = " ".join(f"{r:.3f}" for r in report.rewards)
    print(
        f"rl ({algo}, {task}): {report.steps} steps in {report.seconds:.1f} s ({report.steps_per_second:.3f} steps/s)"
    )
    print(f"mean reward per logged step: {curve}")
    print(f"rewards of every completion: {report.reward_log}; model saved to {report.out}")
