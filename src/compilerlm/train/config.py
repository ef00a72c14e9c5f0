"""Run settings for `compilerlm train sft|rl` (dataclasses, as TRL's own configs; the CLI fills them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LoraSettings:
    """peft LoRA on every linear layer; the merged model is what `train` saves (plus the adapter)."""

    r: int = 16
    alpha: int = 32
    dropout: float = 0.05


@dataclass
class SFTRunConfig:
    model: str  # hf:ID_OR_PATH, a local folder or a hub id
    data: str  # a `compilerlm data` folder with prompt/completion columns
    out: str
    epochs: float = 1.0
    max_steps: int = -1  # > 0 overrides epochs
    learning_rate: float = 2e-5
    batch_size: int = 4
    grad_accum: int = 1
    max_length: int | None = None  # tokens of prompt + completion; longer rows are truncated by TRL
    lora: LoraSettings | None = None
    seed: int = 0
    logging_steps: int = 10
    save: bool = True


@dataclass
class RLRunConfig:
    task: str  # "asm" | "flags"
    model: str
    data: str
    out: str
    algo: str = "grpo"  # "ppo": verl (TRL has none that takes a reward function)
    reward: str = "supercoder"  # asm: supercoder | partial | hidden
    num_generations: int = 4  # completions per prompt (GRPO's group)
    batch_size: int = 4  # completions per device step; a multiple of num_generations
    grad_accum: int = 1
    max_steps: int = 100
    learning_rate: float = 1e-6  # SuperCoder's policy learning rate
    temperature: float = 0.5  # SuperCoder's sampling temperature
    beta: float = 0.0  # KL coefficient: SuperCoder uses none
    max_completion_length: int = 2048
    reward_workers: int = 2
    reward_timeout: float = 300.0  # seconds per reward; past it the sample scores as failed
    timing_runs: int = 3  # asm: timed runs per test and answer
    verify: bool = True  # flags: run the program's tests with the answer's pipeline
    invalid_score: float = -1.0  # flags: reward of an invalid or miscompiling answer
    prompt_format: str = "auto"  # asm: "chat" (the row's messages), "text" (their content), "auto": chat if
    #                               the tokenizer has a chat template
    lora: LoraSettings | None = None
    seed: int = 0
    logging_steps: int = 1
    save: bool = True
