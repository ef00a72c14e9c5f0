"""ctypes bindings to the few functions of LLVM's C API (libLLVM-19.so) that the fast path needs.

The backends of every machine compilerlm builds for (`toolchain/targets.py`) are initialised: X86, AArch64, ARM
(ARM and Thumb) and RISCV, each with its target info, code generator, MC layer, asm printer and asm parser
(the parser for inline assembly)."""

from __future__ import annotations

import ctypes
import functools
import os
from ctypes import POINTER, byref, c_char_p, c_int, c_size_t, c_void_p

from compilerlm.toolchain.locate import libllvm_path

RELOC_PIC = 2  # LLVMRelocPIC
CODEGEN_DEFAULT = 2  # LLVMCodeGenLevelDefault (-O2 codegen, as clang uses for -Oz)
CODE_MODEL_DEFAULT = 0
CODE_MODELS = {"tiny": 2, "small": 3, "kernel": 4, "medium": 5, "large": 6}  # LLVMCodeModel by llc's names
OBJECT_FILE = 1  # LLVMObjectFile
RETURN_STATUS = 2  # LLVMReturnStatusAction

_SIGNATURES: dict[str, tuple[type | None, list]] = {
    "LLVMContextCreate": (c_void_p, []),
    "LLVMContextDispose": (None, [c_void_p]),
    "LLVMCreateMemoryBufferWithMemoryRangeCopy": (c_void_p, [c_char_p, c_size_t, c_char_p]),
    "LLVMDisposeMemoryBuffer": (None, [c_void_p]),
    "LLVMGetBufferStart": (c_void_p, [c_void_p]),
    "LLVMGetBufferSize": (c_size_t, [c_void_p]),
    "LLVMParseIRInContext": (c_int, [c_void_p, c_void_p, POINTER(c_void_p), POINTER(c_void_p)]),
    "LLVMCloneModule": (c_void_p, [c_void_p]),
    "LLVMDisposeModule": (None, [c_void_p]),
    "LLVMGetTarget": (c_char_p, [c_void_p]),
    "LLVMGetDefaultTargetTriple": (c_void_p, []),
    "LLVMVerifyModule": (c_int, [c_void_p, c_int, POINTER(c_void_p)]),
    "LLVMPrintModuleToString": (c_void_p, [c_void_p]),
    "LLVMDisposeMessage": (None, [c_void_p]),
    "LLVMGetTargetFromTriple": (c_int, [c_char_p, POINTER(c_void_p), POINTER(c_void_p)]),
    "LLVMCreateTargetMachineOptions": (c_void_p, []),
    "LLVMDisposeTargetMachineOptions": (None, [c_void_p]),
    "LLVMTargetMachineOptionsSetCPU": (None, [c_void_p, c_char_p]),
    "LLVMTargetMachineOptionsSetFeatures": (None, [c_void_p, c_char_p]),
    "LLVMTargetMachineOptionsSetABI": (None, [c_void_p, c_char_p]),
    "LLVMTargetMachineOptionsSetCodeGenOptLevel": (None, [c_void_p, c_int]),
    "LLVMTargetMachineOptionsSetRelocMode": (None, [c_void_p, c_int]),
    "LLVMTargetMachineOptionsSetCodeModel": (None, [c_void_p, c_int]),
    "LLVMCreateTargetMachineWithOptions": (c_void_p, [c_void_p, c_char_p, c_void_p]),
    "LLVMDisposeTargetMachine": (None, [c_void_p]),
    "LLVMTargetMachineEmitToMemoryBuffer": (c_int, [c_void_p, c_void_p, c_int, POINTER(c_void_p), POINTER(c_void_p)]),
    "LLVMCreatePassBuilderOptions": (c_void_p, []),
    "LLVMDisposePassBuilderOptions": (None, [c_void_p]),
    "LLVMPassBuilderOptionsSetVerifyEach": (None, [c_void_p, c_int]),
    "LLVMRunPasses": (c_void_p, [c_void_p, c_char_p, c_void_p, c_void_p]),
    "LLVMGetErrorMessage": (c_void_p, [c_void_p]),
    "LLVMDisposeErrorMessage": (None, [c_void_p]),
    "LLVMInstallFatalErrorHandler": (None, [c_void_p]),
}
BACKENDS = ("X86", "AArch64", "ARM", "RISCV")
"""The LLVM backends of compilerlm's targets (toolchain/targets.py); libLLVM-19 exports an initialiser for each
part of each."""
BACKEND_PARTS = ("TargetInfo", "Target", "TargetMC", "AsmPrinter", "AsmParser")


@functools.cache
def libllvm() -> ctypes.CDLL:
    """Load libLLVM-19.so once per process, declare signatures, initialise the backends of `BACKENDS`."""
    lib = ctypes.CDLL(libllvm_path())
    for name, (restype, argtypes) in _SIGNATURES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    for backend in BACKENDS:
        for part in BACKEND_PARTS:
            init = getattr(lib, f"LLVMInitialize{backend}{part}")
            init.restype, init.argtypes = None, []
            init()
    lib.LLVMInstallFatalErrorHandler(ctypes.cast(_FATAL_HANDLER, c_void_p))
    return lib


@ctypes.CFUNCTYPE(None, c_char_p)
def _FATAL_HANDLER(reason: bytes) -> None:
    """LLVM's default fatal-error path calls exit(), which can hang in static destructors inside a Python
    process; print the reason the way the tools do and leave at once (the worker pool reports it)."""
    os.write(2, b"LLVM ERROR: " + reason + b"\n")
    os._exit(70)


def take_message(lib: ctypes.CDLL, ptr: c_void_p | int | None) -> str:
    """Copy and free a C string that LLVM handed us."""
    if not ptr:
        return ""
    text = ctypes.string_at(ptr).decode(errors="replace")
    lib.LLVMDisposeMessage(ptr)
    return text


def take_error(lib: ctypes.CDLL, err: int | None) -> str:
    """Copy and free an LLVMErrorRef's message."""
    msg = lib.LLVMGetErrorMessage(err)
    text = ctypes.string_at(msg).decode(errors="replace")
    lib.LLVMDisposeErrorMessage(msg)
    return text


def out_ptr() -> c_void_p:
    return c_void_p()


__all__ = ["byref", "libllvm", "out_ptr", "take_error", "take_message"]
