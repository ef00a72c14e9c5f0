"""`compilerlm serve` against hostile and broken clients: a real server on 127.0.0.1 over the tiny real model,
real sockets (raw ones for malformed requests). Every case is answered with an OpenAI-style JSON error, quickly,
and the server keeps serving others. Each test is bounded in time (socket timeouts) and traffic (< 5 MiB)."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from compilerlm.models import load_model
from compilerlm.models.server import CompletionHandler, Limits, serve

PROMPT = "define i32 @add(i32 %a, i32 %b) {\nentry:\n  %add = add nsw"
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def hf_model(tiny_model_dir):
    with load_model(f"hf:{tiny_model_dir}") as model:
        yield model


@pytest.fixture(scope="module")
def server(hf_model):
    """The default limits: body 8 MiB, n <= 16, max_tokens <= the context (4096 for the tiny model)."""
    with serve(hf_model, name="tiny") as handle:
        yield handle


@pytest.fixture
def start(hf_model):
    """Start a server with other limits (or another handler); closed at the end of the test."""
    handles = []

    def start_(handler: type[CompletionHandler] = CompletionHandler, **limits):
        handle = serve(hf_model, name="tiny", handler=handler, limits=Limits(**limits))
        handles.append(handle)
        return handle

    yield start_
    for handle in handles:
        handle.close()


def _post(url: str, body: dict | bytes, timeout: float = 10) -> tuple[int, dict]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{url}/completions", data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def _ok_body(**extra) -> dict:
    return {"model": "tiny", "prompt": PROMPT, "max_tokens": 2, "temperature": 0} | extra


def _read_reply(sock: socket.socket) -> tuple[int, dict]:
    """Read until the server closes; the status and the JSON body."""
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/"), head[:200]
    assert b"content-type: application/json" in head.lower()
    return int(head.split()[1]), json.loads(body)


def _raw(port: int, data: bytes, timeout: float = 5) -> tuple[int, dict]:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        return _read_reply(sock)


def _head(port: int, *headers: str) -> bytes:
    lines = ["POST /v1/completions HTTP/1.1", f"Host: 127.0.0.1:{port}", "Content-Type: application/json", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _assert_error(reply: dict, *words: str) -> dict:
    error = reply["error"]
    assert set(error) >= {"message", "type", "code"}
    assert isinstance(error["message"], str) and isinstance(error["type"], str)
    for word in words:
        assert word in error["message"], (word, error["message"])
    return error


def test_huge_body_is_refused_from_content_length_before_reading(server):
    start = time.monotonic()
    # Only the headers announcing 100 MB are sent: the answer must come without waiting for the body.
    status, reply = _raw(server.port, _head(server.port, "Content-Length: 104857600"))
    assert status == 413
    error = _assert_error(reply, "104857600", str(8 * MiB), "--max-body-bytes")
    assert error["code"] == "request_too_large"
    assert time.monotonic() - start < 3
    assert _post(server.url, _ok_body())[0] == 200  # the server is fine


def test_real_client_sending_a_body_over_the_limit_reads_the_413(start):
    handle = start(max_body_bytes=64 * 1024)
    started = time.monotonic()
    status, reply = _post(handle.url, json.dumps({"model": "tiny", "prompt": "x" * 4 * MiB}).encode())
    assert status == 413 and _assert_error(reply, "65536")["code"] == "request_too_large"
    assert time.monotonic() - started < 5
    assert _post(handle.url, _ok_body())[0] == 200


@pytest.mark.parametrize(
    ("headers", "status", "words"),
    [
        (["Content-Length: abc"], 400, ["Content-Length", "'abc'"]),
        (["Content-Length: -5"], 400, ["Content-Length", "'-5'"]),
        (["Content-Length: 1e3"], 400, ["Content-Length"]),
        (["Content-Length: 2", "Content-Length: 3"], 400, ["conflicting"]),
        (["Content-Length: " + "9" * 5000], 413, ["5000-digit"]),
        ([], 411, ["Content-Length"]),
        (["Transfer-Encoding: chunked"], 411, ["chunked"]),
    ],
)
def test_missing_or_invalid_content_length_is_a_json_error(server, headers, status, words):
    got, reply = _raw(server.port, _head(server.port, *headers) + b'{"prompt": "x"}')
    assert got == status
    _assert_error(reply, *words)


def test_malformed_requests_are_json_errors_not_tracebacks(server):
    status, reply = _raw(server.port, b"POST /v1/completions HTTP/x.y\r\n\r\n")
    assert status == 400 and reply["error"]["type"] == "invalid_request_error"
    status, reply = _raw(server.port, b"\x00\x01 / HTTP/1.1\r\n\r\n")
    assert status == 501 and reply["error"]["type"] == "server_error"
    for body in (b"[" * 100_000, b'{"prompt": "x", "n": 1' + b"0" * 5000 + b"}", b"\xff\xfe"):
        status, reply = _post(server.url, body)
        assert status == 400
        _assert_error(reply, "not valid JSON")
    status, reply = _post(server.url, {"prompt": "x", "temperature": float("inf")})
    assert status == 400 and reply["error"]["param"] == "temperature"


def test_n_over_the_cap_is_400(server, start):
    for n in (17, 100_000):
        status, reply = _post(server.url, _ok_body(n=n))
        assert status == 400
        assert _assert_error(reply, f"'n' is {n}", "cap of 16")["param"] == "n"
    status, reply = _post(server.url, _ok_body(n=16, temperature=1.0))
    assert status == 200 and len(reply["choices"]) == 16
    handle = start(max_n=2)
    assert _post(handle.url, _ok_body(n=3))[0] == 400
    assert "cap of 2" in _post(handle.url, _ok_body(n=3))[1]["error"]["message"]


def test_max_tokens_over_the_cap_is_400(server, start):
    assert server.server.model.context_length == 4096
    for max_tokens in (4097, 10**9):
        status, reply = _post(server.url, _ok_body(max_tokens=max_tokens))
        assert status == 400
        assert _assert_error(reply, f"'max_tokens' is {max_tokens}", "cap of 4096")["param"] == "max_tokens"
    handle = start(max_tokens=8)
    status, reply = _post(handle.url, _ok_body(max_tokens=9))
    assert status == 400 and "cap of 8" in reply["error"]["message"]
    assert _post(handle.url, _ok_body(max_tokens=8))[0] == 200


def test_prompt_and_prompt_count_over_the_caps_are_400(start):
    handle = start(max_prompt_chars=1000, max_prompts=3)
    status, reply = _post(handle.url, _ok_body(prompt="x" * 1001))
    assert status == 400
    assert _assert_error(reply, "1001 characters", "maximum of 1000 characters")["code"] == "prompt_too_long"
    status, reply = _post(handle.url, _ok_body(prompt=[PROMPT] * 4))
    assert status == 400 and "cap of 3" in reply["error"]["message"]
    assert _post(handle.url, _ok_body(prompt=[PROMPT] * 3))[0] == 200


def test_unknown_model_is_404(server):
    status, reply = _post(server.url, _ok_body(model="gpt-4"))
    assert status == 404
    error = _assert_error(reply, "gpt-4", "tiny")
    assert error["code"] == "model_not_found" and error["param"] == "model"
    assert _post(server.url, _ok_body(model=7))[0] == 400
    body = _ok_body()
    del body["model"]  # a request that names no model gets the served one
    status, reply = _post(server.url, body)
    assert status == 200 and reply["model"] == "tiny"


def test_slow_clients_do_not_block_others_and_are_cut_off(start):
    handle = start(timeout=2.0)
    replies: dict[str, tuple[float, int | None]] = {}

    def trickle() -> None:  # sends a byte every 0.2 s: each receive is quick, the whole request is not
        with socket.create_connection(("127.0.0.1", handle.port), timeout=6) as sock:
            sock.sendall(_head(handle.port, "Content-Length: 1000"))
            t0 = time.monotonic()
            try:
                for _ in range(40):
                    sock.sendall(b" ")
                    time.sleep(0.2)
            except OSError:
                pass  # the server hung up
            replies["trickle"] = (time.monotonic() - t0, _read_reply(sock)[0])

    silent = socket.create_connection(("127.0.0.1", handle.port), timeout=6)
    try:
        silent.sendall(_head(handle.port, "Content-Length: 100"))  # headers, then never the body
        t0 = time.monotonic()
        worker = threading.Thread(target=trickle)
        worker.start()
        time.sleep(0.3)
        status, reply = _post(handle.url, _ok_body(), timeout=5)  # meanwhile, a normal request
        assert status == 200 and reply["choices"][0]["finish_reason"] in ("stop", "length")
        assert time.monotonic() - t0 < 3
        status, reply = _read_reply(silent)
        assert status == 408 and _assert_error(reply, "2 s")["code"] == "request_timeout"
        assert time.monotonic() - t0 < 4
    finally:
        silent.close()
    worker.join(timeout=8)
    assert not worker.is_alive()
    elapsed, status = replies["trickle"]
    assert status == 408 and elapsed < 4


def test_headers_trickled_forever_are_cut_off(start):
    handle = start(timeout=1.0)
    with socket.create_connection(("127.0.0.1", handle.port), timeout=5) as sock:
        sock.sendall(b"POST /v1/completions HTTP/1.1\r\n")
        t0 = time.monotonic()
        try:
            for i in range(50):
                sock.sendall(f"X-{i}: y\r\n".encode())
                time.sleep(0.1)
        except OSError:
            pass
        assert sock.recv(65536) == b""  # closed by the server
    assert time.monotonic() - t0 < 3
    assert _post(handle.url, _ok_body())[0] == 200


def test_connections_beyond_the_cap_get_503(start):
    handle = start(max_connections=2)
    idle = [socket.create_connection(("127.0.0.1", handle.port), timeout=5) for _ in range(2)]
    try:
        deadline = time.monotonic() + 5
        while handle.server.active_connections < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert handle.server.active_connections == 2
        with socket.create_connection(("127.0.0.1", handle.port), timeout=5) as third:
            status, reply = _read_reply(third)
        assert status == 503 and _assert_error(reply, "2 at once")["code"] == "too_many_connections"
    finally:
        for sock in idle:
            sock.close()
    deadline = time.monotonic() + 5
    while handle.server.active_connections and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _post(handle.url, _ok_body())[0] == 200


class BrokenHandler(CompletionHandler):
    def complete(self, request):
        raise RuntimeError("a bug in a handler")


def test_unexpected_exception_is_a_500_json_answer(start, capfd):
    handle = start(handler=BrokenHandler)
    status, reply = _post(handle.url, _ok_body())
    assert status == 500
    assert _assert_error(reply, "RuntimeError", "a bug in a handler")["type"] == "server_error"
    status, reply = _post(handle.url, _ok_body())  # and the server goes on answering
    assert status == 500
    assert "Traceback" not in capfd.readouterr().err


def test_serve_command_checks_its_limits(cli):
    res = cli("serve", "hf:no-such-model", "--max-n", "0")
    assert res.returncode == 1 and "--max-n must be >= 1" in res.stderr
    assert "Traceback" not in res.stderr
