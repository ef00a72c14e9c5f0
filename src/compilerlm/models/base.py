"""One interface over every model backend: `generate(prompts, n, temperature, max_tokens)`.

Tasks only see `Model`; which library runs the model (transformers, vLLM, an OpenAI-compatible server,
llama.cpp) is chosen by the spec string given to `load_model` (models/__init__.py).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Completion:
    """The samples for one prompt. `skipped` says why there are none (prompt longer than the context, a
    request that failed after its retries); a skipped prompt is counted by the caller, never a crash."""

    texts: list[str] = field(default_factory=list)
    skipped: str | None = None
    prompt_tokens: int | None = None


class Model(ABC):
    spec: str = ""
    context_length: int | None = None  # tokens, prompt + answer; None when unknown (a server decides)

    @abstractmethod
    def generate(
        self, prompts: Sequence[str], n: int = 1, temperature: float = 0.0, max_tokens: int = 1024
    ) -> list[Completion]:
        """One Completion per prompt, in order; temperature 0 means greedy decoding (then n samples are equal)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release what the backend holds (GPU memory, HTTP sessions)."""

    def __enter__(self) -> Model:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
