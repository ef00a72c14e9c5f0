"""Model backends behind one interface; `load_model(spec)` picks one from a spec string.

Backends import their libraries only when chosen, so the HTTP backend works without torch, and vLLM and
llama.cpp stay optional extras.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from compilerlm.errors import CompilerLMError
from compilerlm.models.base import Completion, Model

__all__ = ["BACKENDS", "SPEC_HELP", "Backend", "Completion", "Model", "load_model", "register_backend"]


def _one_ref(ref: str) -> tuple[str, ...]:
    return (ref,)


def _url_and_name(ref: str) -> tuple[str, str | None]:
    url, _, name = ref.partition("#")
    if not url.startswith(("http://", "https://")):
        raise CompilerLMError(f"openai spec needs an http(s) URL, got {url!r}: use openai:http://HOST:PORT/v1#MODEL")
    return url, name or None


@dataclass(frozen=True)
class Backend:
    """One kind of model spec: `spec` as a user writes it, what it is (`help`), where its class lives (imported only
    when chosen, so an optional library stays optional), and how the text after the prefix becomes the class's
    positional arguments. `BACKENDS` is the only list: `load_model`, its errors and `SPEC_HELP` come from it."""

    spec: str
    help: str
    module: str
    cls: str
    arguments: Callable[[str], tuple[Any, ...]] = _one_ref

    @property
    def prefix(self) -> str:
        return self.spec.partition(":")[0]


BACKENDS: dict[str, Backend] = {}


def register_backend(backend: Backend) -> Backend:
    """Add a kind of model spec (another package's backend, a test's); a new one is this one call."""
    BACKENDS[backend.prefix] = backend
    return backend


for _backend_entry in (
    Backend(
        "hf:ID_OR_PATH",
        "runs a transformers model (a local directory or a Hugging Face hub id) in this process",
        "compilerlm.models.hf",
        "HFModel",
    ),
    Backend(
        "openai:BASE_URL#MODEL",
        "uses any OpenAI-compatible server through its completions endpoint (vLLM, llama.cpp server, ollama, "
        "`compilerlm serve`; e.g. openai:http://localhost:8000/v1#facebook/llm-compiler-7b, and without '#MODEL' the "
        "server's first model)",
        "compilerlm.models.openai_http",
        "OpenAIModel",
        _url_and_name,
    ),
    Backend(
        "vllm:ID_OR_PATH",
        "runs the offline vLLM engine (pip install 'compilerlm[vllm]')",
        "compilerlm.models.vllm_backend",
        "VLLMModel",
    ),
    Backend(
        "gguf:PATH",
        "runs a GGUF file with llama.cpp (pip install 'compilerlm[gguf]')",
        "compilerlm.models.gguf",
        "GGUFModel",
    ),
    # the flag-tuning ranker lives above the tasks whose prompt it reads (docs/design.md, "Layers")
    Backend(
        "ranker:default",
        "(or 'ranker:PATH') is the CPU flag-tuning ranker shipped with compilerlm (flag-tuning prompts only)",
        "compilerlm.ranker.backend",
        "RankerModel",
    ),
):
    register_backend(_backend_entry)

OPTIONS_HELP = (
    "Options: context_length (overrides the context size), seed, device (hf, gguf), dtype (hf, vllm), batch_size "
    "(hf), gpu_memory_utilization (vllm), timeout, max_retries and concurrency (openai)."
)
SPEC_HELP = (
    "A model is named by a spec: " + "; ".join(f"'{b.spec}' {b.help}" for b in BACKENDS.values()) + ". " + OPTIONS_HELP
)
SPECS = ", ".join(b.spec for b in BACKENDS.values())
"""The kinds of model spec, for option help."""


def _backend(kind: str) -> type[Model]:
    entry = BACKENDS[kind]
    return getattr(importlib.import_module(entry.module), entry.cls)


def _options_of(cls: type[Model]) -> list[str]:
    """Options a backend takes: its constructor's keyword-only parameters."""
    params = inspect.signature(cls.__init__).parameters.values()
    return [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]


def load_model(spec: str, **options: Any) -> Model:
    """The model a spec names (see SPEC_HELP). Options a backend does not take are an error, not ignored;
    None values are dropped, so a CLI can pass its defaults through."""
    kind, sep, ref = spec.partition(":")
    if not sep or kind not in BACKENDS or not ref:
        raise CompilerLMError(f"unknown model spec {spec!r}: use {', '.join(b.spec for b in BACKENDS.values())}")
    options = {k: v for k, v in options.items() if v is not None}
    arguments = BACKENDS[kind].arguments(ref)  # checked before the backend's library is imported
    cls = _backend(kind)
    make: Callable[..., Model] = cls  # each backend's constructor: the ref's arguments, then its options
    valid = _options_of(cls)
    unknown = sorted(set(options) - set(valid))
    if unknown:
        raise CompilerLMError(
            f"option(s) {', '.join(unknown)} not used by the {kind} backend: it takes {', '.join(valid)}"
        )
    return make(*arguments, **options)
