"""`compilerlm corpus build`: the corpus of unoptimized IR from real C projects (library: `compilerlm.corpus`).

Why a command: the corpus is not committed, only its manifest; this rebuilds it anywhere with apt-get
source, Bear and LLVM 19, resuming where an earlier run stopped. Progress per source: a rich bar on a
terminal, plain lines otherwise (logs, pipes).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from compilerlm.cli.common import DEFAULT_JOBS, console, err_console, jobs_option, progress_bar, shown
from compilerlm.corpus.build import Event, build_corpus, split_counts
from compilerlm.corpus.manifest import DEFAULT_MANIFEST, read_manifest

if TYPE_CHECKING:
    from rich.progress import TaskID

corpus_app = typer.Typer(help="A corpus of unoptimized IR modules from real C projects.", no_args_is_help=True)


class _Lines:
    """Plain progress lines (stderr is not a terminal)."""

    def __call__(self, event: Event) -> None:
        if event.kind == "stage":
            err_console.print(f"{shown(event.source)}: {shown(event.message)}", highlight=False)
        elif event.kind == "start":
            err_console.print(f"{shown(event.source)}: compiling {event.total} units", highlight=False)
        elif event.kind in ("done", "failed"):
            err_console.print(_summary(event), highlight=False, soft_wrap=True)


def _summary(event: Event) -> str:
    if event.kind == "failed":
        return f"[red]failed[/red] {shown(event.source)}: {shown(event.message)}"
    r = event.result
    assert r is not None
    state = " (done earlier)" if r.cached else ""
    return (
        f"[green]done[/green] {shown(r.name)} ({r.split}){state}: {r.units} units, {r.modules} new modules, "
        f"{r.duplicates} duplicates, {r.empty} empty, {len(r.skipped)} skipped"
    )


@corpus_app.command("build")
def build(
    out: Annotated[Path, typer.Option("--out", "-o", help="the corpus folder (created; a rerun resumes)")],
    manifest: Annotated[Path, typer.Option("--manifest", "-m", help="the manifest (TOML)")] = DEFAULT_MANIFEST,
    jobs: Annotated[int, jobs_option("parallel builds and compiles")] = DEFAULT_JOBS,
    only: Annotated[str, typer.Option("--only", help="only these sources, comma-separated")] = "",
) -> None:
    """Fetch, build and compile every source of the manifest into OUT/modules, indexed in OUT/corpus.jsonl."""
    loaded = read_manifest(manifest)
    if only:
        loaded = loaded.only([n for n in only.split(",") if n])
    out.mkdir(parents=True, exist_ok=True)
    if err_console.is_terminal:
        with progress_bar(transient=False) as bar:
            tasks: dict[str, TaskID] = {}

            def draw(event: Event) -> None:
                if event.kind == "stage":
                    tasks[event.source] = bar.add_task(f"{event.source}: {event.message}", total=None)
                elif event.kind == "start":
                    bar.update(tasks[event.source], description=event.source, total=event.total)
                elif event.kind == "unit":
                    bar.advance(tasks[event.source])
                else:
                    if event.source in tasks:
                        bar.remove_task(tasks.pop(event.source))
                    bar.console.print(_summary(event), highlight=False, soft_wrap=True)

            result = build_corpus(loaded, out, jobs, draw)
    else:
        result = build_corpus(loaded, out, jobs, _Lines())
    counts = split_counts(out)
    per_split = ", ".join(f"{s} {c['modules']} ({c['projects']} projects)" for s, c in counts.items())
    duplicates = sum(r.duplicates for r in result.done)
    console.print(
        f"corpus {out}: {sum(c['modules'] for c in counts.values())} modules from {len(result.done)} sources, "
        f"{duplicates} duplicates; {per_split}; {len(result.failed)} failed"
        + (f" ({', '.join(result.failed)})" if result.failed else ""),
        highlight=False,
        soft_wrap=True,
    )


@corpus_app.command("label")
def label(
    out: Annotated[Path, typer.Option("--out", "-o", help="the corpus folder (from corpus build)")],
    store: Annotated[
        Path | None, typer.Option(help="SQLite store of the evaluations (default: OUT/labels.sqlite)")
    ] = None,
    jobs: Annotated[int, jobs_option("worker processes")] = DEFAULT_JOBS,
    ray: Annotated[str | None, typer.Option(help="run modules as Ray tasks: 'local', 'auto' or ray://...")] = None,
    max_minutes: Annotated[
        float | None, typer.Option(help="stop cleanly after this long (a rerun goes on where it stopped)")
    ] = None,
    search_modules: Annotated[int, typer.Option(help="training modules the autotuner searches")] = 80,
    search_budget: Annotated[int, typer.Option(help="evaluations per searched module")] = 120,
    candidates: Annotated[int, typer.Option(help="pipelines compiled on every module")] = 40,
    max_instructions: Annotated[int, typer.Option(help="leave out larger modules (IR instructions)")] = 20000,
    export: Annotated[Path | None, typer.Option(help="the labels table to write (default: OUT/labels.parquet)")] = None,
) -> None:
    """Size candidate pipelines on every corpus module: the autotuner's winners on a training sample,
    narrowed by a greedy cover, then compiled everywhere. Resumable; writes the labels table for
    `compilerlm train ranker`."""
    from compilerlm.ranker.labels import (
        CANDIDATES_FILE,
        LABELS_FILE,
        LabelConfig,
        LabelRun,
        candidate_pool,
        export_labels,
        read_candidates,
        write_candidates,
    )
    from compilerlm.store import Store

    config = LabelConfig(
        search_modules=search_modules,
        search_budget=search_budget,
        candidates=candidates,
        max_instructions=max_instructions,
    )
    db = Store(store or out / "labels.sqlite")
    with progress_bar(transient=False) as bar:
        tasks: dict[str, TaskID] = {}

        def draw(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)
            if not err_console.is_terminal and (done == total or done % 50 == 0):
                err_console.print(f"{stage}: {done}/{total} modules", highlight=False)

        run = LabelRun(out, db, config, jobs, ray, max_minutes, draw)
        modules = run.modules()
        labelled = [m for m in modules if m.row["instructions"] <= config.max_instructions]
        steps, chosen = [], []
        if (out / CANDIDATES_FILE).is_file():  # chosen by an earlier run: kept, so labels stay comparable
            chosen = read_candidates(out / CANDIDATES_FILE)
        else:
            sample = run.search_sample(modules)
            steps.append(run.search(sample))
            pool = candidate_pool(run.winners(sample))
            if not steps[-1].stopped:
                steps.append(run.label(sample, pool, "broadcast"))
            if not steps[-1].stopped:
                chosen = run.choose(sample, pool)
                write_candidates(out, chosen, config)
        if chosen:
            steps.append(run.label(labelled, chosen, "label"))
            rows = export_labels(run, labelled, chosen, export or out / LABELS_FILE)
    for s in steps:
        console.print(
            f"{s.stage}: {s.done_before + s.done}/{s.modules + s.done_before} modules done "
            f"({s.done} this run, {s.compiled} compilations)" + (" — stopped, rerun to go on" if s.stopped else ""),
            highlight=False,
        )
    if chosen:
        console.print(
            f"{len(chosen)} candidate pipelines ({out / CANDIDATES_FILE}); {rows} modules labelled of {len(labelled)} "
            f"({len(modules) - len(labelled)} left out, over {config.max_instructions} instructions); "
            f"wrote {export or out / LABELS_FILE}; {db.count()} evaluations in {db.path}",
            highlight=False,
        )
