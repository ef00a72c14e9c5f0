"""Model backends behind one interface; `load_model(spec)` picks one from a spec string.

Backends import their libraries only when chosen, so the HTTP backend works without torch, and vLLM and
llama.cpp stay optional extras.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

from compilerlm.errors import CompilerLMError
from compilerlm.models.base import Completion, Model

__all__ = ["SPEC_HELP", "Completion", "Model", "load_model"]

SPEC_HELP = (
    "A model is named by a spec: 'hf:ID_OR_PATH' runs a transformers model (a local directory or a Hugging "
    "Face hub id) in this process; 'openai:BASE_URL#MODEL' uses any OpenAI-compatible server through its "
    "completions endpoint (vLLM, llama.cpp server, ollama, `compilerlm serve`; e.g. "
    "openai:http://localhost:8000/v1#facebook/llm-compiler-7b, and without '#MODEL' the server's first model); "
    "'vllm:ID_OR_PATH' runs the offline vLLM engine (pip install 'compilerlm[vllm]'); 'gguf:PATH' runs a GGUF "
    "file with llama.cpp (pip install 'compilerlm[gguf]'); 'ranker:default' (or 'ranker:PATH') is the CPU flag-tuning "
    "ranker shipped with compilerlm (flag-tuning prompts only). Options: context_length (overrides the context "
    "size), seed, device (hf, gguf), dtype (hf, vllm), batch_size (hf), gpu_memory_utilization (vllm), timeout, "
    "max_retries and concurrency (openai)."
)


_BACKENDS = {
    "hf": ("compilerlm.models.hf", "HFModel"),
    "openai": ("compilerlm.models.openai_http", "OpenAIModel"),
    "vllm": ("compilerlm.models.vllm_backend", "VLLMModel"),
    "gguf": ("compilerlm.models.gguf", "GGUFModel"),
    # the flag-tuning ranker lives above the tasks whose prompt it reads (docs/design.md, "Layers")
    "ranker": ("compilerlm.ranker.backend", "RankerModel"),
}


def _backend(kind: str) -> type[Model]:
    module, name = _BACKENDS[kind]
    return getattr(importlib.import_module(module), name)


def _options_of(cls: type[Model]) -> list[str]:
    """Options a backend takes: its constructor's keyword-only parameters."""
    params = inspect.signature(cls.__init__).parameters.values()
    return [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]


def load_model(spec: str, **options: Any) -> Model:
    """The model a spec names (see SPEC_HELP). Options a backend does not take are an error, not ignored;
    None values are dropped, so a CLI can pass its defaults through."""
    kind, sep, ref = spec.partition(":")
    if not sep or kind not in _BACKENDS or not ref:
        raise CompilerLMError(
            f"unknown model spec {spec!r}: use hf:ID_OR_PATH, openai:BASE_URL#MODEL, vllm:ID_OR_PATH, gguf:PATH or "
            "ranker:default"
        )
    options = {k: v for k, v in options.items() if v is not None}
    cls = _backend(kind)
    make: Callable[..., Model] = cls  # each backend's constructor: the ref (openai: URL and name), its options
    valid = _options_of(cls)
    unknown = sorted(set(options) - set(valid))
    if unknown:
        raise CompilerLMError(
            f"option(s) {', '.join(unknown)} not used by the {kind} backend: it takes {', '.join(valid)}"
        )
    if kind == "openai":
        url, _, name = ref.partition("#")
        if not url.startswith(("http://", "https://")):
            raise CompilerLMError(
                f"openai spec needs an http(s) URL, got {url!r}: use openai:http://HOST:PORT/v1#MODEL"
            )
        return make(url, name or None, **options)
    return make(ref, **options)
