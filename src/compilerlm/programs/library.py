"""A shared library's tests: the executable that links it (its `driver`), run with the library under test.

A library has no `main`, so its tests run a program of the same build that uses it (giflib's tools, zopfli's
command line): the driver's units are compiled once as the build compiles them, linked against the library
being verified and run confined with that library bound at /prog-lib (`sandbox.PROG_LIB`), which the driver's
run path names. The driver is only a harness: its size is nobody's result, and it is rebuilt against each
library, so a library that lost a symbol the driver calls fails at the link, not later.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile

from compilerlm.errors import CompileError, CompilerLMError
from compilerlm.programs.program import Program
from compilerlm.sandbox import PROG_LIB
from compilerlm.toolchain.frontend import pinned_env
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.run import first_error_line, link_error_line, run_tool

DRIVER_CFLAGS = ("-O1",)  # a harness: how well it is optimised changes no result


def soname(library: bytes) -> str | None:
    """The library's DT_SONAME (what an executable linked with it asks the loader for), None without one."""
    try:
        elf = ELFFile(io.BytesIO(library))
        for section in elf.iter_sections():
            if isinstance(section, DynamicSection):
                for tag in section.iter_tags("DT_SONAME"):
                    return str(vars(tag)["soname"])  # pyelftools reads the string into the tag
    except (ELFError, ValueError) as exc:
        raise CompilerLMError(f"not a valid shared library ({exc})") from exc
    return None


def library_driver(program: Program, library: Path, folder: Path) -> tuple[Path, dict[str, Path]]:
    """(driver executable, the libraries to run it with): `program.driver` compiled into `folder` and linked
    with `library` (the build's file for `program.library`) so that the loader finds it in /prog-lib."""
    if not program.library or not program.driver:
        raise CompilerLMError(f"{program.name} is not a shared library with a test driver ('library', 'driver')")
    name = soname(library.read_bytes()) or program.library
    libdir = folder / "lib"
    libdir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(library, libdir / program.library)
    clang = llvm_tool("clang")
    objects = []
    for i, step in enumerate(program.driver_steps()):
        out = folder / f"driver{i}-{Path(step.name).stem}.o"
        command = step.command(clang, DRIVER_CFLAGS, out)
        res = run_tool(command, timeout=600, what="clang", cwd=step.cwd, env=pinned_env())
        if res.returncode != 0:
            why = first_error_line(res.stderr.decode(errors="replace"))
            raise CompileError(f"the test driver's {step.name} does not compile: {why}")
        objects.append(str(out))
    exe = folder / "driver"
    rpath = f"-Wl,-rpath,{PROG_LIB}"
    cmd = [clang, *objects, f"-L{libdir}", f"-l:{program.library}", rpath, "-o", str(exe), "-lm"]
    res = run_tool(cmd, timeout=600, what="the test driver's link")
    if res.returncode != 0:
        raise CompileError(f"the test driver does not link with the library: {link_error_line(res.stderr.decode())}")
    return exe, {name: libdir / program.library}
