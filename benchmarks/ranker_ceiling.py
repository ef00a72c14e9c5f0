"""How far can a broadcast pass-list library go on held-out projects? The ceiling of the ranker's approach,
measured rather than guessed: a ranker can at best pick, for each module, the best of the candidates that were
labelled, so the best of them per module (the oracle) bounds every ranker trained on those labels, at any
number of compilations.

1. From the committed labels (no compilation): on the test split, the shipped ranker's best of 1/3/10, the
   best fixed list of 1/3/10 chosen with hindsight on the test modules themselves (greedy cover), and the
   oracle over all committed candidates; and zero-shot: the share of test modules the best single candidate
   makes smaller than -Oz, and what a LightGBM classifier trained (on the training split) to predict "smaller
   than -Oz" rather than the gain reaches as a first proposal.
2. A larger pool (LLM Compiler's broadcast at a larger scale): `auto` at `--search-budget` on up to
   `--search-modules` training modules of `--train-corpus` gives winners; those not among the committed
   candidates are compiled on a seeded sample of test modules of `--test-corpus` (modules the labels put in the
   test split). Reported: the oracle of the committed candidates and of committed + new on that sample.

Every evaluation goes into a store (`--store`, default TEST_CORPUS/ceiling.sqlite; search records too), so a
rerun reads back what it has and an interrupted one goes on.

    python benchmarks/ranker_ceiling.py --train-corpus DIR --test-corpus DIR [--search-modules 70]
        [--search-budget 300] [--per-project 100] [--test-modules 120] [--jobs 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from compilerlm.errors import CompilerLMError
from compilerlm.ranker.coreset import cover_value, greedy_cover
from compilerlm.ranker.labels import LabelConfig, LabelRun, candidate_pool
from compilerlm.ranker.model import (
    DEFAULT_MODEL,
    LabelTable,
    RankerConfig,
    best_of,
    booster_params,
    load_ranker,
    pipeline_rows,
    predicted_orders,
    read_labels,
)
from compilerlm.store import Store
from compilerlm.toolchain.pipelines import OZ_PIPELINE, normalize
from compilerlm.tracks.size import SIZE_SEARCH

COMMITTED = Path(__file__).resolve().parents[1] / "data" / "ranker"


def better_classifier(labels: LabelTable, test: LabelTable) -> np.ndarray:
    """Per test module, the candidate a LightGBM classifier of "smaller than -Oz" (trained on the training
    split, the ranker's settings otherwise) rates most likely to be smaller."""
    import lightgbm

    train = labels.split("train")
    count = train.ratios.shape[1]
    config = RankerConfig(data=Path(), out=Path())
    params = booster_params(config, "binary")
    y = (train.ratios < 1).astype(float).ravel()
    data = lightgbm.Dataset(pipeline_rows(train.features, count), y, categorical_feature=[train.features.shape[1]])
    booster = lightgbm.train(params, data, num_boost_round=config.trees)
    gains = np.asarray(booster.predict(pipeline_rows(test.features, count)))
    return gains.reshape(len(test.ratios), count).argmax(axis=1)


def from_labels(labels: LabelTable, console: Console) -> dict:
    test = labels.split("test")
    ratios = np.where(np.isfinite(test.ratios), test.ratios, 2.0)
    ranker = load_ranker(DEFAULT_MODEL)
    columns = [labels.pipelines.index(p) for p in ranker.pipelines]
    orders = predicted_orders(ranker, test.features)
    hindsight = greedy_cover(ratios, len(labels.pipelines))
    picked = ratios[np.arange(len(ratios)), better_classifier(labels, test)]
    out: dict[str, Any] = {
        "modules": len(ratios),
        "ranker": {n: best_of(ratios[:, columns], orders, n) for n in (1, 3, 10)},
        "hindsight_list": {n: cover_value(ratios, hindsight[:n]) for n in (1, 3, 10)},
        "oracle": cover_value(ratios, list(range(ratios.shape[1]))),
        "oracle_better_share": float((ratios.min(axis=1) < 1).mean()),
        "best_single_better_share": float((ratios < 1).mean(axis=0).max()),
        "classifier_first": {
            "better_share": float((picked < 1).mean()),
            "with_fallback": float(1 - np.exp(np.log(np.minimum(picked, 1.0)).mean())),
        },
    }
    table = Table(title=f"committed labels, test split ({out['modules']} modules): improvement vs -Oz, -Oz fallback")
    for column in ("", "1", "3", "10", f"all {len(labels.pipelines)}"):
        table.add_column(column, justify="right" if column else "left")
    table.add_row("shipped ranker", *(f"{out['ranker'][n]:+.2%}" for n in (1, 3, 10)), "")
    table.add_row("best fixed list, chosen on these modules", *(f"{out['hindsight_list'][n]:+.2%}" for n in (1, 3, 10)),
                  f"{out['oracle']:+.2%}")  # fmt: skip
    console.print(table)
    console.print(
        f"oracle smaller than -Oz on {out['oracle_better_share']:.0%} of modules; the best single candidate on "
        f"{out['best_single_better_share']:.0%} (one pipeline for every module); a classifier of 'smaller than -Oz' "
        f"as first proposal: smaller on {out['classifier_first']['better_share']:.0%}, "
        f"{out['classifier_first']['with_fallback']:+.2%} at 1 compilation with the fallback"
    )
    return out


def larger_pool(labelled: LabelTable, args: argparse.Namespace, console: Console) -> dict:
    store = Store(args.store or args.test_corpus / "ceiling.sqlite")
    config = LabelConfig(search_modules=args.search_modules, search_budget=args.search_budget)
    config = replace(config, per_project=args.per_project)

    def report(stage: str, done: int, total: int) -> None:
        if done == total or done % 10 == 0:
            console.print(f"{stage}: {done}/{total}")

    train_run = LabelRun(
        corpus=args.train_corpus, store=store, searcher=SIZE_SEARCH, config=config, jobs=args.jobs, report=report
    )
    sample = train_run.search_sample(train_run.modules())
    train_run.search(sample)
    committed = json.loads((COMMITTED / "candidates.json").read_text())["pipelines"]
    known = {normalize(p) for p in committed}
    new = [p for p in candidate_pool(train_run.winners(sample)) if normalize(p) not in known]

    import pyarrow.parquet as pq

    keys = pq.read_table(COMMITTED / "labels.parquet", columns=["key"]).column("key").to_pylist()
    test_ratios = dict(zip(keys, labelled.ratios, strict=True))
    test_keys = {k for k, s in zip(keys, labelled.splits, strict=True) if s == "test"}
    test_run = LabelRun(
        corpus=args.test_corpus, store=store, searcher=SIZE_SEARCH, config=config, jobs=args.jobs, report=report
    )
    modules = [m for m in test_run.modules() if m.row["key"] in test_keys]
    modules = random.Random(0).sample(modules, min(args.test_modules, len(modules)))
    test_run.label(modules, new, "broadcast")
    old, both = [], []
    for m in modules:
        oz, *sizes = test_run.sizes(m.module, [OZ_PIPELINE, *new])
        before = min(1.0, float(np.min(test_ratios[m.row["key"]])))
        after = min([before, *(s / oz for s in sizes if s is not None and oz)])
        old.append(before)
        both.append(after)
    gain = {name: float(1 - np.exp(np.log(v).mean())) for name, v in (("committed", old), ("committed+new", both))}
    out = {
        "searched_modules": len(sample),
        "search_budget": args.search_budget,
        "winners_new": len(new),
        "test_modules": len(modules),
        "oracle": gain,
        "oracle_better_share": {
            "committed": float(np.mean(np.array(old) < 1)),
            "committed+new": float(np.mean(np.array(both) < 1)),
        },
    }
    console.print(
        f"larger pool: auto at {args.search_budget} on {len(sample)} training modules gave {len(new)} new pipelines; "
        f"on {len(modules)} test modules the oracle of the {len(committed)} committed candidates is "
        f"{gain['committed']:+.2%}, with the new ones {gain['committed+new']:+.2%}"
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train-corpus", type=Path, default=None, help="where to search for winners (its train split)")
    parser.add_argument("--test-corpus", type=Path, default=None, help="where the test modules are")
    parser.add_argument("--search-modules", type=int, default=70)
    parser.add_argument("--search-budget", type=int, default=300)
    parser.add_argument("--per-project", type=int, default=100)
    parser.add_argument("--test-modules", type=int, default=120)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    console = Console()
    labels = read_labels(COMMITTED / "labels.parquet")
    doc = {"labels": from_labels(labels, console)}
    if args.train_corpus and args.test_corpus:
        try:
            doc["pool"] = larger_pool(labels, args, console)
        except CompilerLMError as exc:  # a missing or incomplete corpus: one line, not a traceback
            parser.error(str(exc))
    elif args.train_corpus or args.test_corpus:
        parser.error("the larger pool needs both --train-corpus and --test-corpus")
    if args.json:
        args.json.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
