"""The ranker: a learned pass-list library and a gradient-boosted model that orders it for one module.

Why this model: LLM Compiler's 7B model names one pass list per module; on our labels, most of what search gains
over -Oz comes from a few dozen lists that work on much code, and the rest from knowing which suits this module. So
the library is learned (a greedy cover of the training modules' labels, `coreset`), and a LightGBM regressor
predicts, from the module's features and a pipeline's index, how much smaller than -Oz that pipeline makes it (with
-Oz as fallback, so never below 0). The first proposal is the pipeline it rates highest; the rest follow the cover
of the training modules *given that first one* (`followups`, one order per first pipeline, learned with the
library): sorting all of them by predicted gain alone would try near-copies of the first, where the cover tries
what covers the modules it leaves (measured: grouped cross-validation by project). It trains in seconds on two
cores, predicts in milliseconds, and its file (JSON: the library, the feature names and LightGBM's own model text)
is small enough to ship inside the package (`ranker/default.json`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from compilerlm import __version__
from compilerlm.errors import CompilerLMError, PipelineError
from compilerlm.ranker.booster_text import BoosterTextError, check_booster_text
from compilerlm.ranker.coreset import cover_value, greedy_cover
from compilerlm.ranker.features import FEATURE_NAMES, FEATURES_REVISION, feature_vector
from compilerlm.toolchain.pipelines import normalize

if TYPE_CHECKING:
    import lightgbm

_T = TypeVar("_T")

FORMAT = "compilerlm-ranker/1"
DEFAULT_MODEL = Path(__file__).with_name("default.json")
MAX_FILE = 64 << 20  # bytes; the shipped model is 0.5 MB
GAIN_CLIP = 0.5  # targets: log(-Oz size / size) in [0, GAIN_CLIP]; worse than -Oz or failed is 0 (fallback)


def _help(default: _T, text: str) -> _T:
    """A field with a default and its command-line help; typed as its default, so `x: int = _help(1, ...)` checks."""
    return field(default=default, metadata={"help": text})


@dataclass(frozen=True)
class RankerConfig:
    """Training settings (TRL-style: one dataclass, every field a `compilerlm train ranker` option)."""

    data: Path = field(metadata={"help": "the labels table (compilerlm corpus label writes OUT/labels.parquet)"})
    out: Path = field(metadata={"help": "the model file to write (JSON; use it as --model ranker:PATH)"})
    library_size: int = _help(40, "pipelines in the learned library (greedy cover of the training labels)")
    trees: int = _help(300, "boosting rounds")
    leaves: int = _help(15, "leaves per tree")
    learning_rate: float = _help(0.05, "boosting learning rate")
    min_modules_per_leaf: int = _help(20, "smallest leaf, in (module, pipeline) rows")
    seed: int = _help(0, "random seed (same seed, same model)")
    threads: int = _help(2, "CPU threads for training")


@dataclass
class Ranker:
    pipelines: list[str]  # the library, in cover order (the order without a module to look at)
    booster: lightgbm.Booster
    followups: list[list[int]]  # per first pipeline i: the library's order after it (starts with i)
    meta: dict = field(default_factory=dict)

    def gains(self, ir: str) -> np.ndarray:
        """Predicted log(-Oz size / size) of each library pipeline on this module (higher: smaller)."""
        x = np.asarray([feature_vector(ir)], dtype=float)
        return np.asarray(self.booster.predict(pipeline_rows(x, len(self.pipelines)), num_threads=1), dtype=float)

    def order(self, gains: np.ndarray) -> list[int]:
        """Library indices to try: the pipeline of the highest gain, then the cover given it."""
        return self.followups[int(np.argmax(gains))]

    def rank(self, ir: str, n: int | None = None, temperature: float = 0.0, seed: int = 0) -> list[str]:
        """The library ordered for this module, best first (temperature > 0: the first one sampled)."""
        gains = self.gains(ir)
        if temperature > 0:  # the first sampled from softmax(gains / temperature) (Gumbel-max)
            gains = gains / temperature + np.random.default_rng(seed).gumbel(size=len(gains))
        order = self.order(gains)
        return [self.pipelines[i] for i in order[: n or len(order)]]

    def save(self, path: Path) -> None:
        doc = {
            "format": FORMAT,
            "version": __version__,
            "features": list(FEATURE_NAMES),
            "features_revision": FEATURES_REVISION,
            "pipelines": self.pipelines,
            "followups": self.followups,
            "meta": self.meta,
            "booster": self.booster.model_to_string(),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc) + "\n")


def load_ranker(path: Path | str) -> Ranker:
    """A ranker file; anything else (missing, truncated, another format, other features, a damaged LightGBM
    model, a pipeline naming a pass that may act outside the module) is one line."""
    import lightgbm

    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE:
            raise CompilerLMError(f"ranker model {path} is over {MAX_FILE >> 20} MiB; it is not a ranker model")
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise CompilerLMError(f"ranker model {path} does not exist; train one: compilerlm train ranker") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        why = " ".join(str(exc).split())[:200]
        raise CompilerLMError(f"ranker model {path} is not readable JSON ({why}); retrain or reinstall it") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise CompilerLMError(f"{path} is not a compilerlm ranker model (format {FORMAT})")
    if doc.get("features") != list(FEATURE_NAMES) or doc.get("features_revision") != FEATURES_REVISION:
        raise CompilerLMError(f"{path} was trained on other IR features; retrain it: compilerlm train ranker")
    pipelines = doc.get("pipelines")
    if not isinstance(pipelines, list) or not pipelines or not all(isinstance(p, str) for p in pipelines):
        raise CompilerLMError(f"{path}: 'pipelines' must be a non-empty list of strings")
    for i, pipeline in enumerate(pipelines):
        try:
            normalize(pipeline)  # a ranker file is anyone's text: only passes that act on the module alone
        except PipelineError as exc:
            raise CompilerLMError(f"{path}: pipeline {i}: {exc}") from None
    try:  # LightGBM trusts its text: a truncated or edited one aborts the process (exit 134) or misleads it
        check_booster_text(doc.get("booster"), len(FEATURE_NAMES) + 1)
        booster = lightgbm.Booster(model_str=doc["booster"])
    except (BoosterTextError, lightgbm.basic.LightGBMError) as exc:
        why = " ".join(str(exc).split())[:200]
        raise CompilerLMError(f"{path}: its LightGBM model does not load ({why}); retrain or reinstall it") from None
    if booster.num_feature() != len(FEATURE_NAMES) + 1:
        raise CompilerLMError(f"{path}: its LightGBM model expects {booster.num_feature()} inputs")
    followups = doc.get("followups")
    if (
        not isinstance(followups, list)
        or len(followups) != len(pipelines)
        or any(not isinstance(o, list) or sorted(o) != list(range(len(pipelines))) for o in followups)
    ):
        raise CompilerLMError(f"{path}: 'followups' must hold one order of the library per pipeline; retrain it")
    return Ranker(pipelines, booster, followups, doc.get("meta", {}))


@dataclass
class LabelTable:
    """The labels parquet in arrays: per module its split, features and each candidate's size ratio to -Oz."""

    pipelines: list[str]
    splits: np.ndarray
    projects: np.ndarray
    features: np.ndarray  # modules x features
    ratios: np.ndarray  # modules x pipelines; size / -Oz size, inf where the pipeline failed

    def split(self, name: str) -> LabelTable:
        keep = self.splits == name
        return LabelTable(
            self.pipelines, self.splits[keep], self.projects[keep], self.features[keep], self.ratios[keep]
        )


def read_labels(path: Path) -> LabelTable:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
        meta = table.schema.metadata or {}
        pipelines = json.loads(meta[b"pipelines"])
        features = json.loads(meta[b"features"])
    except FileNotFoundError:
        raise CompilerLMError(f"labels {path} do not exist; make them: compilerlm corpus label --out DIR") from None
    except Exception as exc:  # pyarrow raises many kinds for a damaged file
        raise CompilerLMError(f"{path} is not a labels table ({type(exc).__name__}: {exc})") from None
    if features != list(FEATURE_NAMES):
        raise CompilerLMError(f"{path} holds other IR features; relabel (compilerlm corpus label) to refresh them")
    data = table.to_pydict()
    sizes = np.array([[np.inf if s is None else s for s in row] for row in data["sizes"]], dtype=float)
    oz = np.asarray(data["size_oz"], dtype=float)
    return LabelTable(
        pipelines,
        np.asarray(data["split"]),
        np.asarray(data["project"]),
        np.asarray(data["features"], dtype=float).reshape(len(oz), len(FEATURE_NAMES)),
        sizes / oz[:, None],
    )


def best_of(ratios: np.ndarray, orders: list[list[int]], n: int, fallback: bool = True) -> float:
    """Geomean improvement vs -Oz when each module tries the first n pipelines of its order (-Oz fallback)."""
    picked = np.array([ratios[i, order[:n]].min() for i, order in enumerate(orders)])
    picked = np.minimum(picked, 1.0) if fallback else np.where(np.isfinite(picked), picked, 1.0)
    return float(1 - np.exp(np.log(picked).mean()))


def _targets(ratios: np.ndarray) -> np.ndarray:
    gains = -np.log(np.where(np.isfinite(ratios), ratios, 1.0))
    return np.clip(gains, 0.0, GAIN_CLIP)


def pipeline_rows(features: np.ndarray, count: int) -> np.ndarray:
    """One row per (module, pipeline): the module's features, then the pipeline's index (a category)."""
    index = np.tile(np.arange(count), len(features))
    return np.column_stack([np.repeat(features, count, axis=0), index])


def booster_params(config: RankerConfig, objective: str) -> dict:
    """LightGBM's settings for a model on (module, pipeline) rows; one place, so that any other objective
    tried on the labels (the ceiling benchmark's classifier) is trained the ranker's way."""
    return {
        "objective": objective,
        "num_leaves": config.leaves,
        "learning_rate": config.learning_rate,
        "min_data_in_leaf": config.min_modules_per_leaf,
        "feature_fraction": 0.8,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "seed": config.seed,
        "deterministic": True,
        "num_threads": config.threads,
        "verbose": -1,
    }


def train_ranker_file(config: RankerConfig) -> tuple[Ranker, dict]:
    """`compilerlm train ranker` without the printing: the labels read from `config.data`, the ranker trained
    (`train_ranker`) and saved to `config.out`; returns it and its validation scores."""
    model, scores = train_ranker(read_labels(config.data), config)
    model.save(config.out)
    return model, scores


def train_ranker(labels: LabelTable, config: RankerConfig) -> tuple[Ranker, dict]:
    """Library by greedy cover of the training split, then the gain regressor on (module, pipeline) rows.
    Returns the ranker and its scores on the validation split (best of 1/3/10 for the ranker's order and the
    library's fixed order)."""
    import lightgbm

    train = labels.split("train")
    if len(train.ratios) < 5:
        raise CompilerLMError(f"only {len(train.ratios)} training modules in the labels; label more of the corpus")
    covered = np.where(np.isfinite(train.ratios), train.ratios, 2.0)
    columns = greedy_cover(covered, config.library_size)
    pipelines = [labels.pipelines[c] for c in columns]
    library = covered[:, columns]
    followups = [greedy_cover(library, len(columns), [i]) for i in range(len(columns))]
    y = _targets(train.ratios[:, columns]).ravel()
    params = booster_params(config, "regression")
    names = [*FEATURE_NAMES, "pipeline"]
    data = lightgbm.Dataset(
        pipeline_rows(train.features, len(columns)),
        y,
        feature_name=names,
        categorical_feature=["pipeline"],
        free_raw_data=True,
    )
    booster = lightgbm.train(params, data, num_boost_round=config.trees)
    ranker = Ranker(pipelines, booster, followups)
    scores = {"train": evaluate_orders(ranker, train, columns)}
    valid = labels.split("validation")
    if len(valid.ratios):
        scores["validation"] = evaluate_orders(ranker, valid, columns)
    ranker.meta = {
        "config": {k: v for k, v in asdict(config).items() if k not in ("data", "out")},
        "modules": {s: int((labels.splits == s).sum()) for s in ("train", "validation", "test")},
        "projects": {s: sorted(set(labels.projects[labels.splits == s].tolist())) for s in ("train", "validation")},
        "scores": scores,
        "library_cover_train": cover_value(np.where(np.isfinite(train.ratios), train.ratios, 2.0), columns),
    }
    return ranker, scores


def predicted_orders(ranker: Ranker, features: np.ndarray) -> list[list[int]]:
    gains = ranker.booster.predict(pipeline_rows(features, len(ranker.pipelines)), num_threads=1)
    gains = np.asarray(gains).reshape(len(features), len(ranker.pipelines))
    return [ranker.order(g) for g in gains]


def evaluate_orders(ranker: Ranker, table: LabelTable, columns: list[int]) -> dict:
    """Best of n (1, 3, 10) on `table` for the ranker's per-module order and the library's fixed order; and
    zero-shot: the ranker's first pipeline alone, no fallback, and the share of modules it makes smaller."""
    ratios = table.ratios[:, columns]
    ranked = predicted_orders(ranker, table.features)
    fixed = [list(range(len(columns)))] * len(ratios)
    first = np.array([ratios[i, order[0]] for i, order in enumerate(ranked)])
    out = {f"ranker@{n}": best_of(ratios, ranked, n) for n in (1, 3, 10)}
    out |= {f"library@{n}": best_of(ratios, fixed, n) for n in (1, 3, 10)}
    out["oracle"] = best_of(ratios, fixed, len(columns))
    out["zero_shot"] = best_of(ratios, ranked, 1, fallback=False)
    out["zero_shot_better"] = float((first < 1).mean())
    out["modules"] = len(ratios)
    return out
