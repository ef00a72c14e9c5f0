"""`compilerlm tune` (search pass pipelines, optionally asking a model first) and `compilerlm report` (a
tune run as markdown and plots)."""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from compilerlm.cli.common import (
    KEYWORD,
    check_output_file,
    check_output_folder,
    command_from,
    console,
    dataclass_options,
    err_console,
    jobs_parameter,
    path_parameter,
    progress_bar,
    report_skipped,
    shown,
)
from compilerlm.errors import CompilerLMError
from compilerlm.programs.names import printable
from compilerlm.programs.program import Program
from compilerlm.programs.suites import TARGET_HELP
from compilerlm.search.progress import SearchProgress
from compilerlm.search.tune import ModuleResult
from compilerlm.tracks.size import TuneProgress, TuneRequest, tune_target
from compilerlm.tracks.size import export_library as export_pipelines

TUNE_ARGS = [
    inspect.Parameter("target", KEYWORD, annotation=Annotated[str, typer.Argument(help=TARGET_HELP)]),
    *dataclass_options(TuneRequest, skip=("jobs", "tuned_file")),
    jobs_parameter("parallel worker processes"),
    path_parameter("json_path", "--json", "write the results as JSON here"),
    inspect.Parameter(
        "export_library",
        KEYWORD,
        default=None,
        annotation=Annotated[
            Path | None,
            typer.Option("--export-library", help="write the most often winning pipelines in --store here"),
        ],
    ),
]


def run_tune(target: str, json_path: Path | None, export_library: Path | None, **options: Any) -> None:
    """`compilerlm tune`: the size track's entry (`tracks.size.tune_target`), its progress drawn and its table
    printed."""
    request = TuneRequest(**options, tuned_file=str(json_path or "TUNE.json"))
    check_output_file(json_path, "--json")
    check_output_file(export_library, "--export-library")
    check_output_folder(request.out, "--out")
    if export_library is not None:
        if request.store is None:
            raise CompilerLMError("--export-library needs --store FILE (the results to learn from)")
        count = export_pipelines(request.store, export_library)
        console.print(f"wrote {count} pipelines to {export_library}")
        return
    doc = tune_target(target, request, BarProgress())
    print_tune_table(doc)
    if json_path:
        json_path.write_text(json.dumps(doc, indent=2) + "\n")
        console.print(f"wrote {json_path}")


tune = command_from(
    run_tune,
    TUNE_ARGS,
    """Search pass pipelines that make each module smaller than -Oz, minimise them and verify the program.

    With --model, the model's pipelines are evaluated first and the search spends the rest of --budget
    (--budget 1 --samples 1: the model's answer or -Oz, nothing else). The auto strategy starts from the
    shipped flag-tuning ranker (ranker:default) unless --model names another model or 'none'.

    With --lto each program is one module, the one lld's full LTO optimises (every unit at -Oz -flto, merged,
    internalised), each candidate is the real link (-fuse-ld=lld, --gc-sections, the pipeline at link time),
    and the result is compared with the four standard builds of the program: what ships is the smaller of the
    two, with the flags that build it.

    Example: compilerlm tune builtin:huffman --budget 300 --store runs.sqlite --json huffman.json
    """,
)
tune.__name__ = "tune"


class BarProgress(TuneProgress):
    """A tune run's progress as bars on a terminal, or one plain line per finished module where stderr is not
    one (a log file, CI)."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.task: Any = None
        self.lines: ProgressLines | None = None
        self.what = ""

    @contextmanager
    def stage(self, what: str, total: int | None, passes: int = 1) -> Iterator[None]:
        self.lines = ProgressLines(total, passes) if total and not err_console.is_terminal else None
        with progress_bar() as bar:
            self.bar, self.task, self.what = bar, bar.add_task(what, total=total), what
            try:
                yield
            finally:
                self.bar = self.lines = None

    def resolved(self, programs: Sequence[Program]) -> None:
        report_skipped(list(programs))

    def modules_done(self, results: Sequence[ModuleResult]) -> None:
        self.step(len(results))
        if self.lines is not None:  # the bar is invisible in a log file or CI: one plain line per module instead
            self.lines.report(results)

    def searching(self, p: SearchProgress) -> None:  # a large module takes minutes: say how far its search is
        if self.bar is not None:
            of = f"/{p.budget}" if p.used <= p.budget else ""
            best = f", best {p.best_size} bytes" if p.best_size is not None else ""
            self.bar.update(self.task, description=f"{self.what} {printable(p.module)}: {p.used}{of} evaluations{best}")

    def step(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.advance(self.task, n)


class ProgressLines:
    """Plain progress on stderr, one line per finished module, for when stderr is not a terminal:
    `tune [3/12] huffman/heap.c: 825 bytes, -Oz 826 (+0.12%), 52 evaluations (40 search + 12 minimize),
    3.4 s`. With a broadcast step every module finishes twice: first its search alone (`search pass`), then
    its broadcast, minimisation and verification."""

    def __init__(self, total: int, passes: int) -> None:
        self.total, self.passes, self.done = total, passes, 0

    def report(self, results: Sequence[ModuleResult]) -> None:
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
