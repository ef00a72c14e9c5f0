"""Reading and writing dataset folders: `SPLIT.parquet` per split and `dataset.json` (how it was made)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from compilerlm.errors import CompilerLMError

META = "dataset.json"


def _datasets():
    try:
        import datasets
    except ImportError as exc:  # a core dependency, but say how to fix a broken environment
        raise CompilerLMError(f"datasets is not installed ({exc}): pip install datasets") from exc
    return datasets


def write_splits(splits: Mapping[str, Sequence[dict[str, Any]]], out: Path, meta: dict[str, Any]) -> dict[str, Path]:
    """One parquet file per split (an empty split gets the other splits' columns) and `dataset.json`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    schema = None
    for rows in splits.values():
        if rows:
            schema = pa.Table.from_pylist([dict(r) for r in rows]).schema
            break
    paths = {}
    for name, rows in splits.items():
        if rows:
            table = pa.Table.from_pylist([dict(r) for r in rows], schema=schema)
        else:
            table = (schema or pa.schema([])).empty_table()
        paths[name] = out / f"{name}.parquet"
        pq.write_table(table, paths[name])
    meta = {**meta, "splits": {name: len(rows) for name, rows in splits.items()}}
    (out / META).write_text(json.dumps(meta, indent=2) + "\n")
    return paths


def read_meta(path: Path) -> dict[str, Any]:
    """`dataset.json` of a dataset folder ({} when absent: a folder of parquet files made elsewhere)."""
    meta = Path(path) / META
    if not meta.is_file():
        return {}
    try:
        return json.loads(meta.read_text())
    except json.JSONDecodeError as exc:
        raise CompilerLMError(
            f"{meta} is not valid JSON ({exc.msg}); rebuild the dataset with compilerlm data"
        ) from exc


def load_splits(path: Path | str):
    """The folder's splits as a `datasets.DatasetDict` (split name -> Dataset), in memory."""
    import pyarrow.parquet as pq

    datasets = _datasets()
    path = Path(path)
    if not path.is_dir():
        raise CompilerLMError(
            f"{path} is not a dataset folder; make one with: compilerlm data TASK --suite S --out {path}"
        )
    files = sorted(path.glob("*.parquet"))
    if not files:
        raise CompilerLMError(f"{path} holds no .parquet files; make one with: compilerlm data TASK --out {path}")
    out = {}
    for f in files:
        try:
            out[f.stem] = datasets.Dataset(pq.read_table(f))
        except Exception as exc:  # pyarrow raises several types for corrupt files
            raise CompilerLMError(f"{f} is not a readable parquet file: {exc}") from exc
    return datasets.DatasetDict(out)
