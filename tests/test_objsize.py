"""Object size read with pyelftools agrees with an independent reader (llvm-readobj)."""

from __future__ import annotations

import re
import subprocess

import pytest

from compilerlm.errors import CompilerLMError
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.objsize import count_ir_instructions, object_size


def _readobj_size(path) -> tuple[int, int]:
    out = subprocess.run(
        [llvm_tool("llvm-readobj"), "--sections", str(path)], capture_output=True, text=True, check=True
    ).stdout
    total = text = 0
    for block in out.split("Section {")[1:]:
        name = re.search(r"Name: (\S*)", block).group(1)
        size = int(re.search(r"Size: (\d+)", block).group(1))
        if "SHF_ALLOC" in block and "SHT_NOBITS" not in block:
            total += size
            if name == ".text" or name.startswith(".text."):
                text += size
    return total, text


def test_object_size_matches_llvm_readobj(tmp_path):
    src = tmp_path / "x.c"
    src.write_text(
        'int big[100]; static const char msg[] = "hello";\nint f(int x) { return x * 3 + msg[x & 3]; }\nint g = 5;\n'
    )
    obj = tmp_path / "x.o"
    subprocess.run([llvm_tool("clang"), "-Oz", "-c", "-ffunction-sections", str(src), "-o", str(obj)], check=True)
    sizes = object_size(obj.read_bytes())
    assert (sizes.size, sizes.text) == _readobj_size(obj)
    assert sizes.size > sizes.text > 0  # .rodata/.data/.eh_frame counted, .bss (NOBITS) not


def test_not_an_object():
    with pytest.raises(CompilerLMError, match="not a valid ELF"):
        object_size(b"garbage")


def test_ir_instruction_count_handles_switch_and_comments():
    ir = """define i32 @f(i32 %x) {
entry:
  ; a comment
  switch i32 %x, label %d [
    i32 0, label %a
    i32 1, label %a
  ]
a:
  ret i32 1
d:
  %y = add i32 %x, 1
  ret i32 %y
}
"""
    assert count_ir_instructions(ir) == 4
