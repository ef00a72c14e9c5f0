"""What a task's item evaluation works with: its items, the context it is handed (the model, loaded on first use;
the sampling; the task's own options), the rows of the model path that every LLM Compiler task shares (prompts
asked in batches, answers scored with the real tools) and the shape a stored row must have to be used again.

A task whose items are answered some other way (the speed track's search over compilers and a model) overrides
`Task.evaluate` and its row shape; the runner (`compilerlm.eval.tasks`) stores, resumes and summarises either.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, TypedDict

from pydantic import Discriminator, Tag

from compilerlm.errors import CompilerLMError
from compilerlm.models.base import Model
from compilerlm.shapes import record
from compilerlm.toolchain.evaluator import Evaluator

if TYPE_CHECKING:
    from compilerlm.tasks.base import Task

OnRow = Callable[[int, dict], None]
"""Told each scored row as soon as it is known: (the item's position in the list evaluated, its row)."""


@dataclass
class EvalItem:
    """One item of an evaluation on its way: a key for the store, what it is from (`subject`: an IR module, or a
    program for a program-level task; its `name` is the row's), a prompt once prepared (or the reason it has no
    ground truth), and whatever the task needs to score the answer (`payload`)."""

    key: str
    subject: Any
    payload: Any = None
    prompt: str = ""
    error: str | None = None


@dataclass(frozen=True)
class Sampling:
    """How the model is asked: answers per prompt, temperature and the answer's token budget."""

    samples: int = 1
    temperature: float = 0.0
    max_tokens: int = 2048


@dataclass
class EvalContext:
    """What a task's evaluation is handed. The model is loaded on first use (`model`), so a task that hands its
    spec to worker processes, or runs without one, never loads it here."""

    model_spec: str | None  # None: no model (a task whose evaluation has a meaning without one)
    sampling: Sampling
    options: Any = None  # the task's `eval_options` instance (None for a task without)
    evaluator: Evaluator | None = None
    timeout: float = 120.0
    batch_size: int = 8
    jobs: int = 1
    seed: int = 0
    load: Callable[[], Model | None] = lambda: None

    @cached_property
    def model(self) -> Model | None:
        return self.load()


class TaskRow(TypedDict):
    """The fields the model path writes in every row, beside the task's own (`Task.score_fields`)."""

    task: str
    key: str
    module: str
    settings: str
    error: str | None  # why the item has no ground truth (then the row has no score)
    skipped: str | None
    prompt_tokens: int | None
    answers: list[str]


class _Unscored(TypedDict):
    error: str


class _Scored(TypedDict):
    error: None


def row_shape(task: Task) -> Any:
    """What a stored row of `task`'s model path must be to be used again: an item without ground truth (its
    `error` says why), or a scored one with the task's `score_fields` (any fields, when it does not declare them)."""
    extra = "allow" if task.score_fields is None else "forbid"
    scored = record(f"scored {task.name} row", TaskRow, _Scored, *(task.score_fields or ()), extra=extra)
    unscored = record(f"{task.name} row without ground truth", TaskRow, _Unscored)
    annotated: Any = Annotated  # subscripted with classes built at run time (`record`), for pydantic
    members = annotated[scored, Tag("scored row")] | annotated[unscored, Tag("row without ground truth")]
    return annotated[members, Discriminator(_row_kind)]


def _row_kind(row: Any) -> str:
    """Which member of `row_shape` a row is checked as: the one without ground truth when it names an error."""
    return "row without ground truth" if isinstance(row, dict) and row.get("error") is not None else "scored row"


def settings_key(model: Model, sampling: Sampling) -> str:
    """What, besides the item, decides an answer: the model and the sampling settings."""
    spec = model.spec or type(model).__name__
    return f"{spec}|n={sampling.samples}|t={sampling.temperature:g}|max={sampling.max_tokens}"


def required_model(task: Task, ctx: EvalContext) -> Model:
    """The context's model, or a one-line error when the evaluation was given none."""
    if ctx.model is None:
        raise CompilerLMError(f"eval {task.name} needs a model: give --model SPEC")
    return ctx.model


def answer_with_model(task: Task, items: Sequence[EvalItem], ctx: EvalContext, on_row: OnRow) -> None:
    """The model path: in batches, each item prepared (its prompt, or why it has no ground truth), the prompts
    asked of the model, and the answers scored with the task's `score`; each row told to `on_row` when scored."""
    model = required_model(task, ctx)
    settings = settings_key(model, ctx.sampling)
    evaluator = ctx.evaluator
    if evaluator is None:
        raise CompilerLMError(f"eval {task.name} needs an evaluator (compilerlm.toolchain.evaluator.make_evaluator)")
    s = ctx.sampling
    for start in range(0, len(items), ctx.batch_size):
        batch = list(items[start : start + ctx.batch_size])
        task.prepare(batch, evaluator, ctx.timeout)
        ready = [p for p in batch if p.error is None]
        prompts = [p.prompt for p in ready]
        completions = (
            model.generate(prompts, n=s.samples, temperature=s.temperature, max_tokens=s.max_tokens) if prompts else []
        )
        if len(completions) != len(ready):
            raise CompilerLMError(f"model {settings} returned {len(completions)} completions for {len(ready)} prompts")
        scores = task.score(ready, [list(c.texts) for c in completions], evaluator, ctx.timeout) if ready else []
        answered = {id(p): (c, score) for p, c, score in zip(ready, completions, scores, strict=True)}
        for offset, p in enumerate(batch):
            row: dict = {"task": task.name, "key": p.key, "module": p.subject.name, "settings": settings}
            if p.error is not None:
                row.update(error=p.error, skipped=None, prompt_tokens=None, answers=[])
            else:
                c, score = answered[id(p)]
                skipped = c.skipped or (None if c.texts else "no answer")
                row.update(error=None, skipped=skipped, prompt_tokens=c.prompt_tokens, answers=list(c.texts))
                row.update(score)
            on_row(start + offset, row)
