"""The size track's measurements without a search: `measure_target(TARGET, SizeRequest)` is `compilerlm size`
without the printing (the baselines and one pipeline per module, and the document `--json` writes), and
`pass_listing` is `compilerlm passes`' (which passes a pipeline may name)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from compilerlm import __version__
from compilerlm.errors import PipelineError
from compilerlm.programs.suites import built_for, resolve_target
from compilerlm.toolchain.baselines import DEFINITIONS, ModuleSizes, measure_modules
from compilerlm.toolchain.targets import HOST, TRIPLE_HELP
from compilerlm.tracks.size import TuneProgress


@dataclass(kw_only=True)
class SizeRequest:
    """What a measurement of a TARGET's modules is asked to do; `evaluator`'s help is `compilerlm size`'s."""

    pipeline: str | None = None  # also measure this pipeline (the command line gives its own -p option)
    evaluator: str = field(
        default="inprocess", metadata={"help": "inprocess (libLLVM, default) or subprocess (opt | llc)"}
    )
    triple: str = field(default=HOST.name, metadata={"help": TRIPLE_HELP, "flag": "--target"})
    jobs: int = 1  # parallel workers (the command line gives its own default and help)


@dataclass
class SizeRun:
    """Every module's sizes (`ModuleSizes`: O0, Oz, O3 and `pipeline`, normalised, if one was given) and the
    document `compilerlm size --json` writes."""

    rows: list[ModuleSizes]
    pipeline: str | None
    doc: dict


def measure_target(target: str, request: SizeRequest, progress: TuneProgress | None = None) -> SizeRun:
    """TARGET's modules at -O0, -Oz, -O3 (from -O3's own front end) and `pipeline`; a pipeline opt refuses
    fails once, on the first module, before the whole batch runs."""
    from compilerlm.tasks.base import front_end
    from compilerlm.toolchain.evaluator import make_evaluator
    from compilerlm.toolchain.pipelines import normalize

    progress = progress or TuneProgress()
    pipeline = normalize(request.pipeline) if request.pipeline is not None else None
    programs = built_for(resolve_target(target), request.triple, run=False)
    progress.resolved(programs)
    fronts = {}
    for level in ("Oz", "O3"):
        with progress.stage(f"compiling (-{level} front end)", len(programs)):
            fronts[level] = front_end(programs, request.jobs, level, progress.step)
    modules = fronts["Oz"]
    with make_evaluator(request.evaluator, jobs=request.jobs) as ev:  # type: ignore[arg-type]
        if pipeline is not None:
            probe = ev.evaluate(modules[0], pipeline)
            if probe.error_kind == "pipeline":
                raise PipelineError(f"bad pipeline {pipeline!r}: {probe.error}")
        with progress.stage("measuring", len(modules) * (4 if pipeline else 3)):
            rows = measure_modules(
                ev, modules, pipeline, on_result=lambda i, r: progress.step(), o3_modules=fronts["O3"]
            )
    doc = {
        "version": __version__,
        "evaluator": request.evaluator,
        "pipeline": pipeline,
        "definitions": DEFINITIONS,
        "modules": [_size_record(row, pipeline) for row in rows],
    }
    return SizeRun(rows, pipeline, doc)


def _size_record(row: ModuleSizes, pipeline: str | None) -> dict:
    """One module in `compilerlm size --json`: its baselines (and the pipeline's sizes) and why any failed."""
    oz = row.results["Oz"]
    record = {
        "name": row.name,
        "size_o0": row.size("O0"),
        "size_oz": row.size("Oz"),
        "size_o3": row.size("O3"),
        "text_oz": oz.text_size,
        "ir_instructions_oz": oz.ir_instructions,
        "errors": {k: r.error for k, r in row.results.items() if not r.ok},
    }
    if pipeline:
        p = row.results["pipeline"]
        record.update(size=p.size, text=p.text_size, ir_instructions=p.ir_instructions)
    return record


@dataclass(frozen=True)
class PassListing:
    """A table of passes for `compilerlm passes` (the search space alone: one column, one element a row)."""

    title: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]


def pass_listing(*, space: bool = False, excluded: bool = False) -> PassListing:
    """The passes LLVM knows (`opt -print-passes`), the code-size search space, or the passes left out of it
    with the reason; column "pipelines" says whether a pipeline may name the pass (only those that act on the
    module alone, docs/design.md)."""
    from compilerlm.toolchain.catalogue import pass_catalogue
    from compilerlm.toolchain.search_space import EXCLUDED, SEARCH_SPACE, outside_the_module

    if space:
        return PassListing("search space", ("element",), [(element,) for element in SEARCH_SPACE])
    if excluded:
        rows = [
            (name, reason, f"no: {why}" if (why := outside_the_module(name)) else "yes")
            for name, reason in sorted(EXCLUDED.items())
        ]
        return PassListing(f"{len(EXCLUDED)} passes outside the search space", ("pass", "reason", "pipelines"), rows)
    listed = []
    for info in pass_catalogue():
        allowed = "require<…>" if info.is_analysis else ("no" if outside_the_module(info.name) else "yes")
        if info.kind.startswith("machine"):
            allowed = "no"
        listed.append((info.name, info.kind, "yes" if info.is_analysis else "", info.params or "", allowed))
    return PassListing("passes of opt -print-passes", ("pass", "kind", "analysis", "params", "pipelines"), listed)
