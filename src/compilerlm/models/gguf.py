"""A GGUF file run by llama.cpp (llama-cpp-python): quantized models on a laptop CPU or a small GPU.

llama-cpp-python is an optional extra, imported only when this backend is chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from compilerlm.errors import CompilerLMError
from compilerlm.models.base import Completion, Model


class GGUFModel(Model):
    """`llama_cpp.Llama`; one prompt and one sample at a time (llama.cpp has no `n`), long prompts skipped."""

    context_length: int  # always known: read from the loaded model in __init__

    def __init__(
        self,
        path: str,
        *,
        context_length: int | None = None,
        device: str | None = None,
        seed: int | None = None,
    ) -> None:
        try:
            import llama_cpp
        except ImportError as e:
            raise CompilerLMError("gguf backend needs llama-cpp-python: pip install 'compilerlm[gguf]'") from e
        file = Path(path).expanduser()
        if not file.is_file():
            raise CompilerLMError(f"no GGUF file at {file} (give the path of a .gguf model file)")
        self.spec = f"gguf:{file}"
        self.llm = llama_cpp.Llama(
            model_path=str(file),
            n_ctx=context_length or 0,  # 0: the context the model was trained with
            n_gpu_layers=0 if device == "cpu" else -1,
            seed=seed if seed is not None else llama_cpp.LLAMA_DEFAULT_SEED,
            verbose=False,
        )
        self.context_length = int(self.llm.n_ctx())

    def generate(
        self, prompts: Sequence[str], n: int = 1, temperature: float = 0.0, max_tokens: int = 1024
    ) -> list[Completion]:
        results = []
        greedy = temperature <= 0.0
        for prompt in prompts:
            size = len(self.llm.tokenize(prompt.encode(), add_bos=True))
            room = self.context_length - size
            if room < 1:
                skipped = f"prompt of {size} tokens exceeds the context of {self.context_length} tokens"
                results.append(Completion(skipped=skipped, prompt_tokens=size))
                continue
            texts = []
            for _ in range(1 if greedy else n):
                # Plain temperature sampling, like the other backends: no top-k/top-p/min-p or repeat penalty.
                out = self.llm.create_completion(
                    prompt,
                    max_tokens=min(max_tokens, room),
                    temperature=max(temperature, 0.0),
                    top_k=0,
                    top_p=1.0,
                    min_p=0.0,
                    repeat_penalty=1.0,
                )
                texts.append(out["choices"][0]["text"])
            results.append(Completion(texts=texts * n if greedy else texts, prompt_tokens=size))
        return results

    def close(self) -> None:
        llm, self.llm = self.llm, None
        if llm is not None and hasattr(llm, "close"):
            llm.close()
