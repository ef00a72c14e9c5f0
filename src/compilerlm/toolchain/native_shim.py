"""Build (once, cached) and load the small C++ helper that completes LLVM's C API for the fast path."""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import shutil
import tempfile
from ctypes import POINTER, c_int, c_uint, c_uint64, c_void_p
from pathlib import Path

from compilerlm.cache import cache_dir
from compilerlm.errors import ToolMissingError
from compilerlm.parallel import run_process
from compilerlm.toolchain.llvm_capi import libllvm
from compilerlm.toolchain.locate import LLVM_MAJOR, libllvm_path, llvm_bin_dir

SOURCE = Path(__file__).parent / "native" / "emit.cpp"


def _build(target: Path) -> None:
    cxx = shutil.which("g++") or shutil.which("c++")
    include = llvm_bin_dir().parent / "include"
    if not cxx or not (include / "llvm" / "IR" / "Module.h").exists():
        raise ToolMissingError(
            f"the in-process evaluator needs g++ and LLVM {LLVM_MAJOR} headers: "
            f"sudo apt-get install g++ llvm-{LLVM_MAJOR}-dev (or use --evaluator subprocess)"
        )
    lib = Path(libllvm_path())
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
            str(SOURCE),
            "-o",
            str(out),
            str(lib),
            f"-Wl,-rpath,{lib.parent}",
        ]
        res = run_process(cmd, text=True)
        if res.returncode != 0:
            raise ToolMissingError(
                f"building the LLVM helper failed: {res.stderr.strip().splitlines()[-1:]} ({' '.join(cmd)})"
            )
        os.replace(out, target)  # atomic: concurrent workers never load a half-written file


@functools.cache
def shim() -> ctypes.CDLL:
    libllvm()  # load libLLVM first so the helper binds to the same instance
    digest = hashlib.sha256(SOURCE.read_bytes() + libllvm_path().encode()).hexdigest()[:16]
    target = cache_dir() / f"libcompilerlm_emit-{LLVM_MAJOR}-{digest}.so"
    if not target.exists():
        _build(target)
    lib = ctypes.CDLL(str(target))
    lib.clm_emit_object.restype = c_int
    lib.clm_emit_object.argtypes = [c_void_p, c_void_p, POINTER(c_void_p), POINTER(c_void_p)]
    lib.clm_module_digest.restype = c_uint64
    lib.clm_module_digest.argtypes = [c_void_p]
    lib.clm_count_instructions.restype = c_uint
    lib.clm_count_instructions.argtypes = [c_void_p]
    lib.clm_set_sections.restype = None
    lib.clm_set_sections.argtypes = [c_void_p, c_int, c_int]
    return lib
