"""-O0/-Oz/-O3 (and optionally one more pipeline) sizes of many modules in one batch of evaluations."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from compilerlm.parallel import ThreadExecutor
from compilerlm.toolchain.evaluation import Evaluation
from compilerlm.toolchain.evaluator import Evaluator
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.pipelines import BASELINES
from compilerlm.toolchain.subprocess_path import evaluate_with_clang

DEFINITIONS = {
    "unoptimized_ir": "clang -Oz -Xclang -disable-llvm-passes -emit-llvm (one module per translation unit)",
    "size": "bytes of SHF_ALLOC sections with contents (not SHT_NOBITS) in the object file",
    "text": "bytes of .text* sections",
    "ir_instructions": "instructions in the IR after the pipeline",
    "O0": "no IR pass, then code generation",
    "Oz": "clang's -Oz module pipeline (default<Oz> as clang configures it), then code generation",
    "O3": "clang -O3 -c on `clang -O3 -Xclang -disable-llvm-passes` IR (= clang -O3 -c on the C file); "
    "IR inputs: clang -O3 -c on the IR as given. Measured by clang on both evaluators",
    "codegen": "x86-64, -O2 code generation, relocation model PIC (opt and llc -relocation-model=pic) on IR built as "
    "for a position-independent executable: Debian clang's default -fPIE, module flags PIC Level 2 and PIE Level 2, "
    "which code generation honours; not -fPIC. Objects match clang -Oz -c. Each tuned module's opt_pipeline and "
    "reproduce give the exact opt | llc commands",
}


@dataclass
class ModuleSizes:
    """All measurements of one module; `results` maps a label (O0, Oz, O3, pipeline) to its evaluation."""

    name: str
    results: dict[str, Evaluation] = field(default_factory=dict)

    def size(self, label: str) -> int | None:
        r = self.results.get(label)
        return r.size if r is not None else None


def measure_modules(
    evaluator: Evaluator,
    modules: Sequence[IRModule],
    pipeline: str | None = None,
    on_result: Callable[[int, Evaluation], None] | None = None,
    o3_modules: Sequence[IRModule] | None = None,
) -> list[ModuleSizes]:
    """Evaluate every baseline (and `pipeline`) on every module, as one parallel batch.
    `o3_modules` (same order) are the -O3-frontend IR the O3 baseline starts from, when there is one. An evaluator
    of linked programs (`Evaluator.linked`) measures O3 as the pipeline `default<O3>` like the others."""
    labels = {k: v for k, v in BASELINES.items() if k != "O3" or evaluator.linked}
    if pipeline is not None:
        labels["pipeline"] = pipeline
    jobs = [(m, p) for m in modules for p in labels.values()]
    evaluations = evaluator.evaluate_many(jobs, count_instructions=True, on_result=on_result)
    o3 = o3_modules or modules
    o3_results = (
        [] if evaluator.linked else ThreadExecutor(evaluator.jobs).map(lambda m: evaluate_with_clang(m, "O3"), o3)
    )
    out = []
    per = len(labels)
    for i, module in enumerate(modules):
        chunk = dict(zip(labels, evaluations[i * per : (i + 1) * per], strict=True))
        if o3_results:
            chunk["O3"] = o3_results[i]
            if on_result:
                on_result(i, o3_results[i])
        out.append(ModuleSizes(module.name, {k: chunk[k] for k in ("O0", "Oz", "O3", *labels) if k in chunk}))
    return out
