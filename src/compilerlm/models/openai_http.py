"""Any OpenAI-compatible server (vLLM, llama.cpp server, ollama, `compilerlm serve`) over HTTP.

Uses the completions endpoint, not chat, because LLM Compiler prompts are raw text. The official
client retries 429/5xx/connection errors with exponential backoff; what still fails becomes a skipped
Completion for that prompt, so one bad request never ends a long run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from compilerlm.errors import CompilerLMError
from compilerlm.models.base import Completion, Model
from compilerlm.parallel import ThreadExecutor

_LENGTH_WORDS = re.compile(r"context|length|too long|maximum", re.IGNORECASE)
_CONTEXT = re.compile(r"maximum context length is (\d+)", re.IGNORECASE)
_PROMPT_TOKENS = re.compile(r"(\d+) in the (?:messages|prompt)|has (\d+) input tokens|(\d+) prompt tokens", re.I)


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _error_message(e: Exception) -> str:
    """The server's own message when it sent one (`{"error": {"message": ...}}`), else the exception's."""
    body, status = getattr(e, "body", None), getattr(e, "status_code", None)
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return _one_line(f"HTTP {status}: {body['message']}" if status else body["message"])
    return _one_line(str(e) or type(e).__name__)


def _room_for_answer(message: str) -> int | None:
    """Tokens left for the answer, when a length error says both the context and the prompt size (vLLM does)."""
    ctx, prompt = _CONTEXT.search(message), _PROMPT_TOKENS.search(message)
    if not ctx or not prompt:
        return None
    used = int(next(g for g in prompt.groups() if g))
    return int(ctx.group(1)) - used


class OpenAIModel(Model):
    """Prompts go out concurrently (`concurrency` requests in flight), one request per prompt."""

    def __init__(
        self,
        base_url: str,
        model: str | None = None,
        *,
        timeout: float = 600.0,
        max_retries: int = 3,
        concurrency: int = 8,
        context_length: int | None = None,
    ) -> None:
        import openai

        self._openai = openai
        self.base_url = base_url.rstrip("/")
        self.client = openai.OpenAI(
            base_url=self.base_url,
            api_key=os.environ.get("OPENAI_API_KEY", "EMPTY"),
            timeout=timeout,
            max_retries=max_retries,
        )
        self.concurrency = max(1, concurrency)
        self.context_length = context_length
        self.model = model or self._discover()
        self.spec = f"openai:{self.base_url}#{self.model}"

    def _discover(self) -> str:
        """The first model the server lists; also its context length when the server says (vLLM's max_model_len)."""
        openai = self._openai
        try:
            listed = list(self.client.models.list())
        except openai.APIConnectionError as e:
            raise CompilerLMError(
                f"cannot reach an OpenAI-compatible server at {self.base_url} ({_error_message(e)}): start it "
                "(e.g. `compilerlm serve SPEC` or `vllm serve MODEL`) or fix the URL, which usually ends in /v1"
            ) from e
        except openai.APIError as e:
            raise CompilerLMError(
                f"cannot list models at {self.base_url}/models ({_error_message(e)}): name the model in the spec, "
                "openai:URL#MODEL"
            ) from e
        if not listed:
            raise CompilerLMError(f"the server at {self.base_url} serves no model: name one with openai:URL#MODEL")
        first = listed[0]
        if self.context_length is None:
            extra = getattr(first, "model_extra", None) or {}
            ctx = extra.get("max_model_len")
            self.context_length = ctx if isinstance(ctx, int) and ctx > 0 else None
        return first.id

    def generate(
        self, prompts: Sequence[str], n: int = 1, temperature: float = 0.0, max_tokens: int = 1024
    ) -> list[Completion]:
        if not prompts:
            return []
        # threads: each request waits on the server; `_one` turns every failure into a skipped Completion
        names = [f"prompt {i + 1}" for i in range(len(prompts))]
        return ThreadExecutor(self.concurrency).map(lambda p: self._one(p, n, temperature, max_tokens), prompts, names)

    def _one(self, prompt: str, n: int, temperature: float, max_tokens: int) -> Completion:
        greedy = temperature <= 0.0
        asked = 1 if greedy else n  # greedy samples are all equal (and some servers reject n > 1 when greedy)
        retried_shorter = False
        while True:
            try:
                response = self.client.completions.create(
                    model=self.model, prompt=prompt, n=asked, temperature=max(temperature, 0.0), max_tokens=max_tokens
                )
            except self._openai.BadRequestError as e:
                message = _error_message(e)
                room = _room_for_answer(message)
                if not retried_shorter and room is not None and 0 < room < max_tokens:
                    # The prompt fits, only prompt + max_tokens does not: ask for what fits, like the hf backend.
                    max_tokens, retried_shorter = room, True
                    continue
                if _LENGTH_WORDS.search(message):
                    return Completion(skipped=message)
                return Completion(skipped=f"request failed: {message}")
            except Exception as e:  # after the client's own retries; never end the run for one prompt
                return Completion(skipped=f"request failed: {_error_message(e)}")
            break
        choices = sorted(response.choices, key=lambda c: c.index)
        texts = [c.text or "" for c in choices]
        if not texts:
            return Completion(skipped="request failed: the server returned no choices")
        if greedy:
            texts = texts[:1] * n
        usage = getattr(response, "usage", None)
        return Completion(texts=texts, prompt_tokens=getattr(usage, "prompt_tokens", None))

    def close(self) -> None:
        self.client.close()
