"""RL with compiler-verified rewards: TRL's GRPOTrainer with our reward functions as `reward_funcs`.

GRPO samples `num_generations` answers per prompt and scores each with the real pipeline (asm: build, run
every test in the sandbox, time against the baseline; flags: opt + llc sizes and the program's tests), in
worker processes with a time limit, with the settings the task makes from its own options (`Task.rl_options`:
`train rl --task NAME`'s options, `RLRunConfig.task_options` here). PPO with a critic is not offered by TRL
for function rewards (its PPOTrainer, where present, takes a reward *model*), so `--algo ppo` points to verl
(examples/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compilerlm import registry
from compilerlm.errors import CompilerLMError
from compilerlm.tasks.base import Task
from compilerlm.train.config import RLRunConfig
from compilerlm.train.model_io import (
    model_name,
    peft_config,
    precision,
    tokenizer_for,
    torch_libs,
    train_and_save,
    train_split,
)
from compilerlm.train.pool import RewardPool
from compilerlm.train.trl_rewards import TaskReward

VERL_HINT = "run PPO with verl instead: examples/verl_ppo_asm.sh (reward: compilerlm.train.verl_reward.compute_score)"


@dataclass
class RLReport:
    out: str
    steps: int
    rewards: list[float] = field(default_factory=list)  # mean reward at every logging step
    reward_log: str = ""  # JSONL of every scored completion
    seconds: float = 0.0

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.seconds if self.seconds else 0.0


def check_algo(algo: str) -> None:
    """GRPO runs here; PPO only where TRL offers a PPO trainer for reward functions (none does yet)."""
    if algo == "grpo":
        return
    if algo != "ppo":
        raise CompilerLMError(f"unknown --algo {algo!r}: choose grpo or ppo")
    import trl

    raise CompilerLMError(
        f"--algo ppo: TRL {trl.__version__} has no PPO trainer that takes a reward function (PPO needs a critic, "
        f"and TRL's PPOTrainer took only a reward model); {VERL_HINT}, or use --algo grpo"
    )


def _text_prompt(prompt: Any) -> str:
    """A chat prompt as plain text (its messages' contents): for models without a chat template."""
    if isinstance(prompt, str):
        return prompt
    return "\n\n".join(str(m["content"]) for m in prompt)


def _prepare_prompts(train: Any, tokenizer: Any, prompt_format: str) -> Any:
    if prompt_format not in ("auto", "chat", "text"):
        raise CompilerLMError(f"unknown --prompt-format {prompt_format!r}: choose auto, chat or text")
    chat = isinstance(train[0]["prompt"], list)
    if not chat:
        return train
    if prompt_format == "chat" and not getattr(tokenizer, "chat_template", None):
        raise CompilerLMError("--prompt-format chat: this tokenizer has no chat template; use --prompt-format text")
    if prompt_format == "text" or (prompt_format == "auto" and not getattr(tokenizer, "chat_template", None)):
        return train.map(lambda row: {"prompt": _text_prompt(row["prompt"])})
    return train


def trainable(name: str) -> Task:
    """The registered task `name` when it has a reward; else a one-line error listing those that do."""
    return registry.get(name, lambda t: t.trainable, "--task")


def reward_settings(config: RLRunConfig) -> tuple[Task, Any]:
    """The run's task and the settings its reward reads, made by the task from its own options
    (`config.task_options`, an instance of its `rl_options`; None: their defaults). A task that does not train, or
    options of another task's, or a bad setting is a one-line error here, before any work starts."""
    task = trainable(config.task)
    options = config.task_options
    if task.rl_options is None:
        if options is not None:
            raise CompilerLMError(f"--task {task.name} takes no options of its own (got {type(options).__name__})")
    elif options is None:
        options = task.rl_options()
    elif not isinstance(options, task.rl_options):
        raise CompilerLMError(
            f"--task {task.name} takes its options as {task.rl_options.__name__}, not {type(options).__name__}"
        )
    return task, task.reward_config(options, config.seed)


def run_rl(config: RLRunConfig, callbacks: list[Any] | None = None) -> RLReport:
    """GRPO on the dataset's train split; rewards logged to OUT/rewards.jsonl; the model saved to OUT."""
    check_algo(config.algo)
    task, reward_config = reward_settings(config)
    if config.num_generations < 2 or (config.batch_size * config.grad_accum) % config.num_generations:
        raise CompilerLMError(
            f"--batch-size × --grad-accum ({config.batch_size * config.grad_accum}) must be a multiple of "
            f"--num-generations ({config.num_generations}), which must be at least 2 (GRPO compares a group)"
        )
    _, _, trl = torch_libs()
    train, _ = train_split(config.data, ("prompt", *task.reward_columns))
    tokenizer = tokenizer_for(config.model)
    train = _prepare_prompts(train, tokenizer, config.prompt_format)
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    log_path = out / "rewards.jsonl"
    log_path.unlink(missing_ok=True)
    args = trl.GRPOConfig(
        output_dir=config.out,
        per_device_train_batch_size=config.batch_size,
        gradient_accumulation_steps=config.grad_accum,
        num_generations=config.num_generations,
        max_completion_length=config.max_completion_length,
        temperature=config.temperature,
        learning_rate=config.learning_rate,
        beta=config.beta,
        max_steps=config.max_steps,
        logging_steps=config.logging_steps,
        save_strategy="no",
        report_to="none",
        seed=config.seed,
        disable_tqdm=True,
        **precision(),
    )
    with RewardPool(config.reward_workers, config.reward_timeout) as pool:
        reward = TaskReward(pool, task, reward_config, log_path)
        trainer = trl.GRPOTrainer(
            model=model_name(config.model),
            reward_funcs=[reward],
            args=args,
            train_dataset=train,
            processing_class=tokenizer,
            peft_config=peft_config(config.lora),
            callbacks=callbacks,
        )
        history, seconds = train_and_save(trainer, tokenizer, config.out, config.save, config.lora is not None)
    return RLReport(
        out=config.out,
        steps=trainer.state.global_step,
        rewards=[h["reward"] for h in history if "reward" in h],
        reward_log=str(log_path),
        seconds=seconds,
    )
