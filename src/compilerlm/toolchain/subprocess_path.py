"""The reference evaluation path: `opt -passes=P | llc -filetype=obj`, one process pair per evaluation.

Both processes get the target machine clang makes for the module (`Machine`, read off its IR): the same CPU,
features, ABI and code model, so a module of any triple compiles as `clang <its target's flags> -Oz -c` does.
"""

from __future__ import annotations

import functools
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from compilerlm.errors import CompileError, LLVMCrash, PipelineError, ToolTimeout
from compilerlm.toolchain.evaluation import Evaluation, failure
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.pipelines import clang_target_flags, expand
from compilerlm.toolchain.run import first_error_line, run_tool

# Code generation as clang does it on Debian x86-64: PIC, -O2 codegen for -Oz/-O3 alike. opt gets the same
# relocation model, because some IR passes ask the target machine (relative lookup tables need PIC).
LLC_FLAGS = ("-filetype=obj", "-relocation-model=pic", "-O2")
OPT_FLAGS = ("-relocation-model=pic",)

_TRIPLE = re.compile(r'^[ \t]*target[ \t]+triple[ \t]*=[ \t]*"([^"]*)"', re.M)
_DEFINE = re.compile(r"^define\b[^\n]*", re.M)
_GROUP_REF = re.compile(r"\s#(\d+)\b")
_FLAG = r'^!\d+ = !\{{i32 \d+, !"{name}", (?:!"([^"]*)"|i(?:32|64) (-?\d+))\}}'
_CODE_MODELS = ("tiny", "small", "kernel", "medium", "large")  # llvm::CodeModel::Model, as a module flag stores it


@dataclass(frozen=True)
class Machine:
    """The target machine clang makes for a module, as the module records it: the triple (``target triple``), the
    CPU and features (the ``"target-cpu"``/``"target-features"`` attributes clang puts on every function, the values
    of its ``-target-cpu``/``-target-feature`` options), the ABI (the ``"target-abi"`` module flag: RISC-V's
    ``-mabi``; ARM and AArch64 derive theirs from the triple, as clang's "aapcs-linux"/"aapcs" do), the code model
    (the ``"Code Model"`` flag of ``-mcmodel``) and whether FP math may trap (``"no-trapping-math"``: clang's
    TargetOptions.NoTrappingFPMath, which ARM's build attributes record). The float ABI needs no field: clang writes
    it into the triple (``-mfloat-abi=hard`` makes the environment ``gnueabihf``), and LLVM takes it from there.
    Empty fields leave LLVM's default, which is what a module without them always got."""

    triple: str = ""
    cpu: str = ""
    features: str = ""
    abi: str = ""
    code_model: str = ""
    no_trapping_math: bool = False

    def flags(self) -> tuple[str, ...]:
        """opt's and llc's options that make this machine (none for a module that names nothing)."""
        flags = [f"-mcpu={self.cpu}"] if self.cpu else []
        flags += [f"-mattr={self.features}"] if self.features else []
        flags += [f"-target-abi={self.abi}"] if self.abi else []
        flags += [f"-code-model={self.code_model}"] if self.code_model else []
        flags += ["--enable-no-trapping-fp-math"] if self.no_trapping_math else []
        return tuple(flags)


def module_triple(ir: str) -> str:
    """The triple textual IR names ("" when it names none: LLVM's default, the host's)."""
    found = _TRIPLE.search(ir)
    return found.group(1) if found else ""


@functools.lru_cache(maxsize=64)
def machine_of(ir: str) -> Machine:
    """The target machine clang made for textual IR: see `Machine`. CPU, features and no-trapping-math are those of
    the first function defined (clang gives every function of a unit the same; a module that defines none takes
    them from the first function declared). Cached: a search sends the same module text again and again."""
    attributes = ""
    for line in _functions(ir):
        attributes = line + "".join(_group(ir, n) for n in _GROUP_REF.findall(line))
        if '"target-cpu"=' in attributes or '"target-features"=' in attributes:
            break
    code_model = _module_flag(ir, "Code Model")
    return Machine(
        triple=module_triple(ir),
        cpu=_string_attribute(attributes, "target-cpu"),
        features=_string_attribute(attributes, "target-features"),
        abi=_module_flag(ir, "target-abi"),
        code_model=_CODE_MODELS[int(code_model)] if code_model.isdigit() and int(code_model) < 5 else "",
        no_trapping_math=_string_attribute(attributes, "no-trapping-math") == "true",
    )


def _functions(ir: str) -> list[str]:
    first = _DEFINE.search(ir)
    if first:
        return [first.group(0)]
    return re.findall(r"^declare\b[^\n]*", ir, re.M)


def _group(ir: str, number: str) -> str:
    found = re.search(rf"^attributes #{number} = \{{([^\n]*)\}}", ir, re.M)
    return f" {found.group(1)}" if found else ""


def _string_attribute(text: str, name: str) -> str:
    found = re.search(rf'"{re.escape(name)}"="([^"]*)"', text)
    return found.group(1) if found else ""


def _module_flag(ir: str, name: str) -> str:
    found = re.search(_FLAG.format(name=re.escape(name)), ir, re.M)
    if not found:
        return ""
    return found.group(1) if found.group(1) is not None else found.group(2)


def reproduce_command(expanded: str, ir_file: str, obj_file: str, machine: Machine = Machine()) -> str:
    """One shell command line that builds `obj_file` from the unoptimized IR in `ir_file` exactly as this path
    measures it: `opt` with the expanded pipeline piped into `llc` (bitcode through the pipe, as here), or
    `llc` alone for the empty pipeline. `machine`: the module's (`machine_of(module.ir)`; `expanded` must be
    `expand(pipeline, machine.triple)`). Every word is quoted for a POSIX shell."""
    opt, llc = llvm_tool("opt"), llvm_tool("llc")
    if not expanded:
        return shlex.join([llc, *LLC_FLAGS, *machine.flags(), ir_file, "-o", obj_file])
    return (
        shlex.join([opt, *OPT_FLAGS, *machine.flags(), f"-passes={expanded}", ir_file])
        + " | "
        + shlex.join([llc, *LLC_FLAGS, *machine.flags(), "-", "-o", obj_file])
    )


def _message(stderr: str, tool: str) -> str:
    """First error line without the tool's path prefix, so both paths report the same text."""
    line = first_error_line(stderr)
    return re.sub(rf"^\S*{tool}: ", "", line)


def _classify(stderr: str) -> str:
    return "invalid-ir" if "<stdin>:" in stderr or "input module" in stderr else "pipeline"


def optimize_ir(ir: str, expanded: str, *, text: bool, timeout: float) -> bytes:
    """Run `opt` (on the module's target machine); returns bitcode, or text IR that keeps the use-list order (code
    generation sees it). `expanded`: `expand(pipeline, module_triple(ir))`. Raises the run_tool errors, or
    ValueError(kind, message) when opt rejects the input or pipeline."""
    if not expanded:
        return ir.encode()
    cmd = [
        llvm_tool("opt"),
        *OPT_FLAGS,
        *machine_of(ir).flags(),
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


def generate_object(
    optimized: bytes, *, timeout: float, codegen: Sequence[str] = (), machine: Machine = Machine()
) -> bytes:
    """Run `llc` on optimized IR for `machine` (the unoptimized module's: `machine_of(ir)`; the default names
    nothing, LLVM's defaults for the IR's triple); returns the object file. Raises the run_tool errors, or
    ValueError(kind, message) when llc rejects the input."""
    cmd = [llvm_tool("llc"), *LLC_FLAGS, *machine.flags(), *codegen, "-", "-o", "-"]
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
        machine = machine_of(module.ir)
        expanded = expand(pipeline, machine.triple)
        optimized = optimize_ir(module.ir, expanded, text=count_instructions, timeout=timeout)
        from compilerlm.toolchain.objsize import count_ir_instructions, object_size  # elftools: not for `cc`

        instructions = count_ir_instructions(optimized.decode()) if count_instructions else None
        sizes = object_size(generate_object(optimized, timeout=timeout, machine=machine))
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
    threshold and vectorizer settings are not expressible in `opt -passes=` text.

    clang compiles IR for the target its command line names, not the module's (it overrides the module's
    triple), and makes its target machine from its command line alone: it gets the flags of the module's target
    (`pipelines.clang_target_flags`: a compilerlm target's cflags, none for the host, else `--target=<triple>`)
    and the module's code model. Each function still keeps its own CPU and features (its attributes)."""
    label = f"clang -{level}"
    machine = machine_of(module.ir)
    code_model = ("-Xclang", f"-mcmodel={machine.code_model}") if machine.code_model else ()
    try:
        res = run_tool(
            [
                llvm_tool("clang"),
                *clang_target_flags(machine.triple),
                f"-{level}",
                *("-c", "-x", "ir", "-", "-o", "-", "-w"),
                *code_model,
            ],
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
        machine = machine_of(module.ir)
        optimized = optimize_ir(module.ir, expand(pipeline, machine.triple), text=False, timeout=timeout)
        return generate_object(optimized, timeout=timeout, codegen=codegen, machine=machine)
    except ValueError as exc:
        kind, message = exc.args
        raise (PipelineError if kind == "pipeline" else CompileError)(f"{module.name}: {message}") from exc
