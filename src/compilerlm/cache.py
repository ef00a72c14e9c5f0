"""Where compilerlm keeps what it generates and may regenerate (the native helper library, csmith and
llvm-stress programs, programs materialised from dataset rows): one root for all of it."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir(*parts: str) -> Path:
    """`$COMPILERLM_CACHE`, else `$XDG_CACHE_HOME/compilerlm`, else `~/.cache/compilerlm` (joined with `parts`),
    created if missing."""
    root = os.environ.get("COMPILERLM_CACHE")
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(base, "compilerlm")
    path = Path(root, *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path
