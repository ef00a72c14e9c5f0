"""The LLM Compiler tasks: prompt, parse the model's answer leniently, verify with the real tools, score.

- `flags`: IR in, a pass pipeline out that should beat -Oz (validated and sized by real opt + llc).
- `emulate`: IR + pipeline in, the IR (or assembly) opt (+ llc) would produce out.
- `disasm`: x86-64 assembly in, LLVM IR out that compiles back to the same assembly.

The evaluation runner over many modules, with resume and reports, is `compilerlm.eval.tasks`.
"""

from __future__ import annotations

TASKS = ("flags", "emulate", "emulate-asm", "disasm")
