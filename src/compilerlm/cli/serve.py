"""`compilerlm serve`: a model on an OpenAI-compatible completions endpoint. Its limit options are the fields
of `models.completions_api.Limits` (help written once, there)."""

from __future__ import annotations

import inspect
from typing import Annotated, Any

import typer

from compilerlm.cli.common import KEYWORD, command_from, dataclass_options
from compilerlm.errors import CompilerLMError
from compilerlm.models import SPECS
from compilerlm.models.completions_api import Limits

ADDRESS = [
    inspect.Parameter(
        "model",
        KEYWORD,
        annotation=Annotated[str, typer.Argument(help=f"the model to serve: {SPECS} (relayed)")],
    ),
    inspect.Parameter(
        "host", KEYWORD, default="127.0.0.1", annotation=Annotated[str, typer.Option(help="address to listen on")]
    ),
    inspect.Parameter(
        "port", KEYWORD, default=8000, annotation=Annotated[int, typer.Option(help="port (0: any free one)")]
    ),
    inspect.Parameter(
        "name",
        KEYWORD,
        default="compilerlm",
        annotation=Annotated[str, typer.Option(help="model name clients use after '#'")],
    ),
]


def serve_model(model: str, host: str, port: int, name: str, **limit_options: Any) -> None:
    from compilerlm.models.server import serve_spec

    try:
        limits = Limits(**limit_options)
    except ValueError as e:
        raise CompilerLMError(f"--{e}".replace("_", "-") + " (see compilerlm serve --help)") from None
    serve_spec(model, host, port, name, limits=limits)


serve = command_from(
    serve_model,
    ADDRESS + dataclass_options(Limits),
    """Serve a model on an OpenAI-compatible completions endpoint (POST /v1/completions, GET /v1/models).

    Example: compilerlm serve hf:./my-model --port 8000   then   --model openai:http://127.0.0.1:8000/v1#compilerlm
    """,
)
serve.__name__ = "serve"
