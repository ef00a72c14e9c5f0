"""LLM Compiler's three training tasks as prompt/completion pairs: flag tuning, compiler emulation and
disassembly. Prompts are the released models' exact layouts (tasks/); completions are laid out so the same
tasks' parsers read them back (tested), so a model trained on them answers in a form evaluation accepts."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from compilerlm.data.examples import Advance, Example, program_target
from compilerlm.data.splits import content_hash
from compilerlm.errors import CompilerLMError
from compilerlm.programs.program import Program
from compilerlm.search.runner import TuneJob, passes, tune_jobs
from compilerlm.search.store import Store
from compilerlm.search.tune import ModuleResult, TuneConfig
from compilerlm.tasks.common import normalize_ir, optimize_to_text
from compilerlm.tasks.disasm import prepare_disasm
from compilerlm.tasks.emulate import emulation_items, prepare_emulation
from compilerlm.tasks.flags import flags_prompt
from compilerlm.toolchain.evaluator import make_evaluator
from compilerlm.toolchain.module import IRModule

# ------------------------------------------------------------------ completions


def flags_completion(pipeline: str, size: int, optimized_ir: str) -> str:
    """The flag-tuning answer: the pass list as an opt argument, the object size it gives, the optimized IR
    (`tasks.flags.parse_flags_answer` reads pipeline and size back)."""
    return f"Run opt -p '{pipeline}' to get object file size {size} bytes:\n\n<code>{optimized_ir}</code>"


def emulate_completion(truth: str, instructions: int | None, size: int | None, *, asm: bool = False) -> str:
    """The emulation answer: the output's instruction count and size, then its code
    (`tasks.emulate.parse_emulation_answer` reads all three back)."""
    what = "assembly" if asm else "LLVM-IR"
    head = f"The {what} has instruction count {instructions} and binary size {size} bytes:\n\n"
    return head + f"<code>{truth}</code>"


def disasm_completion(ir: str) -> str:
    """The disassembly answer: the IR in a code block (`tasks.disasm.score_disasm` takes the last one)."""
    return f"<code>{ir}</code>"


# ------------------------------------------------------------------ module lists


def program_modules(programs: Sequence[Program], jobs: int) -> list[tuple[Program, list[IRModule]]]:
    """Unoptimized IR of every program (clang processes in parallel)."""
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        return list(zip(programs, pool.map(lambda p: p.modules(), programs), strict=True))


def _base_row(task: str, program: Program, module: IRModule, prompt: str, completion: str) -> dict:
    return {
        "task": task,
        "prompt": prompt,
        "completion": completion,
        "program": program.name,
        "module": module.name,
        "module_key": module.key,
    }


# ------------------------------------------------------------------ flags


@dataclass(frozen=True)
class FlagsDataConfig:
    """Where flag-tuning labels come from: a tuner store (`store`), or the tuner run now with `budget`
    evaluations per module (written to `store` too when given, so a rerun resumes)."""

    store: str | None = None
    budget: int | None = None
    strategy: str = "auto"
    seed: int = 0
    jobs: int = 1
    min_improvement: float = 0.0  # keep labels at least this much smaller than -Oz (0: -Oz itself is a label)

    def check(self) -> None:
        if self.store is None and self.budget is None:
            raise CompilerLMError(
                "flags labels come from a tuner store or a tuner run: give --store FILE and/or --budget N"
            )
        if self.budget is not None and self.budget < 1:
            raise CompilerLMError(f"--budget must be at least 1, got {self.budget}")


def _results_from_store(store: Store, modules: Sequence[IRModule], tested: dict[str, bool]) -> dict[str, dict]:
    """Best finished result per module key: verified by the program's tests (or from a program without
    tests, which cannot be), smallest size first."""
    wanted = {m.key for m in modules}
    best: dict[str, dict] = {}
    for record in store.results():
        res = record.get("result", {})
        key = res.get("module_key")
        if key not in wanted or not res.get("pipeline"):
            continue
        if tested.get(key, False) and not res.get("verified"):
            continue
        if key not in best or res["size"] < best[key]["size"]:
            best[key] = res
    return best


def flags_examples(programs: Sequence[Program], config: FlagsDataConfig, advance: Advance) -> list[Example]:
    """Labels = the autotuner's best minimised, verified pipeline per module, its size and the IR it gives."""
    config.check()
    pairs = program_modules(programs, config.jobs)
    if config.store:
        Path(config.store).parent.mkdir(parents=True, exist_ok=True)
    store = Store(config.store) if config.store else None
    by_key: dict[str, dict] = {}
    if config.budget is not None:
        jobs = [TuneJob(p, mods, None) for p, mods in pairs]
        tune = TuneConfig(strategy=config.strategy, budget=config.budget, seed=config.seed)

        rounds = passes(tune, jobs)  # with a broadcast step the tuner goes over every program twice

        def done(job: TuneJob, results: list[ModuleResult]) -> None:
            advance(len(results) / rounds)

        results = tune_jobs(jobs, tune, store, workers=config.jobs, on_program=done)
        tested = {m.key: bool(p.tests and p.is_c) for p, mods in pairs for m in mods}
        for r in results:
            if r.verified or not tested[r.module_key]:
                by_key[r.module_key] = {
                    "pipeline": r.pipeline,
                    "size": r.size,
                    "size_oz": r.size_oz,
                    "verified": r.verified,
                }
    else:
        assert store is not None
        all_modules = [m for _, mods in pairs for m in mods]
        tested = {m.key: bool(p.tests and p.is_c) for p, mods in pairs for m in mods}
        by_key = _results_from_store(store, all_modules, tested)
        advance(len(all_modules))
    if store is not None:
        store.close()

    todo = []
    for program, mods in pairs:
        for module in mods:
            res = by_key.get(module.key)
            if res is None or not res["size_oz"]:
                continue
            if 1 - res["size"] / res["size_oz"] < config.min_improvement:
                continue
            todo.append((program, module, res))

    def label(item: tuple[Program, IRModule, dict]) -> Example | None:
        program, module, res = item
        try:
            optimized = optimize_to_text(module.ir, res["pipeline"])
        except CompilerLMError:
            return None  # opt no longer accepts a stored pipeline (another LLVM): no label
        row = _base_row("flags", program, module, flags_prompt(module.ir), "")
        row["completion"] = flags_completion(res["pipeline"], res["size"], optimized)
        row.update(
            ir=module.ir,
            pipeline=res["pipeline"],
            size=int(res["size"]),
            size_oz=int(res["size_oz"]),
            improvement=1 - res["size"] / res["size_oz"],
            verified=bool(res.get("verified")),
            program_target=program_target(program),
        )
        return Example(row, program.name, content_hash(normalize_ir(module.ir)), row["prompt"] + row["completion"])

    with ThreadPoolExecutor(max(1, config.jobs)) as pool:
        return [e for e in pool.map(label, todo) if e is not None]


# ------------------------------------------------------------------ emulate


@dataclass(frozen=True)
class EmulateDataConfig:
    per_module: int = 4  # random pipelines (1-50 search-space elements) per module
    asm: bool = False  # the assembly variant: the label is llc's assembly of the optimized IR
    seed: int = 0
    jobs: int = 1

    def check(self) -> None:
        if self.per_module < 1:
            raise CompilerLMError(f"--per-module must be at least 1, got {self.per_module}")


def emulate_examples(programs: Sequence[Program], config: EmulateDataConfig, advance: Advance) -> list[Example]:
    """Random pipelines per module; the label is what the real opt (and llc) print for them."""
    config.check()
    out: list[Example] = []
    pairs = program_modules(programs, config.jobs)
    with make_evaluator("inprocess", jobs=config.jobs) as ev:
        for program, mods in pairs:
            for module in mods:
                items = emulation_items(module, per_module=config.per_module, seed=config.seed, asm=config.asm)
                prepare_emulation(items, ev)
                for item in items:
                    if item.truth is None or item.error:
                        continue
                    completion = emulate_completion(item.truth, item.true_instructions, item.true_size, asm=item.asm)
                    row = _base_row("emulate-asm" if item.asm else "emulate", program, module, item.prompt, completion)
                    row["pipeline"] = item.pipeline
                    key = content_hash(normalize_ir(module.ir), item.pipeline, "asm" if item.asm else "ir")
                    out.append(Example(row, program.name, key, item.prompt + completion))
                advance(1)
    return out


# ------------------------------------------------------------------ disasm


@dataclass(frozen=True)
class DisasmDataConfig:
    jobs: int = 1


def disasm_examples(programs: Sequence[Program], config: DisasmDataConfig, advance: Advance) -> list[Example]:
    """llc's assembly of the -Oz module in, the -Oz IR it came from out."""
    pairs = program_modules(programs, config.jobs)
    flat = [(p, m) for p, mods in pairs for m in mods]

    def one(item: tuple[Program, IRModule]) -> Example | None:
        program, module = item
        prepared = prepare_disasm(module)
        advance(1)
        if prepared.truth is None:
            return None
        row = _base_row("disasm", program, module, prepared.prompt, disasm_completion(prepared.truth))
        return Example(row, program.name, content_hash(normalize_ir(prepared.truth)), row["prompt"] + row["completion"])

    with ThreadPoolExecutor(max(1, config.jobs)) as pool:
        return [e for e in pool.map(one, flat) if e is not None]


def module_count(programs: Sequence[Program]) -> int:
    """Work units for progress bars: one per source file (= module)."""
    return sum(len(p.sources) for p in programs)
