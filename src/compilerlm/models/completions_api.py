"""The OpenAI completions API as `compilerlm serve` speaks it: request checks and answer shapes, no HTTP.

`_parse_request` turns a body into a checked `_Request` or a `RequestError` that carries the HTTP status
and the OpenAI-style error fields: every field is one of `FIELDS` with a value it allows (a field the server
cannot honour, such as `top_p` or `logprobs`, only at the value that asks nothing of it), every string valid
Unicode; `_response` builds the completions answer (cut at the first `stop` sequence). Apart from the server
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
    stop: tuple[str, ...] = ()  # an answer ends before the first of these
    extra: dict[str, Any] = field(default_factory=dict)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_prompt(value: Any) -> bool:
    texts = [value] if isinstance(value, str) else value
    return isinstance(texts, list) and bool(texts) and all(isinstance(p, str) for p in texts)


def _is_stop(value: Any) -> bool:
    stops = [value] if isinstance(value, str) else value
    return isinstance(stops, list) and len(stops) <= MAX_STOPS and all(isinstance(s, str) and s for s in stops)


@dataclass(frozen=True)
class _Field:
    """A request field: what it may be, in the words of the 400 answer, and the test of a value (null, or no field,
    is its default and always accepted)."""

    allowed: str
    ok: Callable[[Any], bool]


MAX_STOPS = 4  # the OpenAI API's limit
# Every field of the OpenAI completions request. One this server cannot honour is accepted only at the value that
# asks nothing of it (said first, then what the API allows), so no answer silently differs from what was asked;
# any other field is refused.
FIELDS: dict[str, _Field] = {
    "model": _Field("a string, the served model's name", lambda v: isinstance(v, str)),
    "prompt": _Field("a string or a non-empty list of strings (token ids are not supported)", _is_prompt),
    "n": _Field("an integer >= 1", lambda v: _is_int(v) and v >= 1),
    "max_tokens": _Field("an integer >= 1", lambda v: _is_int(v) and v >= 1),
    "temperature": _Field("a finite number >= 0", lambda v: _is_number(v) and v >= 0),
    "top_p": _Field("1 (no nucleus sampling here; the API allows (0, 1])", lambda v: _is_number(v) and v == 1),
    "stop": _Field(f"a non-empty string or a list of at most {MAX_STOPS} of them", _is_stop),
    "seed": _Field("an integer in [-2^63, 2^64)", lambda v: _is_int(v) and -(2**63) <= v < 2**64),
    "logprobs": _Field("null (no log probabilities here; the API allows 0 to 5)", lambda v: False),
    "echo": _Field("false (no echo of the prompt here)", lambda v: v is False),
    "best_of": _Field("equal to n (no best-of sampling here)", lambda v: _is_int(v) and v >= 1),
    "presence_penalty": _Field("0 (no penalties here; the API allows [-2, 2])", lambda v: _is_number(v) and v == 0),
    "frequency_penalty": _Field("0 (no penalties here; the API allows [-2, 2])", lambda v: _is_number(v) and v == 0),
    "logit_bias": _Field("an empty object (no logit bias here)", lambda v: v == {}),
    "suffix": _Field("an empty string (no suffix here)", lambda v: v == ""),
    "stream": _Field("false (no streaming here)", lambda v: v is False),
    "stream_options": _Field("null (no streaming here)", lambda v: False),
    "user": _Field("a string", lambda v: isinstance(v, str)),
}


def _invalid(name: str, value: Any) -> BadRequest:
    try:
        shown = json.dumps(value)
    except (ValueError, RecursionError):  # nested deeper than the encoder goes
        shown = f"a {type(value).__name__} nested too deep to show"
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return BadRequest(f"'{name}' must be {FIELDS[name].allowed}, got {shown}", code="invalid_value", param=name)


def _lone_surrogate(value: Any) -> str | None:
    """Where a string in `value` holds half of a UTF-16 pair (JSON allows `"\\ud800"`; no text is made of it)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as e:
            return f"{value[e.start]!r} at character {e.start}"
        return None
    items = value if isinstance(value, list) else list(value.items()) if isinstance(value, dict) else []
    return next((found for item in items if (found := _lone_surrogate(item))), None)


def _body(raw: bytes) -> dict[str, Any]:
    """The request as a JSON object whose every field is known and has an allowed value (caps aside)."""
    try:
        body = json.loads(raw or b"null")
    except (ValueError, RecursionError) as e:  # JSONDecodeError, UnicodeDecodeError, too many digits, nesting
        raise BadRequest(f"the body is not valid JSON: {str(e)[:200]}", code="invalid_json") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object with at least a 'prompt'", code="invalid_json")
    for name, value in body.items():
        if name not in FIELDS:
            shown = name if len(name) <= 40 else name[:37] + "..."
            message = f"unknown field {shown!r}: this server reads {', '.join(FIELDS)}"
            raise BadRequest(message, code="unknown_field", param=name)
        if value is not None and not FIELDS[name].ok(value):
            raise _invalid(name, value)
        surrogate = _lone_surrogate(value)  # an allowed value: no deeper than a list of strings
        if surrogate is not None:
            message = f"'{name}' holds a lone UTF-16 surrogate ({surrogate}): send valid Unicode text"
            raise BadRequest(message, code="invalid_value", param=name)
    if body.get("prompt") is None:
        raise _invalid("prompt", None)
    return body


def _parse_request(
    raw: bytes, limits: Limits | None = None, tokens_cap: int | None = None, served: str | None = None
) -> _Request:
    """The request in `raw`, checked against `FIELDS`, `limits`, `tokens_cap` (for max_tokens) and the `served`
    model name (None: any); raises RequestError (400 naming the field and what it may be, or 404 for another
    model)."""
    limits = limits or Limits()
    tokens_cap = tokens_cap or limits.max_tokens or MAX_TOKENS_WITHOUT_CONTEXT
    body = _body(raw)
    asked = body.get("model")  # a request that names no model gets the served one
    if served is not None and asked is not None and asked != served:
        raise RequestError(f"The model `{asked[:200]}` does not exist: this server serves `{served}`",
                           404, "model_not_found", "model")  # fmt: skip
    prompts = [body["prompt"]] if isinstance(body["prompt"], str) else body["prompt"]
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
    n, temperature, max_tokens, stop = (
        default if body.get(key) is None else body[key]
        for key, default in (("n", 1), ("temperature", 1.0), ("max_tokens", DEFAULT_MAX_TOKENS), ("stop", []))
    )
    if n > limits.max_n:
        raise BadRequest(
            f"'n' is {n}, above this server's cap of {limits.max_n} (compilerlm serve --max-n)",
            code="invalid_value",
            param="n",
        )
    if body.get("best_of") not in (None, n):
        raise _invalid("best_of", body["best_of"])
    if max_tokens > tokens_cap:
        raise BadRequest(
            f"'max_tokens' is {max_tokens}, above this server's cap of {tokens_cap} tokens "
            "(the model's context length unless compilerlm serve --max-tokens says otherwise)",
            code="invalid_value",
            param="max_tokens",
        )
    stops = (stop,) if isinstance(stop, str) else tuple(stop)
    return _Request(prompts, n, float(temperature), max_tokens, stops, body)


def _cut(text: str, stops: tuple[str, ...]) -> tuple[str, bool]:
    """`text` up to the first of `stops` (which is left out, as the OpenAI API does), and whether one was found."""
    ends = [i for i in (text.find(s) for s in stops) if i >= 0]
    return (text[: min(ends)], True) if ends else (text, False)


def _response(model: Model, served: str, request: _Request, results: list[Completion]) -> dict[str, Any]:
    """The OpenAI completions shape. Token counts of answers come from the backend's `count_tokens` when it
    has one (then finish_reason is "length" for an answer that used all of max_tokens), else 0 and "stop"."""
    count: Callable[[str], int] | None = getattr(model, "count_tokens", None)
    choices, answer_tokens = [], 0
    for i, result in enumerate(results):
        for j, whole in enumerate(result.texts):
            text, stopped = _cut(whole, request.stop)
            used = count(text) if count else 0
            answer_tokens += used
            reason = "length" if count and used >= request.max_tokens and not stopped else "stop"
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
