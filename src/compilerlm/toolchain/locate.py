"""Find the pinned LLVM 19 installation; everything else asks here for tool paths."""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from compilerlm.errors import ToolMissingError

LLVM_MAJOR = 19
INSTALL_HINT = (
    f"install it with: sudo apt-get install clang-{LLVM_MAJOR} llvm-{LLVM_MAJOR} (or set COMPILERLM_LLVM_BIN)"
)


@functools.cache
def llvm_bin_dir() -> Path:
    """The bin directory of LLVM 19: $COMPILERLM_LLVM_BIN, else Debian's /usr/lib/llvm-19/bin, else PATH."""
    override = os.environ.get("COMPILERLM_LLVM_BIN")
    if override:
        path = Path(override)
        if not (path / "opt").exists():
            raise ToolMissingError(
                f"COMPILERLM_LLVM_BIN={override} has no 'opt': point it at an LLVM {LLVM_MAJOR} bin directory, "
                f"or unset it and {INSTALL_HINT.removesuffix(' (or set COMPILERLM_LLVM_BIN)')}"
            )
        return path
    debian = Path(f"/usr/lib/llvm-{LLVM_MAJOR}/bin")
    if (debian / "opt").exists():
        return debian
    for name in (f"opt-{LLVM_MAJOR}", "opt"):
        found = shutil.which(name)
        if found:
            return Path(found).resolve().parent
    raise ToolMissingError(f"LLVM {LLVM_MAJOR} not found; {INSTALL_HINT}")


def llvm_tool(name: str) -> str:
    """Path of an LLVM tool (clang, opt, llc, llvm-as, llvm-stress, ...) from the pinned installation."""
    path = llvm_bin_dir() / name
    if path.exists():
        return str(path)
    versioned = shutil.which(f"{name}-{LLVM_MAJOR}")
    if versioned:
        return versioned
    raise ToolMissingError(f"'{name}' from LLVM {LLVM_MAJOR} not found in {llvm_bin_dir()}; {INSTALL_HINT}")


@functools.cache
def _shared_library(names: Sequence[str]) -> str:
    """The first of `names` in LLVM 19's lib folder."""
    lib_dir = llvm_bin_dir().parent / "lib"
    for name in names:
        if (lib_dir / name).exists():
            return str(lib_dir / name)
    raise ToolMissingError(f"{names[0]} not found in {lib_dir}; {INSTALL_HINT}")


def libllvm_path() -> str:
    """The shared libLLVM-19.so used by the in-process fast path."""
    return _shared_library((f"libLLVM-{LLVM_MAJOR}.so", f"libLLVM.so.{LLVM_MAJOR}.1", "libLLVM.so"))


def libclang_cpp_path() -> str:
    """The shared libclang-cpp (clang's C++ API, from Debian's libclang-cpp package) for the in-process frontend."""
    return _shared_library((f"libclang-cpp.so.{LLVM_MAJOR}.1", f"libclang-cpp.so.{LLVM_MAJOR}", "libclang-cpp.so"))


def system_tool(name: str, package: str | None = None) -> str:
    """Path of a non-LLVM tool (gcc, csmith, perf, ...), with an apt hint when missing."""
    found = shutil.which(name)
    if not found:
        raise ToolMissingError(f"'{name}' not found; install it with: sudo apt-get install {package or name}")
    return found
