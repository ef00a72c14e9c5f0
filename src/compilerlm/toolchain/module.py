"""An LLVM IR module: the unit every size evaluation works on."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class IRModule:
    """Textual IR plus a name (`program/file.c`); `key` identifies its content for caches and stores."""

    name: str
    ir: str
    origin: str = field(default="", compare=False)  # how it was made, e.g. the frontend command

    @property
    def key(self) -> str:
        return hashlib.sha256(self.ir.encode()).hexdigest()[:32]

    @property
    def content_key(self) -> str:
        """`key` of the IR without the lines that name its source file (`; ModuleID`, `source_filename`):
        the same translation unit compiled by another path or from another folder has the same one
        (`compilerlm cc` finds tuned modules by it)."""
        return content_key(self.ir)


_PATH_LINES = ("; ModuleID = ", "source_filename = ")


def content_key(ir: str) -> str:
    kept = "".join(line for line in ir.splitlines(keepends=True) if not line.startswith(_PATH_LINES))
    return hashlib.sha256(kept.encode()).hexdigest()[:32]
