"""The size track's entry: `tune_target(TARGET, TuneRequest)` is `compilerlm tune` without the printing.

It owns every decision a tune run makes — which model `auto` asks (the shipped ranker), how a ranker's file
enters the run key, where a whole-program search starts (lld's own pipelines) and how the budget is shared with
the link options, linking and measuring the executables, what ships, the files of `--out` — and returns the
document `--json` writes. A caller hears how far it is through `TuneProgress` (the base says nothing; the command
line draws bars). `TuneRequest`'s fields carry their help, from which the command line makes its options.

The same search serves callers without a target: `tune_modules` (programs' modules, verified: `data flags`'
labels) and `module_search` (one module: `corpus label`'s winners); the layers below, which may not import this
one, are handed `SIZE_SEARCH`, so there is one `auto`.
"""

from __future__ import annotations

import functools
import hashlib
import shlex
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path, PurePosixPath

from compilerlm.errors import CompilerLMError
from compilerlm.models import SPECS
from compilerlm.programs.names import file_name
from compilerlm.programs.program import Program
from compilerlm.programs.suites import built_for, resolve_target
from compilerlm.search.objective import Objective
from compilerlm.search.progress import SearchProgress, listening
from compilerlm.search.runner import TuneJob, passes, tune_jobs
from compilerlm.search.strategies import BUILTIN_LIBRARY, STRATEGIES, STRATEGY_HELP, read_library
from compilerlm.search.tune import (
    ModuleResult,
    Proposals,
    StoredModule,
    TuneConfig,
    no_larger_when_linked,
    search_module,
    tune_document,
)
from compilerlm.search.tune import export_library as library_from
from compilerlm.search.verify import linked_sizes
from compilerlm.search.whole_program import Shipped
from compilerlm.store import Store, resumable
from compilerlm.toolchain.evaluator import Evaluator
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.targets import HOST, TRIPLE_HELP


@dataclass(kw_only=True)
class TuneRequest:
    """What a tune run is asked to do; each field's help is the command line's option help."""

    budget: int = field(default=1000, metadata={"help": "candidate evaluations per module (baselines are free)"})
    time_budget: float = field(
        default=0.0, metadata={"help": "seconds of search per module besides --budget, whichever ends first (0: none)"}
    )
    eval_timeout: float = field(
        default=120.0,
        metadata={"help": "seconds one evaluation may take (more for large modules: 1 s per 20 KB of IR)"},
    )
    strategy: str = field(default="auto", metadata={"help": STRATEGY_HELP})
    ray: str | None = field(
        default=None, metadata={"help": "run programs as Ray tasks: 'local', 'auto' or a cluster address (ray://...)"}
    )
    store: Path | None = field(
        default=None, metadata={"help": "SQLite file: results go here as they come; reruns resume"}
    )
    out: Path | None = field(
        default=None, metadata={"help": "write each module's optimized object (.o) and IR (.ll) here"}
    )
    seed: int = field(default=0, metadata={"help": "random seed (same seed, same search)"})
    library: Path | None = field(
        default=None, metadata={"help": "file of known good pipelines, one per line, tried first"}
    )
    verify: bool = field(
        default=True, metadata={"help": "build and run each program's tests with the chosen pipelines"}
    )
    evaluator: str = field(default="inprocess", metadata={"help": "inprocess (default) or subprocess"})
    model: str | None = field(
        default=None,
        metadata={
            "help": f"ask this model for pipelines first ({SPECS}); "
            "auto uses ranker:default unless given another, or 'none'"
        },
    )
    samples: int | None = field(
        default=None,
        metadata={"help": "answers asked of --model per module (default: 1; a ranker: its library, within --budget)"},
    )
    temperature: float = field(default=0.0, metadata={"help": "sampling temperature for --model (0: greedy)"})
    max_tokens: int = field(default=1024, metadata={"help": "answer token budget for --model"})
    units_route: bool = field(
        default=True,
        metadata={
            "help": "with --lto, also tune each unit (function sections, --gc-sections) and ship that route through "
            "'compilerlm cc --tuned' when it is the smaller"
        },
    )
    lto: bool = field(
        default=False,
        metadata={
            "help": "whole program: search the link-time pipeline of lld's full LTO on the merged module, against "
            "the standard builds (-Oz, --gc-sections, LTO); the JSON gives the cflags/ldflags that build the result"
        },
    )
    triple: str = field(default=HOST.name, metadata={"help": TRIPLE_HELP, "flag": "--target"})
    jobs: int = 1  # parallel worker processes (the command line gives its own default and help)
    minimize: bool = True  # shorten each winner; off: the search alone (a benchmark of search; not an option)
    tuned_file: str = "TUNE.json"  # where the results will be, as `compilerlm cc --tuned` is told in the JSON

    def check(self) -> None:
        """One line for the first option that cannot work, before anything runs."""
        if self.strategy not in STRATEGIES:
            raise CompilerLMError(f"unknown strategy {self.strategy!r}: choose one of {', '.join(STRATEGIES)}")
        if self.budget < 1:
            raise CompilerLMError("--budget must be at least 1")
        if self.time_budget < 0 or self.eval_timeout <= 0:
            raise CompilerLMError("--time-budget must be at least 0 and --eval-timeout above 0 (seconds)")


class TuneProgress:
    """How far a tune run is. This base says nothing (a benchmark, a library caller); the command line draws
    bars. `stage` frames a step with its size (modules, or programs for the standard builds and routes, `None`
    when unknown) and how many passes over the modules it makes; `modules_done` tells of finished modules,
    `searching` of each evaluation of a module's search, `step` of one item of a stage without modules,
    `resolved` of the programs the target names."""

    @contextmanager
    def stage(self, what: str, total: int | None, passes: int = 1) -> Iterator[None]:
        yield

    def resolved(self, programs: Sequence[Program]) -> None:
        """The programs the target names (each may list units it left out, `Program.skipped`)."""

    def modules_done(self, results: Sequence[ModuleResult]) -> None:
        pass

    def searching(self, progress: SearchProgress) -> None:
        pass

    def step(self) -> None:
        pass


def tune_target(target: str, request: TuneRequest, progress: TuneProgress | None = None) -> dict:
    """Tune every module of TARGET's programs (or, with `lto`, each program whole), verify, link and measure, and
    return the document `compilerlm tune --json` writes (`search.tune.tune_document`, with `programs` or
    `whole_program`)."""
    request.check()
    progress = progress or TuneProgress()
    db = Store(request.store) if request.store else None
    unit_library = BUILTIN_LIBRARY if request.library is None else read_library(request.library)
    config, model = _config(request, unit_library)
    with resumable(request.store, db):
        programs = built_for(resolve_target(target), request.triple)
        progress.resolved(programs)
        started = time.time()
        run = functools.partial(_run, model=model, request=request, db=db, progress=progress)
        if request.lto:
            from compilerlm.search.whole_program import whole_program

            work = [TuneJob(p, [whole_program(p, request.jobs)], None) for p in programs]
            results = run(work, "lto", "tuning", config)
            unit_work = [TuneJob(p, p.modules(), None) for p in programs if p.is_c] if request.units_route else []
            per_unit = replace(config, start=(), library=unit_library)  # lld's pipelines are for the merged module
            unit_results = run(unit_work, request.evaluator, "tuning units", per_unit) if unit_work else []
        else:
            work = [TuneJob(p, p.modules(), p.modules("O3") if p.is_c else None) for p in programs]
            results = run(work, request.evaluator, "tuning", config)
    chosen = {r.name: r.pipeline for r in results}
    if request.lto:
        doc = tune_document(results, config, "lto", started)
        doc["budget"] = request.budget  # the search's and the link options' links together
        if unit_results:  # the per-unit route's modules: `compilerlm cc --tuned` builds them from here
            doc["unit_modules"] = [asdict(r) for r in unit_results]
        cc = f"compilerlm cc --tuned {shlex.quote(request.tuned_file)}"
        options = config.budget < request.budget
        shipping = ship_whole_programs(work, results, unit_results, request, options, cc, progress)
        doc["whole_program"] = [asdict(x) for x in shipping]
        return doc
    if request.out is not None:
        for job in work:
            write_outputs(request.out, job.modules, chosen)
    bin_dir = request.out / "bin" if request.out is not None else None
    linked = [
        no_larger_when_linked(
            [r for r in results if r.program == job.program.name],
            linked_sizes(job.program, job.modules, chosen, bin_dir),
            bin_dir,
            job.modules,
        )
        for job in work
        if job.program.is_c
    ]
    return tune_document(results, config, request.evaluator, started, linked)


def export_library(store: Path, dest: Path) -> int:
    """The most often winning pipelines of a store's results written to `dest`, one a line; how many."""
    pipelines = library_from(Store(store).results(shape=StoredModule))
    dest.write_text("".join(p + "\n" for p in pipelines))
    return len(pipelines)


def _config(request: TuneRequest, library: Sequence[str]) -> tuple[TuneConfig, str | None]:
    """The search's settings (its run key) and the model to ask: with `lto`, lld's pipelines start the search and
    the library, and the budget leaves a link for each link option tried at the end; the model `auto` asks (the
    shipped ranker), and how many answers."""
    lib, budget = tuple(library), request.budget
    start: tuple[str, ...] = ()
    if request.lto:
        from compilerlm.toolchain.lto import LINK_OPTIONS, LTO_LIBRARY

        lib = (*LTO_LIBRARY, *(p for p in lib if p not in LTO_LIBRARY))
        if budget > len(LINK_OPTIONS):  # the budget counts every link: one per link option tried at the end
            budget -= len(LINK_OPTIONS)
        start = tuple(LTO_LIBRARY[: max(1, budget - 1)])  # never begins behind the standard LTO build
    model, samples = model_and_samples(request.model, request.samples, request.strategy, max(1, budget - len(start)))
    config = TuneConfig(
        strategy=request.strategy,
        budget=budget,
        seed=request.seed,
        minimize=request.minimize,
        verify=request.verify,
        library=lib,
        model=model_identity(model),
        samples=samples,
        time_budget=request.time_budget,
        start=start,
    )
    return config, model


def _run(
    work: list[TuneJob],
    kind: str,
    what: str,
    config: TuneConfig,
    *,
    model: str | None,
    request: TuneRequest,
    db: Store | None,
    progress: TuneProgress,
) -> list[ModuleResult]:
    if model is not None:
        work[:] = ask_model(work, model, config.samples, request, progress)
    rounds = passes(config, work)
    with progress.stage(what, sum(len(j.modules) for j in work) * rounds, rounds), listening(progress.searching):
        return tune_jobs(
            work,
            config,
            db,
            kind,
            request.jobs,
            request.ray,
            on_program=lambda job, out: progress.modules_done(out),
            timeout=request.eval_timeout,
        )


def model_and_samples(model: str | None, samples: int | None, strategy: str, budget: int) -> tuple[str | None, int]:
    """The model to ask and how many answers: `auto` without a model starts from the shipped ranker, 'none'
    asks no model; a ranker gives its whole library by default (within the budget), any other model one answer."""
    if samples is not None and samples < 1:
        raise CompilerLMError("--samples must be at least 1")
    if model is None and strategy == "auto":
        from compilerlm.ranker.model import DEFAULT_MODEL

        model = "ranker:default" if DEFAULT_MODEL.is_file() else None
    if model is None or model == "none":
        return None, 0
    if samples is None:
        samples = 1
        if model.startswith("ranker:"):
            from compilerlm.ranker.backend import ranker_path
            from compilerlm.ranker.model import load_ranker

            samples = min(budget, len(load_ranker(ranker_path(model.partition(":")[2])).pipelines))
    return model, samples


def model_identity(model: str | None) -> str | None:
    """The model as the run key knows it: a ranker by its file's content too, so results of another ranker
    file under the same spec are not reused."""
    if model is None or not model.startswith("ranker:"):
        return model
    from compilerlm.ranker.backend import ranker_path

    return f"{model}@{hashlib.sha256(ranker_path(model.partition(':')[2]).read_bytes()).hexdigest()[:12]}"


def ask_model(
    work: list[TuneJob], spec: str, samples: int, request: TuneRequest, progress: TuneProgress
) -> list[TuneJob]:
    """The model's pipelines for every module of every job (one batch), attached to the jobs."""
    proposals = _proposals([m for job in work for m in job.modules], spec, samples, request, progress)
    return [replace(job, proposals={m.name: proposals[m.name] for m in job.modules}) for job in work]


def _proposals(
    modules: Sequence[IRModule], spec: str, samples: int, request: TuneRequest, progress: TuneProgress
) -> dict[str, Proposals]:
    """The model's pipelines per module name (one batch)."""
    from compilerlm.models import load_model
    from compilerlm.tasks.proposals import propose_pipelines

    asking = f"asking {spec} for pipelines ({len(modules)} modules x {samples})"
    with load_model(spec) as lm, progress.stage(asking, None):
        return propose_pipelines(lm, modules, samples, request.temperature, request.max_tokens)


def ship_whole_programs(
    work: list[TuneJob],
    results: list[ModuleResult],
    unit_results: list[ModuleResult],
    request: TuneRequest,
    link_options: bool,
    cc: str,
    progress: TuneProgress,
) -> list[Shipped]:
    """Per program of a --lto run: its standard builds, its searched routes (`search.whole_program.routes`) and
    what ships: the smallest tested route, or the best standard build when none is smaller. With `out`, each
    executable (`NAME` ships, `NAME.RECIPE`, `NAME.units`)."""
    from compilerlm.search.whole_program import build_recipes, routes, shipped, verify_recipe
    from compilerlm.toolchain.lto import WholeProgram

    by_name = {r.name: r for r in results}
    shipped_programs = []
    out = request.out
    stage = progress.stage("standard builds and routes", len(work))
    with stage, tempfile.TemporaryDirectory(prefix="compilerlm-recipes-") as tmp:
        folder = out or Path(tmp)  # the recipes' executables, tested there when one ships
        for job in work:
            program, module = job.program, job.modules[0]
            assert isinstance(module, WholeProgram)  # a --lto job is its program's merged module
            builds = build_recipes(program, folder, request.jobs)
            units = [r for r in unit_results if r.program == program.name]
            found = routes(program, module, by_name[module.name], units, folder, link_options, cc)
            ship = shipped(program.name, builds, found, functools.partial(verify_recipe, program, folder=folder))
            link = found[ship.route].link if ship.route in found else None
            if out is not None and link is not None:
                out.mkdir(parents=True, exist_ok=True)
                link(ship.link_options, out / file_name(program.name))
            shipped_programs.append(ship)
            progress.step()
    return shipped_programs


def write_outputs(out: Path, modules: Sequence[IRModule], pipelines: dict[str, str]) -> None:
    """Each module's optimized object and IR, named after the module (`prog/file.c` -> `prog/file.o`,
    `prog/file.ll`), and its unoptimized IR (`prog/file.input.ll`), which the module's `reproduce` command
    reads when run in that folder. Each part of the name is a plain file name (`names.file_name`), so no
    module is written outside ``out``."""
    from compilerlm.search.tune import ir_file
    from compilerlm.toolchain.pipelines import expand
    from compilerlm.toolchain.subprocess_path import compile_object, module_triple, optimize_ir

    for module in modules:
        stem = out.joinpath(*map(file_name, PurePosixPath(module.name).with_suffix("").parts))
        stem.parent.mkdir(parents=True, exist_ok=True)
        pipeline = pipelines[module.name]
        stem.with_suffix(".o").write_bytes(compile_object(module, pipeline))
        (stem.parent / ir_file(module.name)).write_text(module.ir)
        expanded = expand(pipeline, module_triple(module.ir))
        stem.with_suffix(".ll").write_bytes(optimize_ir(module.ir, expanded, text=True, timeout=300))


# ------------------------------------------------------------------ the same search for the layers below


def tune_modules(
    work: list[TuneJob], request: TuneRequest, db: Store | None = None, progress: TuneProgress | None = None
) -> list[ModuleResult]:
    """The modules of `work` tuned as `tune_target` tunes them — the model `auto` asks first, then the strategy,
    verified, under the same run key (so either resumes the other's store) — without resolving a target, linking
    or shipping: for callers whose labels are the tuner's results (`data flags`)."""
    config, model = search_settings(request)
    progress = progress or TuneProgress()
    return _run(list(work), request.evaluator, "tuning", config, model=model, request=request, db=db, progress=progress)


def module_search(module: IRModule, evaluator: Evaluator, request: TuneRequest) -> Objective:
    """One module searched as `tune_target` searches each (the model `auto` asks, its answers first, then the
    strategy within the budget), with no program, store, minimisation or verification: for callers that use the
    search itself (`corpus label`'s winners). `module_search_request` says what `use_ranker` changes."""
    config, model = search_settings(request)
    proposals: tuple[str, ...] = ()
    if model is not None:
        proposals = _proposals([module], model, config.samples, request, TuneProgress())[module.name].pipelines
    obj, _ = search_module(module, 0, config, evaluator, None, proposals)  # -Oz's size only filters its ranking
    return obj


def module_search_request(budget: int, seed: int, *, use_ranker: bool) -> TuneRequest:
    """`auto` with `budget` evaluations, from the shipped ranker's proposals (`use_ranker`, as `tune` does) or
    without them (model 'none'): the one switch for callers whose results the ranker learns from."""
    return TuneRequest(budget=budget, seed=seed, model=None if use_ranker else "none")


def search_settings(request: TuneRequest) -> tuple[TuneConfig, str | None]:
    """The search's settings and the model to ask for a checked request and its library, as `tune_target` makes
    them: for callers that run `search.tune`'s searches themselves (benchmarks), so their `auto` is tune's."""
    request.check()
    return _config(request, BUILTIN_LIBRARY if request.library is None else read_library(request.library))


class _Advancing(TuneProgress):
    """Finished modules as one count over every pass (a dataset builder's bar counts each module once)."""

    def __init__(self, advance: Callable[[float], None]) -> None:
        self.advance, self.passes = advance, 1

    @contextmanager
    def stage(self, what: str, total: int | None, passes: int = 1) -> Iterator[None]:
        self.passes = passes
        yield

    def modules_done(self, results: Sequence[ModuleResult]) -> None:
        self.advance(len(results) / self.passes)


@dataclass(frozen=True)
class SizeSearch:
    """This track's searches handed to the layers below, which may not import it (`registry.flags`' labels,
    `ranker.labels`' winners): the command line passes `SIZE_SEARCH`, so `data flags`, `corpus label` and `tune`
    share one `auto`. An object rather than functions: a config holding it stays a plain dataclass (`asdict`,
    pickled to workers)."""

    def tune_modules(
        self,
        work: list[TuneJob],
        store: Store | None,
        advance: Callable[[float], None],
        *,
        budget: int,
        strategy: str,
        model: str | None,
        seed: int,
        jobs: int,
    ) -> list[ModuleResult]:
        """`tune_modules` with tune's defaults for the rest; `advance` hears finished modules."""
        request = TuneRequest(budget=budget, strategy=strategy, model=model, seed=seed, jobs=jobs)
        return tune_modules(work, request, store, _Advancing(advance))

    def search_key(self, budget: int, seed: int, *, use_ranker: bool) -> str:
        """The run key of `search_module`'s settings (a new search revision or ranker file: a new key)."""
        return search_settings(module_search_request(budget, seed, use_ranker=use_ranker))[0].run_key()

    def search_module(
        self, module: IRModule, evaluator: Evaluator, *, budget: int, seed: int, use_ranker: bool
    ) -> Objective:
        return module_search(module, evaluator, module_search_request(budget, seed, use_ranker=use_ranker))


SIZE_SEARCH = SizeSearch()
