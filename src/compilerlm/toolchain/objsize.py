"""Object size as docs/design.md defines it: allocated sections with file contents, read with pyelftools."""

from __future__ import annotations

import io
from dataclasses import dataclass

from elftools.common.exceptions import ELFError
from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile

from compilerlm.errors import CompilerLMError


@dataclass(frozen=True)
class ObjectSize:
    """`size` is the metric every search optimizes; `text` is `.text` alone (all `.text*` sections)."""

    size: int
    text: int


def object_size(data: bytes) -> ObjectSize:
    """Sum of SHF_ALLOC sections that are not SHT_NOBITS (.text*, .rodata*, .data*, .eh_frame)."""
    try:
        elf = ELFFile(io.BytesIO(data))
        size = text = 0
        for section in elf.iter_sections():
            header = section.header
            if not header.sh_flags & SH_FLAGS.SHF_ALLOC or header.sh_type == "SHT_NOBITS":
                continue
            size += header.sh_size
            if section.name == ".text" or section.name.startswith(".text."):
                text += header.sh_size
    except (ELFError, ValueError) as exc:
        raise CompilerLMError(f"not a valid ELF object file ({exc}); was it produced by llc/clang -c?") from exc
    return ObjectSize(size=size, text=text)


def count_ir_instructions(ir: str) -> int:
    """Instructions in textual IR: indented, non-comment lines inside function bodies, where the
    case lines of a multi-line `switch [...]` (or `indirectbr`) belong to their instruction."""
    count = 0
    in_body = in_cases = False
    for line in ir.splitlines():
        if line.startswith("define "):
            in_body = line.rstrip().endswith("{")
            continue
        if not in_body:
            continue
        stripped = line.strip()
        if line.startswith("}"):
            in_body = False
        elif in_cases:
            in_cases = not stripped.startswith("]")
        elif line.startswith("  ") and stripped and not stripped.startswith((";", "uselistorder")):
            count += 1
            in_cases = stripped.endswith("[")
    return count
