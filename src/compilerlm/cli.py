"""The `compilerlm` command. Each subcommand is a thin layer over the library; errors print as one line."""

from __future__ import annotations

import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from compilerlm import __version__
from compilerlm.checks import check_jobs, check_output_file, check_output_folder, resumable
from compilerlm.data.cli import data_app
from compilerlm.errors import CompilerLMError, Interrupted, PipelineError, Terminated
from compilerlm.programs.program import Program
from compilerlm.toolchain.module import IRModule
from compilerlm.train.cli import train_app

app = typer.Typer(
    help="compilerlm: smaller and faster compiled code with search and language models, verified by the real compiler.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
# Tables are wide; when output is not a terminal (CI logs, pipes) use 120 columns rather than rich's 80.
console = Console(width=None if sys.stdout.isatty() else 120)
err_console = Console(stderr=True)

DEFAULT_JOBS = max(1, min(os.cpu_count() or 1, 8))


def jobs_option(text: str):
    """A --jobs/-j option; values below 1 are refused with a one-line error before any work."""
    return typer.Option("--jobs", "-j", help=text, callback=check_jobs)


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def compile_modules(programs: list[Program], jobs: int, level: str = "Oz") -> list[IRModule]:
    """Front end for every program, in parallel (clang processes), with a progress bar."""
    with progress_bar() as bar, ThreadPoolExecutor(jobs) as pool:
        task = bar.add_task(f"compiling (-{level} front end)", total=len(programs))

        def one(p: Program) -> list[IRModule]:
            try:
                return p.modules(level)
            finally:
                bar.advance(task)

        return [m for mods in pool.map(one, programs) for m in mods]


@app.command()
def suites(
    programs: Annotated[bool, typer.Option("--programs", help="also list the built-in programs")] = False,
) -> None:
    """List the program suites a TARGET can name.

    Example: compilerlm suites --programs
    """
    from compilerlm.programs.suites import SUITES, builtin_programs

    table = Table(title="suites")
    table.add_column("spec")
    table.add_column("what it is")
    for s in SUITES:
        table.add_row(s.spec, s.description)
    console.print(table)
    if programs:
        table = Table(title="built-in programs")
        for col in ("name", "files", "tests", "description"):
            table.add_column(col)
        for p in builtin_programs():
            table.add_row(p.name, str(len(p.sources)), str(len(p.tests)), p.description)
        console.print(table)


@app.command()
def size(
    target: Annotated[str, typer.Argument(help="C/IR file, folder, dir:PATH, builtin[:NAME], csmith:N, llvm-stress:N")],
    pipeline: Annotated[
        str | None, typer.Option("--pipeline", "-p", help="also measure this opt -passes= pipeline")
    ] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="write the results as JSON here")] = None,
    evaluator: Annotated[
        str, typer.Option(help="inprocess (libLLVM, default) or subprocess (opt | llc)")
    ] = "inprocess",
    jobs: Annotated[int, jobs_option("parallel workers")] = DEFAULT_JOBS,
) -> None:
    """Object sizes per module at -O0, -Oz, -O3 (and --pipeline), per docs/design.md's definitions.

    Example: compilerlm size builtin:nbody --pipeline 'mem2reg,instcombine<no-verify-fixpoint>,simplifycfg'
    """
    from compilerlm.programs.suites import resolve_target
    from compilerlm.toolchain.baselines import DEFINITIONS, ModuleSizes, measure_modules
    from compilerlm.toolchain.evaluator import make_evaluator
    from compilerlm.toolchain.pipelines import normalize

    check_output_file(json_path, "--json")
    if pipeline is not None:
        pipeline = normalize(pipeline)
    programs = resolve_target(target)
    modules = compile_modules(programs, jobs)
    o3_modules = compile_modules(programs, jobs, "O3")
    with make_evaluator(evaluator, jobs=jobs) as ev, progress_bar() as bar:  # type: ignore[arg-type]
        if pipeline is not None:
            probe = ev.evaluate(modules[0], pipeline)
            if probe.error_kind == "pipeline":
                raise PipelineError(f"bad pipeline {pipeline!r}: {probe.error}")
        task = bar.add_task("measuring", total=len(modules) * (4 if pipeline else 3))
        rows = measure_modules(ev, modules, pipeline, on_result=lambda i, r: bar.advance(task), o3_modules=o3_modules)

    table = Table(
        title=f"object size in bytes ({evaluator} evaluator)",
        caption="size: allocated sections (docs/design.md); improvement = 1 - size/size(-Oz), positive is smaller",
    )
    table.add_column("module", overflow="fold")
    for col in ("-O0", "-Oz", "-O3", *(["pipeline", "improvement"] if pipeline else []), ".text Oz", "IR Oz"):
        table.add_column(col, justify="right", no_wrap=True)
    records = []

    def cell(row: ModuleSizes, label: str) -> str:
        r = row.results[label]
        return str(r.size) if r.ok else f"[red]{r.error_kind}[/red]"

    for row in rows:
        oz = row.results["Oz"]
        extra = []
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
            vs = f"{1 - p.size / oz.size:+.1%}" if p.ok and oz.ok and oz.size else "-"
            extra = [cell(row, "pipeline"), vs]
            record.update(size=p.size, text=p.text_size, ir_instructions=p.ir_instructions)
        baselines = [cell(row, label) for label in ("O0", "Oz", "O3")]
        table.add_row(row.name, *baselines, *extra, str(oz.text_size), str(oz.ir_instructions))
        records.append(record)
    console.print(table)
    if json_path:
        doc = {
            "version": __version__,
            "evaluator": evaluator,
            "pipeline": pipeline,
            "definitions": DEFINITIONS,
            "modules": records,
        }
        json_path.write_text(json.dumps(doc, indent=2) + "\n")
        console.print(f"wrote {json_path}")


@app.command()
def tune(
    target: Annotated[str, typer.Argument(help="C/IR file, folder, dir:PATH, builtin[:NAME], csmith:N, llvm-stress:N")],
    budget: Annotated[int, typer.Option(help="candidate evaluations per module (baselines are free)")] = 1000,
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
        str | None, typer.Option(help="ask this model for pipelines first (hf:PATH, openai:URL#NAME, vllm:, gguf:)")
    ] = None,
    samples: Annotated[int, typer.Option(help="answers asked of --model per module")] = 1,
    temperature: Annotated[float, typer.Option(help="sampling temperature for --model (0: greedy)")] = 0.0,
    max_tokens: Annotated[int, typer.Option(help="answer token budget for --model")] = 1024,
) -> None:
    """Search pass pipelines that make each module smaller than -Oz, minimise them and verify the program.

    With --model, the model's pipelines are evaluated first and the search spends the rest of --budget
    (--budget 1 --samples 1: the model's answer or -Oz, nothing else).

    Example: compilerlm tune builtin:huffman --budget 300 --store runs.sqlite --json huffman.json
    """
    from compilerlm.programs.suites import resolve_target
    from compilerlm.search.runner import TuneJob, passes, tune_jobs
    from compilerlm.search.store import Store
    from compilerlm.search.strategies import BUILTIN_LIBRARY, STRATEGIES
    from compilerlm.search.tune import TuneConfig, tune_document
    from compilerlm.search.tune import export_library as export

    if strategy not in STRATEGIES:
        raise CompilerLMError(f"unknown strategy {strategy!r}: choose one of {', '.join(STRATEGIES)}")
    if budget < 1:
        raise CompilerLMError("--budget must be at least 1")
    check_output_file(json_path, "--json")
    check_output_file(export_library, "--export-library")
    check_output_folder(out, "--out")
    db = Store(store) if store else None
    if export_library is not None:
        if db is None:
            raise CompilerLMError("--export-library needs --store FILE (the results to learn from)")
        pipelines = export(db.results())
        export_library.write_text("".join(p + "\n" for p in pipelines))
        console.print(f"wrote {len(pipelines)} pipelines to {export_library}")
        return
    lib = BUILTIN_LIBRARY
    if library is not None:
        if not library.exists():
            raise CompilerLMError(f"library file {library} does not exist")
        lib = tuple(ln.strip() for ln in library.read_text().splitlines() if ln.strip() and not ln.startswith("#"))
    if samples < 1:
        raise CompilerLMError("--samples must be at least 1")
    config = TuneConfig(
        strategy=strategy,
        budget=budget,
        seed=seed,
        verify=verify,
        library=lib,
        model=model,
        samples=samples if model else 0,
    )
    with resumable(store, db):
        programs = resolve_target(target)
        started = time.time()
        work = [TuneJob(p, p.modules(), p.modules("O3") if p.is_c else None) for p in programs]
        if model is not None:
            work = ask_model(work, model, samples, temperature, max_tokens)
        with progress_bar() as bar:
            task = bar.add_task("tuning", total=sum(len(j.modules) for j in work) * passes(config, work))
            results = tune_jobs(
                work, config, db, evaluator, jobs, ray, on_program=lambda job, out: bar.advance(task, len(out))
            )
    if out is not None:
        for job in work:
            write_outputs(out, job.modules, {r.name: r.pipeline for r in results})
    doc = tune_document(results, config, evaluator, started)
    print_tune_table(doc)
    if json_path:
        json_path.write_text(json.dumps(doc, indent=2) + "\n")
        console.print(f"wrote {json_path}")


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


def write_outputs(out: Path, modules: list[IRModule], pipelines: dict[str, str]) -> None:
    """Each module's optimized object and IR, named after the module (`prog/file.c` -> `prog/file.o`)."""
    from compilerlm.toolchain.pipelines import expand
    from compilerlm.toolchain.subprocess_path import compile_object, optimize_ir

    for module in modules:
        stem = out / Path(module.name).with_suffix("")
        stem.parent.mkdir(parents=True, exist_ok=True)
        pipeline = pipelines[module.name]
        stem.with_suffix(".o").write_bytes(compile_object(module, pipeline))
        stem.with_suffix(".ll").write_bytes(optimize_ir(module.ir, expand(pipeline), text=True, timeout=300))


def print_tune_table(doc: dict) -> None:
    table = Table(
        title=f"tune: strategy {doc['strategy']}, budget {doc['budget']} per module",
        caption="improvement = 1 - size/size(-Oz); a module never ends worse than -Oz",
    )
    table.add_column("module", overflow="fold")
    for col in ("-O0", "-Oz", "-O3", "best", "improvement", "evals", "length", "verified", "source"):
        table.add_column(col, justify="right", no_wrap=True)
    for m in doc["modules"]:
        verified = "[green]yes[/green]" if m["verified"] else "[yellow]no[/yellow]"
        table.add_row(
            m["name"],
            str(m["size_o0"]),
            str(m["size_oz"]),
            str(m["size_o3"]),
            str(m["size"]),
            f"{m['improvement']:+.2%}",
            str(m["evaluations"]),
            f"{m['length_before']}→{m['length_after']}",
            verified,
            m["source"],
        )
    console.print(table)
    s = doc["summary"]
    console.print(
        f"geomean improvement vs -Oz (with fallback): [bold]{s['improvement_geomean']:+.2%}[/bold]   "
        f"smaller than -Oz: {s['share_better']:.0%}   verified: {s['verified_share']:.0%}   "
        f"{s['compiled_total']} compilations, {s['evaluations_per_second']:.1f}/s"
    )
    if s.get("sources", {}).get("model"):
        console.print(f"pipelines from the model: {s['sources']['model']} of {s['modules']} modules")


eval_app = typer.Typer(help="Score a model on a task the way the papers do (resumable with --store).")
app.add_typer(eval_app, name="eval")
app.add_typer(data_app, name="data")
app.add_typer(train_app, name="train")


def _eval_task(
    task: str,
    model: str,
    suite: str,
    limit: int | None,
    json_path: Path | None,
    report_dir: Path | None,
    store: Path | None,
    samples: int,
    temperature: float,
    max_tokens: int,
    per_module: int,
    jobs: int,
) -> None:
    from compilerlm.eval.tasks import format_table, run_task_eval, write_task_report
    from compilerlm.models import load_model
    from compilerlm.programs.suites import resolve_target
    from compilerlm.search.store import Store
    from compilerlm.toolchain.evaluator import make_evaluator

    check_output_file(json_path, "--json")
    check_output_folder(report_dir, "--report")
    db = Store(store) if store else None
    with resumable(store, db):
        modules = compile_modules(resolve_target(suite), jobs)[:limit]
    with (
        resumable(store, db),
        load_model(model) as lm,
        make_evaluator("inprocess", jobs=jobs) as ev,
        progress_bar() as bar,
    ):
        progress = bar.add_task(f"eval {task}", total=None)
        result = run_task_eval(
            task,
            lm,
            modules,
            evaluator=ev,
            store=db,
            samples=samples,
            temperature=temperature,
            max_tokens=max_tokens,
            per_module=per_module,
            on_item=lambda *_: bar.advance(progress),
        )
    console.print(format_table(task, result.summary))
    if json_path:
        doc = {"version": __version__, "task": task, "model": model, "suite": suite}
        doc |= {"summary": result.summary, "rows": result.rows}
        json_path.write_text(json.dumps(doc, indent=2) + "\n")
        console.print(f"wrote {json_path}")
    if report_dir:
        written = write_task_report(task, result, report_dir)
        console.print(f"wrote {written.markdown} and {len(written.plots)} plot(s)")


def _eval_command(task: str, doc: str) -> None:
    def command(
        model: Annotated[str, typer.Option(help="hf:PATH_OR_ID, openai:URL#NAME, vllm:PATH_OR_ID or gguf:PATH")],
        suite: Annotated[str, typer.Option(help="as TARGET for 'compilerlm size'")] = "builtin",
        limit: Annotated[int | None, typer.Option(help="first N modules only")] = None,
        json_path: Annotated[Path | None, typer.Option("--json", help="write rows and summary as JSON here")] = None,
        report_dir: Annotated[Path | None, typer.Option("--report", help="write report.md and a plot here")] = None,
        store: Annotated[Path | None, typer.Option(help="SQLite file: answers go here; reruns resume")] = None,
        samples: Annotated[int, typer.Option(help="answers per prompt")] = 1,
        temperature: Annotated[float, typer.Option(help="0: greedy, as the papers evaluate")] = 0.0,
        max_tokens: Annotated[int, typer.Option(help="answer token budget")] = 2048,
        per_module: Annotated[int, typer.Option(help="emulate: pipelines per module")] = 1,
        jobs: Annotated[int, jobs_option("parallel compiler workers")] = DEFAULT_JOBS,
    ) -> None:
        _eval_task(
            task, model, suite, limit, json_path, report_dir, store, samples, temperature, max_tokens, per_module, jobs
        )

    command.__doc__ = doc
    eval_app.command(task)(command)


_eval_command(
    "flags",
    "Flag tuning: the model proposes a pipeline per module; improvement vs -Oz zero-shot and with fallback.",
)
_eval_command("emulate", "Compiler emulation: predict the IR opt produces; exact match, BLEU, parses.")
_eval_command("emulate-asm", "Compiler emulation, assembly variant: predict llc's assembly after opt.")
_eval_command("disasm", "Disassembly: x86-64 assembly back to LLVM IR; round trip, BLEU, exact match.")


ModelOpt = Annotated[
    str | None, typer.Option("--model", help="ask this model too: hf:PATH, openai:URL#NAME, vllm:..., gguf:PATH")
]
SamplesOpt = Annotated[int, typer.Option(help="--model: answers per program (best of k)")]
RoundsOpt = Annotated[int, typer.Option(help="--model: repair rounds fed the assembler error or a visible test's diff")]
CompilersOpt = Annotated[
    str | None,
    typer.Option(
        help="compiler configurations, comma-separated ('none': no portfolio); default: all without --model, "
        "none with it. See 'compilerlm asm --list-compilers'"
    ),
]


def _asm_config(
    model: str | None,
    compilers: str | None,
    samples: int,
    rounds: int,
    temperature: float,
    max_tokens: int,
    runs: int,
    instructions: bool,
    seed: int,
):
    from compilerlm.speed.portfolio import portfolio
    from compilerlm.speed.search import AsmSearchConfig

    if samples < 1 or rounds < 0 or runs < 2:
        raise CompilerLMError("need --samples >= 1, --rounds >= 0 and --runs >= 2")
    if compilers is None:
        names = () if model else None
    elif compilers.strip() == "none":
        names = ()
    else:
        names = tuple(n.strip() for n in compilers.split(",") if n.strip())
        portfolio(names)  # unknown names fail here, before any work
    if model is None and names == ():
        raise CompilerLMError("nothing makes candidates: give --model SPEC or compiler configurations")
    return AsmSearchConfig(
        compilers=names,
        samples=samples,
        rounds=rounds,
        temperature=temperature,
        max_tokens=max_tokens,
        seed=seed,
        runs=runs,
        final_runs=2 * runs,
        instructions=instructions,
    )


def _asm_run(programs: list[Program], config, model: str | None, store: Path | None, jobs: int, ray: str | None):
    """Run the speed task over programs with a progress bar; returns (outcomes, summary document)."""
    from compilerlm.eval.asm import run_asm_suite, single_file_c, summarize_asm
    from compilerlm.sandbox import sandbox_capabilities
    from compilerlm.search.store import Store

    runnable, skipped = single_file_c(programs)
    if not runnable:
        raise CompilerLMError("no single-file C program among the targets: the asm task takes one .c file per program")
    confinement = sandbox_capabilities()
    if not confinement["confined"]:  # fail closed, once, before any work: every build and run needs it
        raise CompilerLMError(str(confinement["refusal"]))
    db = Store(store) if store else None
    with resumable(store, db), progress_bar() as bar:
        task = bar.add_task("asm", total=len(runnable))
        outcomes = run_asm_suite(
            runnable,
            config,
            model_spec=model,
            store=db,
            jobs=jobs,
            ray_address=ray,
            on_program=lambda _: bar.advance(task),
        )
    doc = {
        "version": __version__,
        "settings": config.key(model),
        "summary": summarize_asm(outcomes, skipped),
        "sandbox": confinement,
        "programs": [o.to_json() for o in outcomes],
    }
    return outcomes, doc


@app.command()
def asm(
    program: Annotated[str, typer.Argument(help="a C file (with --tests DIR), a program folder, or any TARGET")] = "",
    tests: Annotated[Path | None, typer.Option(help="folder of N.in + N.out tests for a single C file")] = None,
    model: ModelOpt = None,
    samples: SamplesOpt = 4,
    rounds: RoundsOpt = 2,
    temperature: Annotated[float, typer.Option(help="--model: sampling temperature")] = 0.7,
    max_tokens: Annotated[int, typer.Option(help="--model: answer token budget")] = 4096,
    compilers: CompilersOpt = None,
    out: Annotated[Path | None, typer.Option(help="write the chosen assembly here (a .s file, or a folder)")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="write the results as JSON here")] = None,
    store: Annotated[Path | None, typer.Option(help="SQLite file: results go here; reruns resume")] = None,
    jobs: Annotated[int, jobs_option("programs side by side (timing gets noisier)")] = 1,
    runs: Annotated[int, typer.Option(help="timed runs per test for each candidate (twice that for the winner)")] = 10,
    instructions: Annotated[bool, typer.Option(help="count instructions of the winner (perf or valgrind)")] = True,
    seed: Annotated[int, typer.Option(help="visible/hidden split and mutants")] = 0,
    list_compilers: Annotated[bool, typer.Option("--list-compilers", help="print the compiler portfolio")] = False,
) -> None:
    """Assembly faster than gcc -O3 that passes every test: a compiler portfolio and/or a model, verified.

    Example: compilerlm asm prog.c --tests tests/ --out prog.s --json prog.json
    """
    from compilerlm.eval.asm import single_file_c
    from compilerlm.programs.program import load_tests, single_file_program
    from compilerlm.programs.suites import resolve_target
    from compilerlm.speed.portfolio import CONFIG_NAMES

    if list_compilers:
        for name in CONFIG_NAMES:
            console.print(name, highlight=False)
        return
    if not program:
        raise CompilerLMError("give a PROGRAM: a C file with --tests DIR, or a program folder")
    if tests is not None:
        path = Path(program)
        if path.suffix != ".c" or not path.is_file():
            raise CompilerLMError(f"--tests goes with a C file; {program} is not one")
        found = load_tests(tests)
        if not found:
            raise CompilerLMError(f"{tests} holds no tests (expected N.in + N.out files)")
        programs = [replace(single_file_program(path), tests=found)]
    else:
        programs = resolve_target(program)
    config = _asm_config(model, compilers, samples, rounds, temperature, max_tokens, runs, instructions, seed)
    check_output_file(json_path, "--json")
    if out is not None and out.suffix == ".s" and len(single_file_c(programs)[0]) == 1:
        check_output_folder(out.parent, "--out")
        check_output_file(out if out.parent.exists() else None, "--out")
    else:
        check_output_folder(out, "--out")
    outcomes, doc = _asm_run(programs, config, model, store, jobs, None)
    table = Table(title="assembly vs gcc -O3")
    for col in ("program", "source", "config / sample", "correct", "speedup", "instructions"):
        table.add_column(col)
    for o in outcomes:
        inst = "—" if o.instructions_ratio is None else f"{o.instructions_ratio:.3f}x"
        note = f" ({o.error})" if o.error else ""
        table.add_row(o.name, o.source + note, o.config or o.sample or "", str(o.correct), f"{o.speedup:.3f}x", inst)
    console.print(table)
    usable = [o for o in outcomes if not o.error]  # a program that could not be run has no assembly to write
    if out is not None and usable:
        if len(outcomes) == 1 and out.suffix == ".s":
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(usable[0].assembly)
        else:
            out.mkdir(parents=True, exist_ok=True)
            for o in usable:
                (out / f"{o.name.replace('/', '_')}.s").write_text(o.assembly)
        console.print(f"wrote {out}")
    if json_path:
        json_path.write_text(json.dumps(doc, indent=2) + "\n")
        console.print(f"wrote {json_path}")
    failed = [o for o in outcomes if o.error]
    if failed:  # e.g. the program's own baseline fails its tests: nothing could be measured
        first = " ".join(failed[0].error.split())
        if len(outcomes) == 1:
            raise CompilerLMError(first)
        raise CompilerLMError(f"{len(failed)} of {len(outcomes)} programs could not be run; first: {first}")


@eval_app.command("asm")
def eval_asm(
    suite: Annotated[str, typer.Option(help="builtin, dir:PATH, supercoder:FILE.parquet|jsonl, ...")] = "builtin",
    model: ModelOpt = None,
    samples: SamplesOpt = 1,
    rounds: RoundsOpt = 0,
    temperature: Annotated[float, typer.Option(help="--model: sampling temperature (SuperCoder: 0.5)")] = 0.5,
    max_tokens: Annotated[int, typer.Option(help="--model: answer token budget")] = 4096,
    compilers: CompilersOpt = None,
    limit: Annotated[int | None, typer.Option(help="first N programs only")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="write rows and summary as JSON here")] = None,
    report_dir: Annotated[Path | None, typer.Option("--report", help="write report.md and plots here")] = None,
    store: Annotated[Path | None, typer.Option(help="SQLite file: results go here; reruns resume")] = None,
    jobs: Annotated[int, jobs_option("programs side by side (timing gets noisier)")] = 1,
    ray: Annotated[str | None, typer.Option(help="run programs as Ray tasks: 'local', 'auto' or ray://...")] = None,
    runs: Annotated[int, typer.Option(help="timed runs per test for each candidate (twice that for the winner)")] = 10,
    instructions: Annotated[bool, typer.Option(help="count instructions of the winners (perf or valgrind)")] = True,
    seed: Annotated[int, typer.Option(help="visible/hidden split and mutants")] = 0,
) -> None:
    """Speed track over a suite — SuperCoder's table: compile rate, pass rate, speedup geomean, share faster.

    Example: compilerlm eval asm --suite supercoder:val.parquet --model openai:http://127.0.0.1:8000/v1#m
    """
    from compilerlm.eval.asm import format_asm_table, write_asm_report
    from compilerlm.programs.suites import resolve_target

    config = _asm_config(model, compilers, samples, rounds, temperature, max_tokens, runs, instructions, seed)
    check_output_file(json_path, "--json")
    check_output_folder(report_dir, "--report")
    programs = resolve_target(suite)[:limit]
    _, doc = _asm_run(programs, config, model, store, jobs, ray)
    doc |= {"suite": suite, "model": model}
    console.print(format_asm_table(doc["summary"]))
    if json_path:
        json_path.write_text(json.dumps(doc, indent=2) + "\n")
        console.print(f"wrote {json_path}")
    if report_dir:
        written = write_asm_report(doc, report_dir)
        console.print(f"wrote {written[0]} and {len(written) - 1} plots")


@app.command()
def serve(
    model: Annotated[str, typer.Argument(help="hf:PATH_OR_ID, vllm:..., gguf:PATH or openai:URL#NAME to relay")],
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port (0: any free one)")] = 8000,
    name: Annotated[str, typer.Option(help="model name clients use after '#'")] = "compilerlm",
    max_body_bytes: Annotated[int, typer.Option(help="largest request body (413 beyond)")] = 8 * 1024 * 1024,
    max_prompt_chars: Annotated[int, typer.Option(help="longest prompt in characters (400 beyond)")] = 1_000_000,
    max_prompts: Annotated[int, typer.Option(help="most prompts in one request")] = 64,
    max_n: Annotated[int, typer.Option(help="most answers per prompt (n)")] = 16,
    max_tokens: Annotated[
        int | None, typer.Option(help="largest max_tokens (default: the model's context length, else 4096)")
    ] = None,
    timeout: Annotated[float, typer.Option(help="seconds a client has to send a whole request")] = 30.0,
    max_connections: Annotated[int, typer.Option(help="connections served at once (503 beyond)")] = 32,
) -> None:
    """Serve a model on an OpenAI-compatible completions endpoint (POST /v1/completions, GET /v1/models).

    Example: compilerlm serve hf:./my-model --port 8000   then   --model openai:http://127.0.0.1:8000/v1#compilerlm
    """
    from compilerlm.models import load_model
    from compilerlm.models.server import Limits, serve_forever

    try:
        limits = Limits(max_body_bytes, max_prompt_chars, max_prompts, max_n, max_tokens, timeout, max_connections)
    except ValueError as e:
        raise CompilerLMError(f"--{e}".replace("_", "-") + " (see compilerlm serve --help)") from None
    with load_model(model) as lm:
        serve_forever(lm, host, port, name, limits=limits)


@app.command()
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


@app.command()
def passes(
    space: Annotated[bool, typer.Option("--space", help="only the curated code-size search space")] = False,
    excluded: Annotated[
        bool, typer.Option("--excluded", help="passes left out of the search space, with the reason")
    ] = False,
) -> None:
    """List the passes LLVM 19 knows, the code-size search space, or what was excluded and why.

    Example: compilerlm passes --space
    """
    from compilerlm.toolchain.catalogue import pass_catalogue
    from compilerlm.toolchain.search_space import EXCLUDED, SEARCH_SPACE

    if space:
        for element in SEARCH_SPACE:
            console.print(element, highlight=False)
        return
    if excluded:
        table = Table(title=f"{len(EXCLUDED)} passes outside the search space")
        table.add_column("pass")
        table.add_column("reason")
        for name, reason in sorted(EXCLUDED.items()):
            table.add_row(name, reason)
        console.print(table)
        return
    table = Table(title="passes of opt -print-passes")
    for col in ("pass", "kind", "analysis", "params"):
        table.add_column(col)
    for info in pass_catalogue():
        table.add_row(info.name, info.kind, "yes" if info.is_analysis else "", info.params or "")
    console.print(table)


def version_callback(value: bool) -> None:
    if value:
        console.print(f"compilerlm {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="print the version")
    ] = False,
) -> None:
    """compilerlm: smaller and faster compiled code, verified by the real compiler."""


_TERMINATED: list[int] = []  # SIGTERM received (commands without a store exit 143, not typer's 130)


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM: unwind like Ctrl-C (worker pools close, temporary files go), then exit 143."""
    _TERMINATED.append(signum)
    raise Terminated()


def main() -> None:
    """Entry point: run the app; a CompilerLMError becomes one line on stderr and exit code 1 (an interrupted
    run: 130 after Ctrl-C, 143 after SIGTERM, with what the store kept and how to resume)."""
    import errno
    import signal

    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminate)
    try:
        code = app(standalone_mode=False)
    except Interrupted as exc:
        err_console.print(str(exc), highlight=False, soft_wrap=True, markup=False)
        sys.exit(exc.exit_code)
    except CompilerLMError as exc:
        err_console.print(f"[bold red]error:[/bold red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt as exc:
        err_console.print("interrupted")
        sys.exit(getattr(exc, "exit_code", 130))
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", getattr(exc, "code", 0))
        sys.exit(code or 0)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        where = f" writing {exc.filename}" if exc.filename else ""
        err_console.print(
            f"[bold red]error:[/bold red] the disk is full{where}; free some space and run the command again "
            "(results already in --store are kept)",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            sys.exit(130)
        raise
    if isinstance(code, int) and code:  # typer returns the exit code (130: Ctrl-C outside a run with a store)
        if code == 130:
            err_console.print("interrupted")
        sys.exit(Terminated.exit_code if code == 130 and _TERMINATED else code)


if __name__ == "__main__":
    main()
