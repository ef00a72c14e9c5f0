"""A small OpenAI-compatible HTTP server over any `Model` (`compilerlm serve SPEC`).

It lets tools that speak the OpenAI completions API (evaluation harnesses, other machines, our own
`openai:` backend) use a model loaded once. Standard library only; one request at a time reaches the
model (a lock), since backends are not thread safe and a GPU gains nothing from interleaving.

Endpoints: `POST /v1/completions`, `GET /v1/models`. A prompt too long for the context is answered
400 with an OpenAI-style error saying "maximum context length", as vLLM does.

Hostile or broken clients are answered, never crash a thread or hold it forever (`Limits`): the body size
is checked from Content-Length before anything is read (411/400 when it is missing or invalid, 413 when it
is over `max_body_bytes`); every field of the request is checked (`completions_api.FIELDS`: 400 naming the
field and what it may be, an unknown field or a string holding a lone surrogate included); prompts, `n` and
`max_tokens` have caps (400 saying the cap); a `model` other than the served name is 404; a whole request
(headers and body) must arrive within `timeout` seconds, however slowly it trickles (408 or the connection is
closed); at most `max_connections` connections are served at once (503 beyond, which OpenAI clients retry).
Requests are read without the model lock, so a slow client never delays others. Every error is an OpenAI-style
JSON answer `{"error": {"message", "type", "param", "code"}}`; an unexpected exception in a handler is a 500
answer, logged, not a traceback on stderr.

This module is the HTTP side (connections, deadlines, routing, the model lock); what a valid request is and
the shape of the answer are in `completions_api.py`.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from compilerlm.models.base import Model
from compilerlm.models.completions_api import (
    BadRequest,
    Limits,
    RequestError,
    _error_body,
    _parse_request,
    _Request,
    _response,
)

log = logging.getLogger(__name__)

_LINGER_S = 2.0  # after answering without reading a body, how long its rest is read and dropped before closing
_LENGTH_WORDS = re.compile(r"context|too long|maximum", re.IGNORECASE)
_DIGITS = re.compile(r"[0-9]+")


class ModelHTTPServer(ThreadingHTTPServer):
    """Holds the served model, its public name, the lock that serializes calls into it and the `Limits`."""

    daemon_threads = True
    server_address: tuple[str, int]  # AF_INET: after bind, the socket's (host, port)

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        model: Model,
        name: str,
        limits: Limits | None = None,
    ) -> None:
        super().__init__(address, handler)
        self.model = model
        self.name = name
        self.limits = limits or Limits()
        self.lock = threading.Lock()
        self.created = int(time.time())
        self._slots = threading.BoundedSemaphore(self.limits.max_connections)
        self._active = 0
        self._active_lock = threading.Lock()

    @property
    def active_connections(self) -> int:
        """Connections being served now (at most `limits.max_connections`)."""
        return self._active

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self._refuse_busy(request)
            return
        with self._active_lock:
            self._active += 1
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._release()

    def _release(self) -> None:
        with self._active_lock:
            self._active -= 1
        self._slots.release()

    def _refuse_busy(self, request: socket.socket) -> None:
        """Answer 503 from the accepting thread without reading anything: a small write that cannot block long."""
        limit = self.limits.max_connections
        body = _error_body(f"too many connections (this server serves {limit} at once): retry later",
                           "server_error", "too_many_connections")  # fmt: skip
        head = (
            "HTTP/1.0 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
        )
        log.info("refused a connection: %d connections already being served", limit)
        with contextlib.suppress(OSError):
            request.settimeout(1.0)
            request.sendall(head.encode() + body)
        self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """An exception that escaped a handler: logged (debug for a client that went away), never printed."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            log.debug("connection from %s ended: %r", client_address, exc)
        else:
            log.error("unexpected error serving %s", client_address, exc_info=True)


class _DeadlineSocketIO(socket.SocketIO):
    """The raw stream under a handler's `rfile`: each receive waits at most until the handler's deadline for
    the whole request, so a client that trickles its headers or body a byte at a time cannot hold a thread."""

    def __init__(self, sock: socket.socket, handler: CompletionHandler) -> None:
        super().__init__(sock, "rb")
        self._conn = sock
        self._handler = handler

    def readinto(self, b: Any) -> int | None:
        deadline = self._handler.read_deadline
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request was not received in time")
            self._conn.settimeout(left)
        return super().readinto(b)


class CompletionHandler(BaseHTTPRequestHandler):
    """Request handler; subclass it to change behaviour (tests inject failures this way)."""

    server: ModelHTTPServer
    server_version = "compilerlm"
    read_deadline: float | None = None  # monotonic time by which the request being read must have arrived
    _responded = False

    def setup(self) -> None:
        # typeshed declares `timeout` a ClassVar, but StreamRequestHandler.setup reads it per instance
        self.timeout = self.server.limits.timeout  # type: ignore[misc]  # setup() applies it to the socket
        super().setup()
        self.rfile.close()
        self.rfile = io.BufferedReader(_DeadlineSocketIO(self.connection, self))

    def handle_one_request(self) -> None:
        self._responded = False
        self.read_deadline = time.monotonic() + self.server.limits.timeout
        try:
            super().handle_one_request()
        finally:
            self._request_read()

    def _request_read(self) -> None:
        """The request is in: no more deadline for reading, and writes get the plain socket timeout."""
        if self.read_deadline is not None:
            self.read_deadline = None
            with contextlib.suppress(OSError):
                self.connection.settimeout(self.timeout)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def _path(self) -> str:
        return self.path.split("?", 1)[0].rstrip("/")

    def send_json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self._request_read()
        self._responded = True
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if status >= 400:
            self.close_connection = True
            self.send_header("Connection", "close")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_error_json(
        self,
        status: int,
        message: str,
        kind: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        self.send_json(status, json.loads(_error_body(message, kind, code, param)))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's errors (a malformed request line or header, an unknown method) as JSON."""
        short, _ = self.responses.get(code, ("error", ""))
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            self.request_version = "HTTP/1.0"  # a malformed request line: answer with a status line and headers
        text = f"{message or short}" + (f": {explain}" if explain else "")
        self.log_error("code %d, message %s", code, text)
        self.send_error_json(code, text, "server_error" if code >= 500 else "invalid_request_error")

    def _guarded(self, method: Callable[[], None]) -> None:
        """Run a request method; what it raises becomes a 500 answer (or a closed connection once answered)."""
        try:
            method()
        except (ConnectionError, TimeoutError) as e:
            log.debug("client %s went away: %r", self.address_string(), e)
            self.close_connection = True
        except Exception as e:
            log.error("unexpected error answering %s %s", self.command, self.path, exc_info=True)
            self.close_connection = True
            if not self._responded:
                with contextlib.suppress(OSError):
                    self.send_error_json(500, f"internal server error: {type(e).__name__}: {e}", "server_error")

    def do_GET(self) -> None:
        self._guarded(self._get)

    def do_POST(self) -> None:
        self._guarded(self._post)

    def _get(self) -> None:
        self._request_read()
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

    def _post(self) -> None:
        if self._path() not in ("/v1/completions", "/completions"):
            self._refuse_unread(
                RequestError(f"no route POST {self._path()}: use /v1/completions", 404, kind="not_found")
            )
            return
        try:
            raw = self._read_body()
        except RequestError as e:
            self._refuse_unread(e)
            return
        except TimeoutError:
            limit = self.server.limits.timeout
            self.send_error_json(408, f"the request body did not arrive within {limit:g} s", code="request_timeout")
            return
        try:
            limits, model = self.server.limits, self.server.model
            request = _parse_request(raw, limits, limits.tokens_cap(model), self.server.name)
        except RequestError as e:
            self.send_error_json(e.status, str(e), e.kind, e.code, e.param)
            return
        self.complete(request)

    def _read_body(self) -> bytes:
        """The body, read only once its announced size is known and within the limit (raises RequestError)."""
        limit = self.server.limits.max_body_bytes
        if self.headers.get("Transfer-Encoding"):
            raise RequestError("chunked bodies are not supported: send a Content-Length", 411, "length_required")
        values = [v.strip() for v in self.headers.get_all("Content-Length") or []]
        if not values:
            raise RequestError("a POST needs a Content-Length header", 411, "length_required")
        if len(set(values)) > 1:
            raise RequestError(f"conflicting Content-Length headers: {values[:4]}", 400, "invalid_content_length")
        if not _DIGITS.fullmatch(values[0]):
            shown = values[0] if len(values[0]) <= 40 else values[0][:37] + "..."
            raise RequestError(
                f"Content-Length must be a non-negative integer, got {shown!r}", 400, "invalid_content_length"
            )
        digits = values[0].lstrip("0") or "0"
        if len(digits) > 18 or int(digits) > limit:
            size = digits if len(digits) <= 30 else f"a {len(digits)}-digit number of"
            raise RequestError(
                f"the request body of {size} bytes is larger than this server's limit of {limit} bytes "
                f"({limit / 2**20:g} MiB; compilerlm serve --max-body-bytes)",
                413,
                "request_too_large",
            )
        length = int(digits)
        raw = self.rfile.read(length) if length else b""
        self._request_read()
        if len(raw) < length:
            raise BadRequest(f"the body ended after {len(raw)} of the {length} bytes of its Content-Length")
        return raw

    def _refuse_unread(self, error: RequestError) -> None:
        """Answer `error` while the client may still be sending a body we will not read, then read and drop
        that body for a moment (bounded in time, constant memory) so that closing the socket does not reset
        the connection before the client has read the answer."""
        self.send_error_json(error.status, str(error), error.kind, error.code, error.param)
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + min(_LINGER_S, self.server.limits.timeout)
            while (left := deadline - time.monotonic()) > 0:
                self.connection.settimeout(left)
                if not self.connection.recv(65536):
                    break
        except OSError:  # timeouts and resets included: the answer has been sent
            pass

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
                self.send_error_json(400, f"{limit} exceeded: {result.skipped}", code="context_length_exceeded")
            else:
                self.send_error_json(500, f"generation failed: {result.skipped}", "server_error")
            return
        self.send_json(200, _response(model, self.server.name, request, results))


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
    limits: Limits | None = None,
) -> ServerHandle:
    """Start serving `model` in a daemon thread and return at once; port 0 picks a free port."""
    server = ModelHTTPServer((host, port), handler, model, name, limits)
    thread = threading.Thread(target=server.serve_forever, name=f"compilerlm-serve-{name}", daemon=True)
    thread.start()
    return ServerHandle(server, thread)


def serve_spec(
    spec: str, host: str = "127.0.0.1", port: int = 8000, name: str = "compilerlm", limits: Limits | None = None
) -> None:
    """`compilerlm serve` without the option parsing: the model `spec` loaded (`models.load_model`), then served
    until interrupted (`serve_forever`) and unloaded."""
    from compilerlm.models import load_model

    with load_model(spec) as model:
        serve_forever(model, host, port, name, limits=limits)


def serve_forever(
    model: Model,
    host: str = "127.0.0.1",
    port: int = 8000,
    name: str = "compilerlm",
    on_ready: Callable[[str], None] | None = None,
    limits: Limits | None = None,
) -> None:
    """Serve until interrupted: Ctrl-C (or the command line's SIGTERM handler) raises KeyboardInterrupt, which closes
    the server and goes on up, so `compilerlm serve` exits 130 (143) as every command does. `on_ready(url)` is
    called once the port is open; without it the URL and the matching `--model` spec are printed to stderr."""
    handle = serve(model, host, port, name, limits=limits)
    try:
        if on_ready is not None:
            on_ready(handle.url)
        else:
            spec = f"openai:{handle.url}#{name}"
            print(f"serving {name} at {handle.url} (use --model {spec}; Ctrl-C stops)", file=sys.stderr, flush=True)
        while handle.thread.is_alive():
            handle.thread.join(timeout=0.5)
    finally:
        handle.close()
