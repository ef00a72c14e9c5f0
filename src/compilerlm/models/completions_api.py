"""The OpenAI completions API as `compilerlm serve` speaks it: request checks and answer shapes, no HTTP.

`_parse_request` turns a body into a checked `_Request` or a `RequestError` that carries the HTTP status
and the OpenAI-style error fields; `_response` builds the completions answer. Apart from the server
(`server.py`), which owns sockets, deadlines and connection limits, so what a valid request is can be read
(and tested) without a socket.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from compilerlm.models.base import Completion, Model

DEFAULT_MAX_TOKENS = 16  # the OpenAI API's default when a request names none
MAX_TOKENS_WITHOUT_CONTEXT = 4096  # the max_tokens cap when the model does not say its context length


@dataclass(frozen=True)
class Limits:
    """What one request may ask of the server; `compilerlm serve --max-...` sets them."""

    # Content-Length is checked before the body is read; tokens are checked against the model's context
    max_body_bytes: int = field(default=8 * 1024 * 1024, metadata={"help": "largest request body (413 beyond)"})
    max_prompt_chars: int = field(default=1_000_000, metadata={"help": "longest prompt in characters (400 beyond)"})
    max_prompts: int = field(default=64, metadata={"help": "most prompts in one request"})
    max_n: int = field(default=16, metadata={"help": "most answers per prompt (n)"})
    max_tokens: int | None = field(
        default=None, metadata={"help": "largest max_tokens (default: the model's context length, else 4096)"}
    )
    timeout: float = field(
        default=30.0, metadata={"help": "seconds a client has to send a whole request (and to get an answer)"}
    )
    max_connections: int = field(default=32, metadata={"help": "connections served at once (503 beyond)"})

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_prompt_chars", "max_prompts", "max_n", "max_connections"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise ValueError(f"max_tokens must be >= 1, got {self.max_tokens}")
        if not self.timeout > 0:
            raise ValueError(f"timeout must be > 0 seconds, got {self.timeout}")

    def tokens_cap(self, model: Model) -> int:
        """The largest `max_tokens` a request may ask for `model`."""
        return self.max_tokens or model.context_length or MAX_TOKENS_WITHOUT_CONTEXT


class RequestError(Exception):
    """A request the server refuses; `status` is the HTTP status, the rest fills the OpenAI-style error."""

    def __init__(
        self,
        message: str,
        status: int = 400,
        code: str | None = None,
        param: str | None = None,
        kind: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.param, self.kind = status, code, param, kind


class BadRequest(RequestError):
    """A request the server refuses with 400."""


def _error_body(message: str, kind: str, code: str | None = None, param: str | None = None) -> bytes:
    return json.dumps({"error": {"message": message, "type": kind, "param": param, "code": code}}).encode()


@dataclass
class _Request:
    prompts: list[str]
    n: int = 1
    temperature: float = 1.0
    max_tokens: int = DEFAULT_MAX_TOKENS
    extra: dict[str, Any] = field(default_factory=dict)


def _parse_request(
    raw: bytes, limits: Limits | None = None, tokens_cap: int | None = None, served: str | None = None
) -> _Request:
    """The request in `raw`, checked against `limits`, `tokens_cap` (for max_tokens) and the `served` model name
    (None: any); raises RequestError (400, or 404 for another model)."""
    limits = limits or Limits()
    tokens_cap = tokens_cap or limits.max_tokens or MAX_TOKENS_WITHOUT_CONTEXT
    try:
        body = json.loads(raw or b"null")
    except (ValueError, RecursionError) as e:  # JSONDecodeError, UnicodeDecodeError, too many digits, nesting
        raise BadRequest(f"the body is not valid JSON: {str(e)[:200]}", code="invalid_json") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object with at least a 'prompt'", code="invalid_json")
    asked = body.get("model")  # a request that names no model gets the served one
    if asked is not None and not isinstance(asked, str):
        raise BadRequest("'model' must be a string", code="invalid_value", param="model")
    if served is not None and asked is not None and asked != served:
        raise RequestError(f"The model `{asked[:200]}` does not exist: this server serves `{served}`",
                           404, "model_not_found", "model")  # fmt: skip
    prompt = body.get("prompt")
    prompts = [prompt] if isinstance(prompt, str) else prompt
    if not isinstance(prompts, list) or not prompts or not all(isinstance(p, str) for p in prompts):
        raise BadRequest(
            "'prompt' must be a string or a non-empty list of strings (token ids are not supported)",
            code="invalid_value",
            param="prompt",
        )
    if len(prompts) > limits.max_prompts:
        raise BadRequest(
            f"'prompt' is a list of {len(prompts)} prompts, above this server's cap of {limits.max_prompts} "
            "per request (compilerlm serve --max-prompts)",
            code="too_many_prompts",
            param="prompt",
        )
    for i, p in enumerate(prompts):
        if len(p) > limits.max_prompt_chars:
            raise BadRequest(
                f"prompt {i} has {len(p)} characters, more than this server's maximum of "
                f"{limits.max_prompt_chars} characters (compilerlm serve --max-prompt-chars)",
                code="prompt_too_long",
                param="prompt",
            )
    if body.get("stream"):
        raise BadRequest("'stream' is not supported by this server", param="stream")
    n, temperature, max_tokens = (
        default if body.get(key) is None else body[key]
        for key, default in (("n", 1), ("temperature", 1.0), ("max_tokens", DEFAULT_MAX_TOKENS))
    )
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise BadRequest("'n' must be an integer >= 1", code="invalid_value", param="n")
    if n > limits.max_n:
        raise BadRequest(
            f"'n' is {n}, above this server's cap of {limits.max_n} (compilerlm serve --max-n)",
            code="invalid_value",
            param="n",
        )
    if (
        not isinstance(temperature, int | float)
        or isinstance(temperature, bool)
        or not math.isfinite(temperature)
        or temperature < 0
    ):
        raise BadRequest("'temperature' must be a finite number >= 0", code="invalid_value", param="temperature")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        raise BadRequest("'max_tokens' must be an integer >= 1", code="invalid_value", param="max_tokens")
    if max_tokens > tokens_cap:
        raise BadRequest(
            f"'max_tokens' is {max_tokens}, above this server's cap of {tokens_cap} tokens "
            "(the model's context length unless compilerlm serve --max-tokens says otherwise)",
            code="invalid_value",
            param="max_tokens",
        )
    return _Request(prompts, n, float(temperature), max_tokens, body)


def _response(model: Model, served: str, request: _Request, results: list[Completion]) -> dict[str, Any]:
    """The OpenAI completions shape. Token counts of answers come from the backend's `count_tokens` when it
    has one (then finish_reason is "length" for an answer that used all of max_tokens), else 0 and "stop"."""
    count: Callable[[str], int] | None = getattr(model, "count_tokens", None)
    choices, answer_tokens = [], 0
    for i, result in enumerate(results):
        for j, text in enumerate(result.texts):
            used = count(text) if count else 0
            answer_tokens += used
            reason = "length" if count and used >= request.max_tokens else "stop"
            choices.append({"index": i * request.n + j, "text": text, "finish_reason": reason, "logprobs": None})
    prompt_tokens = sum(r.prompt_tokens or 0 for r in results)
    return {
        "id": f"cmpl-{uuid.uuid4().hex}",
        "object": "text_completion",
        "created": int(time.time()),
        "model": request.extra.get("model") or served,
        "choices": choices,
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": answer_tokens,
            "total_tokens": prompt_tokens + answer_tokens,
        },
    }
