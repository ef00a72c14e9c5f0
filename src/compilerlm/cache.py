"""Where compilerlm keeps what it generates and may regenerate (the native helper library, csmith and
llvm-stress programs, programs materialised from dataset rows): one root for all of it."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
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


def tool_output(cmd: list[str], produce: Callable[[], str]) -> str:
    """`produce()`, the output of a command that always prints the same for the same tool binary (clang's pipeline
    at a level, opt's pass list), kept on disk by the command and the tool's identity (path, size, mtime): a
    process that asks once, such as one `compilerlm cc` per unit, should not run the tool every time."""
    tool = Path(cmd[0]).resolve()
    stat = tool.stat()
    key = json.dumps([str(tool), stat.st_size, stat.st_mtime_ns, cmd[1:]])
    path = cache_dir("tool-output") / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".txt")
    with contextlib.suppress(OSError):
        return path.read_text()
    text = produce()
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    with contextlib.suppress(OSError):  # a read-only cache only costs the tool run
        tmp.write_text(text)
        tmp.replace(path)
    return text
