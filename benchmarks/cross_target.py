"""The size track per target, side by side: what `compilerlm tune --target T` gives on a suite at each budget.

For every target of `toolchain.targets` (or those named): the suite's -Oz bytes (the sum of its modules' objects
for that machine), then `tune`'s own entry (`tracks.size.tune_target`: the ranker's proposals first, then `auto`,
verification with the programs' tests — run under qemu-user in the sandbox for another machine — with fallback to
-Oz) at each budget, one store per target so a larger budget replays a smaller one's compilations. Reported: the
geomean improvement vs -Oz per budget, the share of modules verified, the pipelines the tests rejected
(miscompiles found) and the linked executables' improvement at the largest budget.

    python benchmarks/cross_target.py [--suite builtin] [--budgets 10,100,1000] [--targets all] [--jobs 2]
        [--store PREFIX] [--json out.json] [--corpus PREFIX --sample N]

With --corpus, each target's held-out modules come from the corpus built for it (`compilerlm corpus build
--target T --out PREFIX-T`: every project cross-built for that machine): the test split's files that every
target's corpus has, N of them in a seeded order, tuned per target at the same budgets. They have no tests, so
they are sized, not verified (the suite's programs are). The suite is skipped with `--suite none`.

Minimisation is off (it never changes a size). The first budget of 10 is "ranker@10": `tune`'s default model
(the shipped ranker) proposes first, as it does for a user.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from compilerlm.corpus.build import corpus_machine, read_index
from compilerlm.programs.suites import built_for, resolve_target
from compilerlm.toolchain.evaluator import make_evaluator
from compilerlm.toolchain.pipelines import OZ_PIPELINE
from compilerlm.toolchain.targets import TARGETS, unusable
from compilerlm.tracks.size import TuneRequest, tune_target


@dataclass
class TargetRow:
    """One target's line."""

    target: str
    modules: int
    oz_bytes: int
    geomeans: dict[int, float]
    verified_share: float
    miscompiles: int
    linked: float | None
    seconds: float


def oz_bytes(suite: str, triple: str, jobs: int) -> tuple[int, int]:
    """(modules, the sum of their -Oz object sizes for `triple`)."""
    modules = [m for p in built_for(resolve_target(suite), triple, run=False) for m in p.modules()]
    with make_evaluator("inprocess", jobs=jobs) as ev:
        sizes = ev.evaluate_many([(m, OZ_PIPELINE) for m in modules])
    return len(modules), sum(s.size or 0 for s in sizes)


def measure(suite: str, triple: str, budgets: list[int], jobs: int, store: str | None) -> TargetRow:
    started = time.perf_counter()
    modules, total = oz_bytes(suite, triple, jobs)
    geomeans: dict[int, float] = {}
    doc: dict = {}
    for budget in budgets:
        request = TuneRequest(
            budget=budget,
            triple=triple,
            jobs=jobs,
            minimize=False,
            store=Path(f"{store}-{triple}.sqlite") if store else None,
        )
        doc = tune_target(suite, request)
        geomeans[budget] = doc["summary"]["improvement_geomean"]
    results = doc["modules"]
    return TargetRow(
        target=triple,
        modules=modules,
        oz_bytes=total,
        geomeans=geomeans,
        verified_share=doc["summary"]["verified_share"],
        miscompiles=sum(len(m["miscompiles"]) for m in results),
        linked=doc["summary"].get("linked_improvement_geomean"),
        seconds=time.perf_counter() - started,
    )


def corpus_sample(prefix: str, names: list[str], sample: int) -> dict[str, dict[str, Path]]:
    """Per target, the held-out modules to tune: (project/file) -> its IR file, the same files for every target
    (those in each target's test split), `sample` of them in an order seeded by their names."""
    found: dict[str, dict[str, Path]] = {}
    for name in names:
        folder = Path(f"{prefix}-{name}")
        if corpus_machine(folder).name != name:
            raise SystemExit(f"{folder} is a corpus for {corpus_machine(folder).name}, not {name}")
        rows = [r for r in read_index(folder) if r["split"] == "test"]
        found[name] = {f"{r['project']}/{r['file']}": folder / "modules" / f"{r['key']}.ll" for r in rows}
    common = sorted(
        set.intersection(*(set(f) for f in found.values())), key=lambda f: hashlib.sha256(f.encode()).digest()
    )
    chosen = common[:sample]
    return {name: {f: files[f] for f in chosen} for name, files in found.items()}


def measure_corpus(files: dict[str, Path], triple: str, budgets: list[int], jobs: int, store: str | None) -> TargetRow:
    """The held-out modules tuned at each budget (`tune`'s entry on a folder of IR: each module is built for the
    machine its IR names; no tests, so nothing is verified or linked)."""
    started = time.perf_counter()
    geomeans: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="cross-corpus-") as tmp:
        for i, (name, path) in enumerate(sorted(files.items())):
            (Path(tmp) / f"{i:03d}-{name.replace('/', '-')}.ll").write_text(path.read_text())
        doc: dict = {}
        for budget in budgets:
            db = Path(f"{store}-corpus-{triple}.sqlite") if store else None
            request = TuneRequest(budget=budget, jobs=jobs, minimize=False, store=db, verify=False)
            doc = tune_target(tmp, request)
            geomeans[budget] = doc["summary"]["improvement_geomean"]
    oz = sum(m["size_oz"] or 0 for m in doc["modules"])  # tune's own -Oz baseline of each module
    return TargetRow(triple, len(files), oz, geomeans, 0.0, 0, None, time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", default="builtin")
    parser.add_argument("--budgets", default="10,100,1000")
    parser.add_argument("--targets", default="all", help="comma-separated Debian triples, or 'all'")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--store", default=None, help="SQLite file prefix to keep (and resume) each target's runs")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--corpus", default=None, help="corpus folder prefix: PREFIX-TRIPLE per target")
    parser.add_argument("--sample", type=int, default=20, help="held-out corpus modules per target")
    args = parser.parse_args()
    budgets = sorted(int(b) for b in args.budgets.split(","))
    names = list(TARGETS) if args.targets == "all" else args.targets.split(",")
    console = Console()
    rows: list[TargetRow] = []
    usable = []
    for name in names:
        why = unusable(TARGETS[name])
        if why:
            console.print(f"[yellow]skipped[/yellow] {name}: {why}")
            continue
        usable.append(name)
        if args.suite != "none":
            console.print(f"{name}: tuning {args.suite} at {', '.join(map(str, budgets))} ...")
            rows.append(measure(args.suite, name, budgets, args.jobs, args.store))
    held_out: list[TargetRow] = []
    if args.corpus:
        for name, files in corpus_sample(args.corpus, usable, args.sample).items():
            console.print(f"{name}: tuning {len(files)} held-out corpus modules at {', '.join(map(str, budgets))} ...")
            held_out.append(measure_corpus(files, name, budgets, args.jobs, args.store))

    table = Table(title=f"tune per target on {args.suite}: geomean vs -Oz with fallback, verified by the tests")
    for column in ("target", "modules", "-Oz bytes", *(f"@{b}" for b in budgets), "verified", "miscompiles"):
        table.add_column(column, justify="left" if column == "target" else "right")
    table.add_column(f"linked @{budgets[-1]}", justify="right")
    table.add_column("seconds", justify="right")
    for r in rows:
        linked = "—" if r.linked is None else f"{r.linked:+.2%}"
        gains = [f"{r.geomeans[b]:+.2%}" for b in budgets]
        table.add_row(
            r.target, str(r.modules), f"{r.oz_bytes:,}", *gains, f"{r.verified_share:.0%}", str(r.miscompiles), linked,
            f"{r.seconds:.0f}",
        )  # fmt: skip
    if rows:
        console.print(table)
    if held_out:
        corpus = Table(title=f"tune per target on held-out corpus modules ({args.corpus}-*): geomean vs -Oz, not run")
        for column in ("target", "modules", "-Oz bytes", *(f"@{b}" for b in budgets), "seconds"):
            corpus.add_column(column, justify="left" if column == "target" else "right")
        for r in held_out:
            gains = [f"{r.geomeans[b]:+.2%}" for b in budgets]
            corpus.add_row(r.target, str(r.modules), f"{r.oz_bytes:,}", *gains, f"{r.seconds:.0f}")
        console.print(corpus)
    if args.json:
        doc = {
            "date": date.today().isoformat(),
            "machine": platform.machine(),
            "suite": args.suite,
            "budgets": budgets,
            "rows": [r.__dict__ for r in rows],
            "corpus": args.corpus,
            "held_out": [r.__dict__ for r in held_out],
        }
        args.json.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
