"""clang's frontend inside this process, for the warm `compilerlm cc` server's children.

A clang process spends about 30 ms loading its libraries before it reads the source, which is half of what a small
unit costs; the server has them loaded once, and each child runs the driver and its one cc1 job here
(`native/frontend.cpp`): the same IR, the same diagnostics and exit code as the clang process. The driver reads
the process's environment (SOURCE_DATE_EPOCH pins `__DATE__`), so the caller sets that as `pinned_env` does.
"""

from __future__ import annotations

import ctypes
import subprocess
from collections.abc import Sequence
from ctypes import c_char_p, c_size_t, c_void_p

from compilerlm.toolchain.native_shim import frontend_shim

_PROCESS_ONLY = {"-###", "-v", "--verbose", "--version", "-help", "--help", "-mllvm", "-load"}
"""Options the driver answers by itself (writing to stdout), and those that change the process (LLVM's global
options, plugins): a clang process does those."""


def _take(lib: ctypes.CDLL, pointer: c_void_p, length: c_size_t) -> bytes:
    if not pointer.value:
        return b""
    try:
        return ctypes.string_at(pointer.value, length.value)
    finally:
        lib.clm_frontend_free(pointer)


def clang_in_process(cmd: Sequence[str]) -> subprocess.CompletedProcess[bytes] | None:
    """`cmd` (clang, writing `-S -emit-llvm` to stdout) run in this process, as its process would have ended: the
    exit code, the IR as stdout, clang's diagnostics as stderr. None where the driver would run anything else than
    one cc1 job (the caller runs the clang process then)."""
    if any(
        arg in _PROCESS_ONLY or arg.startswith(("-print-", "--print-", "-dump", "-fplugin", "-fpass-plugin"))
        for arg in cmd[1:]
    ):
        return None
    lib = frontend_shim()
    argv = [arg.encode() for arg in cmd]
    ir, ir_length, diag, diag_length = c_void_p(), c_size_t(), c_void_p(), c_size_t()
    code = lib.clm_frontend(
        (c_char_p * len(argv))(*argv),
        len(argv),
        ctypes.byref(ir),
        ctypes.byref(ir_length),
        ctypes.byref(diag),
        ctypes.byref(diag_length),
    )
    stdout, stderr = _take(lib, ir, ir_length), _take(lib, diag, diag_length)
    if code < 0:
        return None
    return subprocess.CompletedProcess(list(cmd), code, stdout, stderr)
