"""Building the corpus: every source's C units to unoptimized IR, deduplicated by normalised IR, indexed.

Why this shape: the corpus feeds training, where the same code twice (a gnulib file in five GNU packages, a
file compiled into two binaries) is memorised and, across splits, leaks. So a module is identified by its
normalised IR (`tasks.common.normalize_ir`: no comments, file names, metadata or attribute groups) and only
its first origin (sources in manifest order, files by path) is kept; the others are counted on the kept
row. Splits are by project (`splits`). The stored IR is the first origin's, as clang wrote it (attributes
such as `minsize` matter to the optimizer), named by its `content_key`.

A corpus is built for one machine (`--target`: each project cross-built for it, `corpus.fetch`); `target.json`
says which, and a run for another machine in the same folder is refused (its modules would be mixed).

On disk (OUT): `modules/<content_key>.ll`; `corpus.jsonl`, the index, one row per module (`INDEX_COLUMNS`);
`state/NAME.json`, one per finished source (its counts, its split and the units left out with their reasons);
`src/NAME/`, fetched and built code (`fetch`). Sources run one after another, each source's units in
parallel; the index is rewritten after each source, so an interrupted run resumes at the first source without
a state file, and a failed source is retried by the next run while the others stay done.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from compilerlm.corpus.fetch import Work, source_work
from compilerlm.corpus.manifest import Manifest, Source, read_manifest
from compilerlm.corpus.splits import manifest_splits
from compilerlm.errors import CompilerLMError
from compilerlm.parallel import Call, ThreadExecutor
from compilerlm.tasks.common import normalize_ir
from compilerlm.toolchain.frontend import compile_c
from compilerlm.toolchain.module import content_key
from compilerlm.toolchain.objsize import count_ir_instructions
from compilerlm.toolchain.targets import HOST, Target, target, unusable

INDEX = "corpus.jsonl"
MACHINE = "target.json"  # {"target": TRIPLE}: the machine the corpus is built for (none: an earlier host corpus)
INDEX_COLUMNS = (
    "key",  # content_key of the stored IR: modules/<key>.ll
    "norm_key",  # SHA-256 (32 hex) of the normalised IR: the dedup key
    "project",  # the manifest source's name
    "split",  # train | validation | test, by project
    "file",  # the unit's path relative to its project
    "instructions",  # IR instructions (toolchain.objsize.count_ir_instructions)
    "functions",  # function definitions
    "ir_bytes",  # size of the stored IR
    "origin",  # debian:PKG[=VERSION], local:PATH or the TARGET
    "duplicates",  # other units with the same normalised IR, in any project
    "duplicate_projects",  # the projects those came from
)


@dataclass
class SourceResult:
    """What one source gave: its state file's content."""

    name: str
    origin: str
    split: str
    units: int = 0
    modules: int = 0  # new distinct modules
    duplicates: int = 0  # units whose normalised IR was already in the corpus
    empty: int = 0  # units without a function definition (nothing to optimise)
    skipped: list[str] = field(default_factory=list)  # units left out, with the reason
    cached: bool = False  # done by an earlier run


@dataclass
class CorpusResult:
    done: list[SourceResult] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # source name -> one-line reason
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # the corpus's modules and projects per split

    @property
    def modules(self) -> int:
        return sum(r.modules for r in self.done)


@dataclass(frozen=True)
class Event:
    """Progress for the caller to draw: `start` (total = units), `unit`, `done` (result), `failed` (message),
    `stage` (message: fetching and building)."""

    kind: str
    source: str
    total: int = 0
    message: str = ""
    result: SourceResult | None = None


Report = Callable[[Event], None]


def norm_key(ir: str) -> str:
    return hashlib.sha256(normalize_ir(ir).encode()).hexdigest()[:32]


def _compile(work: Work) -> tuple[str | None, str]:
    """(IR, "") or (None, why): a unit that does not compile is skipped, never stops the source."""
    try:
        return compile_c(work.source, work.file, work.flags, "Oz", work.directory, work.spelled).ir, ""
    except CompilerLMError as exc:
        return None, " ".join(str(exc).split())[:300]


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def read_index(out: Path) -> list[dict]:
    path = out / INDEX
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _add(
    ir: str, work: Work, source: Source, split: str, rows: dict[str, dict], result: SourceResult, out: Path
) -> None:
    nkey = norm_key(ir)
    if nkey in rows:
        row = rows[nkey]
        row["duplicates"] += 1
        row["duplicate_projects"] = sorted({*row["duplicate_projects"], source.name})
        result.duplicates += 1
        return
    functions = sum(1 for line in ir.splitlines() if line.startswith("define "))
    if not functions:
        result.empty += 1
        return
    key = content_key(ir)
    (out / "modules" / f"{key}.ll").write_text(ir)
    rows[nkey] = {
        "key": key,
        "norm_key": nkey,
        "project": source.name,
        "split": split,
        "file": work.file,
        "instructions": count_ir_instructions(ir),
        "functions": functions,
        "ir_bytes": len(ir.encode()),
        "origin": source.origin,
        "duplicates": 0,
        "duplicate_projects": [],
    }
    result.modules += 1


def corpus_machine(out: Path) -> Target:
    """The machine a corpus folder was built for (the host for one built before corpora had a machine)."""
    path = out / MACHINE
    return target(json.loads(path.read_text())["target"]) if path.is_file() else HOST


def _claim(out: Path, machine: Target) -> None:
    """The folder's machine set to `machine`, or a one-line CompilerLMError when it was built for another."""
    built = corpus_machine(out) if (out / MACHINE).is_file() or (out / INDEX).is_file() else machine
    if built is not machine:
        raise CompilerLMError(
            f"{out} is a corpus for {built.name}; build the {machine.name} corpus in another folder (--out)"
        )
    _write(out / MACHINE, json.dumps({"target": machine.name}) + "\n")


def _build_source(
    source: Source, split: str, out: Path, jobs: int, rows: dict[str, dict], report: Report, machine: Target
) -> SourceResult:
    report(Event("stage", source.name, message="fetching and building" if source.kind != "target" else "listing"))
    work, skipped = source_work(source, out / "src" / source.name, jobs, machine)
    work.sort(key=lambda w: w.file)  # a parallel build writes its database in any order
    if not work:
        kinds = "; ".join(skipped[:2]) or "an empty compile database"
        raise CompilerLMError(f"{source.name}: no C translation unit to compile ({kinds})")
    result = SourceResult(source.name, source.origin, split, units=len(work), skipped=list(skipped))
    report(Event("start", source.name, total=len(work)))
    irs: list[tuple[str | None, str]] = [(None, "")] * len(work)

    def done(i: int, got: tuple[str | None, str]) -> None:
        irs[i] = got
        report(Event("unit", source.name))

    ThreadExecutor(jobs).run(_compile, [Call(w.file, (w,)) for w in work], done)
    for w, (ir, why) in zip(work, irs, strict=True):  # by file: the first origin is deterministic
        if ir is None:
            result.skipped.append(f"{w.file}: {why}")
        else:
            _add(ir, w, source, split, rows, result, out)
    if work and result.modules + result.duplicates + result.empty == 0:
        raise CompilerLMError(
            f"{source.name}: none of its {len(work)} units compiles; the first: {result.skipped[-len(work)]}"
        )
    return result


def build_corpus(
    manifest: Manifest, out: Path, jobs: int = 1, report: Report | None = None, triple: str = HOST.name
) -> CorpusResult:
    """Build (or resume) the corpus of `manifest` in `out`, for the machine `triple` names. A failing source is one
    line in `failed` and the others go on."""
    report = report or (lambda event: None)
    machine = target(triple)
    why = unusable(machine, run=False)
    if why:
        raise CompilerLMError(why)
    for sub in ("modules", "state", "src"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    _claim(out, machine)
    splits = manifest_splits(manifest)
    rows = {row["norm_key"]: row for row in read_index(out)}
    result = CorpusResult()
    for source in manifest.sources:
        state = out / "state" / f"{source.name}.json"
        if state.is_file():
            cached = SourceResult(**json.loads(state.read_text()))
            cached.cached = True
            result.done.append(cached)
            report(Event("done", source.name, result=cached))
            continue
        trial = dict((k, {**v, "duplicate_projects": list(v["duplicate_projects"])}) for k, v in rows.items())
        try:
            got = _build_source(source, splits[source.name], out, jobs, trial, report, machine)
        except CompilerLMError as exc:
            message = " ".join(str(exc).split())
            result.failed[source.name] = message
            report(Event("failed", source.name, message=message))
            continue
        rows = trial
        _write(out / INDEX, "".join(json.dumps(row, sort_keys=True) + "\n" for row in rows.values()))
        _write(state, json.dumps(asdict(got), indent=1) + "\n")
        result.done.append(got)
        report(Event("done", source.name, result=got))
    _write(out / "projects.json", json.dumps(_projects(result, splits), indent=1, sort_keys=True) + "\n")
    return result


def build_from_manifest(
    manifest: Path,
    out: Path,
    *,
    jobs: int = 1,
    only: Sequence[str] | None = None,
    report: Report | None = None,
    triple: str = HOST.name,
) -> CorpusResult:
    """`compilerlm corpus build` without the printing: the manifest file read, narrowed to the sources `only`
    names (when given), and built (or resumed) in `out` for the machine `triple` names, which is created; the
    result counts the whole corpus there per split (earlier runs' sources included)."""
    loaded = read_manifest(manifest)
    if only is not None:
        loaded = loaded.only(list(only))
    out.mkdir(parents=True, exist_ok=True)
    result = build_corpus(loaded, out, jobs, report, triple)
    result.counts = split_counts(out)
    return result


def _projects(result: CorpusResult, splits: dict[str, str]) -> dict[str, dict]:
    """Per project of the manifest: its split, and its counts or why it failed."""
    out: dict[str, dict] = {}
    for r in result.done:
        out[r.name] = {
            "split": r.split,
            "origin": r.origin,
            "units": r.units,
            "modules": r.modules,
            "duplicates": r.duplicates,
            "empty": r.empty,
            "skipped": len(r.skipped),
        }
    for name, why in result.failed.items():
        out[name] = {"split": splits[name], "failed": why}
    return out


def split_counts(out: Path) -> dict[str, dict[str, int]]:
    """Modules and projects per split, from the index."""
    rows = read_index(out)
    counts: dict[str, dict[str, int]] = {}
    for split in ("train", "validation", "test"):
        mine = [r for r in rows if r["split"] == split]
        counts[split] = {"modules": len(mine), "projects": len({r["project"] for r in mine})}
    return counts
