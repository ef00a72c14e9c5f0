"""The fast evaluation path: parse once, then clone → run passes → emit an object to memory, via libLLVM.

Code generation costs most of an evaluation, and many pipelines leave a module exactly as another
pipeline did; each worker therefore remembers object sizes by a digest of the optimized module (bitcode
with use-list order, so the digest determines the object) and skips code generation on a repeat.

One `InProcessEngine` lives in each worker process (see `workers.py`); an LLVM abort kills that worker
only. Settings mirror `subprocess_path` (PIC, -O2 codegen, target machine given to the pass builder, the
target machine clang makes for the module: `subprocess_path.Machine`) so both paths give byte-identical objects.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from compilerlm.errors import CompileError, PipelineError
from compilerlm.toolchain.evaluation import ErrorKind, Evaluation, failure
from compilerlm.toolchain.llvm_capi import (
    CODE_MODEL_DEFAULT,
    CODE_MODELS,
    CODEGEN_DEFAULT,
    RELOC_PIC,
    RETURN_STATUS,
    byref,
    libllvm,
    out_ptr,
    take_error,
    take_message,
)
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.native_shim import shim
from compilerlm.toolchain.objsize import object_size
from compilerlm.toolchain.pipelines import expand
from compilerlm.toolchain.subprocess_path import Machine, machine_of

MODULE_CACHE = 16  # parsed modules kept per worker
OBJECT_CACHE = 20000  # sizes of already-compiled optimized modules, by content digest
RENEW_CONTEXT_EVERY = 5000  # evaluations; an LLVMContext keeps uniqued constants forever


class InvalidIR(Exception):
    pass


@dataclass(frozen=True)
class Trace:
    """Where one evaluation's time went and what it produced (benchmarks/eval_reuse.py reads these)."""

    key: str
    pipeline: str
    pass_seconds: float  # running the passes and verifying the result
    codegen_seconds: float  # emitting the object; 0 when the module's digest was already compiled
    digest: int
    object_sha: str  # of the object bytes; "" when code generation was skipped


class InProcessEngine:
    """Per-process LLVM state: one context, parsed modules by key (each with the machine its IR records), one
    target machine per (`Machine`, sections)."""

    def __init__(self) -> None:
        self.lib = libllvm()
        self.shim = shim()
        self.ctx: int | None = None  # the LLVMContextRef, made by _new_context
        self.modules: OrderedDict[str, int] = OrderedDict()
        self.wanted: dict[int, Machine] = {}  # parsed module -> the target machine its IR records
        self.machines: dict[tuple[bytes, Machine, tuple[bool, bool]], int] = {}
        self.options = self.lib.LLVMCreatePassBuilderOptions()
        self.lib.LLVMPassBuilderOptionsSetVerifyEach(self.options, 0)
        self.evaluations = 0
        self.objects: OrderedDict[int, tuple[int, int]] = OrderedDict()  # digest -> (size, text)
        self.reused = 0
        self.traces: list[Trace] | None = None  # set to a list to record every successful evaluation
        self._new_context()

    def _new_context(self) -> None:
        for mod in self.modules.values():
            self.lib.LLVMDisposeModule(mod)
        self.modules.clear()
        self.wanted.clear()
        if self.ctx:
            self.lib.LLVMContextDispose(self.ctx)
        self.ctx = self.lib.LLVMContextCreate()

    def _parse(self, key: str, ir: str) -> int:
        """The parsed module of `key` (the target machine its IR records kept beside it, for `_machine`)."""
        if key in self.modules:
            self.modules.move_to_end(key)
            return self.modules[key]
        lib = self.lib
        data = ir.encode()
        buf = lib.LLVMCreateMemoryBufferWithMemoryRangeCopy(data, len(data), b"module")
        mod, msg = out_ptr(), out_ptr()
        if lib.LLVMParseIRInContext(self.ctx, buf, byref(mod), byref(msg)):  # takes ownership of buf
            raise InvalidIR(take_message(lib, msg.value).removeprefix("<string>:"))
        verr = out_ptr()
        if lib.LLVMVerifyModule(mod, RETURN_STATUS, byref(verr)):
            text = take_message(lib, verr.value).strip().splitlines()
            lib.LLVMDisposeModule(mod)
            raise InvalidIR(f"input module is broken: {text[0] if text else ''}")
        take_message(lib, verr.value)
        module = mod.value
        assert module is not None  # LLVMParseIRInContext succeeded, so it set the module
        self.modules[key] = module
        self.wanted[module] = machine_of(ir)
        if len(self.modules) > MODULE_CACHE:
            _, old = self.modules.popitem(last=False)
            del self.wanted[old]
            lib.LLVMDisposeModule(old)
        return module

    def _machine(self, mod: int, sections: tuple[bool, bool] = (False, False)) -> int:
        """The target machine clang makes for the parsed module `mod` (`subprocess_path.Machine`, read off its
        IR: CPU, features, ABI, code model, no-trapping FP math; PIC and -O2 codegen as always), with a section
        per function and per datum as asked. One per (the module's triple, Machine, sections): nothing else
        decides it."""
        lib = self.lib
        machine = self.wanted.get(mod, Machine())
        triple = lib.LLVMGetTarget(mod) or b""
        key = (triple, machine, sections)
        if key not in self.machines:
            name = triple or ctypes.string_at(lib.LLVMGetDefaultTargetTriple())
            target, err = out_ptr(), out_ptr()
            if lib.LLVMGetTargetFromTriple(name, byref(target), byref(err)):
                raise InvalidIR(f"unsupported target triple {name.decode()}: {take_message(lib, err.value)}")
            options = lib.LLVMCreateTargetMachineOptions()
            lib.LLVMTargetMachineOptionsSetCPU(options, machine.cpu.encode())
            lib.LLVMTargetMachineOptionsSetFeatures(options, machine.features.encode())
            lib.LLVMTargetMachineOptionsSetABI(options, machine.abi.encode())
            lib.LLVMTargetMachineOptionsSetCodeGenOptLevel(options, CODEGEN_DEFAULT)
            lib.LLVMTargetMachineOptionsSetRelocMode(options, RELOC_PIC)
            lib.LLVMTargetMachineOptionsSetCodeModel(options, CODE_MODELS.get(machine.code_model, CODE_MODEL_DEFAULT))
            created = lib.LLVMCreateTargetMachineWithOptions(target, name, options)
            lib.LLVMDisposeTargetMachineOptions(options)
            if not created:
                raise InvalidIR(f"cannot make a target machine for {name.decode()} (CPU {machine.cpu!r})")
            self.shim.clm_configure_machine(created, *sections, machine.no_trapping_math)
            self.machines[key] = created
        return self.machines[key]

    @contextlib.contextmanager
    def copy(self, key: str, ir: str, sections: tuple[bool, bool] = (False, False)) -> Iterator[tuple[int, int]]:
        """(a fresh copy of the parsed module, its target machine), disposed on leaving; InvalidIR if it does
        not parse."""
        original = self._parse(key, ir)
        machine = self._machine(original, sections)
        mod = self.lib.LLVMCloneModule(original)
        try:
            yield mod, machine
        finally:
            self.lib.LLVMDisposeModule(mod)

    def run_passes(self, mod: int, expanded: str, machine: int) -> tuple[ErrorKind, str] | None:
        """Run an expanded pipeline on `mod` in place; (error kind, message) when it fails."""
        lib = self.lib
        if not expanded:
            return None
        err = lib.LLVMRunPasses(mod, expanded.encode(), machine, self.options)
        if err:
            return "pipeline", take_error(lib, err)
        verr = out_ptr()
        if lib.LLVMVerifyModule(mod, RETURN_STATUS, byref(verr)):
            lines = take_message(lib, verr.value).strip().splitlines()
            return "crash", f"pipeline produced invalid IR: {lines[0] if lines else ''}"
        take_message(lib, verr.value)
        return None

    def emit(self, mod: int, machine: int) -> bytes | str:
        """The object file's bytes, or the code generator's message when it cannot emit one."""
        lib = self.lib
        msg, buf = out_ptr(), out_ptr()
        if self.shim.clm_emit_object(machine, mod, byref(msg), byref(buf)):
            return take_message(lib, msg.value)
        data = ctypes.string_at(lib.LLVMGetBufferStart(buf), lib.LLVMGetBufferSize(buf))
        lib.LLVMDisposeMemoryBuffer(buf)
        return data

    def evaluate(self, key: str, ir: str, pipeline: str, expanded: str, count_instructions: bool) -> Evaluation:
        self.evaluations += 1
        if self.evaluations % RENEW_CONTEXT_EVERY == 0:
            self._new_context()
        try:
            with self.copy(key, ir) as (mod, machine):
                return self._measure(mod, machine, key, pipeline, expanded, count_instructions)
        except InvalidIR as exc:
            return failure(pipeline, "invalid-ir", str(exc))

    def _measure(
        self, mod: int, machine: int, key: str, pipeline: str, expanded: str, count_instructions: bool
    ) -> Evaluation:
        started = time.perf_counter()
        if problem := self.run_passes(mod, expanded, machine):
            return failure(pipeline, *problem)
        instructions = self.shim.clm_count_instructions(mod) if count_instructions else None
        passed = time.perf_counter()
        digest = self.shim.clm_module_digest(mod)
        if digest in self.objects:
            self.reused += 1
            self.objects.move_to_end(digest)
            size, text = self.objects[digest]
            if self.traces is not None:
                self.traces.append(Trace(key, pipeline, passed - started, 0.0, digest, ""))
            return Evaluation(pipeline=pipeline, size=size, text_size=text, ir_instructions=instructions)
        digested = time.perf_counter()
        data = self.emit(mod, machine)
        emitted = time.perf_counter()
        if isinstance(data, str):
            return failure(pipeline, "codegen", data)
        sizes = object_size(data)
        if self.traces is not None:
            sha = hashlib.sha1(data).hexdigest()
            self.traces.append(Trace(key, pipeline, passed - started, emitted - digested, digest, sha))
        self.objects[digest] = (sizes.size, sizes.text)
        if len(self.objects) > OBJECT_CACHE:
            self.objects.popitem(last=False)
        return Evaluation(pipeline=pipeline, size=sizes.size, text_size=sizes.text, ir_instructions=instructions)

    def object_file(self, module: IRModule, pipeline: str, codegen: Sequence[str] = ()) -> bytes:
        """The object file of `module` with `pipeline`, the bytes `subprocess_path.compile_object` gives (llc's
        -function-sections/-data-sections are the only `codegen` options taken); CompilerLMError says why not."""
        unknown = set(codegen) - {"-function-sections", "-data-sections"}
        if unknown:
            raise CompileError(f"{module.name}: code generation option {sorted(unknown)[0]} is not supported here")
        sections = ("-function-sections" in codegen, "-data-sections" in codegen)
        try:
            with self.copy(module.key, module.ir, sections) as (mod, machine):
                if problem := self.run_passes(mod, expand(pipeline, machine_of(module.ir).triple), machine):
                    raise (PipelineError if problem[0] == "pipeline" else CompileError)(f"{module.name}: {problem[1]}")
                data = self.emit(mod, machine)
        except InvalidIR as exc:
            raise CompileError(f"{module.name}: {exc}") from None
        if isinstance(data, str):
            raise CompileError(f"{module.name}: {data}")
        return data


_ENGINE: InProcessEngine | None = None


def prepare() -> InProcessEngine:
    """Load libLLVM and the native helper once per worker process."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = InProcessEngine()
    return _ENGINE


def handle(task: tuple[str, str, str, str, bool]) -> Evaluation:
    """Worker entry point: (key, ir, pipeline, expanded pipeline, count_instructions) → Evaluation."""
    return prepare().evaluate(*task)
