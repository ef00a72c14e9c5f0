"""Token-length filter: a training example longer than the model's context is truncated by trainers, and a
truncated IR module or assembly file is a different program, so such examples are dropped instead."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compilerlm.errors import CompilerLMError


def model_ref(spec: str) -> str:
    """The transformers name of a model spec: `hf:ID_OR_PATH` or a bare path / hub id. Other backends
    (openai:, vllm:, gguf:) serve models but cannot be trained or tokenized here."""
    kind, sep, ref = spec.partition(":")
    if sep and kind == "hf":
        spec = ref
    elif sep and kind in ("openai", "vllm", "gguf"):
        raise CompilerLMError(
            f"{spec!r} names a {kind} backend; training and tokenizing need a transformers model: hf:ID_OR_PATH"
        )
    if not spec:
        raise CompilerLMError("empty model spec: use hf:ID_OR_PATH (a local folder or a Hugging Face hub id)")
    path = Path(spec).expanduser()
    return str(path) if path.exists() else spec


def load_tokenizer(spec: str) -> Any:
    """transformers' AutoTokenizer for a model spec; a one-line error when it cannot be found."""
    try:
        import transformers
    except ImportError as exc:
        raise CompilerLMError(f"--tokenizer needs transformers ({exc}): pip install 'compilerlm[hf]'") from exc
    ref = model_ref(spec)
    try:
        return transformers.AutoTokenizer.from_pretrained(ref)
    except Exception as exc:  # OSError, ValueError, hub errors: all mean "not found or not a tokenizer"
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CompilerLMError(f"cannot load a tokenizer from {ref!r} ({first}); give hf:LOCAL_DIR or a hub id") from exc


@dataclass
class TokenFilter:
    """Keeps texts of at most `max_tokens` tokens (special tokens such as BOS included)."""

    tokenizer: Any
    max_tokens: int

    def count(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=True)["input_ids"])

    def keep(self, text: str) -> bool:
        return self.count(text) <= self.max_tokens


def make_filter(tokenizer: str | None, max_tokens: int | None) -> TokenFilter | None:
    """None when no filter was asked for; both options or neither."""
    if max_tokens is None and tokenizer is None:
        return None
    if max_tokens is None or tokenizer is None:
        raise CompilerLMError("the token-length filter needs both --tokenizer SPEC and --max-tokens N")
    if max_tokens < 1:
        raise CompilerLMError(f"--max-tokens must be at least 1, got {max_tokens}")
    return TokenFilter(load_tokenizer(tokenizer), max_tokens)
