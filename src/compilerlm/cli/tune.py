"""`compilerlm tune` (search pass pipelines, optionally asking a model first) and `compilerlm report` (a
tune run as markdown and plots)."""

from __future__ import annotations

import functools
import json
import shlex
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from compilerlm.cli.common import (
    DEFAULT_JOBS,
    check_output_file,
    check_output_folder,
    console,
    err_console,
    jobs_option,
    progress_bar,
    report_skipped,
    resumable,
    shown,
)
from compilerlm.errors import CompilerLMError
from compilerlm.programs.names import file_name, printable
from compilerlm.programs.suites import TARGET_HELP

if TYPE_CHECKING:
    from compilerlm.search.tune import ModuleResult
    from compilerlm.search.whole_program import Shipped
    from compilerlm.toolchain.module import IRModule


def tune(
    target: Annotated[str, typer.Argument(help=TARGET_HELP)],
    budget: Annotated[int, typer.Option(help="candidate evaluations per module (baselines are free)")] = 1000,
    time_budget: Annotated[
        float, typer.Option(help="seconds of search per module besides --budget, whichever ends first (0: none)")
    ] = 0.0,
    eval_timeout: Annotated[
        float, typer.Option(help="seconds one evaluation may take (more for large modules: 1 s per 20 KB of IR)")
    ] = 120.0,
    strategy: Annotated[str, typer.Option(help="auto, random, greedy, evolution or library")] = "auto",
    jobs: Annotated[int, jobs_option("parallel worker processes")] = DEFAULT_JOBS,
    ray: Annotated[
        str | None, typer.Option(help="run programs as Ray tasks: 'local', 'auto' or a cluster address (ray://...)")
    ] = None,
    store: Annotated[Path | None, typer.Option(help="SQLite file: results go here as they come; reruns resume")] = None,
    out: Annotated[
        Path | None, typer.Option(help="write each module's optimized object (.o) and IR (.ll) here")
    ] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="write the results as JSON here")] = None,
    seed: Annotated[int, typer.Option(help="random seed (same seed, same search)")] = 0,
    library: Annotated[
        Path | None, typer.Option(help="file of known good pipelines, one per line, tried first")
    ] = None,
    export_library: Annotated[
        Path | None, typer.Option("--export-library", help="write the most often winning pipelines in --store here")
    ] = None,
    verify: Annotated[bool, typer.Option(help="build and run each program's tests with the chosen pipelines")] = True,
    evaluator: Annotated[str, typer.Option(help="inprocess (default) or subprocess")] = "inprocess",
    model: Annotated[
        str | None,
        typer.Option(
            help="ask this model for pipelines first (ranker:default, hf:PATH, openai:URL#NAME, vllm:, gguf:); "
            "auto uses ranker:default unless given another, or 'none'"
        ),
    ] = None,
    samples: Annotated[
        int | None,
        typer.Option(help="answers asked of --model per module (default: 1; a ranker: its library, within --budget)"),
    ] = None,
    temperature: Annotated[float, typer.Option(help="sampling temperature for --model (0: greedy)")] = 0.0,
    max_tokens: Annotated[int, typer.Option(help="answer token budget for --model")] = 1024,
    units_route: Annotated[
        bool,
        typer.Option(
            "--units-route/--no-units-route",
            help="with --lto, also tune each unit (function sections, --gc-sections) and ship that route through "
            "'compilerlm cc --tuned' when it is the smaller",
        ),
    ] = True,
    lto: Annotated[
        bool,
        typer.Option(
            "--lto",
            help="whole program: search the link-time pipeline of lld's full LTO on the merged module, against the "
            "standard builds (-Oz, --gc-sections, LTO); the JSON gives the cflags/ldflags that build the result",
        ),
    ] = False,
) -> None:
    """Search pass pipelines that make each module smaller than -Oz, minimise them and verify the program.

    With --model, the model's pipelines are evaluated first and the search spends the rest of --budget
    (--budget 1 --samples 1: the model's answer or -Oz, nothing else). The auto strategy starts from the
    shipped flag-tuning ranker (ranker:default) unless --model names another model or 'none'.

    With --lto each program is one module, the one lld's full LTO optimises (every unit at -Oz -flto, merged,
    internalised), each candidate is the real link (-fuse-ld=lld, --gc-sections, the pipeline at link time),
    and the result is compared with the four standard builds of the program: what ships is the smaller of the
    two, with the flags that build it.

    Example: compilerlm tune builtin:huffman --budget 300 --store runs.sqlite --json huffman.json
    """
    from compilerlm.programs.suites import resolve_target
    from compilerlm.search.progress import SearchProgress, listening
    from compilerlm.search.runner import TuneJob, passes, tune_jobs
    from compilerlm.search.strategies import BUILTIN_LIBRARY, STRATEGIES, read_library
    from compilerlm.search.tune import StoredModule, TuneConfig, no_larger_when_linked, tune_document
    from compilerlm.search.tune import export_library as export
    from compilerlm.search.verify import linked_sizes
    from compilerlm.store import Store

    if strategy not in STRATEGIES:
        raise CompilerLMError(f"unknown strategy {strategy!r}: choose one of {', '.join(STRATEGIES)}")
    if budget < 1:
        raise CompilerLMError("--budget must be at least 1")
    if time_budget < 0 or eval_timeout <= 0:
        raise CompilerLMError("--time-budget must be at least 0 and --eval-timeout above 0 (seconds)")
    check_output_file(json_path, "--json")
    check_output_file(export_library, "--export-library")
    check_output_folder(out, "--out")
    db = Store(store) if store else None
    if export_library is not None:
        if db is None:
            raise CompilerLMError("--export-library needs --store FILE (the results to learn from)")
        pipelines = export(db.results(shape=StoredModule))
        export_library.write_text("".join(p + "\n" for p in pipelines))
        console.print(f"wrote {len(pipelines)} pipelines to {export_library}")
        return
    lib = unit_library = BUILTIN_LIBRARY if library is None else read_library(library)
    search_budget = budget
    if lto:
        from compilerlm.toolchain.lto import LINK_OPTIONS, LTO_LIBRARY

        lib = (*LTO_LIBRARY, *(p for p in lib if p not in LTO_LIBRARY))
        if budget > len(LINK_OPTIONS):  # --budget counts every link: one per link option tried at the end
            search_budget = budget - len(LINK_OPTIONS)
    start: tuple[str, ...] = ()
    if lto:  # lld's own pipeline first, whatever a model proposes: a search never begins behind the LTO build
        start = tuple(LTO_LIBRARY[: max(1, search_budget - 1)])
    model, samples = model_and_samples(model, samples, strategy, max(1, search_budget - len(start)))
    config = TuneConfig(
        strategy=strategy,
        budget=search_budget,
        seed=seed,
        verify=verify,
        library=lib,
        model=model_identity(model),
        samples=samples,
        time_budget=time_budget,
        start=start,
    )
    with resumable(store, db):
        programs = resolve_target(target)
        report_skipped(programs)
        started = time.time()

        def run(work: list[TuneJob], kind: str, what: str, config: TuneConfig = config) -> list[ModuleResult]:
            if model is not None:
                work[:] = ask_model(work, model, samples, temperature, max_tokens)
            total = sum(len(j.modules) for j in work) * passes(config, work)
            lines = ProgressLines(total, passes(config, work)) if not err_console.is_terminal else None

            def finished(job: TuneJob, out: list[ModuleResult]) -> None:
                bar.advance(task, len(out))
                if lines is not None:  # the bar is invisible in a log file or CI: one plain line per module instead
                    lines.report(out)

            def searching(p: SearchProgress) -> None:  # a large module takes minutes: say how far its search is
                of = f"/{p.budget}" if p.used <= p.budget else ""
                best = f", best {p.best_size} bytes" if p.best_size is not None else ""
                bar.update(task, description=f"{what} {printable(p.module)}: {p.used}{of} evaluations{best}")

            with progress_bar() as bar, listening(searching):
                task = bar.add_task(what, total=total)
                return tune_jobs(work, config, db, kind, jobs, ray, on_program=finished, timeout=eval_timeout)

        if lto:
            from compilerlm.search.whole_program import whole_program

            work = [TuneJob(p, [whole_program(p, jobs)], None) for p in programs]
            results = run(work, "lto", "tuning")
            unit_work = [TuneJob(p, p.modules(), None) for p in programs if p.is_c] if units_route else []
            per_unit = replace(config, start=(), library=unit_library)  # lld's pipelines are for the merged module
            unit_results = run(unit_work, evaluator, "tuning units", per_unit) if unit_work else []
        else:
            work = [TuneJob(p, p.modules(), p.modules("O3") if p.is_c else None) for p in programs]
            results = run(work, evaluator, "tuning")
    chosen = {r.name: r.pipeline for r in results}
    if lto:
        doc = tune_document(results, config, "lto", started)
        doc["budget"] = budget  # the search's and the link options' links together
        if unit_results:  # the per-unit route's modules: `compilerlm cc --tuned` builds them from here
            doc["unit_modules"] = [asdict(r) for r in unit_results]
        cc = f"compilerlm cc --tuned {shlex.quote(str(json_path or 'TUNE.json'))}"
        options = search_budget < budget
        shipping = ship_whole_programs(work, results, unit_results, out, jobs, options, cc)
        doc["whole_program"] = [asdict(x) for x in shipping]
    else:
        if out is not None:
            for job in work:
                write_outputs(out, job.modules, chosen)
        bin_dir = out / "bin" if out is not None else None
        linked = [
            no_larger_when_linked(
                [r for r in results if r.program == job.program.name],
                linked_sizes(job.program, job.modules, chosen, bin_dir),
                bin_dir,
            )
            for job in work
            if job.program.is_c
        ]
        doc = tune_document(results, config, evaluator, started, linked)
    print_tune_table(doc)
    if json_path:
        json_path.write_text(json.dumps(doc, indent=2) + "\n")
        console.print(f"wrote {json_path}")


class ProgressLines:
    """Plain progress on stderr, one line per finished module, for when stderr is not a terminal:
    `tune [3/12] huffman/heap.c: 825 bytes, -Oz 826 (+0.12%), 52 evaluations (40 search + 12 minimize),
    3.4 s`. With a broadcast step every module finishes twice: first its search alone (`search pass`), then
    its broadcast, minimisation and verification."""

    def __init__(self, total: int, passes: int) -> None:
        self.total, self.passes, self.done = total, passes, 0

    def report(self, results: list[ModuleResult]) -> None:
        for r in results:
            self.done += 1
            stage = " (search pass)" if self.passes > 1 and self.done <= self.total // self.passes else ""
            line = printable(progress_line(r))  # module names: a compile database's file names are anyone's text
            print(f"tune [{self.done}/{self.total}]{stage} {line}", file=sys.stderr, flush=True)


def progress_line(r: ModuleResult) -> str:
    """One module's outcome in the JSON's words."""
    note = " (resumed)" if r.resumed else f" (same IR as {r.same_ir_as})" if r.same_ir_as else ""
    return (
        f"{r.name}: {r.size} bytes, -Oz {r.size_oz} ({r.improvement:+.2%}), {r.evaluations_total} evaluations "
        f"({r.search_evaluations} search + {r.minimize_evaluations} minimize), {r.compiled} compiled, "
        f"{r.seconds:.1f} s{note}"
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
    import hashlib

    from compilerlm.ranker.backend import ranker_path

    return f"{model}@{hashlib.sha256(ranker_path(model.partition(':')[2]).read_bytes()).hexdigest()[:12]}"


def ask_model(work: list, spec: str, samples: int, temperature: float, max_tokens: int) -> list:
    """The model's pipelines for every module of every job (one batch), attached to the jobs."""
    from dataclasses import replace

    from compilerlm.models import load_model
    from compilerlm.tasks.proposals import propose_pipelines

    modules = [m for job in work for m in job.modules]
    with load_model(spec) as lm, progress_bar() as bar:
        bar.add_task(f"asking {spec} for pipelines ({len(modules)} modules x {samples})", total=None)
        proposals = propose_pipelines(lm, modules, samples, temperature, max_tokens)
    return [replace(job, proposals={m.name: proposals[m.name] for m in job.modules}) for job in work]


def ship_whole_programs(
    work: list,
    results: list[ModuleResult],
    unit_results: list[ModuleResult],
    out: Path | None,
    jobs: int,
    link_options: bool = True,
    cc: str = "",
) -> list[Shipped]:
    """Per program of a --lto run: its standard builds, its searched routes (`search.whole_program.routes`) and
    what ships: the smallest tested route, or the best standard build when none is smaller. With --out, each
    executable (`NAME` ships, `NAME.RECIPE`, `NAME.units`)."""
    from compilerlm.search.whole_program import build_recipes, routes, shipped, verify_recipe

    by_name = {r.name: r for r in results}
    shipped_programs = []
    with progress_bar() as bar, tempfile.TemporaryDirectory(prefix="compilerlm-recipes-") as tmp:
        task = bar.add_task("standard builds and routes", total=len(work))
        folder = out or Path(tmp)  # the recipes' executables, tested there when one ships
        for job in work:
            program, module = job.program, job.modules[0]
            builds = build_recipes(program, folder, jobs)
            units = [r for r in unit_results if r.program == program.name]
            found = routes(program, module, by_name[module.name], units, folder, link_options, cc)
            ship = shipped(program.name, builds, found, functools.partial(verify_recipe, program, folder=folder))
            link = found[ship.route].link if ship.route in found else None
            if out is not None and link is not None:
                out.mkdir(parents=True, exist_ok=True)
                link(ship.link_options, out / file_name(program.name))
            shipped_programs.append(ship)
            bar.advance(task)
    return shipped_programs


def write_outputs(out: Path, modules: list[IRModule], pipelines: dict[str, str]) -> None:
    """Each module's optimized object and IR, named after the module (`prog/file.c` -> `prog/file.o`,
    `prog/file.ll`), and its unoptimized IR (`prog/file.input.ll`), which the module's `reproduce` command
    reads when run in that folder. Each part of the name is a plain file name (`names.file_name`), so no
    module is written outside ``out``."""
    from compilerlm.search.tune import ir_file
    from compilerlm.toolchain.pipelines import expand
    from compilerlm.toolchain.subprocess_path import compile_object, optimize_ir

    for module in modules:
        stem = out.joinpath(*map(file_name, PurePosixPath(module.name).with_suffix("").parts))
        stem.parent.mkdir(parents=True, exist_ok=True)
        pipeline = pipelines[module.name]
        stem.with_suffix(".o").write_bytes(compile_object(module, pipeline))
        (stem.parent / ir_file(module.name)).write_text(module.ir)
        stem.with_suffix(".ll").write_bytes(optimize_ir(module.ir, expand(pipeline), text=True, timeout=300))


NARROW = 110  # columns below which the tune table leaves out -O0, -O3, seconds and length


def print_tune_table(doc: dict) -> None:
    table = Table(
        title=f"tune: strategy {doc['strategy']}, budget {doc['budget']} per module",
        caption="improvement = 1 - size/size(-Oz); a module never ends worse than -Oz; evaluations = search + "
        "minimize; seconds: search and minimisation. Each module's opt_pipeline and reproduce command: --json",
    )
    columns = ["-O0", "-Oz", "-O3", "best", "improvement", "evaluations", "seconds", "length", "verified", "source"]
    if console.width < NARROW:  # the module's name first: a narrow terminal loses the least telling columns
        columns = [c for c in columns if c not in ("-O0", "-O3", "seconds", "length")]
    short = {"improvement": "gain", "evaluations": "evals", "verified": "ok"} if console.width < NARROW else {}
    table.add_column("module", overflow="fold", min_width=min(30, console.width // 3))
    for col in columns:
        table.add_column(short.get(col, col), justify="right", no_wrap=True)
    for m in doc["modules"]:
        cells = {
            "-O0": str(m["size_o0"]),
            "-Oz": str(m["size_oz"]),
            "-O3": str(m["size_o3"]),
            "best": str(m["size"]),
            "improvement": f"{m['improvement']:+.2%}",
            "evaluations": f"{m['search_evaluations']}+{m['minimize_evaluations']}",
            "seconds": f"{m['seconds']:.1f}",
            "length": f"{m['length_before']}→{m['length_after']}",
            "verified": "[green]yes[/green]" if m["verified"] else "[yellow]no[/yellow]",
            "source": shown(m["source"]),
        }
        table.add_row(shown(m["name"]), *(cells[c] for c in columns))
    console.print(table)
    s = doc["summary"]
    console.print(
        f"geomean improvement vs -Oz (with fallback): [bold]{s['improvement_geomean']:+.2%}[/bold]   "
        f"smaller than -Oz: {s['share_better']:.0%}   verified: {s['verified_share']:.0%}   "
        f"{s['evaluations_total']} evaluations ({s['search_evaluations']} search + {s['minimize_evaluations']} "
        f"minimize), {s['compiled_total']} compiled, {s['compiled_per_second']:.1f} compiled/s"
    )
    for p in doc.get("programs", []):
        if p["error"]:
            console.print(f"linked {shown(p['program'])}: not linked ({shown(p['error'])})")
        else:
            console.print(
                f"linked {shown(p['program'])}: -Oz {p['size_oz']} bytes (.text {p['text_oz']}) → tuned {p['size']} "
                f"(.text {p['text']}): [bold]{p['improvement']:+.2%}[/bold]"
            )
            if p.get("fell_back"):
                console.print(f"  (tuned modules linked to {p['fell_back']} bytes, more than -Oz: every module is -Oz)")
    if s.get("linked_improvement_geomean") is not None and s.get("linked_programs", 0) > 1:
        console.print(f"linked executables, geomean vs -Oz: {s['linked_improvement_geomean']:+.2%}")
    for w in doc.get("whole_program", []):
        recipes = ", ".join(f"{name} {size}" for name, size in w["recipes"].items())
        console.print(
            f"{shown(w['program'])}: standard builds {recipes}; ships [bold]{w['size']}[/bold] bytes via "
            f"{w['route']}: [bold]{w['improvement']:+.2%}[/bold] vs the best standard build ({w['best_recipe']}), "
            f"verified: {'yes' if w['verified'] else 'no'} ({shown(w['verification'])})"
        )
        if len(w.get("routes", {})) > 1:
            console.print(
                "  searched routes: "
                + ", ".join(
                    f"{name} {r['size']}" + ("" if r["verified"] else f" (not verified: {shown(r['verification'])})")
                    for name, r in w["routes"].items()
                )
            )
        if w.get("link_options"):
            console.print(
                f"  link options {', '.join(w['link_options'])}: the {w['route']} route alone links to "
                f"{w['size_without_link_options']} bytes"
            )
        if w.get("cc"):
            console.print(f"  CC={w['cc']}")
        console.print(f"  CFLAGS={w['cflags_shell']}")
        console.print(f"  LDFLAGS={w['ldflags_shell']}")
    for proposer in ("ranker", "model"):
        if s.get("sources", {}).get(proposer):
            console.print(f"pipelines from the {proposer}: {s['sources'][proposer]} of {s['modules']} modules")


def report(
    results: Annotated[Path, typer.Argument(help="a JSON from 'compilerlm tune --json' or a --store SQLite file")],
    out: Annotated[Path, typer.Option(help="folder for report.md and the plots")] = Path("report"),
) -> None:
    """Write a markdown table and plots (improvement per module, improvement vs budget) for a tune run.

    Example: compilerlm report huffman.json --out report/
    """
    from compilerlm.eval.report import load_results, write_report

    check_output_folder(out, "--out")
    files = write_report(load_results(results), out)
    console.print(f"wrote {files.markdown} and {len(files.plots)} plots")
