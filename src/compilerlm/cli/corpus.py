"""`compilerlm corpus build`: the corpus of unoptimized IR from real C projects (its entry:
`corpus.build.build_from_manifest`); `compilerlm corpus label`: the ranker's labels on it (its entry:
`ranker.labels.label_corpus`; its options are `LabelConfig`'s fields).

Why a command: the corpus is not committed, only its manifest; this rebuilds it anywhere with apt-get
source, Bear and LLVM 19, resuming where an earlier run stopped. Progress per source: a rich bar on a
terminal, plain lines otherwise (logs, pipes).
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from compilerlm.cli.common import (
    DEFAULT_JOBS,
    KEYWORD,
    command_from,
    console,
    dataclass_options,
    err_console,
    jobs_option,
    jobs_parameter,
    path_parameter,
    progress_bar,
    shown,
)
from compilerlm.corpus.build import Event, build_from_manifest
from compilerlm.corpus.manifest import DEFAULT_MANIFEST
from compilerlm.ranker.labels import LabelConfig, label_corpus
from compilerlm.toolchain.targets import HOST, TRIPLE_HELP
from compilerlm.tracks.size import SIZE_SEARCH

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
    triple: Annotated[str, typer.Option("--target", help=TRIPLE_HELP)] = HOST.name,
) -> None:
    """Fetch, build and compile every source of the manifest into OUT/modules, indexed in OUT/corpus.jsonl."""
    sources = [n for n in only.split(",") if n] if only else None
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

            result = build_from_manifest(manifest, out, jobs=jobs, only=sources, report=draw, triple=triple)
    else:
        result = build_from_manifest(manifest, out, jobs=jobs, only=sources, report=_Lines(), triple=triple)
    counts = result.counts
    per_split = ", ".join(f"{s} {c['modules']} ({c['projects']} projects)" for s, c in counts.items())
    duplicates = sum(r.duplicates for r in result.done)
    console.print(
        f"corpus {out}: {sum(c['modules'] for c in counts.values())} modules from {len(result.done)} sources, "
        f"{duplicates} duplicates; {per_split}; {len(result.failed)} failed"
        + (f" ({', '.join(result.failed)})" if result.failed else ""),
        highlight=False,
        soft_wrap=True,
    )


LABEL_ARGS = [
    inspect.Parameter(
        "out",
        KEYWORD,
        annotation=Annotated[Path, typer.Option("--out", "-o", help="the corpus folder (from corpus build)")],
    ),
    path_parameter("store", "--store", "SQLite store of the evaluations (default: OUT/labels.sqlite)"),
    jobs_parameter("worker processes"),
    inspect.Parameter(
        "ray",
        KEYWORD,
        default=None,
        annotation=Annotated[str | None, typer.Option(help="run modules as Ray tasks: 'local', 'auto' or ray://...")],
    ),
    inspect.Parameter(
        "max_minutes",
        KEYWORD,
        default=None,
        annotation=Annotated[
            float | None, typer.Option(help="stop cleanly after this long (a rerun goes on where it stopped)")
        ],
    ),
    *dataclass_options(LabelConfig),
    path_parameter("export", "--export", "the labels table to write (default: OUT/labels.parquet)"),
]


def run_label(
    out: Path, store: Path | None, jobs: int, ray: str | None, max_minutes: float | None, export: Path | None, **options
) -> None:
    """`compilerlm corpus label`: the labelling's entry (`ranker.labels.label_corpus`), searching as `tune` does
    (the size track's `SIZE_SEARCH`), its progress drawn and its counts printed."""
    config = LabelConfig(**options)
    with progress_bar(transient=False) as bar:
        tasks: dict[str, TaskID] = {}

        def draw(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)
            if not err_console.is_terminal and (done == total or done % 50 == 0):
                err_console.print(f"{stage}: {done}/{total} modules", highlight=False)

        outcome = label_corpus(
            out,
            searcher=SIZE_SEARCH,
            config=config,
            store=store,
            jobs=jobs,
            ray_address=ray,
            max_minutes=max_minutes,
            export=export,
            report=draw,
        )
    for s in outcome.steps:
        console.print(
            f"{s.stage}: {s.done_before + s.done}/{s.modules + s.done_before} modules done "
            f"({s.done} this run, {s.compiled} compilations)" + (" — stopped, rerun to go on" if s.stopped else ""),
            highlight=False,
        )
    if outcome.candidates:
        o, left_out = outcome, outcome.modules - outcome.labelled
        console.print(
            f"{len(o.candidates)} candidate pipelines ({o.candidates_file}); {o.rows} modules labelled of {o.labelled} "
            f"({left_out} left out, over {config.max_instructions} instructions); "
            f"wrote {o.labels}; {o.evaluations} evaluations in {o.store}",
            highlight=False,
        )


label = command_from(
    run_label,
    LABEL_ARGS,
    """Size candidate pipelines on every corpus module: the autotuner's winners on a training sample,
    narrowed by a greedy cover, then compiled everywhere. Resumable; writes the labels table for
    `compilerlm train ranker`.""",
)
corpus_app.command("label")(label)
