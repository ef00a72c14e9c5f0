"""Loading what training needs (tokenizer, dataset split) and saving the result so `hf:OUT` loads it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from compilerlm.data.files import load_splits
from compilerlm.data.tokens import load_tokenizer, model_ref
from compilerlm.errors import CompilerLMError
from compilerlm.train.config import LoraSettings


def torch_libs():
    try:
        import torch
        import transformers
        import trl
    except ImportError as exc:
        raise CompilerLMError(
            f"training needs torch, transformers and trl ({exc}): pip install torch, then 'compilerlm[train]'"
        ) from exc
    return torch, transformers, trl


def tokenizer_for(spec: str) -> Any:
    """The model's tokenizer, with a pad token (EOS when it has none: trainers pad batches)."""
    tok = load_tokenizer(spec)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def train_split(data: str, needed: tuple[str, ...]) -> tuple[Any, Any | None]:
    """(train, validation or None) of a dataset folder; a one-line error naming missing columns."""
    splits = load_splits(data)
    if "train" not in splits or len(splits["train"]) == 0:
        raise CompilerLMError(f"{data} has no train rows; rebuild it with compilerlm data (larger suite)")
    missing = [c for c in needed if c not in splits["train"].column_names]
    if missing:
        have = ", ".join(splits["train"].column_names)
        raise CompilerLMError(f"{data} lacks column(s) {', '.join(missing)} (has {have}); wrong dataset for this task?")
    val = splits.get("validation")
    return splits["train"], (val if val is not None and len(val) else None)


def peft_config(lora: LoraSettings | None) -> Any:
    if lora is None:
        return None
    try:
        from peft import LoraConfig
    except ImportError as exc:
        raise CompilerLMError(f"--lora needs peft ({exc}): pip install 'compilerlm[train]'") from exc
    return LoraConfig(
        r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout, target_modules="all-linear", task_type="CAUSAL_LM"
    )


def precision() -> dict[str, Any]:
    """bf16 where the GPU has it, fp32 on CPU (TRL's default of bf16 would need a GPU)."""
    import torch

    cuda = torch.cuda.is_available()
    return {"bf16": bool(cuda and torch.cuda.is_bf16_supported()), "gradient_checkpointing": cuda}


def save_trained(trainer: Any, tokenizer: Any, out: str, lora: bool) -> Path:
    """A model folder `hf:OUT` loads: with LoRA the adapter goes to OUT/adapter and the merged model to OUT."""
    path = Path(out)
    path.mkdir(parents=True, exist_ok=True)
    model = trainer.model
    if lora:
        model.save_pretrained(path / "adapter")
        model = model.merge_and_unload()
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def train_and_save(trainer: Any, tokenizer: Any, out: str, save: bool, lora: bool) -> tuple[list[dict], float]:
    """Run the trainer, then save the model when asked: (TRL's log history, seconds spent training)."""
    start = time.time()
    trainer.train()
    seconds = time.time() - start
    if save:
        save_trained(trainer, tokenizer, out, lora)
    return trainer.state.log_history, seconds


def model_name(spec: str) -> str:
    return model_ref(spec)
