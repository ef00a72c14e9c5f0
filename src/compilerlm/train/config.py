"""Run settings for `compilerlm train sft|rl` (dataclasses, as TRL's own configs). Each field's help is written
once, here: the command line's options are generated from these fields (`cli.common.dataclass_options`).

Only what every task shares is here: a task's own RL settings (its reward's) are its `Task.rl_options`
dataclass, whose fields are `train rl --task NAME`'s own options; a run carries them as `task_options`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

_T = TypeVar("_T")


def _help(default: _T, text: str) -> _T:
    """A field with a default and its command-line help; typed as its default, so `x: int = _help(1, ...)` checks."""
    return field(default=default, metadata={"help": text})


@dataclass(kw_only=True)
class LoraSettings:
    """peft LoRA on every linear layer; the merged model is what `train` saves (plus the adapter)."""

    r: int = 16
    alpha: int = 32
    dropout: float = 0.05


@dataclass(kw_only=True)
class SFTRunConfig:
    model: str = field(metadata={"help": "model to start from: hf:ID_OR_PATH (a local folder or a hub id)"})
    data: str = field(metadata={"help": "dataset folder written by compilerlm data (train.parquet, ...)"})
    out: str = field(metadata={"help": "folder for the trained model (hf:OUT loads it)"})
    epochs: float = _help(1.0, "passes over the train split")
    max_steps: int = _help(-1, "optimizer steps (overrides --epochs when > 0)")
    learning_rate: float = _help(2e-5, "peak learning rate")
    batch_size: int = _help(4, "rows per device step")
    grad_accum: int = _help(1, "gradient accumulation steps")
    max_length: int | None = _help(None, "truncate prompt+completion to N tokens")
    lora: LoraSettings | None = None
    seed: int = _help(0, "seed")
    logging_steps: int = _help(10, "log the loss every N steps")
    save: bool = True


@dataclass(kw_only=True)
class RLRunConfig:
    """A GRPO run: the trainer's settings and the task; the task's reward settings are `task_options`."""

    task: str = field(metadata={"help": "a task with a reward (compilerlm.registry), e.g. flags or asm"})
    model: str = field(metadata={"help": "model to start from: hf:ID_OR_PATH (a local folder or a hub id)"})
    data: str = field(metadata={"help": "dataset folder written by compilerlm data (train.parquet, ...)"})
    out: str = field(metadata={"help": "folder for the trained model (hf:OUT loads it)"})
    algo: str = _help("grpo", "grpo (TRL) or ppo (verl: see examples/verl_ppo_asm.sh)")
    num_generations: int = _help(4, "completions per prompt (the GRPO group)")
    batch_size: int = _help(4, "completions per device step (multiple of the group)")
    grad_accum: int = _help(1, "gradient accumulation steps")
    max_steps: int = _help(100, "optimizer steps")
    learning_rate: float = _help(1e-6, "learning rate (SuperCoder: 1e-6)")
    temperature: float = _help(0.5, "sampling temperature (SuperCoder: 0.5)")
    beta: float = _help(0.0, "KL coefficient (SuperCoder: 0, no KL)")
    max_completion_length: int = _help(2000, "tokens per completion (SuperCoder: 2,000)")
    reward_workers: int = _help(2, "worker processes computing rewards")
    reward_timeout: float = _help(300.0, "seconds per reward before it scores as failed")
    # the dataset's prompt shape decides, not the task: plain-text rows (flags) are passed as they are
    prompt_format: str = _help("auto", "chat prompts (asm rows): chat, text or auto (chat if the model has a template)")
    lora: LoraSettings | None = None
    seed: int = _help(0, "seed")
    logging_steps: int = 1
    save: bool = True
    # an instance of the task's `rl_options` dataclass (None: its defaults); no help, so no option of its own:
    # `train rl` makes it from the task's options
    task_options: Any = None
