"""The reference evaluation path: `opt -passes=P | llc -filetype=obj`, one process pair per evaluation."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence

from compilerlm.errors import CompileError, LLVMCrash, PipelineError, ToolTimeout
from compilerlm.toolchain.evaluation import Evaluation, failure
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.pipelines import expand
from compilerlm.toolchain.run import first_error_line, run_tool

# Code generation as clang does it on Debian x86-64: PIC, -O2 codegen for -Oz/-O3 alike. opt gets the same
# relocation model, because some IR passes ask the target machine (relative lookup tables need PIC).
LLC_FLAGS = ("-filetype=obj", "-relocation-model=pic", "-O2")
OPT_FLAGS = ("-relocation-model=pic",)


def reproduce_command(expanded: str, ir_file: str, obj_file: str) -> str:
    """One shell command line that builds `obj_file` from the unoptimized IR in `ir_file` exactly as this path
    measures it: `opt` with the expanded pipeline piped into `llc` (bitcode through the pipe, as here), or
    `llc` alone for the empty pipeline. Every word is quoted for a POSIX shell."""
    opt, llc = llvm_tool("opt"), llvm_tool("llc")
    if not expanded:
        return shlex.join([llc, *LLC_FLAGS, ir_file, "-o", obj_file])
    return (
        shlex.join([opt, *OPT_FLAGS, f"-passes={expanded}", ir_file])
        + " | "
        + shlex.join([llc, *LLC_FLAGS, "-", "-o", obj_file])
    )


def _message(stderr: str, tool: str) -> str:
    """First error line without the tool's path prefix, so both paths report the same text."""
    line = first_error_line(stderr)
    return re.sub(rf"^\S*{tool}: ", "", line)


def _classify(stderr: str) -> str:
    return "invalid-ir" if "<stdin>:" in stderr or "input module" in stderr else "pipeline"


def optimize_ir(ir: str, expanded: str, *, text: bool, timeout: float) -> bytes:
    """Run `opt`; returns bitcode, or text IR that keeps the use-list order (code generation sees it).
    Raises the run_tool errors, or ValueError(kind, message) when opt rejects the input or pipeline."""
    if not expanded:
        return ir.encode()
    cmd = [
        llvm_tool("opt"),
        *OPT_FLAGS,
        f"-passes={expanded}",
        "-",
        "-o",
        "-",
        *(["-S", "-preserve-ll-uselistorder"] if text else []),
    ]
    res = run_tool(cmd, input=ir.encode(), timeout=timeout, what="opt")
    if res.returncode != 0:
        stderr = res.stderr.decode(errors="replace")
        raise ValueError(_classify(stderr), _message(stderr, "opt"))
    return res.stdout


def generate_object(optimized: bytes, *, timeout: float, codegen: Sequence[str] = ()) -> bytes:
    """Run `llc` on optimized IR; returns the object file. Raises the run_tool errors, or
    ValueError(kind, message) when llc rejects the input."""
    cmd = [llvm_tool("llc"), *LLC_FLAGS, *codegen, "-", "-o", "-"]
    res = run_tool(cmd, input=optimized, timeout=timeout, what="llc")
    if res.returncode != 0:
        stderr = res.stderr.decode(errors="replace")
        raise ValueError("invalid-ir" if "<stdin>:" in stderr else "codegen", _message(stderr, "llc"))
    return res.stdout


def evaluate_subprocess(
    module: IRModule, pipeline: str, *, count_instructions: bool = False, timeout: float = 120.0
) -> Evaluation:
    """Compile with real opt and llc processes; the ground truth the fast path must match byte for byte."""
    try:
        expanded = expand(pipeline)
        optimized = optimize_ir(module.ir, expanded, text=count_instructions, timeout=timeout)
        from compilerlm.toolchain.objsize import count_ir_instructions, object_size  # elftools: not for `cc`

        instructions = count_ir_instructions(optimized.decode()) if count_instructions else None
        sizes = object_size(generate_object(optimized, timeout=timeout))
    except PipelineError as exc:
        return failure(pipeline, "pipeline", str(exc))
    except ValueError as exc:
        kind, message = exc.args
        return failure(pipeline, kind, message)
    except LLVMCrash as exc:
        return failure(pipeline, "crash", str(exc))
    except ToolTimeout as exc:
        return failure(pipeline, "timeout", str(exc))
    return Evaluation(pipeline=pipeline, size=sizes.size, text_size=sizes.text, ir_instructions=instructions)


def evaluate_with_clang(module: IRModule, level: str, *, timeout: float = 300.0) -> Evaluation:
    """Let clang itself optimize and compile the IR at -{level} (its own pass-builder tuning and codegen
    level). Used for the -O3 baseline, whose `default<O3>` opt cannot reproduce: clang's O3 inliner
    threshold and vectorizer settings are not expressible in `opt -passes=` text."""
    label = f"clang -{level}"
    try:
        res = run_tool(
            [llvm_tool("clang"), f"-{level}", "-c", "-x", "ir", "-", "-o", "-", "-w"],
            input=module.ir.encode(),
            timeout=timeout,
            what=label,
        )
    except LLVMCrash as exc:
        return failure(label, "crash", str(exc))
    except ToolTimeout as exc:
        return failure(label, "timeout", str(exc))
    if res.returncode != 0:
        return failure(label, "invalid-ir", _message(res.stderr.decode(errors="replace"), "clang"))
    from compilerlm.toolchain.objsize import object_size

    sizes = object_size(res.stdout)
    return Evaluation(pipeline=label, size=sizes.size, text_size=sizes.text)


def compile_object(module: IRModule, pipeline: str, *, timeout: float = 300.0, codegen: Sequence[str] = ()) -> bytes:
    """The object file bytes for (module, pipeline), as every size was measured (`codegen`: llc options a build
    adds, such as -function-sections); errors raise."""
    try:
        optimized = optimize_ir(module.ir, expand(pipeline), text=False, timeout=timeout)
        return generate_object(optimized, timeout=timeout, codegen=codegen)
    except ValueError as exc:
        kind, message = exc.args
        raise (PipelineError if kind == "pipeline" else CompileError)(f"{module.name}: {message}") from exc
