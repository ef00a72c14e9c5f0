"""The result of compiling one module with one pipeline: sizes, or the reason it failed."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from compilerlm.errors import CompileError, CompilerLMError, LLVMCrash, PipelineError, ToolTimeout

ErrorKind = Literal["pipeline", "invalid-ir", "crash", "timeout", "codegen"]
_ERRORS: dict[str, type[CompilerLMError]] = {
    "pipeline": PipelineError,
    "invalid-ir": CompileError,
    "crash": LLVMCrash,
    "timeout": ToolTimeout,
    "codegen": LLVMCrash,
}


@dataclass(frozen=True)
class Evaluation:
    """One (module, pipeline) compilation. Failures are values, not exceptions: search records them."""

    pipeline: str
    size: int | None = None
    text_size: int | None = None
    ir_instructions: int | None = None
    error: str | None = None
    error_kind: ErrorKind | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def raise_for_error(self, module_name: str = "") -> Evaluation:
        """For commands that need this result: turn a failure into its one-line error."""
        if self.error is not None:
            where = f" on {module_name}" if module_name else ""
            raise _ERRORS[self.error_kind or "crash"](f"pipeline {self.pipeline!r}{where}: {self.error}")
        return self

    def to_dict(self) -> dict:
        return asdict(self)


def failure(pipeline: str, kind: ErrorKind, message: str) -> Evaluation:
    return Evaluation(pipeline=pipeline, error=message, error_kind=kind)
