"""`compilerlm corpus build`: the corpus of unoptimized IR from real C projects (library: `compilerlm.corpus`).

Why a command: the corpus is not committed, only its manifest; this rebuilds it anywhere with apt-get
source, Bear and LLVM 19, resuming where an earlier run stopped. Progress per source: a rich bar on a
terminal, plain lines otherwise (logs, pipes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from compilerlm.cli.common import DEFAULT_JOBS, console, err_console, jobs_option, progress_bar
from compilerlm.corpus.build import Event, build_corpus, split_counts
from compilerlm.corpus.manifest import DEFAULT_MANIFEST, read_manifest

corpus_app = typer.Typer(help="A corpus of unoptimized IR modules from real C projects.", no_args_is_help=True)


class _Lines:
    """Plain progress lines (stderr is not a terminal)."""

    def __call__(self, event: Event) -> None:
        if event.kind == "stage":
            err_console.print(f"{event.source}: {event.message}", highlight=False)
        elif event.kind == "start":
            err_console.print(f"{event.source}: compiling {event.total} units", highlight=False)
        elif event.kind in ("done", "failed"):
            err_console.print(_summary(event), highlight=False, soft_wrap=True)


def _summary(event: Event) -> str:
    if event.kind == "failed":
        return f"[red]failed[/red] {event.source}: {escape(event.message)}"
    r = event.result
    assert r is not None
    state = " (done earlier)" if r.cached else ""
    return (
        f"[green]done[/green] {r.name} ({r.split}){state}: {r.units} units, {r.modules} new modules, "
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
            tasks: dict[str, int] = {}

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
