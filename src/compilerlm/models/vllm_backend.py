"""The offline vLLM engine in this process: the fastest way to sample many answers on a GPU.

vLLM is an optional extra, imported only when this backend is chosen.
"""

from __future__ import annotations

from collections.abc import Sequence

from compilerlm.errors import CompilerLMError
from compilerlm.models.base import Completion, Model


class VLLMModel(Model):
    """`vllm.LLM` over a hub id or local directory; prompts longer than max_model_len are skipped."""

    context_length: int  # always known: read from the loaded model in __init__

    def __init__(
        self,
        ref: str,
        *,
        dtype: str = "auto",
        context_length: int | None = None,
        seed: int | None = None,
        gpu_memory_utilization: float = 0.9,
    ) -> None:
        try:
            import vllm
        except ImportError as e:
            raise CompilerLMError("vllm backend needs vLLM: pip install 'compilerlm[vllm]'") from e
        self._vllm = vllm
        self.spec = f"vllm:{ref}"
        try:
            self.llm = vllm.LLM(
                model=ref,
                dtype=dtype,
                max_model_len=context_length,
                seed=seed if seed is not None else 0,
                gpu_memory_utilization=gpu_memory_utilization,
            )
        except (OSError, ValueError) as e:
            first = (str(e).strip().splitlines() or [type(e).__name__])[0]
            raise CompilerLMError(f"vLLM cannot load {ref!r}: {first} (check the id or path and GPU memory)") from e
        self.tokenizer = self.llm.get_tokenizer()
        self.context_length = int(self.llm.llm_engine.model_config.max_model_len)

    def generate(
        self, prompts: Sequence[str], n: int = 1, temperature: float = 0.0, max_tokens: int = 1024
    ) -> list[Completion]:
        results: list[Completion | None] = [None] * len(prompts)
        greedy = temperature <= 0.0
        todo: list[int] = []
        params = []
        sizes = [len(self.tokenizer.encode(p)) for p in prompts]
        for i, size in enumerate(sizes):
            room = self.context_length - size
            if room < 1:
                results[i] = Completion(
                    skipped=f"prompt of {size} tokens exceeds the context of {self.context_length} tokens",
                    prompt_tokens=size,
                )
                continue
            todo.append(i)
            # Greedy samples are all equal: ask for one (vLLM also rejects n > 1 with greedy in some versions).
            params.append(
                self._vllm.SamplingParams(
                    n=1 if greedy else n, temperature=max(temperature, 0.0), max_tokens=min(max_tokens, room)
                )
            )
        if todo:
            outputs = self.llm.generate([prompts[i] for i in todo], params, use_tqdm=False)
            for i, out in zip(todo, outputs, strict=True):
                texts = [o.text for o in out.outputs]
                results[i] = Completion(texts=texts[:1] * n if greedy else texts, prompt_tokens=sizes[i])
        return [r if r is not None else Completion(skipped="internal error: prompt not generated") for r in results]

    def close(self) -> None:
        self.llm = None
        try:
            import torch

            if torch.cuda.is_available():
                torch.cuda.empty_cache()
        except ImportError:
            pass
