"""The autotuner: per module, search a pipeline smaller than -Oz, minimise it, verify the program still
works, and never report anything worse than -Oz."""

from __future__ import annotations

import copy
import hashlib
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import NotRequired, TypedDict

from compilerlm import __version__
from compilerlm.errors import CompilerLMError
from compilerlm.programs.names import file_name
from compilerlm.programs.program import Program
from compilerlm.search.coverage import module_coverage
from compilerlm.search.minimize import minimize
from compilerlm.search.objective import Objective, Pipeline, text_of
from compilerlm.search.strategies import BUILTIN_LIBRARY, SEARCH_REVISION, parse_pipeline, run_strategy
from compilerlm.search.verify import LinkedSizes, verify_program
from compilerlm.stats import improvement_geomean, share
from compilerlm.store import Store
from compilerlm.toolchain.baselines import DEFINITIONS, measure_modules
from compilerlm.toolchain.evaluator import Evaluator
from compilerlm.toolchain.lto import WholeProgram
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.pipelines import OZ_PIPELINE, normalize, opt_pipeline
from compilerlm.toolchain.search_space import SEARCH_SPACE
from compilerlm.toolchain.subprocess_path import machine_of, reproduce_command
from compilerlm.toolchain.targets import HOST


@dataclass(frozen=True, kw_only=True)
class TuneConfig:
    strategy: str = "auto"
    budget: int = 1000  # candidate evaluations per module (baselines are free)
    seed: int = 0
    minimize: bool = True
    verify: bool = True
    library: tuple[str, ...] = BUILTIN_LIBRARY
    candidates: int = 3  # how many ranked pipelines per module verification may fall back through
    broadcast: int = 0  # evaluations per module kept for the suite's best pipelines (set by the runner)
    first_pass: bool = False  # the runner's search-only pass that collects those pipelines
    model: str | None = None  # spec of the model whose proposals are evaluated first (part of the run key)
    samples: int = 0  # answers asked of the model per module
    time_budget: float = 0.0  # seconds of search and minimisation per module besides `budget` (0: no limit)
    start: tuple[str, ...] = ()  # evaluated before anything else (tune --lto: lld's own pipelines), in `budget`

    def run_key(self) -> str:
        """Identifies the settings whose finished module results may be reused on a rerun."""
        text = json.dumps(
            [
                self.strategy,
                self.budget,
                self.seed,
                self.minimize,
                self.verify,
                self.library,
                self.candidates,
                self.broadcast,
                self.first_pass,
                self.model,
                self.samples,
                SEARCH_SPACE,
                SEARCH_REVISION,
                *([self.time_budget] if self.time_budget else []),  # keys of runs without one stay as they were
                *([self.start] if self.start else []),
            ]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Proposals:
    """A model's answers for one module: the pipelines it proposed and why the other answers were unusable."""

    pipelines: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


@dataclass
class ModuleResult:
    name: str
    program: str
    module_key: str
    size_o0: int | None
    size_oz: int
    size_o3: int | None
    pipeline: str = OZ_PIPELINE
    source: str = "Oz"  # "ranker" (the CPU flag-tuning model, ranker:) | "model" (any other) | "search" | "Oz"
    size: int = 0
    text: int | None = None
    improvement: float = 0.0
    verified: bool = False
    verification: str = ""
    # Counts. An evaluation is one (module, pipeline) size looked up: compiled in this run, or read back from the
    # store (a resumed or replayed search) or from an identical module's search (`same_ir_as`).
    evaluations: int = 0  # the old name of `search_evaluations`, kept for compatibility (same number)
    compiled: int = 0  # of `evaluations_total`, how many this run compiled (the rest were read back)
    minimize_evaluations: int = 0  # spent shortening the best pipeline, outside the budget
    search_evaluations: int = 0  # the search's, counted against the budget (a model's answers included)
    evaluations_total: int = 0  # search_evaluations + minimize_evaluations
    seconds: float = 0.0  # wall clock of this module's search and minimisation in this run
    length_before: int = 0
    length_after: int = 0
    trajectory: list[list[int]] = field(default_factory=list)
    miscompiles: list[str] = field(default_factory=list)
    model_pipelines: list[str] = field(default_factory=list)  # what the model proposed, as parsed
    model_errors: list[str] = field(default_factory=list)  # why other answers gave no usable pipeline
    resumed: bool = False  # taken from the store, not searched again
    content_key: str = ""  # the unit's identity whatever its path (IRModule.content_key): how `compilerlm cc` finds it
    same_ir_as: str = ""  # an earlier module of this run with the same IR but for its file name (content_key)
    # `pipeline` as plain `opt -passes=` text (every default<O?> expanded to clang's own pipeline), and a shell
    # command that rebuilds the object of `size` bytes from the module's unoptimized IR in `ir_file(name)`
    opt_pipeline: str = ""
    reproduce: str = ""
    # of the module's defined functions, how many the program's tests enter (None: not measured, e.g. --no-verify)
    functions: int | None = None
    functions_executed: int | None = None

    def set_counts(self, search: int, minimize: int) -> None:
        self.evaluations = self.search_evaluations = search
        self.minimize_evaluations = minimize
        self.evaluations_total = search + minimize


class StoredModule(TypedDict):
    """What the store keeps of a finished module (`_record`, as JSON: `result` holds a ModuleResult's fields), the
    shape it is checked against when read back."""

    result: ModuleResult
    candidates: list[tuple[int, list[str]]]  # (size, pipeline) ranked, verification's fallbacks
    from_model: NotRequired[list[str]]  # absent in records written before it was kept


def ir_file(module_name: str) -> str:
    """The file name `reproduce` reads the module's unoptimized IR from (`prog/heap.c` -> `heap.input.ll`; `tune
    --out` writes it beside the object)."""
    return PurePosixPath(module_name).with_suffix("").name + ".input.ll"


def object_file(module_name: str) -> str:
    """The object file `reproduce` writes (`prog/heap.c` -> `heap.o`, as `tune --out` names it)."""
    return PurePosixPath(module_name).with_suffix("").name + ".o"


def reproduction(module_name: str, pipeline: str, ir: str = "") -> tuple[str, str]:
    """(opt_pipeline, reproduce) for a module's reported pipeline; `ir`, the module's, says which machine they
    build for (its triple, CPU, features and ABI: `subprocess_path.machine_of`; "" the host's)."""
    machine = machine_of(ir)
    text = opt_pipeline(pipeline, machine.triple)
    return text, reproduce_command(text, ir_file(module_name), object_file(module_name), machine)


def baseline_failure(program: Program, modules: Sequence[IRModule]) -> str | None:
    """Why the program's own tests fail when every module is built at the -Oz baseline (None: they pass, or
    there is nothing to run). A pipeline can only be blamed for failing tests that pass at the baseline."""
    if not program.tests or not program.is_c:
        return None
    verdict = verify_program(program, modules, {})
    return None if verdict.verified else verdict.detail


def broken_tests_error(failures: Mapping[str, str]) -> CompilerLMError:
    """One line for programs whose own tests fail at the baseline build (name -> why)."""
    shown = "; ".join(f"{name}: {why}" for name, why in list(failures.items())[:3])
    more = f" (and {len(failures) - 3} more)" if len(failures) > 3 else ""
    return CompilerLMError(
        f"the program's own tests fail at the baseline build: {' '.join(shown.split())}{more}; fix the program or "
        "its expected outputs (python -m compilerlm.programs.bless FOLDER), or tune with --no-verify"
    )


def search_module(
    module: IRModule,
    size_oz: int,
    config: TuneConfig,
    evaluator: Evaluator,
    store: Store | None,
    proposals: Sequence[str] = (),
    broadcast: Sequence[str] = (),
) -> tuple[Objective, list[tuple[int, Pipeline]]]:
    """Proposals (a model's pipelines) are evaluated first, then the strategy spends what is left but the
    `config.broadcast` evaluations kept for `broadcast` (the best pipelines of the suite's other modules)."""
    # seeded by the module's content, not its path: the same search in any checkout, folder or Ray node
    seed = int(hashlib.sha256(f"{config.seed}:{module.content_key}".encode()).hexdigest()[:8], 16)
    obj = Objective(module, evaluator, config.budget, store)
    if config.time_budget:
        obj.deadline = time.monotonic() + config.time_budget
    if config.start:  # where a search must not begin behind (the pipeline a standard build already runs)
        obj.evaluate([parse_pipeline(p) for p in config.start])
    started = obj.used
    if proposals:
        obj.evaluate([parse_pipeline(p) for p in proposals])
    # every answer asked of the model is charged to the budget, usable or not (--budget 1: the model or -Oz)
    obj.budget = max(obj.used, obj.budget - max(0, config.samples - (obj.used - started)))
    full = obj.budget
    obj.budget = max(obj.used, full - config.broadcast)
    rng = random.Random(seed)
    if obj.remaining:
        run_strategy(config.strategy, obj, SEARCH_SPACE, rng, config.library)
    obj.budget = full
    if broadcast and obj.remaining:
        obj.evaluate([parse_pipeline(p) for p in broadcast])
    if config.broadcast and not config.first_pass and obj.remaining:  # fewer winners than kept: search on
        run_strategy(config.strategy, obj, SEARCH_SPACE, rng, config.library)
    return obj, [(s, p) for s, p in obj.ranked(config.candidates) if s < size_oz]


def tune_program(
    program: Program,
    modules: Sequence[IRModule],
    o3_modules: Sequence[IRModule] | None,
    config: TuneConfig,
    evaluator: Evaluator,
    store: Store | None = None,
    on_module: Callable[[ModuleResult], None] | None = None,
    proposals: Mapping[str, Proposals] | None = None,
    broadcast: Sequence[str] = (),
    searched: dict[tuple, dict] | None = None,
) -> list[ModuleResult]:
    """Tune every module of one program, then verify the program with the chosen pipelines.
    `proposals[module.name]`: a model's pipelines for that module, tried before the search; `broadcast`:
    pipelines that won on other modules, tried after it (see search/runner.py). `searched`: the searches of
    this run so far by (content key, proposals), filled here; a module with the same IR but for its file name
    (and the same proposals) as one already searched reuses that search (`same_ir_as`, `compiled: 0`) and is
    verified with its own program."""
    run_key = config.run_key()
    baselines = measure_modules(evaluator, modules, o3_modules=o3_modules)
    results: list[ModuleResult] = []
    candidates: dict[str, list[tuple[int, Pipeline]]] = {}
    from_model: dict[str, set[str]] = {}  # per module: pipelines the model proposed (or minimised from one)
    for module, base in zip(modules, baselines, strict=True):
        oz = base.results["Oz"].raise_for_error(module.name)
        assert oz.size is not None  # a successful evaluation has its size
        proposed = (proposals or {}).get(module.name, Proposals())
        memo = (module.content_key, tuple(proposed.pipelines))  # the same source file in another folder too
        cached = store.get_result(run_key, f"{module.name}@{module.key}", StoredModule) if store else None
        if cached is not None:  # finished in an earlier run with the same settings: nothing to compile
            stored = {**cached["result"], "compiled": 0, "seconds": 0.0, "resumed": True}
            res = ModuleResult(**{**stored, "content_key": module.content_key})
            res.set_counts(res.evaluations, res.minimize_evaluations)  # records written before the new counts
            results.append(res)
            candidates[module.name] = [(s, tuple(p)) for s, p in cached["candidates"]]
            from_model[module.name] = set(cached.get("from_model", []))
            if searched is not None:  # an identical module later in this run reuses it, as if searched now
                searched.setdefault(memo, copy.deepcopy({**cached, "from_model": sorted(from_model[module.name])}))
            continue
        if searched is not None and memo in searched:  # an identical module of this run was searched already
            earlier = searched[memo]
            res = ModuleResult(
                **{
                    **copy.deepcopy(earlier["result"]),
                    "name": module.name,
                    "program": program.name,
                    "module_key": module.key,  # its own IR (the file-name lines may differ from the earlier one's)
                    "content_key": module.content_key,
                    "size_o0": base.size("O0"),  # this program's own baselines (the same IR: the same sizes)
                    "size_oz": oz.size,
                    "size_o3": base.size("O3"),
                    "compiled": 0,
                    "seconds": 0.0,
                    "same_ir_as": earlier["result"]["name"],
                }
            )
            candidates[module.name] = [(s, tuple(p)) for s, p in earlier["candidates"]]
            from_model[module.name] = set(earlier["from_model"])
            if store:
                store.put_result(
                    run_key,
                    f"{module.name}@{module.key}",
                    _record(res, candidates[module.name], from_model[module.name]),
                )
            results.append(res)
            continue
        started = time.perf_counter()
        res = ModuleResult(
            module.name,
            program.name,
            module.key,
            base.size("O0"),
            oz.size,
            base.size("O3"),
            size=oz.size,
            text=oz.text_size,
            content_key=module.content_key,
        )
        from_model[module.name] = {text_of(parse_pipeline(p)) for p in proposed.pipelines}
        res.model_pipelines, res.model_errors = list(proposed.pipelines), list(proposed.errors)
        obj, ranked = search_module(module, oz.size, config, evaluator, store, proposed.pipelines, broadcast)
        res.trajectory = [list(t) for t in obj.trajectory]
        for text in sorted(from_model[module.name]):
            failed = obj.seen.get(text)
            if failed is not None and not failed.ok:
                res.model_errors.append(f"{text}: {failed.error_kind}: {failed.error}")
        res.set_counts(obj.used, 0)
        if ranked and config.minimize and text_of(ranked[0][1]) not in from_model[module.name]:
            # a model's pipeline is reported as the model gave it; only searched ones are shortened
            best_size, best = ranked[0]
            shorter = minimize(obj, best, best_size)
            res.set_counts(res.search_evaluations, shorter.evaluations)
            ranked[0] = (shorter.size, shorter.pipeline)
            res.length_before, res.length_after = shorter.length_before, shorter.length_after
        elif ranked:
            res.length_before = res.length_after = len(ranked[0][1])
        res.compiled = obj.compiled
        res.seconds = time.perf_counter() - started
        candidates[module.name] = ranked
        record = _record(res, ranked, from_model[module.name])
        if store:
            store.put_result(run_key, f"{module.name}@{module.key}", record)
        if searched is not None:
            searched[memo] = copy.deepcopy(record)
        results.append(res)
    _choose_and_verify(program, modules, results, candidates, config, from_model)
    if config.verify and program.tests and program.is_c:
        _add_coverage(program, modules, results)
    for res in results:
        if store:
            store.put_result(
                run_key,
                f"{res.name}@{res.module_key}",
                _record(res, candidates[res.name], from_model[res.name]),
            )
        if on_module:
            on_module(res)
    return results


def _add_coverage(program: Program, modules: Sequence[IRModule], results: list[ModuleResult]) -> None:
    """How many of each module's functions the tests enter (`search/coverage.py`); a module whose code no test
    runs is not verified, whatever its tests said, since they could not have noticed a miscompile there. For
    another machine's program the host build of the same sources answers (the same functions, the same tests;
    the profile runtime is the host's only)."""
    try:
        if program.machine.is_host:
            coverage = module_coverage(program, modules)
        else:
            host = replace(program, triple=HOST.name)
            coverage = module_coverage(host, _host_modules(host, modules))
    except CompilerLMError as exc:
        for r in results:
            r.verification = f"{r.verification}; which functions the tests run is unknown: {exc}"
        return
    for r in results:
        cov = coverage[r.name]
        r.functions, r.functions_executed = cov.functions, cov.executed
        if r.verified and not cov.reached:
            r.verified = False
            r.verification = f"{r.verification}, but {cov.note()}"


def _host_modules(host: Program, modules: Sequence[IRModule]) -> list[IRModule]:
    """The host's build of the same modules: its units, or its whole program as lld merges it (`tune --lto`)."""
    if len(modules) == 1 and isinstance(modules[0], WholeProgram):
        from compilerlm.search.whole_program import whole_program  # it builds on this module's results

        return [whole_program(host)]
    return host.modules()


def _record(res: ModuleResult, ranked: list[tuple[int, Pipeline]], from_model: set[str]) -> dict:
    """What the store keeps of a finished module, enough to verify and report it again without searching."""
    return {"result": asdict(res), "candidates": [[s, list(p)] for s, p in ranked], "from_model": sorted(from_model)}


def _choose_and_verify(
    program: Program,
    modules: Sequence[IRModule],
    results: list[ModuleResult],
    candidates: dict[str, list[tuple[int, Pipeline]]],
    config: TuneConfig,
    from_model: dict[str, set[str]],
) -> None:
    """Take each module's best candidate; if the program's tests fail, find the modules to blame, discard
    their pipeline as a miscompile and try their next candidate; -Oz when none is left. When the tests fail
    at the -Oz baseline too, no pipeline is blamed: every module gets -Oz, unverified, with the baseline's
    failure as the reason."""
    choice = {r.name: 0 for r in results}
    by_name = {r.name: r for r in results}
    by_module = {m.name: m for m in modules}

    def pipelines() -> dict[str, str]:
        out = {}
        for r in results:
            ranked = candidates[r.name]
            out[r.name] = text_of(ranked[choice[r.name]][1]) if choice[r.name] < len(ranked) else OZ_PIPELINE
        return out

    verdict = None
    if config.verify:
        for attempt in range(config.candidates + 1):
            verdict = verify_program(program, modules, pipelines())
            if verdict.verified or not program.tests or not program.is_c:
                break
            if attempt == 0 and not (baseline := verify_program(program, modules, {})).verified:
                # the tests fail without any pipeline: the program's fault, no pipeline is a miscompile
                # (tune_jobs, the command line's path, refuses such a program before searching)
                verdict = baseline
                choice.update({r.name: len(candidates[r.name]) for r in results})  # -Oz everywhere
                break
            blamed = [
                r.name
                for r in results
                if pipelines()[r.name] != OZ_PIPELINE
                and not verify_program(program, modules, {r.name: pipelines()[r.name]}).verified
            ]
            if not blamed:  # fails even at -Oz, or only in combination: fall back entirely
                blamed = [r.name for r in results if pipelines()[r.name] != OZ_PIPELINE]
            current = pipelines()
            for name in blamed:
                by_name[name].miscompiles.append(current[name])
                choice[name] += 1
            if not blamed:
                break
    chosen = pipelines()
    for r in results:
        ranked = candidates[r.name]
        if chosen[r.name] != OZ_PIPELINE:
            proposer = "ranker" if (config.model or "").startswith("ranker:") else "model"
            source = proposer if chosen[r.name] in from_model[r.name] else "search"
            r.pipeline, r.source, r.size = chosen[r.name], source, ranked[choice[r.name]][0]
        else:
            r.pipeline, r.source, r.size = OZ_PIPELINE, "Oz", r.size_oz
        r.improvement = 1 - r.size / r.size_oz if r.size_oz else 0.0
        r.verified = bool(verdict and verdict.verified)
        r.verification = verdict.detail if verdict else "verification skipped (--no-verify)"
        module = by_module[r.name]
        r.opt_pipeline, r.reproduce = reproduction(r.name, r.pipeline, module.ir)
        if isinstance(module, WholeProgram):  # the pipeline runs inside lld's link
            objects = [f"{PurePosixPath(name).stem}.o" for name, _ in module.objects]
            r.opt_pipeline, r.reproduce = normalize(r.pipeline), module.link_command(r.pipeline, objects, "prog")


def no_larger_when_linked(
    results: Sequence[ModuleResult],
    linked: LinkedSizes,
    out: Path | None = None,
    modules: Sequence[IRModule] = (),
) -> LinkedSizes:
    """What ships is the linked program, so "never worse than -Oz" is judged there: a tuned unit can make the
    executable larger although no object grew (an import it now calls, relocations, writable data). Then every
    module of the program (`results`) goes back to -Oz and the -Oz executable is what is reported (and, in
    `out`, what `NAME` holds); `modules`, the results' own, say the machine their reproduce commands build for."""
    if linked.size is None or linked.size_oz is None or linked.size <= linked.size_oz:
        return linked
    irs = {m.name: m.ir for m in modules}
    for r in results:
        r.pipeline, r.source, r.size, r.improvement = OZ_PIPELINE, "Oz", r.size_oz, 0.0
        r.opt_pipeline, r.reproduce = reproduction(r.name, OZ_PIPELINE, irs.get(r.name, ""))
        r.verification = f"{r.verification}; the tuned executable was {linked.size - linked.size_oz} bytes larger: -Oz"
    if out is not None:
        exe = out / file_name(linked.program)
        exe.write_bytes(exe.with_name(f"{exe.name}.Oz").read_bytes())
    return replace(linked, size=linked.size_oz, text=linked.text_oz, fell_back=linked.size)


def summarize(results: Sequence[ModuleResult], elapsed: float) -> dict:
    ratios = [min(r.size, r.size_oz) / r.size_oz for r in results if r.size_oz]
    compiled = sum(r.compiled for r in results)
    per_second = compiled / elapsed if elapsed > 0 else 0.0
    return {
        "modules": len(results),
        "improvement_geomean": improvement_geomean(ratios),
        "share_better": share(sum(r.size < r.size_oz for r in results), len(results)),
        "verified_share": share(sum(r.verified for r in results), len(results)),
        "sources": dict(Counter(r.source for r in results)),
        "search_evaluations": sum(r.search_evaluations for r in results),
        "minimize_evaluations": sum(r.minimize_evaluations for r in results),
        "evaluations_total": sum(r.evaluations_total for r in results),
        "compiled_total": compiled,
        "seconds": elapsed,
        "compiled_per_second": per_second,
        "evaluations_per_second": per_second,  # the old name of compiled_per_second, kept for compatibility
    }


def tune_document(
    results: Sequence[ModuleResult],
    config: TuneConfig,
    evaluator: str,
    started: float,
    linked: Sequence[LinkedSizes] = (),
) -> dict:
    """The stable JSON of `compilerlm tune` (documented in the README); `linked`: each program's executable
    at -Oz and tuned, and in the summary `linked_improvement_geomean` over those that linked."""
    summary = summarize(results, time.time() - started)
    ratios = [x.size / x.size_oz for x in linked if x.size and x.size_oz]
    summary["linked_improvement_geomean"] = improvement_geomean(ratios) if ratios else None
    summary["linked_programs"] = len(ratios)
    programs = [{**asdict(x), "improvement": x.improvement} for x in linked]
    return {
        "version": __version__,
        "strategy": config.strategy,
        "budget": config.budget,
        "seed": config.seed,
        "evaluator": evaluator,
        "definitions": DEFINITIONS,
        "modules": [asdict(r) for r in results],
        "programs": programs,
        "summary": summary,
    }


def export_library(results: Sequence[dict], limit: int = 100) -> list[str]:
    """The most often winning pipelines of earlier runs (the LLM Compiler "broadcast" list)."""
    wins = Counter(r["result"]["pipeline"] for r in results if r["result"]["source"] == "search")
    return [p for p, _ in wins.most_common(limit)]
