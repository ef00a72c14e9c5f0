"""The speed task's dataset: SuperCoder's verl rows (`programs.supercoder.make_row`), one per program.

The prompt shows the C code and its gcc -O3 assembly (`reward_model.ground_truth`); `extra_info` carries
the visible tests (`inputs`/`outputs`, as SuperCoder's rows) and the hidden ones apart
(`hidden_inputs`/`hidden_outputs`), which no prompt ever shows and every reward checks."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from compilerlm.data.examples import Advance, Example
from compilerlm.data.splits import content_hash
from compilerlm.errors import CompilerLMError
from compilerlm.programs.program import Program
from compilerlm.programs.supercoder import make_row
from compilerlm.speed.build import baseline_assembly
from compilerlm.speed.checks import split_tests
from compilerlm.speed.prompt import asm_prompt, asm_prompt_text


@dataclass(frozen=True)
class AsmDataConfig:
    visible: int = 3  # tests shown with each program (the rest are hidden)
    seed: int = 0
    jobs: int = 1


def usable(program: Program) -> str | None:
    """Why a program cannot be an asm row (None when it can): one C file, and tests to check answers."""
    if len(program.sources) != 1 or not program.is_c:
        return "not a single C file"
    if not program.tests:
        return "no tests"
    return None


def asm_examples(
    programs: Sequence[Program], split_of: dict[str, str], config: AsmDataConfig, advance: Advance
) -> tuple[list[Example], dict[str, str]]:
    """(rows, skipped program -> reason). `extra_info.index` is set when the split is final (see build)."""
    skipped: dict[str, str] = {}

    def one(program: Program) -> Example | None:
        try:
            why = usable(program)
            if why:
                skipped[program.name] = why
                return None
            c_code = program.sources[0].read_text(errors="replace")
            asm = baseline_assembly(program)
            visible, hidden = split_tests(program.tests, config.visible, config.seed)
            row = make_row(
                program.name, c_code, asm, asm_prompt(c_code, asm), visible, hidden, split_of[program.name], 0
            )
        except CompilerLMError as exc:
            skipped[program.name] = str(exc)
            return None
        finally:
            advance(1)
        return Example(row, program.name, content_hash(c_code), asm_prompt_text(c_code, asm))

    with ThreadPoolExecutor(max(1, config.jobs)) as pool:
        examples = [e for e in pool.map(one, programs) if e is not None]
    return examples, skipped
