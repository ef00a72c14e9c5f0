"""Evaluations per second: the in-process libLLVM path against the `opt | llc` subprocess chain.

Both run the same (module, pipeline) jobs on the built-in suite — the -Oz baseline and random pipelines
from the search space — with the same number of workers; results must be identical, and the table shows
evaluations per second side by side with the ratio.

    python benchmarks/eval_throughput.py [--pipelines-per-module 4] [--jobs 1] [--suite builtin]
"""

from __future__ import annotations

import argparse
import ctypes
import random
import time

from rich.console import Console
from rich.table import Table

from compilerlm.programs.suites import resolve_target
from compilerlm.toolchain.evaluator import make_evaluator
from compilerlm.toolchain.search_space import SEARCH_SPACE, pipeline_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", default="builtin")
    parser.add_argument("--pipelines-per-module", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    console = Console()
    modules = [m for p in resolve_target(args.suite) for m in p.modules()]
    rng = random.Random(args.seed)
    jobs = []
    for m in modules:
        jobs.append((m, "default<Oz>"))
        for _ in range(args.pipelines_per_module - 1):
            jobs.append((m, pipeline_text(rng.choices(SEARCH_SPACE, k=rng.randint(1, 50)))))
    console.print(f"{len(modules)} modules, {len(jobs)} evaluations per path, {args.jobs} worker(s) each")

    table = Table(title="size evaluations per second (built-in suite)")
    for col in ("path", "evaluations", "seconds", "eval/s", "failed"):
        table.add_column(col, justify="right")
    rates, sizes = {}, {}
    for kind in ("subprocess", "inprocess"):
        with make_evaluator(kind, jobs=args.jobs) as ev:
            ev.evaluate(modules[0], "")  # start workers outside the timing
            start = time.perf_counter()
            results = ev.evaluate_many(jobs)
            elapsed = time.perf_counter() - start
        rates[kind] = len(jobs) / elapsed
        sizes[kind] = [r.size for r in results]
        failed = sum(not r.ok for r in results)
        table.add_row(kind, str(len(jobs)), f"{elapsed:.1f}", f"{rates[kind]:.1f}", str(failed))
    console.print(table)
    same = sizes["inprocess"] == sizes["subprocess"]
    console.print(
        f"ratio in-process / subprocess: [bold]{rates['inprocess'] / rates['subprocess']:.2f}x[/bold]"
        f"   identical sizes on both paths: {'yes' if same else '[red]NO[/red]'}"
    )
    phases = phase_breakdown(jobs)
    table = Table(title="where an in-process evaluation spends its time (ms per evaluation, one process)")
    table.add_column("phase")
    table.add_column("ms", justify="right")
    for name, ms in phases.items():
        table.add_row(name, f"{ms:.1f}")
    console.print(table)
    llvm_work = phases["run passes"] + phases["code generation"]
    per_subprocess_eval = 1000 * args.jobs / rates["subprocess"]
    console.print(
        f"passes + code generation, which both paths must do: {llvm_work:.1f} ms of {sum(phases.values()):.1f} ms; "
        f"a subprocess evaluation takes {per_subprocess_eval:.1f} ms, so no equal-work in-process path can exceed "
        f"{per_subprocess_eval / llvm_work:.1f}x on this workload"
    )


def phase_breakdown(jobs: list) -> dict[str, float]:
    """Time each step of the fast path on the same jobs, in this process (no workers)."""
    from contextlib import contextmanager

    from compilerlm.toolchain.inprocess import InProcessEngine
    from compilerlm.toolchain.llvm_capi import byref, out_ptr
    from compilerlm.toolchain.objsize import object_size
    from compilerlm.toolchain.pipelines import expand

    engine = InProcessEngine()
    lib, shim = engine.lib, engine.shim
    totals: dict[str, float] = {}

    @contextmanager
    def phase(name: str):
        start = time.perf_counter()
        yield
        totals[name] = totals.get(name, 0.0) + time.perf_counter() - start

    for module, pipeline in jobs:
        with phase("parse (first use only)"):
            original = engine._parse(module.key, module.ir)
        machine = engine._machine(original)
        with phase("clone module"):
            mod = lib.LLVMCloneModule(original)
        text = expand(pipeline).encode()
        with phase("run passes"):
            lib.LLVMRunPasses(mod, text, machine, engine.options)
        with phase("verify"):
            lib.LLVMVerifyModule(mod, 2, byref(out_ptr()))
        with phase("digest (dedup key)"):
            shim.clm_module_digest(mod)
        msg, buf = out_ptr(), out_ptr()
        with phase("code generation"):
            shim.clm_emit_object(machine, mod, byref(msg), byref(buf))
        data = ctypes.string_at(lib.LLVMGetBufferStart(buf), lib.LLVMGetBufferSize(buf))
        with phase("object size (pyelftools)"):
            object_size(data)
        lib.LLVMDisposeMemoryBuffer(buf)
        lib.LLVMDisposeModule(mod)
    return {name: 1000 * total / len(jobs) for name, total in totals.items()}


if __name__ == "__main__":
    main()
