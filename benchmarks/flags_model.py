"""The flag-tuning ranker against search, measured like LLM Compiler measured its model: on the corpus's test
projects (never seen in training), improvement vs -Oz (geomean, -Oz as fallback) within 1, 3, 10 and 30
compilations per module, for the ranker alone, the built-in library, random search, `auto` as `tune` now runs
it (the ranker's proposals first, then its search) and `auto` without a model (as before the ranker), plus
`auto` at 1,000 as the ceiling on a sample. Zero-shot (the ranker's first pipeline, no fallback), load and
prediction time, and csmith programs' tests on the chosen pipelines are reported too.

Every search is `compilerlm tune`'s own (search.tune.search_module, seeded by module content, minimisation and
verification off), with the settings the size track makes of a `TuneRequest` for `tune` (tracks.size.
search_settings); evaluations go through a store (by default the corpus's labels store, so labelled sizes are
read back, not compiled again).

    python benchmarks/flags_model.py --corpus CORPUS [--model ranker.json] [--budgets 1,3,10,30] [--ceiling 1000]
        [--ceiling-modules 30] [--modules N] [--jobs 2] [--labels data/ranker/labels.parquet|none]
        [--plot docs/images/flags_model.png] [--json flags_model.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from compilerlm.corpus.build import read_index
from compilerlm.programs.suites import resolve_target
from compilerlm.ranker.model import DEFAULT_MODEL, load_ranker
from compilerlm.search.tune import search_module
from compilerlm.search.verify import verify_program
from compilerlm.stats import improvement_geomean
from compilerlm.store import Store
from compilerlm.toolchain.evaluator import make_evaluator
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.pipelines import OZ_PIPELINE
from compilerlm.tracks.size import TuneRequest, search_settings

METHODS = ("ranker", "library", "random", "auto", "auto, no model")
COMMITTED_LABELS = Path(__file__).resolve().parents[1] / "data" / "ranker" / "labels.parquet"


def request_for(method: str, budget: int, ranker: str, no_library: Path) -> TuneRequest:
    """A method as `compilerlm tune` is asked for it, with the search alone measured (no minimisation, no
    verification): `ranker` is the model's answers alone (the library strategy on a file of no pipelines), `auto`
    is tune's default (the ranker's answers first, its whole library within the budget, then the search)."""
    strategy, model, library = {
        "ranker": ("library", ranker, no_library),
        "library": ("library", "none", None),
        "random": ("random", "none", None),
        "auto": ("auto", ranker, None),
        "auto, no model": ("auto", "none", None),
    }[method]
    return TuneRequest(strategy=strategy, budget=budget, model=model, library=library, minimize=False, verify=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--budgets", default="1,3,10,30")
    parser.add_argument("--ceiling", type=int, default=1000)
    parser.add_argument("--ceiling-modules", type=int, default=30)
    parser.add_argument("--split", default="test")
    parser.add_argument("--max-instructions", type=int, default=20000)
    parser.add_argument("--modules", type=int, default=0, help="a seeded sample of this many modules (0: all)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--store", type=Path, default=None, help="default: CORPUS/labels.sqlite")
    parser.add_argument(
        "--labels",
        type=Path,
        default=COMMITTED_LABELS,
        help="keep only modules these labels put in --split (a corpus built with --only has copies of files that the "
        "whole corpus files under a training project); 'none' keeps all",
    )
    parser.add_argument("--plot", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    budgets = [int(b) for b in args.budgets.split(",")]
    console = Console()

    started = time.perf_counter()
    ranker = load_ranker(args.model)
    load_seconds = time.perf_counter() - started
    rows = [
        r for r in read_index(args.corpus) if r["split"] == args.split and r["instructions"] <= args.max_instructions
    ]
    if str(args.labels) != "none":
        import pyarrow.parquet as pq

        if not args.labels.is_file():
            parser.error(f"--labels {args.labels} does not exist: give the labels table, or 'none' to keep all")

        labelled = pq.read_table(args.labels, columns=["key", "split"]).to_pydict()
        in_split = {k for k, sp in zip(labelled["key"], labelled["split"], strict=True) if sp == args.split}
        dropped = sum(r["key"] not in in_split for r in rows)
        rows = [r for r in rows if r["key"] in in_split]
        console.print(f"{dropped} modules left out: the labels do not put them in the {args.split} split")
    if args.modules and args.modules < len(rows):  # the first N of one seeded shuffle: a smaller run is a subset
        rows = random.Random(0).sample(rows, len(rows))[: args.modules]
    modules = [
        IRModule(f"{r['project']}/{r['file']}", (args.corpus / "modules" / f"{r['key']}.ll").read_text()) for r in rows
    ]
    projects = sorted({r["project"] for r in rows})
    predict = []
    proposals = {}
    for m in modules:
        t = time.perf_counter()
        proposals[m.name] = ranker.rank(m.ir)
        predict.append(time.perf_counter() - t)
    store = Store(args.store or args.corpus / "labels.sqlite")
    evaluator = make_evaluator("inprocess", jobs=args.jobs)
    oz: dict[str, int] = {}
    for m, ev in zip(modules, evaluator.evaluate_many([(m, OZ_PIPELINE) for m in modules]), strict=True):
        if ev.ok and ev.size is not None:
            oz[m.name] = ev.size
    modules = [m for m in modules if m.name in oz]

    scratch = tempfile.TemporaryDirectory(prefix="flags-model-")
    no_library = Path(scratch.name) / "no-pipelines.txt"
    no_library.write_text("# no pipelines: the ranker's answers alone\n")

    def run(method: str, budget: int, subset: list[IRModule]) -> dict[str, tuple[int, str]]:
        # the model's answers are the ranker's ranking (ranker:FILE answers it), computed once above and timed
        config, model = search_settings(request_for(method, budget, f"ranker:{args.model}", no_library))
        out = {}
        for m in subset:
            proposed = proposals[m.name][: config.samples] if model is not None else ()
            _, ranked = search_module(m, oz[m.name], config, evaluator, store, proposed)
            out[m.name] = (ranked[0][0], ",".join(ranked[0][1])) if ranked else (oz[m.name], OZ_PIPELINE)
            bar.advance(task)
        return out

    def geomean(chosen: dict[str, tuple[int, str]]) -> float:
        return improvement_geomean(min(s, oz[n]) / oz[n] for n, (s, _) in chosen.items())

    rng = random.Random(0)
    ceiling_set = rng.sample(modules, min(args.ceiling_modules, len(modules)))
    results: dict[str, dict[int, dict]] = {m: {} for m in METHODS}
    with Progress(console=console) as bar:
        task = bar.add_task("searching", total=len(METHODS) * len(budgets) * len(modules) + 2 * len(ceiling_set))
        for method in METHODS:
            for budget in budgets:
                bar.update(task, description=f"{method}, {budget} compilations")
                results[method][budget] = run(method, budget, modules)
        bar.update(task, description=f"auto, {args.ceiling} compilations (ceiling sample)")
        ceiling = run("auto", args.ceiling, ceiling_set)
        same_sample = run("auto", budgets[-1], ceiling_set)

    first = [store.get(m.key, proposals[m.name][0]) for m in modules]
    zero = [
        (e.size / oz[m.name]) if e is not None and e.ok and e.size is not None else 1.0
        for m, e in zip(modules, first, strict=True)
    ]
    zero_better = sum(z < 1 for z in zero) / len(zero)
    verified = verify_csmith(modules, {b: results["ranker"][b] for b in budgets}, results["auto"][budgets[-1]])

    title = (
        f"improvement vs -Oz on held-out projects ({len(modules)} modules of {len(projects)} projects: "
        f"{', '.join(projects)}), geomean, -Oz fallback"
    )
    table = Table(title=title)
    table.add_column("method")
    for b in budgets:
        table.add_column(f"{b} compilation{'s' if b > 1 else ''}", justify="right")
    table.add_column("better than -Oz", justify="right")
    doc: dict[str, Any] = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()} {platform.node()} ({platform.processor() or 'cpu'}), jobs {args.jobs}",
        "modules": len(modules),
        "projects": projects,
        "budgets": budgets,
        "rows": {},
    }
    for method in METHODS:
        values = [geomean(results[method][b]) for b in budgets]
        better = sum(s < oz[n] for n, (s, _) in results[method][budgets[-1]].items()) / len(modules)
        table.add_row(method, *(f"{v:+.2%}" for v in values), f"{better:.0%}")
        doc["rows"][method] = {"improvement": dict(zip(budgets, values, strict=True)), "better_share": better}
    console.print(table)
    doc["zero_shot"] = {"improvement": improvement_geomean(zero), "better_share": zero_better}
    doc["ceiling"] = {
        "budget": args.ceiling,
        "modules": len(ceiling_set),
        "improvement": geomean(ceiling),
        f"auto_{budgets[-1]}_same_modules": geomean(same_sample),
    }
    doc["timing"] = {"load_seconds": load_seconds, "predict_seconds_median": statistics.median(predict),
                     "predict_seconds_max": max(predict)}  # fmt: skip
    doc["verified"] = verified
    console.print(
        f"zero-shot (the ranker's first pipeline, no fallback): {doc['zero_shot']['improvement']:+.2%}, smaller than "
        f"-Oz on {zero_better:.0%} of modules\n"
        f"ceiling: auto at {args.ceiling} compilations on {len(ceiling_set)} sampled modules {geomean(ceiling):+.2%} "
        f"(auto at {budgets[-1]} on the same modules {geomean(same_sample):+.2%})\n"
        f"ranker: loaded in {load_seconds * 1000:.0f} ms, predicts in {statistics.median(predict) * 1000:.1f} ms per "
        f"module (median; max {max(predict) * 1000:.1f} ms), one core\n"
        f"csmith programs' tests on the chosen pipelines: {verified}"
    )
    if args.plot:
        plot(doc, args.plot)
        console.print(f"wrote {args.plot}")
    if args.json:
        args.json.write_text(json.dumps(doc, indent=1) + "\n")
    evaluator.close()
    scratch.cleanup()


def verify_csmith(modules: list[IRModule], ranker_runs: dict, auto_run: dict) -> dict:
    """The csmith programs among the modules, built with each chosen pipeline and run against their
    expected output: how many pass, per method and budget."""
    by_key = {m.content_key: m for m in modules if m.name.startswith("csmith/")}
    if not by_key:
        return {}
    found = []
    for program in resolve_target("csmith:100:1"):
        for pm in program.modules():
            if pm.content_key in by_key:
                found.append((program, pm, by_key[pm.content_key].name))
    out = {}
    for label, run in [*((f"ranker@{b}", r) for b, r in ranker_runs.items()), ("auto@last", auto_run)]:
        passed = 0
        for program, pm, name in found:
            verdict = verify_program(program, [pm], {pm.name: run[name][1]})
            passed += verdict.verified
        out[label] = f"{passed}/{len(found)}"
    return out


def plot(doc: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for method, row in doc["rows"].items():
        xs = list(row["improvement"])
        ax.plot(xs, [100 * row["improvement"][x] for x in xs], marker="o", label=method)
    c = doc["ceiling"]
    ax.axhline(
        100 * c["improvement"], color="grey", linestyle="--", label=f"auto at {c['budget']} ({c['modules']} modules)"
    )
    ax.axhline(5.24, color="black", linestyle=":", label="LLM Compiler FTD-7B (1 compilation + -Oz)")
    ax.set_xscale("log")
    ax.set_xlabel("compilations per module")
    ax.set_ylabel("improvement vs -Oz (%, geomean)")
    ax.set_title(f"held-out projects: {doc['modules']} modules, {doc['date']}")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
