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
