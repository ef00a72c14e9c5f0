"""The flags (size) reward of one answer: the verified improvement vs -Oz of the pipeline it names.

- valid and verified: `1 - size/size_Oz` (docs/design.md's improvement: 0 for -Oz's size, negative when larger);
- invalid: `FlagsRewardConfig.invalid` (-1 by default) when the answer names no pass list, opt rejects the
  pipeline or LLVM crashes on it, or the program built with it fails one of its tests (a miscompile);
- a program without tests cannot be verified: its size alone counts (the outcome's detail says so).
"""

from __future__ import annotations

from dataclasses import dataclass

from compilerlm.errors import CompilerLMError
from compilerlm.programs.program import Program
from compilerlm.programs.suites import resolve_target
from compilerlm.search.verify import verify_program
from compilerlm.tasks.flags import parse_flags_answer
from compilerlm.toolchain.evaluator import Evaluator, SubprocessEvaluator
from compilerlm.toolchain.module import IRModule
from compilerlm.train.outcome import RewardOutcome

OZ = "default<Oz>"


@dataclass(frozen=True)
class FlagsRewardConfig:
    verify: bool = True  # build the program with the pipeline and run its tests
    invalid: float = -1.0  # score of an unusable or miscompiling answer
    timeout: float = 120.0  # seconds for one opt/llc run


_EVALUATOR: list[Evaluator] = []
_PROGRAMS: dict[str, tuple[Program, list[IRModule]] | None] = {}
_OZ: dict[str, int] = {}


def _evaluator(config: FlagsRewardConfig) -> Evaluator:
    if not _EVALUATOR:  # opt | llc processes: a crash of LLVM is a failed evaluation, not a dead worker
        _EVALUATOR.append(SubprocessEvaluator(jobs=1, timeout=config.timeout))
    return _EVALUATOR[0]


def _program(target: str) -> tuple[Program, list[IRModule]] | None:
    """The program a row came from and its modules (None when the target no longer resolves)."""
    if target not in _PROGRAMS:
        try:
            programs = resolve_target(target)
            _PROGRAMS[target] = (programs[0], programs[0].modules()) if len(programs) == 1 else None
        except CompilerLMError:
            _PROGRAMS[target] = None
    return _PROGRAMS[target]


def size_oz(module: IRModule, config: FlagsRewardConfig = FlagsRewardConfig()) -> int:
    """-Oz object size of a module (clang's exact -Oz pipeline, as every size), cached per module."""
    if module.key not in _OZ:
        ev = _evaluator(config).evaluate(module, OZ)
        if not ev.ok or ev.size is None:
            raise CompilerLMError(f"{module.name}: -Oz does not compile ({ev.error})")
        _OZ[module.key] = ev.size
    return _OZ[module.key]


def score_flags(
    completion: str,
    ir: str,
    module: str = "module",
    oz_size: int | None = None,
    program_target: str | None = None,
    config: FlagsRewardConfig = FlagsRewardConfig(),
) -> RewardOutcome:
    """Parse the answer's pipeline, size the module with it (real opt + llc), verify the program's tests."""
    parsed = parse_flags_answer(completion)
    if parsed.pipeline is None:
        return RewardOutcome(config.invalid, False, f"invalid: {parsed.error}")
    mod = IRModule(module, ir)
    ev = _evaluator(config).evaluate(mod, parsed.pipeline)
    if not ev.ok or ev.size is None:
        return RewardOutcome(
            config.invalid, False, f"invalid pipeline {parsed.pipeline!r}: {ev.error_kind}: {ev.error}"
        )
    base = oz_size or size_oz(mod, config)
    improvement = 1 - ev.size / base
    found = _program(program_target) if (config.verify and program_target) else None
    if found is None or not found[0].tests or not found[0].is_c:
        return RewardOutcome(improvement, True, f"size {ev.size} vs -Oz {base} (unverified: no tests to run)")
    program, modules = found
    names = [m.name for m in modules]
    if module not in names:
        return RewardOutcome(improvement, True, f"size {ev.size} vs -Oz {base} (unverified: {module} not in program)")
    modules = [mod if m.name == module else m for m in modules]  # the row's IR is what the prompt showed
    verdict = verify_program(program, modules, {module: parsed.pipeline})
    if not verdict.verified:
        return RewardOutcome(config.invalid, False, f"miscompile with {parsed.pipeline!r}: {verdict.detail}")
    return RewardOutcome(improvement, True, f"size {ev.size} vs -Oz {base}, {verdict.detail}")
