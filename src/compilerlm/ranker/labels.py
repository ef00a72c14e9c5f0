"""Labels for the ranker: per corpus module, the object size of every candidate pipeline and of -Oz.

Why in three stages (LLM Compiler's "autotune, then broadcast the winners"): the autotuner finds pipelines
that beat -Oz on a sample of training modules (`search`); every winner is then tried on every sampled
module, and a greedy cover keeps the `candidates` pipelines that together shrink the sample most (`choose`);
those are compiled on every module of the corpus, all splits (`label`). Every evaluation goes into the
SQLite store as it comes (keyed by module content and pipeline), and each finished module leaves a record,
so an interrupted run — or one stopped by `max_minutes` to fit a working session — resumes where it
stopped, on this machine or another one given the same store. Work is spread one module per task over any
executor: worker processes (`jobs`) or a Ray cluster (`ray_address`).

The search is `compilerlm tune`'s (`auto`), handed in as a `Searcher` (the size track's `SIZE_SEARCH`: this layer
must not know which search runs it), with one difference, `LabelConfig.use_ranker`, off by default: these labels
train the ranker, whose proposals are the candidates an earlier labelling chose, so a search that starts from
them would pull the new candidates toward the old ones.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol, TypedDict

from compilerlm.corpus.build import read_index
from compilerlm.errors import CompilerLMError
from compilerlm.parallel import Call, make_executor
from compilerlm.ranker.coreset import greedy_cover
from compilerlm.ranker.features import FEATURE_NAMES, feature_vector
from compilerlm.search.minimize import minimize
from compilerlm.search.objective import Objective, text_of
from compilerlm.search.strategies import BUILTIN_LIBRARY, parse_pipeline
from compilerlm.store import Store
from compilerlm.toolchain.evaluation import Evaluation
from compilerlm.toolchain.evaluator import Evaluator, make_evaluator
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.pipelines import OZ_PIPELINE, normalize

CANDIDATES_FILE = "candidates.json"
LABELS_FILE = "labels.parquet"


@dataclass(frozen=True, kw_only=True)
class LabelConfig:
    """How the labels are made; each field's help is `corpus label`'s option help. The search's settings key its
    records (`Searcher.search_key`); the candidates file keeps the rest."""

    search_modules: int = field(default=80, metadata={"help": "training modules the autotuner searches"})
    search_budget: int = field(default=120, metadata={"help": "evaluations per searched module (tune's auto)"})
    per_project: int = field(default=8, metadata={"help": "at most this many searched modules from one project"})
    candidates: int = field(default=40, metadata={"help": "pipelines compiled on every module"})
    max_instructions: int = field(default=20000, metadata={"help": "leave out larger modules (IR instructions)"})
    seed: int = field(default=0, metadata={"help": "random seed of the sample and the search"})
    use_ranker: bool = field(
        default=False,
        metadata={
            "help": "start each search from the shipped ranker's pipelines, as tune's auto does (off: the ranker "
            "learns from these labels, and its pipelines are an earlier labelling's candidates)"
        },
    )


class Searcher(Protocol):
    """`compilerlm tune`'s search of one module (`tracks.size.SizeSearch`), picklable for the workers."""

    def search_key(self, budget: int, seed: int, *, use_ranker: bool) -> str:
        """Identifies the search's settings: its records are kept under it."""
        ...

    def search_module(
        self, module: IRModule, evaluator: Evaluator, *, budget: int, seed: int, use_ranker: bool
    ) -> Objective: ...


@dataclass
class LabelProgress:
    """What a stage did, for the caller to print and the closing numbers."""

    stage: str
    modules: int = 0  # modules in the stage
    done_before: int = 0  # finished by an earlier run
    done: int = 0  # finished in this run
    compiled: int = 0  # compilations this run (the rest came from the store)
    evaluations: int = 0  # (module, pipeline) sizes the stage needed, compiled or read back
    stopped: bool = False  # stopped by max_minutes; rerun to go on


@dataclass(frozen=True)
class CorpusModule:
    row: dict
    module: IRModule


@dataclass(kw_only=True)
class LabelRun:
    """One labelling run over a corpus folder."""

    corpus: Path
    store: Store
    searcher: Searcher
    config: LabelConfig = field(default_factory=LabelConfig)
    jobs: int = 1
    ray_address: str | None = None
    max_minutes: float | None = None
    report: Callable[[str, int, int], None] = lambda stage, done, total: None
    started: float = field(default_factory=time.monotonic)

    def modules(self) -> list[CorpusModule]:
        rows = read_index(self.corpus)
        if not rows:
            raise CompilerLMError(
                f"{self.corpus} has no corpus index; build it first: compilerlm corpus build --out DIR"
            )
        out = []
        for row in sorted(rows, key=lambda r: (r["instructions"], r["key"])):
            path = self.corpus / "modules" / f"{row['key']}.ll"
            if not path.is_file():
                raise CompilerLMError(f"{path} is missing: the corpus is incomplete; rerun compilerlm corpus build")
            out.append(CorpusModule(row, IRModule(f"{row['project']}/{row['file']}", path.read_text())))
        return out

    def _out_of_time(self) -> bool:
        return self.max_minutes is not None and time.monotonic() - self.started > self.max_minutes * 60

    def _run(self, stage: str, work: list[tuple[CorpusModule, Call]], keep: Callable[[CorpusModule, dict], None]):
        """Run the calls (one per module) in chunks, keeping each result as it comes; stops between chunks
        when out of time (chunks grow while they take under a minute, so a stop comes within a few)."""
        progress = LabelProgress(stage, modules=len(work))
        self.report(stage, 0, len(work))
        executor = make_executor("ray" if self.ray_address else "processes", self.jobs, ray_address=self.ray_address)
        chunk, start = 2 * self.jobs, 0
        with executor:
            while start < len(work):
                if self._out_of_time():
                    progress.stopped = True
                    break
                part = work[start : start + chunk]

                def kept(i: int, result: dict, part=part) -> None:
                    item = part[i][0]
                    for ev in result["evaluations"]:
                        self.store.put(item.module.key, Evaluation(**ev))
                    progress.compiled += len(result["evaluations"])
                    keep(item, result)
                    progress.done += 1
                    self.report(stage, progress.done, len(work))

                began = time.monotonic()
                executor.run(_task, [c for _, c in part], kept)
                start += len(part)
                took = time.monotonic() - began  # workers start once per chunk: aim at chunks of a minute or two
                if took < 60:
                    chunk = min(2 * chunk, 32 * self.jobs)
                elif took > 180:
                    chunk = max(self.jobs, chunk // 2)
        return progress

    # -- stage 1: the autotuner's winners on a sample of training modules
    def search_sample(self, modules: Sequence[CorpusModule]) -> list[CorpusModule]:
        """Up to `search_modules` training modules, at most `per_project` per project, drawn by a seeded hash."""
        rng = random.Random(self.config.seed)
        train = [m for m in modules if m.row["split"] == "train" and m.row["instructions"] <= 5000]
        rng.shuffle(train)
        taken: dict[str, int] = {}
        sample: list[CorpusModule] = []
        for m in train:
            if taken.get(m.row["project"], 0) < self.config.per_project and len(sample) < self.config.search_modules:
                taken[m.row["project"]] = taken.get(m.row["project"], 0) + 1
                sample.append(m)
        return sample

    def _search_kind(self) -> str:
        """The store's record kind of this run's searches (under `search`'s run key since labels search as tune
        does; records of older runs, under another key, are searched again)."""
        c = self.config
        return f"ranker-search:{self.searcher.search_key(c.search_budget, c.seed, use_ranker=c.use_ranker)}"

    def search(self, sample: Sequence[CorpusModule]) -> LabelProgress:
        kind = self._search_kind()
        todo = [m for m in sample if self.store.get_record(kind, m.module.key, SearchRecord) is None]
        c = self.config
        how = (self.searcher, c.search_budget, c.seed, c.use_ranker)
        work = [(m, Call(m.module.name, ("search", m.module.name, m.module.ir, *how))) for m in todo]
        progress = self._run("search", work, lambda m, r: self.store.put_record(kind, m.module.key, r["record"]))
        progress.done_before = len(sample) - len(todo)
        return progress

    def winners(self, sample: Sequence[CorpusModule]) -> list[str]:
        kind = self._search_kind()
        found: list[str] = []
        for m in sample:
            record = self.store.get_record(kind, m.module.key, SearchRecord)
            for p in record["winners"] if record else []:
                if p not in found:
                    found.append(p)
        return found

    # -- stage 2 and 3: sizes of a list of pipelines on modules
    def label(self, modules: Sequence[CorpusModule], pipelines: Sequence[str], stage: str) -> LabelProgress:
        wanted = [OZ_PIPELINE, *pipelines]
        todo, known = [], 0
        for m in modules:
            missing = [p for p in wanted if self.store.get(m.module.key, normalize(p)) is None]
            if missing:
                todo.append((m, Call(m.module.name, ("label", m.module.name, m.module.ir, missing))))
            else:
                known += 1
        progress = self._run(stage, todo, lambda m, r: None)
        progress.done_before = known
        progress.evaluations = len(modules) * len(wanted)
        return progress

    def sizes(self, module: IRModule, pipelines: Sequence[str]) -> list[int | None]:
        out = []
        for p in pipelines:
            ev = self.store.get(module.key, normalize(p))
            out.append(ev.size if ev is not None and ev.ok else None)
        return out

    def choose(self, sample: Sequence[CorpusModule], pool: Sequence[str]) -> list[str]:
        """The `candidates` pipelines of `pool` that together shrink the sample most (greedy cover)."""
        oz = [self.sizes(m.module, [OZ_PIPELINE])[0] for m in sample]
        matrix = [self.sizes(m.module, pool) for m in sample]
        ratios = [[(s / o if s and o else 2.0) for s in row] for row, o in zip(matrix, oz, strict=True) if o]
        order = greedy_cover(ratios, self.config.candidates)
        return [pool[i] for i in order]


@dataclass
class LabelOutcome:
    """What `label_corpus` did, for the caller to print: each stage run, the candidates (none: the run stopped
    before choosing them), the labels table's rows and the store's evaluations."""

    steps: list[LabelProgress]
    candidates: list[str]
    candidates_file: Path
    modules: int  # in the corpus
    labelled: int  # of them, within `max_instructions`
    rows: int  # modules in the labels table
    labels: Path  # the table (written when there are candidates)
    evaluations: int  # in the store
    store: str  # its file


def label_corpus(
    corpus: Path,
    *,
    searcher: Searcher,
    config: LabelConfig,
    store: Path | None = None,
    jobs: int = 1,
    ray_address: str | None = None,
    max_minutes: float | None = None,
    export: Path | None = None,
    report: Callable[[str, int, int], None] = lambda stage, done, total: None,
) -> LabelOutcome:
    """`compilerlm corpus label` without the printing: the three stages over `corpus` in its store (default
    `corpus/labels.sqlite`), resumed, then the labels table (default `corpus/labels.parquet`). Candidates an
    earlier run chose (its `candidates.json`) are kept, so labels of every run stay comparable; `report(stage,
    done, total)` hears each finished module."""
    db = Store(store or corpus / "labels.sqlite")
    run = LabelRun(
        corpus=corpus,
        store=db,
        searcher=searcher,
        config=config,
        jobs=jobs,
        ray_address=ray_address,
        max_minutes=max_minutes,
        report=report,
    )
    modules = run.modules()
    labelled = [m for m in modules if m.row["instructions"] <= config.max_instructions]
    steps: list[LabelProgress] = []
    chosen: list[str] = []
    if (corpus / CANDIDATES_FILE).is_file():  # chosen by an earlier run: kept, so labels stay comparable
        chosen = read_candidates(corpus / CANDIDATES_FILE)
    else:
        sample = run.search_sample(modules)
        steps.append(run.search(sample))
        pool = candidate_pool(run.winners(sample))
        if not steps[-1].stopped:
            steps.append(run.label(sample, pool, "broadcast"))
        if not steps[-1].stopped:
            chosen = run.choose(sample, pool)
            write_candidates(corpus, chosen, config)
    rows, labels = 0, export or corpus / LABELS_FILE
    if chosen:
        steps.append(run.label(labelled, chosen, "label"))
        rows = export_labels(run, labelled, chosen, labels)
    found = corpus / CANDIDATES_FILE
    return LabelOutcome(steps, chosen, found, len(modules), len(labelled), rows, labels, db.count(), db.path)


_EVALUATOR: Evaluator | None = None


def _evaluator() -> Evaluator:
    """One evaluator per worker process (or Ray worker), made on first use and kept."""
    global _EVALUATOR
    if _EVALUATOR is None:
        _EVALUATOR = make_evaluator("inprocess", jobs=1)
    return _EVALUATOR


def _task(kind: str, name: str, ir: str, *args) -> dict:
    """One module's work in a worker: `search` (the autotuner's winners) or `label` (sizes of pipelines). The
    evaluations come back to be stored by the caller."""
    module = IRModule(name, ir)
    evaluator = _evaluator()
    if kind == "label":
        (pipelines,) = args
        results = evaluator.evaluate_many([(module, p) for p in pipelines])
        return {"evaluations": [r.to_dict() for r in results]}
    searcher, budget, seed, use_ranker = args
    oz = evaluator.evaluate(module, OZ_PIPELINE)
    obj = searcher.search_module(module, evaluator, budget=budget, seed=seed, use_ranker=use_ranker)
    winners: list[str] = []
    if oz.ok and oz.size is not None and obj.best is not None and obj.best_size is not None and obj.best_size < oz.size:
        shorter = minimize(obj, obj.best, obj.best_size, max_evaluations=60)
        winners.append(text_of(shorter.pipeline))
        winners += [text_of(p) for s, p in obj.ranked(2)[1:] if s < oz.size and text_of(p) not in winners]
    evaluations = [oz.to_dict(), *(r.to_dict() for r in obj.seen.values())]
    record: SearchRecord = {"oz": oz.size, "best": obj.best_size, "winners": winners, "evaluations": obj.used}
    return {"evaluations": evaluations, "record": record}


class SearchRecord(TypedDict):
    """One module's search, as the store keeps it (and checks it when read back: a store is a file anyone
    could have edited, and its winners become pipelines)."""

    oz: int | None
    best: int | None
    winners: list[str]
    evaluations: int


def candidate_pool(winners: Sequence[str]) -> list[str]:
    """The winners and the built-in library, normalised, each once."""
    pool: list[str] = []
    for p in [*BUILTIN_LIBRARY, *winners]:
        text = normalize(text_of(parse_pipeline(p)))
        if text not in pool and text != normalize(OZ_PIPELINE):
            pool.append(text)
    return pool


def write_candidates(corpus: Path, pipelines: Sequence[str], config: LabelConfig) -> Path:
    path = corpus / CANDIDATES_FILE
    path.write_text(json.dumps({"config": asdict(config), "pipelines": list(pipelines)}, indent=1) + "\n")
    return path


def read_candidates(path: Path) -> list[str]:
    try:
        data = json.loads(path.read_text())
        pipelines = data["pipelines"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CompilerLMError(f"{path} is not a candidates file ({exc}); rerun compilerlm corpus label") from None
    if not isinstance(pipelines, list) or not all(isinstance(p, str) for p in pipelines):
        raise CompilerLMError(f"{path}: 'pipelines' must be a list of strings")
    return pipelines


def export_labels(run: LabelRun, modules: Sequence[CorpusModule], pipelines: Sequence[str], dest: Path) -> int:
    """The labelled modules (every candidate and -Oz sized) as one parquet table: origin, split, -Oz size, the
    candidates' sizes (null: the pipeline failed) and the features. Returns the number of rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = []
    for m in modules:
        sizes = run.sizes(m.module, [OZ_PIPELINE, *pipelines])
        if run.store.get(m.module.key, normalize(OZ_PIPELINE)) is None or any(
            run.store.get(m.module.key, normalize(p)) is None for p in pipelines
        ):
            continue  # not labelled yet
        if sizes[0] is None:
            continue  # -Oz itself fails: nothing to compare with
        rows.append(
            {
                "key": m.row["key"],
                "project": m.row["project"],
                "split": m.row["split"],
                "file": m.row["file"],
                "instructions": m.row["instructions"],
                "size_oz": sizes[0],
                "sizes": sizes[1:],
                "features": feature_vector(m.module.ir),
            }
        )
    table = pa.Table.from_pylist(rows)
    meta = {"pipelines": json.dumps(list(pipelines)), "features": json.dumps(list(FEATURE_NAMES))}
    table = table.replace_schema_metadata(meta)
    dest.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, dest, compression="zstd")
    return len(rows)
