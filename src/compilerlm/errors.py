"""One exception type for every failure a user can fix, so the CLI can print it as one line."""

from __future__ import annotations


class CompilerLMError(Exception):
    """A failure with a message that says what is wrong and how to fix it."""


class ToolMissingError(CompilerLMError):
    """A required external tool (clang, opt, llc, csmith, ...) is not installed."""


class CompileError(CompilerLMError):
    """The compiler rejected the input (invalid C, invalid IR)."""


class PipelineError(CompilerLMError):
    """A pass pipeline could not be parsed (unknown or malformed pass)."""


class LLVMCrash(CompilerLMError):
    """LLVM aborted or crashed while running a pipeline or generating code."""


class ToolTimeout(CompilerLMError):
    """An external tool or worker exceeded its time limit."""


class Interrupted(CompilerLMError):
    """A run stopped by Ctrl-C or SIGTERM; the message says what was kept and how to resume."""

    def __init__(self, message: str, exit_code: int = 130) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Terminated(KeyboardInterrupt):
    """Raised by the command line's SIGTERM handler, so that cleanup runs as it does for Ctrl-C."""

    exit_code = 143
