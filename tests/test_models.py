"""The models layer on real components: a tiny transformers model, the HTTP server, the OpenAI client."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from compilerlm.errors import CompilerLMError
from compilerlm.models import SPEC_HELP, load_model
from compilerlm.models.server import CompletionHandler, serve
from tests.conftest import TINY_CORPUS

from .tiny_model import build_tiny_model, teach

PROMPTS = [
    "define i32 @add(i32 %a, i32 %b) {\nentry:\n  %add = add nsw",
    "add:\n\tleal\t(%rdi,%rsi), %eax\n\t",
    "[INST] Disassemble this code to LLVM-IR:\n\n<code>",
]
LONG = "define i64 @sum(ptr %p, i64 %n) {\n" * 60  # far more than 128 tokens


@pytest.fixture(scope="module")
def hf_model(tiny_model_dir):
    with load_model(f"hf:{tiny_model_dir}") as model:
        yield model


@pytest.fixture(scope="module")
def short_model(tmp_path_factory):
    """A second tiny model whose context is only 128 tokens, for prompts that do not fit."""
    path = build_tiny_model(tmp_path_factory.mktemp("short"), TINY_CORPUS, vocab_size=320, hidden=32, context=128)
    with load_model(f"hf:{path}") as model:
        yield model


@pytest.fixture(scope="module")
def server(hf_model):
    with serve(hf_model, name="tiny") as handle:
        yield handle


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


# --- transformers backend ---------------------------------------------------------------------------


def test_hf_greedy_is_deterministic_and_batch_independent(hf_model):
    first = hf_model.generate(PROMPTS, n=3, max_tokens=8)
    assert len(first) == len(PROMPTS)
    for prompt, c in zip(PROMPTS, first, strict=True):
        assert c.skipped is None
        assert len(c.texts) == 3 and len(set(c.texts)) == 1  # greedy: n equal samples
        assert c.prompt_tokens == len(hf_model.tokenizer(prompt)["input_ids"])
    assert any(c.texts[0] for c in first)
    again = hf_model.generate(PROMPTS, n=3, max_tokens=8)
    assert [c.texts for c in again] == [c.texts for c in first]
    # Left padding must not change an answer: each prompt alone gives what it gave in the batch.
    alone = [hf_model.generate([p], max_tokens=8)[0].texts[0] for p in PROMPTS]
    assert alone == [c.texts[0] for c in first]


def test_hf_sampling_gives_n_seeded_samples(tiny_model_dir):
    runs = []
    for _ in range(2):
        with load_model(f"hf:{tiny_model_dir}", seed=123) as model:
            runs.append(model.generate(PROMPTS[:2], n=4, temperature=1.0, max_tokens=6))
    for c in runs[0]:
        assert c.skipped is None and len(c.texts) == 4
        assert len(set(c.texts)) > 1  # a random model at temperature 1 does not repeat itself 4 times
    assert [c.texts for c in runs[0]] == [c.texts for c in runs[1]]  # same seed, same samples


def test_hf_respects_max_tokens(hf_model):
    short = hf_model.generate(PROMPTS, max_tokens=3)
    long = hf_model.generate(PROMPTS, max_tokens=12)
    for s, g in zip(short, long, strict=True):
        assert hf_model.count_tokens(s.texts[0]) <= 3
        assert g.texts[0].startswith(s.texts[0])
    assert any(hf_model.count_tokens(g.texts[0]) > 3 for g in long)


def test_hf_skips_prompts_beyond_the_context(short_model):
    assert short_model.context_length == 128
    tokens = short_model.tokenizer(LONG)["input_ids"]
    assert len(tokens) > 128
    results = short_model.generate([PROMPTS[0], LONG, PROMPTS[1]], n=2, max_tokens=5)
    assert results[1].texts == [] and results[1].prompt_tokens == len(tokens)
    assert results[1].skipped == f"prompt of {len(tokens)} tokens exceeds the context of 128 tokens"
    for c in (results[0], results[2]):
        assert c.skipped is None and len(c.texts) == 2
    # A prompt that fits but leaves little room gets a shorter answer, not a skip.
    ids = short_model.tokenizer(LONG, add_special_tokens=False)["input_ids"][:124]
    near = short_model.tokenizer.decode(ids)
    size = len(short_model.tokenizer(near)["input_ids"])
    assert size < 128
    (c,) = short_model.generate([near], max_tokens=50)
    assert c.skipped is None and short_model.count_tokens(c.texts[0]) <= 128 - size


def test_context_length_option_overrides_config(tiny_model_dir):
    with load_model(f"hf:{tiny_model_dir}", context_length=16) as model:
        assert model.context_length == 16
        results = model.generate(["ret", LONG], max_tokens=4)
    assert results[0].skipped is None
    assert "exceeds the context of 16 tokens" in results[1].skipped


# --- teaching a tiny model ----------------------------------------------------------------------------


def test_teach_makes_greedy_decoding_reproduce_answers(tiny_model_dir, tmp_path):
    path = shutil.copytree(tiny_model_dir, tmp_path / "taught")
    pairs = [
        ("[INST] Tell me how to optimize this LLVM-IR for object file size:\n\n<code>define i32 @add</code> [/INST]",
         " opt -p 'module(default<Oz>)'"),
        ("[INST] Disassemble this code to LLVM-IR:\n\n<code>add:\n\tretq</code> [/INST]",
         " <code>define i32 @add() {\n  ret i32 0\n}</code>"),
    ]  # fmt: skip
    loss = teach(path, pairs)
    assert loss < 0.05
    with load_model(f"hf:{path}") as model:
        results = model.generate([p for p, _ in pairs], max_tokens=64)
    assert [c.texts[0] for c in results] == [a for _, a in pairs]


# --- server and OpenAI-compatible backend -------------------------------------------------------------


def test_openai_backend_matches_hf_through_the_server(hf_model, server):
    expected = hf_model.generate(PROMPTS, n=2, max_tokens=8)
    with load_model(f"openai:{server.url}#tiny", timeout=30) as client:
        got = client.generate(PROMPTS, n=2, max_tokens=8)
    assert [c.texts for c in got] == [c.texts for c in expected]
    assert [c.prompt_tokens for c in got] == [c.prompt_tokens for c in expected]


def test_openai_discovers_model_and_context(server):
    with load_model(f"openai:{server.url}") as client:
        assert client.model == "tiny"
        assert client.context_length == 4096
        (c,) = client.generate(PROMPTS[:1], n=3, temperature=1.0, max_tokens=4)
    assert c.skipped is None and len(c.texts) == 3


def test_overlong_prompt_through_server_is_skipped(short_model):
    with serve(short_model) as handle, load_model(f"openai:{handle.url}#compilerlm", max_retries=0) as client:
        results = client.generate([PROMPTS[0], LONG], max_tokens=4)
    assert results[0].skipped is None and len(results[0].texts) == 1
    assert "maximum context length" in results[1].skipped
    assert not results[1].skipped.startswith("request failed")  # a 400 for length, not a server error
    assert "exceeds the context of 128 tokens" in results[1].skipped


def test_server_speaks_the_openai_shape(server):
    body = {"model": "tiny", "prompt": PROMPTS[:2], "n": 2, "temperature": 0, "max_tokens": 3}
    status, reply = _post(f"{server.url}/completions", json.dumps(body).encode())
    assert status == 200
    assert reply["object"] == "text_completion" and reply["model"] == "tiny"
    assert [c["index"] for c in reply["choices"]] == [0, 1, 2, 3]
    assert all(c["finish_reason"] in ("stop", "length") and c["logprobs"] is None for c in reply["choices"])
    assert reply["usage"]["prompt_tokens"] > 0
    status, reply = _post(f"{server.url}/completions", b"{not json")
    assert status == 400 and reply["error"]["type"] == "invalid_request_error"
    status, reply = _post(f"{server.url}/completions", json.dumps({"prompt": 3}).encode())
    assert status == 400 and "prompt" in reply["error"]["message"]
    status, _ = _post(f"{server.url}/chat/nothing", b"{}")
    assert status == 404
    with urllib.request.urlopen(f"{server.url}/models", timeout=30) as response:
        assert json.loads(response.read())["data"][0]["id"] == "tiny"


class FlakyHandler(CompletionHandler):
    """Answers 503 to the first `failures` completion requests, then works."""

    failures = 0
    lock = threading.Lock()

    def complete(self, request):
        with FlakyHandler.lock:
            fail = FlakyHandler.failures > 0
            FlakyHandler.failures -= fail
        if fail:
            self.send_json(503, {"error": {"message": "overloaded", "type": "server_error"}}, {"retry-after-ms": "20"})
        else:
            super().complete(request)


def test_openai_backend_retries_server_errors(hf_model):
    expected = hf_model.generate(PROMPTS[:1], max_tokens=5)[0].texts
    with serve(hf_model, name="tiny", handler=FlakyHandler) as handle:
        FlakyHandler.failures = 2
        with load_model(f"openai:{handle.url}#tiny", max_retries=3) as client:
            (c,) = client.generate(PROMPTS[:1], max_tokens=5)
        assert FlakyHandler.failures == 0 and c.skipped is None and c.texts == expected
        FlakyHandler.failures = 5
        with load_model(f"openai:{handle.url}#tiny", max_retries=1) as client:
            (c,) = client.generate(PROMPTS[:1], max_tokens=5)
        assert c.texts == [] and c.skipped == "request failed: HTTP 503: overloaded"


def test_openai_dead_server_fails_fast_and_clearly():
    url = f"http://127.0.0.1:{_free_port()}/v1"
    start = time.monotonic()
    with load_model(f"openai:{url}#x", max_retries=0, timeout=2) as client:
        results = client.generate(PROMPTS, max_tokens=4)
    assert all(c.texts == [] and c.skipped.startswith("request failed:") for c in results)
    with pytest.raises(CompilerLMError, match=f"cannot reach an OpenAI-compatible server at {re.escape(url)}"):
        load_model(f"openai:{url}", max_retries=0, timeout=2)
    assert time.monotonic() - start < 10


# --- specs --------------------------------------------------------------------------------------------


def test_load_model_errors_say_how_to_fix(tmp_path):
    for spec in ("foo:bar", "no-prefix", "hf:"):
        with pytest.raises(CompilerLMError, match=r"hf:ID_OR_PATH, openai:BASE_URL#MODEL"):
            load_model(spec)
    with pytest.raises(CompilerLMError, match="no transformers model at"):
        load_model(f"hf:{tmp_path / 'missing'}")
    with pytest.raises(CompilerLMError, match="not used by the hf backend"):
        load_model(f"hf:{tmp_path}", concurrency=3)
    with pytest.raises(CompilerLMError, match="http"):
        load_model("openai:localhost:8000#m")
    assert "gguf:PATH" in SPEC_HELP


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vLLM is installed")
def test_vllm_missing_says_how_to_install():
    with pytest.raises(CompilerLMError, match=r"pip install 'compilerlm\[vllm\]'"):
        load_model("vllm:facebook/llm-compiler-7b")


@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is not None, reason="llama-cpp-python is installed")
def test_gguf_missing_says_how_to_install(tmp_path):
    with pytest.raises(CompilerLMError, match=r"pip install 'compilerlm\[gguf\]'"):
        load_model(f"gguf:{tmp_path / 'model.gguf'}")
