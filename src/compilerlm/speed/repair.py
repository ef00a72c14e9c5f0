"""Repair requests: a failed answer goes back to the model with what went wrong — the assembler's error or
the diff on a visible test. Hidden tests and mutants are never shown: a failure there is only "wrong on
inputs not shown", so a model cannot learn the unseen inputs from the feedback."""

from __future__ import annotations

import shlex

from compilerlm.programs.program import TestCase
from compilerlm.speed.judge import AsmResult
from compilerlm.speed.problem import AsmProblem
from compilerlm.tasks.common import strip_eos

REPAIR_REQUEST = (
    "{prompt}{answer}\n\n{feedback}\n"
    "Fix the assembly code. Only output the whole corrected assembly code. Do not include any other text. "
    "Wrap the assembly code in ```assembly``` tags.\n"
    "Optimized Assembly Code:\n"
)
INPUT_SHOWN = 400  # characters of a failing visible test's input shown in a repair request


def repair_request(prompt: str, answer: str, feedback: str) -> str:
    """The prompt of a repair round: the conversation so far as one text, then what went wrong."""
    return REPAIR_REQUEST.format(prompt=prompt, answer=strip_eos(answer), feedback=feedback)


def feedback_for(problem: AsmProblem, res: AsmResult) -> str:
    """What went wrong, in words a model can act on; nothing about hidden tests or mutants."""
    if not res.compiled:
        if res.compile_error.startswith("no ```assembly"):
            return "Your answer has no ```assembly block."
        return f"This assembly code does not assemble: {res.compile_error}"
    kind, _, rest = res.failure.partition(" test ")
    if kind == "visible":
        test = next((t for t in problem.visible if t.name == res.failing_test), None)
        shown = _shown_input(test) if test else ""
        return f"This assembly code fails a test ({rest}).\nInput:\n{shown}\nOutput diff:\n{res.failure_diff}"
    return "This assembly code passes the tests shown but gives wrong results on other inputs (not shown)."


def _shown_input(test: TestCase) -> str:
    """A failing visible test as a model can read it: the command line, then stdin (cut to INPUT_SHOWN)."""
    line = " ".join(["./prog", *(shlex.quote(a) for a in test.args)])
    files = f" (input files: {', '.join(name for name, _ in test.files)})" if test.files else ""
    stdin = test.stdin.decode(errors="replace")
    text = stdin if test.stdin_only else f"$ {line}{files}\n{stdin}"
    return text[:INPUT_SHOWN]
