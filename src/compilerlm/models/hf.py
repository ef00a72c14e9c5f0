"""The transformers backend: a local directory or a Hugging Face hub id, run in this process.

Prompts are raw text (LLM Compiler models take no chat template). Prompts are sorted by length and
generated in left-padded batches; a prompt that does not fit the context is skipped, never truncated,
because a truncated IR module would be a different program.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from compilerlm.errors import CompilerLMError
from compilerlm.models.base import Completion, Model

if TYPE_CHECKING:  # what AutoModelForCausalLM.from_pretrained returns: a PreTrainedModel with generate()
    from transformers.models.auto.modeling_auto import _BaseModelWithGenerate

_CONTEXT_KEYS = ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length", "n_ctx")


def _looks_like_path(ref: str) -> bool:
    return ref.startswith(("/", "./", "../", "~")) or Path(ref).expanduser().exists()


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


class HFModel(Model):
    """transformers AutoModelForCausalLM; cuda when available (bf16), else CPU (float32)."""

    def __init__(
        self,
        ref: str,
        *,
        device: str | None = None,
        dtype: str = "auto",
        batch_size: int = 8,
        context_length: int | None = None,
        seed: int | None = None,
    ) -> None:
        try:
            import torch
            import transformers
        except ImportError as e:
            raise CompilerLMError(f"hf backend needs torch and transformers ({e}): pip install 'compilerlm[hf]'") from e
        self._torch = torch
        self.spec = f"hf:{ref}"
        if _looks_like_path(ref):
            path = Path(ref).expanduser()
            if not (path / "config.json").is_file():
                raise CompilerLMError(
                    f"no transformers model at {path} (expected a directory with config.json from save_pretrained)"
                )
            ref = str(path)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        torch_dtype = self._dtype(dtype)
        try:
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(ref)
            # device_map loads the weights straight onto the GPU instead of through CPU memory.
            on_cpu = self.device == "cpu"
            self.model: _BaseModelWithGenerate | None = transformers.AutoModelForCausalLM.from_pretrained(
                ref, dtype=torch_dtype, device_map=None if on_cpu else self.device
            )
        except Exception as e:  # the hub and the loaders raise many types; the user needs one line
            raise CompilerLMError(
                f"cannot load hf model {ref!r}: {_first_line(e)} (check the id or path; for gated models run "
                "`hf auth login`)"
            ) from e
        self.model.eval()
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.batch_size = max(1, batch_size)
        self.context_length = context_length or self._config_context()
        if seed is not None:
            torch.manual_seed(seed)

    def _dtype(self, name: str):
        torch = self._torch
        if name == "auto":
            if self.device.startswith("cuda"):
                return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
            return torch.float32
        value = getattr(torch, name, None)
        if not isinstance(value, torch.dtype):
            raise CompilerLMError(f"unknown dtype {name!r}: use auto, float32, bfloat16 or float16")
        return value

    def _config_context(self) -> int | None:
        assert self.model is not None  # called by __init__, before any close()
        config = self.model.config
        for key in _CONTEXT_KEYS:
            value = getattr(config, key, None)
            if isinstance(value, int) and value > 0:
                return value
        limit = getattr(self.tokenizer, "model_max_length", None)
        return limit if isinstance(limit, int) and 0 < limit < 10**7 else None

    def count_tokens(self, text: str) -> int:
        """Tokens of a generated text (no BOS); the server uses it for usage and finish_reason."""
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def generate(
        self, prompts: Sequence[str], n: int = 1, temperature: float = 0.0, max_tokens: int = 1024
    ) -> list[Completion]:
        results: list[Completion | None] = [None] * len(prompts)
        encoded = [self.tokenizer(p, add_special_tokens=True)["input_ids"] for p in prompts]
        ctx = self.context_length
        fits: list[int] = []
        for i, ids in enumerate(encoded):
            if ctx is not None and len(ids) + 1 > ctx:
                results[i] = Completion(
                    skipped=f"prompt of {len(ids)} tokens exceeds the context of {ctx} tokens", prompt_tokens=len(ids)
                )
            else:
                fits.append(i)
        # Batches of similar length waste little padding; a prompt whose answer budget is cut by the
        # context goes alone, so it does not shorten the answers of the prompts batched with it.
        fits.sort(key=lambda i: len(encoded[i]))
        budget = {i: max_tokens if ctx is None else min(max_tokens, ctx - len(encoded[i])) for i in fits}
        full = [i for i in fits if budget[i] == max_tokens]
        batches = [full[k : k + self.batch_size] for k in range(0, len(full), self.batch_size)]
        batches += [[i] for i in fits if budget[i] < max_tokens]
        for batch in batches:
            texts = self._generate_batch([encoded[i] for i in batch], n, temperature, budget[batch[0]])
            for i, t in zip(batch, texts, strict=True):
                results[i] = Completion(texts=t, prompt_tokens=len(encoded[i]))
        return [r if r is not None else Completion(skipped="internal error: prompt not generated") for r in results]

    def _generate_batch(self, batch: list[list[int]], n: int, temperature: float, max_new: int) -> list[list[str]]:
        torch = self._torch
        assert self.model is not None, "generate() after close()"
        padded = self.tokenizer.pad({"input_ids": batch}, padding=True, return_tensors="pt")
        greedy = temperature <= 0.0
        kwargs: dict[str, bool | int | float] = (
            {"do_sample": False} if greedy else {"do_sample": True, "temperature": temperature}
        )
        if not greedy:
            kwargs.update(top_k=0, top_p=1.0, num_return_sequences=n)  # plain temperature sampling, as servers do
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=padded["input_ids"].to(self.device),
                attention_mask=padded["attention_mask"].to(self.device),
                max_new_tokens=max(1, max_new),
                pad_token_id=self.tokenizer.pad_token_id,
                **kwargs,
            )
        width = padded["input_ids"].shape[1]
        per = 1 if greedy else n
        texts: list[list[str]] = []
        for b, prompt_ids in enumerate(batch):
            samples = [self._decode(prompt_ids, out[b * per + j, width:].tolist()) for j in range(per)]
            texts.append(samples * n if greedy else samples)  # greedy samples are all equal: compute one
        return texts

    def _decode(self, prompt_ids: list[int], new_ids: list[int]) -> str:
        """The continuation's text. Decoding it together with the prompt keeps a leading space that
        sentencepiece tokenizers drop when a continuation is decoded alone."""
        eos = self.tokenizer.eos_token_id
        if eos in new_ids:
            new_ids = new_ids[: new_ids.index(eos)]

        def dec(ids: list[int]) -> str:
            # one list of ids decodes to one str (transformers annotates decode for batches too: str | list[str])
            return cast(str, self.tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False))

        head, whole = dec(prompt_ids), dec(prompt_ids + new_ids)
        return whole[len(head) :] if whole.startswith(head) else dec(new_ids)

    def close(self) -> None:
        self.model = None
        if self._torch.cuda.is_available():
            self._torch.cuda.empty_cache()
