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

from compilerlm.errors import CompilerLMError
from compilerlm.programs.build import compile_objects, link_objects
from compilerlm.programs.program import CompileStep, Program
from compilerlm.sandbox import PROG_LIB

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

    def failed(step: CompileStep, why: str) -> str:
        return f"the test driver's {step.name} does not compile: {why}"

    objects = compile_objects(program.driver_steps(), DRIVER_CFLAGS, folder, failed, prefix="driver")
    exe = link_objects(
        objects,
        folder / "driver",
        lambda why: f"the test driver does not link with the library: {why}",
        before=program.machine.cflags,
        after=(f"-L{libdir}", f"-l:{program.library}", f"-Wl,-rpath,{PROG_LIB}", *program.machine.link_flags),
        what="the test driver's link",
    )
    return exe, {name: libdir / program.library}
