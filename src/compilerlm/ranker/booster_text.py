"""A check of LightGBM's model text before LightGBM reads it.

Why: LightGBM trusts its model text. It jumps to each tree by the byte sizes the header lists, scans for
`=` without a bound, and follows child indices as they are written; a truncated or edited ranker file makes it
read past the string, print raw memory and abort the process (exit 134), or load zero trees and rank every
module the same, or loop for ever in a cyclic tree. A ranker file may come from anyone (`ranker:PATH`), so
`check_booster_text` reads the text the way LightGBM 4 does and refuses, with one reason, anything that would
lead it astray: the header (format v4, one class, this feature count, the tree sizes), each tree where the
sizes say it is, each tree's arrays (lengths, numbers, feature and category indices) and its shape (every node
reached exactly once from the root), and the trailer that a complete text ends with.
"""

from __future__ import annotations

import itertools
import math
import re

MAX_TEXT = 64 << 20  # bytes; the shipped model is 0.5 MB
MAX_LEAVES = 1 << 17
_TREE_LINES = 22  # LightGBM reads at most this many key=value lines per tree
_HEADER_KEYS = {"tree", "", "version", "num_class", "num_tree_per_iteration", "label_index", "max_feature_idx"}
_HEADER_KEYS |= {"objective", "average_output", "feature_names", "feature_infos", "monotone_constraints", "tree_sizes"}
_REQUIRED_HEADER = ("version", "num_class", "num_tree_per_iteration", "max_feature_idx", "feature_names")
# After the trees: importances, the training parameters (LightGBM's loader indexes each `[name: value]` line
# without checking it has a colon), and the pandas trailer of LightGBM's Python package.
_TRAILER = re.compile(
    r"end of trees\n\nfeature_importances:\n(?:[\w.-]+=\d+\n)*\nparameters:\n(?:\[\w+: [^\n]*\]\n)*"
    r"\nend of parameters\n\npandas_categorical:null\n",
    re.A,
)
_INTERNAL_INT = ("split_feature", "decision_type", "left_child", "right_child", "internal_count")


class BoosterTextError(ValueError):
    """The model text is not one LightGBM can read safely; the message says what is wrong."""


def check_booster_text(text: object, features: int) -> None:
    """Raise BoosterTextError unless `text` is a complete LightGBM v4 regression model over `features`
    inputs that LightGBM can load and predict with without reading outside it."""
    if not isinstance(text, str):
        raise BoosterTextError(f"the model is a JSON {type(text).__name__}, not LightGBM's text")
    if len(text) > MAX_TEXT or not text.isascii() or "\0" in text or "\r" in text:
        raise BoosterTextError("the model text is too long or holds bytes LightGBM's text never has")
    start = text.find("\nTree=0\n") + 1
    if start == 0:
        raise BoosterTextError("the model text has no trees (truncated?)")
    header = _header(text[:start], features)
    sizes = header["tree_sizes"]
    offset = start
    for i, size in enumerate(sizes):
        _check_tree(text[offset : offset + size], i, features)
        offset += size
    if not text.startswith("end of trees\n", offset):
        raise BoosterTextError("the trees do not end where the header's tree sizes say (truncated or edited?)")
    if not _TRAILER.fullmatch(text, offset):
        raise BoosterTextError("the model text does not end as LightGBM writes it (truncated or edited?)")


def _header(text: str, features: int) -> dict:
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key not in _HEADER_KEYS or "=" in value:
            raise BoosterTextError(f"the model header has a line LightGBM does not write: {line[:60]!r}")
        values[key] = value
    if values.get("objective") != "regression":
        raise BoosterTextError("the model is not LightGBM's regression (objective=regression)")
    missing = [k for k in (*_REQUIRED_HEADER, "tree_sizes") if k not in values]
    if missing or values.get("version") != "v4":
        raise BoosterTextError(f"the model header lacks {', '.join(missing) or 'version=v4'}")
    if values["num_class"] != "1" or values["num_tree_per_iteration"] != "1":
        raise BoosterTextError("the model is not a single-output regression")
    if values["max_feature_idx"] != str(features - 1) or len(values["feature_names"].split(" ")) != features:
        raise BoosterTextError(f"the model does not read {features} inputs")
    if "feature_infos" in values and len(values["feature_infos"].split(" ")) != features:
        raise BoosterTextError("the model's feature_infos do not match its inputs")
    sizes = _numbers(values["tree_sizes"], "tree_sizes", int)
    if not sizes or any(s < 1 for s in sizes):
        raise BoosterTextError("the model's tree_sizes are empty or not positive")
    return {"tree_sizes": sizes}


def _check_tree(block: str, index: int, features: int) -> None:
    """One tree as LightGBM's `Tree(const char*)` reads it: `Tree=i`, key=value lines, a blank line; every
    array the length its counts imply (a wrong length aborts LightGBM inside its parallel loader)."""
    head, _, body = block.partition("\n")
    lines, blank, _ = body.partition("\n\n")
    if head != f"Tree={index}" or not blank:
        raise BoosterTextError(f"tree {index} is not where the header's tree sizes say (truncated or edited?)")
    rows = lines.split("\n")
    if len(rows) > _TREE_LINES or any("=" not in row for row in rows):
        raise BoosterTextError(f"tree {index} has a malformed line")
    fields = dict(row.split("=", 1) for row in rows)
    leaves = _count(fields, "num_leaves", index, 1, MAX_LEAVES)
    cats = _count(fields, "num_cat", index, 0, leaves)
    if fields.get("is_linear", "0") != "0":
        raise BoosterTextError(f"tree {index} is linear; compilerlm's rankers never are")
    _array(fields, "leaf_value", leaves, index, float)
    if leaves == 1:  # LightGBM reads nothing more of a one-leaf tree (it writes the other arrays empty)
        return
    _array(fields, "leaf_weight", leaves, index, float)
    _array(fields, "leaf_count", leaves, index, int)
    for key in ("split_gain", "threshold", "internal_value", "internal_weight"):
        _array(fields, key, leaves - 1, index, float)
    ints = {key: _array(fields, key, leaves - 1, index, int) for key in _INTERNAL_INT}
    if not all(0 <= f < features for f in ints["split_feature"]):
        raise BoosterTextError(f"tree {index} splits on an input the model does not have")
    if sorted(ints["left_child"] + ints["right_child"]) != [*range(-leaves, 0), *range(1, leaves - 1)]:
        raise BoosterTextError(f"tree {index} is not a tree (a node is reached twice or never)")
    thresholds = _array(fields, "threshold", leaves - 1, index, float)
    categorical = [int(t) for t, d in zip(thresholds, ints["decision_type"], strict=True) if d & 1]
    if cats:
        bounds = _array(fields, "cat_boundaries", cats + 1, index, int)
        if bounds[0] != 0 or any(b < a for a, b in itertools.pairwise(bounds)):
            raise BoosterTextError(f"tree {index} has cat_boundaries that do not increase from 0")
        _array(fields, "cat_threshold", bounds[-1], index, int)
    if any(not 0 <= c < cats for c in categorical):
        raise BoosterTextError(f"tree {index} names a category set it does not have")


def _count(fields: dict[str, str], key: str, index: int, low: int, high: int) -> int:
    value = fields.get(key, "")
    if not value.isdigit() or not low <= int(value) <= high:
        raise BoosterTextError(f"tree {index} has no valid {key}")
    return int(value)


def _array(fields: dict[str, str], key: str, length: int, index: int, kind: type) -> list:
    if key not in fields:
        raise BoosterTextError(f"tree {index} has no {key}")
    values = _numbers(fields[key], f"tree {index}'s {key}", kind) if length else []
    if len(values) != length:
        raise BoosterTextError(f"tree {index}'s {key} has {len(values)} values, not {length}")
    return values


def _numbers(text: str, what: str, kind: type) -> list:
    try:
        values = [kind(v) for v in text.split(" ")] if text else []
    except ValueError:
        raise BoosterTextError(f"{what} holds something that is not a number") from None
    if kind is float and not all(math.isfinite(v) for v in values):
        raise BoosterTextError(f"{what} holds an infinite or NaN number")
    return values
