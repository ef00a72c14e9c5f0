"""Supervised fine-tuning on a `compilerlm data` dataset with TRL's SFTTrainer.

Rows are prompt/completion pairs, so TRL computes the loss on completion tokens only (the prompt, i.e. the
input IR or assembly, is context, not something to learn to write); TRL appends EOS to each completion, so
the model learns to stop after its answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compilerlm.train.config import SFTRunConfig
from compilerlm.train.model_io import (
    model_name,
    peft_config,
    precision,
    tokenizer_for,
    torch_libs,
    train_and_save,
    train_split,
)


@dataclass
class SFTReport:
    out: str
    steps: int
    losses: list[float] = field(default_factory=list)  # training loss at every logging step
    eval_loss: float | None = None
    seconds: float = 0.0

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.seconds if self.seconds else 0.0


def run_sft(config: SFTRunConfig, callbacks: list[Any] | None = None) -> SFTReport:
    """Train, save to `config.out` (merged when LoRA), return the loss curve."""
    _, _, trl = torch_libs()
    train, val = train_split(config.data, ("prompt", "completion"))
    keep = ["prompt", "completion"]
    train = train.select_columns(keep)
    val = val.select_columns(keep) if val is not None else None
    tokenizer = tokenizer_for(config.model)
    args = trl.SFTConfig(
        output_dir=config.out,
        num_train_epochs=config.epochs,
        max_steps=config.max_steps,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.batch_size,
        gradient_accumulation_steps=config.grad_accum,
        learning_rate=config.learning_rate,
        logging_steps=config.logging_steps,
        max_length=config.max_length,
        completion_only_loss=True,
        eval_strategy="epoch" if val is not None else "no",
        save_strategy="no",
        report_to="none",
        seed=config.seed,
        disable_tqdm=True,
        **precision(),
    )
    trainer = trl.SFTTrainer(
        model=model_name(config.model),
        args=args,
        train_dataset=train,
        eval_dataset=val,
        processing_class=tokenizer,
        peft_config=peft_config(config.lora),
        callbacks=callbacks,
    )
    history, seconds = train_and_save(trainer, tokenizer, config.out, config.save, config.lora is not None)
    evals = [h["eval_loss"] for h in history if "eval_loss" in h]
    return SFTReport(
        out=config.out,
        steps=trainer.state.global_step,
        losses=[h["loss"] for h in history if "loss" in h],
        eval_loss=evals[-1] if evals else None,
        seconds=seconds,
    )
