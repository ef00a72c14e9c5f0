"""The size track's tasks (after Meta's LLM Compiler): prompt, parse the model's answer leniently, verify with
the real tools, score.

- `flags`: IR in, a pass pipeline out that should beat -Oz (validated and sized by real opt + llc).
- `emulate`: IR + pipeline in, the IR (or assembly) opt (+ llc) would produce out.
- `disasm`: x86-64 assembly in, LLVM IR out that compiles back to the same assembly.

`common` holds what they share (reading code out of an answer, normalising IR/assembly, BLEU, confined
llvm-mc/llc checks); `proposals` turns a model's flag-tuning answers into search candidates. The evaluation
runner over many modules, with resume and reports, is `compilerlm.eval.tasks`. The speed track (SuperCoder:
C and its gcc -O3 assembly in, faster assembly out) is the package `compilerlm.speed`.

`base` is the contract every task fulfils (`Task`: prompt, label layout, parser, score, reward, summary
table); the tasks themselves, as objects, are listed in `compilerlm.registry`.
"""
