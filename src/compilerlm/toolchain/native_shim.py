"""Build (once, cached) and load the small C++ helpers: one completes LLVM's C API for the in-process evaluator
(`emit.cpp`), one runs clang's frontend in process for `compilerlm cc`'s warm server (`frontend.cpp`)."""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import shutil
import tempfile
from ctypes import POINTER, c_char_p, c_int, c_size_t, c_uint, c_uint64, c_void_p
from pathlib import Path

from compilerlm.cache import cache_dir
from compilerlm.errors import ToolMissingError
from compilerlm.parallel import run_process
from compilerlm.toolchain.llvm_capi import libllvm
from compilerlm.toolchain.locate import LLVM_MAJOR, libclang_cpp_path, libllvm_path, llvm_bin_dir

NATIVE = Path(__file__).parent / "native"
SOURCE = NATIVE / "emit.cpp"
FRONTEND_SOURCE = NATIVE / "frontend.cpp"


def _build(source: Path, target: Path, libraries: list[str], header: str, missing: str) -> None:
    """Compile `source` against LLVM's headers into the shared library `target`, linked with `libraries`."""
    cxx = shutil.which("g++") or shutil.which("c++")
    include = llvm_bin_dir().parent / "include"
    if not cxx or not (include / header).exists():
        raise ToolMissingError(missing)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        out = Path(tmp) / target.name
        cmd = [
            cxx,
            "-O2",
            "-shared",
            "-fPIC",
            "-std=c++17",
            "-fno-exceptions",
            "-fno-rtti",
            f"-I{include}",
            str(source),
            "-o",
            str(out),
            *libraries,
            f"-Wl,-rpath,{Path(libraries[0]).parent}",
        ]
        res = run_process(cmd, text=True)
        if res.returncode != 0:
            raise ToolMissingError(
                f"building the LLVM helper failed: {res.stderr.strip().splitlines()[-1:]} ({' '.join(cmd)})"
            )
        os.replace(out, target)  # atomic: concurrent workers never load a half-written file


def _load(source: Path, libraries: list[str], header: str, missing: str) -> ctypes.CDLL:
    """The helper built from `source` (once per source and libraries: cached under a digest of both)."""
    libllvm()  # load libLLVM first so the helper binds to the same instance
    digest = hashlib.sha256(source.read_bytes() + "\0".join(libraries).encode()).hexdigest()[:16]
    target = cache_dir() / f"libcompilerlm_{source.stem}-{LLVM_MAJOR}-{digest}.so"
    if not target.exists():
        _build(source, target, libraries, header, missing)
    return ctypes.CDLL(str(target))


@functools.cache
def shim() -> ctypes.CDLL:
    missing = (
        f"the in-process evaluator needs g++ and LLVM {LLVM_MAJOR} headers: "
        f"sudo apt-get install g++ llvm-{LLVM_MAJOR}-dev (or use --evaluator subprocess)"
    )
    lib = _load(SOURCE, [libllvm_path()], "llvm/IR/Module.h", missing)
    lib.clm_emit_object.restype = c_int
    lib.clm_emit_object.argtypes = [c_void_p, c_void_p, POINTER(c_void_p), POINTER(c_void_p)]
    lib.clm_module_digest.restype = c_uint64
    lib.clm_module_digest.argtypes = [c_void_p]
    lib.clm_count_instructions.restype = c_uint
    lib.clm_count_instructions.argtypes = [c_void_p]
    lib.clm_configure_machine.restype = None
    lib.clm_configure_machine.argtypes = [c_void_p, c_int, c_int, c_int]
    return lib


@functools.cache
def frontend_shim() -> ctypes.CDLL:
    missing = (
        f"clang's frontend in process needs g++ and clang {LLVM_MAJOR} headers: "
        f"sudo apt-get install libclang-{LLVM_MAJOR}-dev"
    )
    lib = _load(FRONTEND_SOURCE, [libclang_cpp_path(), libllvm_path()], "clang/Frontend/CompilerInstance.h", missing)
    lib.clm_frontend_init.restype = None
    lib.clm_frontend_init.argtypes = []
    lib.clm_frontend.restype = c_int
    lib.clm_frontend.argtypes = [
        POINTER(c_char_p),
        c_int,
        POINTER(c_void_p),
        POINTER(c_size_t),
        POINTER(c_void_p),
        POINTER(c_size_t),
    ]
    lib.clm_frontend_free.restype = None
    lib.clm_frontend_free.argtypes = [c_void_p]
    lib.clm_frontend_init()
    return lib
