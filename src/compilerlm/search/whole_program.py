"""Whole programs: the standard builds a C developer already has, the program as full LTO sees it, and what
ships — with plain compiler and linker flags.

A size result is only worth having if it beats what a developer gets from two flags, so every linked program
is built four standard ways (`RECIPES`: -Oz; with function/data sections and --gc-sections; full LTO with lld;
both) and the best of them is the baseline. `tune --lto` searches the link-time pipeline on the merged module
(`toolchain.lto`); `shipped` then picks, per program, the smaller of that result and the best recipe, so what
ships is never larger than what the developer had, and says how to build it: `cflags` for every compile and
`ldflags` for the link (`-flto -fuse-ld=lld -Xlinker --lto-newpm-passes=...`), nothing else.
"""

from __future__ import annotations

import shlex
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from compilerlm.errors import CompileError, CompilerLMError
from compilerlm.parallel import ThreadExecutor
from compilerlm.programs.names import file_name
from compilerlm.programs.program import Program
from compilerlm.search.verify import Verification, verify_executable
from compilerlm.toolchain.frontend import pinned_env
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.lto import GC_LDFLAGS, LTO_CFLAGS, WholeProgram, lto_ldflags, merge_program, require_lld
from compilerlm.toolchain.objsize import object_size
from compilerlm.toolchain.run import first_error_line, run_tool


@dataclass(frozen=True)
class Recipe:
    """A standard build: `cflags` on every compile, `ldflags` on the link (clang drives both)."""

    name: str
    cflags: tuple[str, ...]
    ldflags: tuple[str, ...] = ()


SECTIONS = ("-ffunction-sections", "-fdata-sections")
RECIPES = (
    Recipe("Oz", ("-Oz",)),
    Recipe("Oz+gc", ("-Oz", *SECTIONS), GC_LDFLAGS),
    Recipe("Oz+lto", LTO_CFLAGS, ("-fuse-ld=lld",)),
    Recipe("Oz+lto+gc", LTO_CFLAGS, ("-fuse-ld=lld", *GC_LDFLAGS)),
)
"""What a developer who cares about size tries first, in that order."""


def _host_build_allowed(program: Program) -> None:
    if program.from_dataset:
        raise CompilerLMError(
            f"program {program.name} comes from a downloaded dataset: its C code is compiled only inside the sandbox"
        )
    if not program.is_c:
        raise CompilerLMError(f"program {program.name} has IR sources: whole-program builds need its C sources")


def compile_units(program: Program, cflags: Sequence[str], folder: Path, jobs: int = 1) -> list[Path]:
    """Every translation unit compiled with `cflags` first (as a build adds CFLAGS), objects in `folder`."""
    _host_build_allowed(program)
    clang = llvm_tool("clang")
    steps = program.compile_steps()

    def one(i: int) -> Path:
        out = folder / f"{i}-{Path(steps[i].name).stem}.o"
        cmd = steps[i].command(clang, cflags, out)
        res = run_tool(cmd, timeout=600, what="clang", cwd=steps[i].cwd, env=pinned_env())
        if res.returncode != 0:
            why = first_error_line(res.stderr.decode(errors="replace"))
            raise CompileError(f"{steps[i].name} does not compile with {' '.join(cflags)}: {why}")
        return out

    return ThreadExecutor(jobs).map(one, range(len(steps)))


def link(program: Program, objects: Sequence[Path], ldflags: Sequence[str], exe: Path) -> Path:
    """Link as the program's build does (its own ldflags and -lm after the objects), with `ldflags` first."""
    cmd = [llvm_tool("clang"), *ldflags, *map(str, objects), "-o", str(exe), *program.ldflags, "-lm"]
    res = run_tool(cmd, timeout=600, what="the link")
    if res.returncode != 0:
        raise CompileError(f"{program.name}: link failed: {first_error_line(res.stderr.decode(errors='replace'))}")
    return exe


@dataclass(frozen=True)
class RecipeBuild:
    recipe: str
    size: int | None = None  # allocated bytes of the linked executable (objsize)
    text: int | None = None
    error: str = ""


def build_recipes(program: Program, out: Path | None = None, jobs: int = 1) -> dict[str, RecipeBuild]:
    """Every standard recipe built and sized (a recipe that fails says why); with `out` the executables stay
    there as `NAME.RECIPE`."""
    require_lld()
    results = {}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="compilerlm-recipes-") as tmp:
        for recipe in RECIPES:
            folder = Path(tmp) / recipe.name
            folder.mkdir()
            exe = recipe_executable(program, recipe, out or folder)
            try:
                objects = compile_units(program, recipe.cflags, folder, jobs)
                size = object_size(link(program, objects, recipe.ldflags, exe).read_bytes())
            except CompilerLMError as exc:
                results[recipe.name] = RecipeBuild(recipe.name, error=str(exc))
                continue
            results[recipe.name] = RecipeBuild(recipe.name, size.size, size.text)
    return results


def best_recipe(builds: Mapping[str, RecipeBuild]) -> RecipeBuild:
    """The smallest recipe that built (the first of equal ones); CompilerLMError when none did."""
    built = [b for b in builds.values() if b.size is not None]
    if not built:
        first = next(iter(builds.values()), RecipeBuild("", error="no recipe"))
        raise CompilerLMError(f"no standard build of the program links: {first.error}")
    return min(built, key=lambda b: b.size or 0)


def whole_program(program: Program, jobs: int = 1) -> WholeProgram:
    """The program as lld's full LTO optimises it: every unit at `-Oz -flto`, merged and internalised."""
    with tempfile.TemporaryDirectory(prefix="compilerlm-bitcode-") as tmp:
        objects = compile_units(program, LTO_CFLAGS, Path(tmp), jobs)
        steps = program.compile_steps()
        bitcode = tuple((step.name, path.read_bytes()) for step, path in zip(steps, objects, strict=True))
    return merge_program(program.name, bitcode, program.ldflags)


@dataclass
class Shipped:
    """What ships for one program, and how to build it with a plain clang and lld: `cflags` on every compile,
    `ldflags` on the link (`*_shell`: the same, quoted for a Makefile or shell variable)."""

    program: str
    recipes: dict[str, int | None]  # allocated bytes of each standard build (None: it did not build)
    best_recipe: str
    best_recipe_size: int
    route: str  # "whole-program" (the searched link-time pipeline) or the name of the recipe that ships
    size: int  # allocated bytes of the executable that ships
    improvement: float  # against the best recipe
    improvement_vs_oz: float | None  # against the plain -Oz build
    pipeline: str  # the link-time pipeline (route whole-program), else ""
    cflags: list[str] = field(default_factory=list)
    ldflags: list[str] = field(default_factory=list)
    cflags_shell: str = ""
    ldflags_shell: str = ""
    verified: bool = False
    verification: str = ""
    recipe_errors: dict[str, str] = field(default_factory=dict)


def shipped(
    program: str,
    builds: Mapping[str, RecipeBuild],
    size: int,
    pipeline: str,
    verdict: Verification,
    verify_recipe: Callable[[Recipe], Verification],
) -> Shipped:
    """The smaller of the whole-program result (`size` with link-time `pipeline`, tested: `verdict`) and the best
    recipe (tested by `verify_recipe` when it ships): never larger than what the developer already had."""
    best = best_recipe(builds)
    assert best.size is not None
    recipe = next(r for r in RECIPES if r.name == best.recipe)
    if size < best.size and verdict.verified:
        route, shipped_size, cflags, ldflags = "whole-program", size, list(LTO_CFLAGS), lto_ldflags(pipeline)
    else:
        route, shipped_size, cflags, ldflags = recipe.name, best.size, list(recipe.cflags), list(recipe.ldflags)
        pipeline, verdict = "", verify_recipe(recipe)
    ldflags.append("-lm")  # every size here was linked with libm: a build that does not link it is 26 bytes smaller
    oz = builds.get("Oz")
    return Shipped(
        program=program,
        recipes={name: b.size for name, b in builds.items()},
        best_recipe=best.recipe,
        best_recipe_size=best.size,
        route=route,
        size=shipped_size,
        improvement=1 - shipped_size / best.size,
        improvement_vs_oz=1 - shipped_size / oz.size if oz is not None and oz.size else None,
        pipeline=pipeline,
        cflags=cflags,
        ldflags=ldflags,
        cflags_shell=shlex.join(cflags),
        ldflags_shell=shlex.join(ldflags),
        verified=verdict.verified,
        verification=verdict.detail,
        recipe_errors={name: b.error for name, b in builds.items() if b.error},
    )


def recipe_executable(program: Program, recipe: Recipe, folder: Path) -> Path:
    """Where `build_recipes(program, folder)` left the recipe's executable."""
    return folder / f"{file_name(program.name)}.{recipe.name}"


def verify_recipe(program: Program, recipe: Recipe, folder: Path) -> Verification:
    """The tests of a standard build that `build_recipes(program, folder)` built (it is not built again)."""
    exe = recipe_executable(program, recipe, folder)
    if not exe.is_file():
        return Verification(False, f"the {recipe.name} build did not link")
    return verify_executable(program, exe)
