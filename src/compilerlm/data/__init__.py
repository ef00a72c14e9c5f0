"""Datasets for training: LLM Compiler's tasks (flags, emulate, disasm) as prompt/completion pairs, and the
speed task as SuperCoder's verl rows.

Every dataset is a folder of parquet files, one per split (`train.parquet`, `validation.parquet`), plus
`dataset.json` describing how it was made. Parquet per split is what `datasets`, TRL and verl all read
directly (verl: `data.train_files=DIR/train.parquet`). Splits are by program, never by module: no program
has code on both sides.
"""

from compilerlm.data.files import load_splits, read_meta, write_splits
from compilerlm.data.splits import SPLITS, dedup, split_programs

__all__ = ["SPLITS", "dedup", "load_splits", "read_meta", "split_programs", "write_splits"]
