"""A small OpenAI-compatible HTTP server over any `Model` (`compilerlm serve SPEC`).

It lets tools that speak the OpenAI completions API (evaluation harnesses, other machines, our own
`openai:` backend) use a model loaded once. Standard library only; one request at a time reaches the
model (a lock), since backends are not thread safe and a GPU gains nothing from interleaving.

Endpoints: `POST /v1/completions`, `GET /v1/models`. A prompt too long for the context is answered
400 with an OpenAI-style error saying "maximum context length", as vLLM does.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from compilerlm.models.base import Completion, Model

log = logging.getLogger(__name__)

DEFAULT_MAX_TOKENS = 16  # the OpenAI API's default when a request names none
_LENGTH_WORDS = re.compile(r"context|too long|maximum", re.IGNORECASE)


class BadRequest(Exception):
    """A request the server refuses with 400."""


class ModelHTTPServer(ThreadingHTTPServer):
    """Holds the served model, its public name and the lock that serializes calls into it."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], model: Model, name: str):
        super().__init__(address, handler)
        self.model = model
        self.name = name
        self.lock = threading.Lock()
        self.created = int(time.time())


class CompletionHandler(BaseHTTPRequestHandler):
    """Request handler; subclass it to change behaviour (tests inject failures this way)."""

    server: ModelHTTPServer
    server_version = "compilerlm"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def _path(self) -> str:
        return self.path.split("?", 1)[0].rstrip("/")

    def send_json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def send_error_json(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
        self.send_json(status, {"error": {"message": message, "type": kind, "param": None, "code": None}})

    def do_GET(self) -> None:
        if self._path() in ("/v1/models", "/models"):
            entry = {
                "id": self.server.name,
                "object": "model",
                "created": self.server.created,
                "owned_by": "compilerlm",
                "max_model_len": self.server.model.context_length,
            }
            self.send_json(200, {"object": "list", "data": [entry]})
        else:
            self.send_error_json(404, f"no route GET {self._path()}: use /v1/models", "not_found")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        if self._path() not in ("/v1/completions", "/completions"):
            self.send_error_json(404, f"no route POST {self._path()}: use /v1/completions", "not_found")
            return
        try:
            request = _parse_request(raw)
        except BadRequest as e:
            self.send_error_json(400, str(e))
            return
        self.complete(request)

    def complete(self, request: _Request) -> None:
        model = self.server.model
        try:
            with self.server.lock:
                results = model.generate(request.prompts, request.n, request.temperature, request.max_tokens)
        except Exception as e:  # a backend bug must not take the server down
            log.exception("generation failed")
            self.send_error_json(500, f"generation failed: {e}", "server_error")
            return
        for result in results:
            if result.skipped is None:
                continue
            if _LENGTH_WORDS.search(result.skipped):
                ctx = model.context_length
                limit = f"This model's maximum context length is {ctx} tokens" if ctx else "Maximum context length"
                self.send_error_json(400, f"{limit} exceeded: {result.skipped}")
            else:
                self.send_error_json(500, f"generation failed: {result.skipped}", "server_error")
            return
        self.send_json(200, _response(self.server, request, results))


@dataclass
class _Request:
    prompts: list[str]
    n: int = 1
    temperature: float = 1.0
    max_tokens: int = DEFAULT_MAX_TOKENS
    extra: dict[str, Any] = field(default_factory=dict)


def _parse_request(raw: bytes) -> _Request:
    try:
        body = json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BadRequest(f"the body is not valid JSON: {e}") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object with at least a 'prompt'")
    prompt = body.get("prompt")
    prompts = [prompt] if isinstance(prompt, str) else prompt
    if not isinstance(prompts, list) or not prompts or not all(isinstance(p, str) for p in prompts):
        raise BadRequest("'prompt' must be a string or a non-empty list of strings (token ids are not supported)")
    if body.get("stream"):
        raise BadRequest("'stream' is not supported by this server")
    n, temperature, max_tokens = (
        default if body.get(key) is None else body[key]
        for key, default in (("n", 1), ("temperature", 1.0), ("max_tokens", DEFAULT_MAX_TOKENS))
    )
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise BadRequest("'n' must be an integer >= 1")
    if not isinstance(temperature, int | float) or isinstance(temperature, bool) or temperature < 0:
        raise BadRequest("'temperature' must be a number >= 0")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        raise BadRequest("'max_tokens' must be an integer >= 1")
    return _Request(prompts, n, float(temperature), max_tokens, body)


def _response(server: ModelHTTPServer, request: _Request, results: list[Completion]) -> dict[str, Any]:
    """The OpenAI completions shape. Token counts of answers come from the backend's `count_tokens` when it
    has one (then finish_reason is "length" for an answer that used all of max_tokens), else 0 and "stop"."""
    count: Callable[[str], int] | None = getattr(server.model, "count_tokens", None)
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
        "model": request.extra.get("model") or server.name,
        "choices": choices,
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": answer_tokens,
            "total_tokens": prompt_tokens + answer_tokens,
        },
    }


@dataclass
class ServerHandle:
    """A running server; `url` is the base URL clients want (ends in /v1)."""

    server: ModelHTTPServer
    thread: threading.Thread

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        host = self.server.server_address[0]
        host = "127.0.0.1" if host in ("0.0.0.0", "") else host
        return f"http://{host}:{self.port}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve(
    model: Model,
    host: str = "127.0.0.1",
    port: int = 0,
    name: str = "compilerlm",
    handler: type[CompletionHandler] = CompletionHandler,
) -> ServerHandle:
    """Start serving `model` in a daemon thread and return at once; port 0 picks a free port."""
    server = ModelHTTPServer((host, port), handler, model, name)
    thread = threading.Thread(target=server.serve_forever, name=f"compilerlm-serve-{name}", daemon=True)
    thread.start()
    return ServerHandle(server, thread)


def serve_forever(
    model: Model,
    host: str = "127.0.0.1",
    port: int = 8000,
    name: str = "compilerlm",
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve until interrupted (Ctrl-C). `on_ready(url)` is called once the port is open; without it the URL
    and the matching `--model` spec are printed to stderr."""
    handle = serve(model, host, port, name)
    try:
        if on_ready is not None:
            on_ready(handle.url)
        else:
            spec = f"openai:{handle.url}#{name}"
            print(f"serving {name} at {handle.url} (use --model {spec}; Ctrl-C stops)", file=sys.stderr, flush=True)
        while handle.thread.is_alive():
            handle.thread.join(timeout=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        handle.close()
