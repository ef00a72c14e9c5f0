"""Ask a model for pass pipelines before the autotuner searches (`compilerlm tune --model`).

The model sees each module in LLM Compiler's flag-tuning prompt; every answer is parsed leniently and
becomes a proposal, or a recorded reason why it could not. Proposals are only ever *candidates*: the
autotuner compiles and sizes them, verifies the program and falls back like any other pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence

from compilerlm.models.base import Model
from compilerlm.search.tune import Proposals
from compilerlm.tasks.flags import flags_prompt, parse_flags_answer
from compilerlm.toolchain.module import IRModule


def propose_pipelines(
    model: Model, modules: Sequence[IRModule], samples: int = 1, temperature: float = 0.0, max_tokens: int = 1024
) -> dict[str, Proposals]:
    """Per module name: the distinct pipelines in the model's answers, in the order they came."""
    completions = model.generate(
        [flags_prompt(m.ir) for m in modules], n=samples, temperature=temperature, max_tokens=max_tokens
    )
    out: dict[str, Proposals] = {}
    for module, completion in zip(modules, completions, strict=True):
        pipelines: list[str] = []
        errors: list[str] = []
        if completion.skipped:
            errors.append(f"model skipped the prompt: {completion.skipped}")
        for i, text in enumerate(completion.texts, 1):
            parsed = parse_flags_answer(text)
            if parsed.pipeline is None:
                errors.append(f"answer {i}: {parsed.error}")
            elif parsed.pipeline not in pipelines:
                pipelines.append(parsed.pipeline)
        out[module.name] = Proposals(tuple(pipelines), tuple(errors))
    return out
