"""`compilerlm serve`: a model on an OpenAI-compatible completions endpoint."""

from __future__ import annotations

from typing import Annotated

import typer

from compilerlm.errors import CompilerLMError


def serve(
    model: Annotated[str, typer.Argument(help="hf:PATH_OR_ID, vllm:..., gguf:PATH or openai:URL#NAME to relay")],
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port (0: any free one)")] = 8000,
    name: Annotated[str, typer.Option(help="model name clients use after '#'")] = "compilerlm",
    max_body_bytes: Annotated[int, typer.Option(help="largest request body (413 beyond)")] = 8 * 1024 * 1024,
    max_prompt_chars: Annotated[int, typer.Option(help="longest prompt in characters (400 beyond)")] = 1_000_000,
    max_prompts: Annotated[int, typer.Option(help="most prompts in one request")] = 64,
    max_n: Annotated[int, typer.Option(help="most answers per prompt (n)")] = 16,
    max_tokens: Annotated[
        int | None, typer.Option(help="largest max_tokens (default: the model's context length, else 4096)")
    ] = None,
    timeout: Annotated[float, typer.Option(help="seconds a client has to send a whole request")] = 30.0,
    max_connections: Annotated[int, typer.Option(help="connections served at once (503 beyond)")] = 32,
) -> None:
    """Serve a model on an OpenAI-compatible completions endpoint (POST /v1/completions, GET /v1/models).

    Example: compilerlm serve hf:./my-model --port 8000   then   --model openai:http://127.0.0.1:8000/v1#compilerlm
    """
    from compilerlm.models import load_model
    from compilerlm.models.server import Limits, serve_forever

    try:
        limits = Limits(
            max_body_bytes=max_body_bytes,
            max_prompt_chars=max_prompt_chars,
            max_prompts=max_prompts,
            max_n=max_n,
            max_tokens=max_tokens,
            timeout=timeout,
            max_connections=max_connections,
        )
    except ValueError as e:
        raise CompilerLMError(f"--{e}".replace("_", "-") + " (see compilerlm serve --help)") from None
    with load_model(model) as lm:
        serve_forever(lm, host, port, name, limits=limits)
