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

from compilerlm.errors import CompilerLMError
from compilerlm.programs.build import compile_objects, link_objects
from compilerlm.programs.names import file_name, printable
from compilerlm.programs.program import CompileStep, Program
from compilerlm.search.tune import ModuleResult
from compilerlm.search.verify import Verification, verify_executable
from compilerlm.toolchain.frontend import compile_c
from compilerlm.toolchain.lto import (
    GC_LDFLAGS,
    LINK_OPTIONS,
    LTO_CFLAGS,
    WholeProgram,
    link_option_flags,
    lto_ldflags,
    merge_program,
    require_lld,
)
from compilerlm.toolchain.objsize import object_size
from compilerlm.toolchain.pipelines import OZ_PIPELINE
from compilerlm.toolchain.subprocess_path import compile_object


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
    """Every translation unit compiled with `cflags` first (as a build adds CFLAGS), objects in `folder`; with
    the build's -g, which changes clang's -Oz code by a few bytes."""
    _host_build_allowed(program)

    def failed(step: CompileStep, why: str) -> str:
        return f"{step.name} does not compile with {' '.join(cflags)}: {why}"

    return compile_objects(program.compile_steps(), cflags, folder, failed, jobs=jobs, debug=True)


def link(program: Program, objects: Sequence[Path], ldflags: Sequence[str], exe: Path) -> Path:
    """Link as the program's build does (its own ldflags and -lm after the objects), with `ldflags` first, for the
    program's machine."""
    before = (*program.link_before, *ldflags)
    return link_objects(
        objects, exe, lambda why: f"{program.name}: link failed: {why}", before=before, after=program.link_after
    )


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
    # the machine's flags go after the objects with the program's own: every link of the module is for its machine
    return merge_program(program.name, bitcode, (*program.link_before, *program.link_after))


@dataclass(frozen=True)
class LinkOptions:
    """The link options kept for a searched result, the size with them, and how many links choosing took."""

    options: tuple[str, ...]
    size: int
    links: int


Linker = Callable[[Sequence[str], Path], Path]
"""Links a route's executable with the named link options to the path given, and returns it."""


def choose_link_options(link: Linker, size: int) -> LinkOptions:
    """Each of `LINK_OPTIONS` in turn, kept when the real link with it is smaller than the best so far (`size`:
    the link without any). They act on different sections (strings, functions, relocations), so one pass in
    order finds what trying every combination would, at one link each; a link that fails keeps nothing."""
    kept: tuple[str, ...] = ()
    links = 0
    with tempfile.TemporaryDirectory(prefix="compilerlm-link-options-") as tmp:
        for name in LINK_OPTIONS:
            links += 1
            try:
                exe = link((*kept, name), Path(tmp) / "prog")
            except CompilerLMError:
                continue
            trial = object_size(exe.read_bytes()).size
            if trial < size:
                kept, size = (*kept, name), trial
    return LinkOptions(kept, size, links)


UNITS_CFLAGS = ("-Oz", *SECTIONS)
UNITS_LDFLAGS = ("-fuse-ld=lld", *GC_LDFLAGS)
UNITS_CODEGEN = ("-function-sections", "-data-sections")  # what `compilerlm cc` gives llc for SECTIONS


def units_linker(program: Program, pipelines: Mapping[str, str]) -> Linker:
    """The per-unit route: each unit with its tuned pipeline (-Oz where none), a section per function and datum,
    linked by lld with --gc-sections, as `compilerlm cc --tuned` builds it with `UNITS_CFLAGS`/`UNITS_LDFLAGS`.
    With the build's -g the units are compiled from their IR with debug info, as cc does (the code is tuned,
    and clang's code differs by a few bytes with it)."""
    _host_build_allowed(program)
    built: list[tuple[str, bytes]] = []  # the objects, compiled at the first link: each link only links

    def link_with(options: Sequence[str], exe: Path) -> Path:
        for step in program.compile_steps()[len(built) :]:
            module = compile_c(step.source, step.name, (*step.flags, *step.debug), "Oz", step.cwd, step.spelled)
            pipeline = pipelines.get(step.name, OZ_PIPELINE)
            built.append((step.name, compile_object(module, pipeline, codegen=UNITS_CODEGEN)))
        with tempfile.TemporaryDirectory(prefix="compilerlm-units-") as tmp:
            objects = [Path(tmp) / f"{i}-{Path(name).stem}.o" for i, (name, _) in enumerate(built)]
            for path, (_, data) in zip(objects, built, strict=True):
                path.write_bytes(data)
            return link(program, objects, [*UNITS_LDFLAGS, *link_option_flags(options)], exe)

    return link_with


@dataclass(frozen=True)
class Route:
    """A searched way to build a program, as linked and tested, and the flags that build it (`cc`: the compiler
    command when it needs `compilerlm cc`, else plain clang)."""

    name: str  # "whole-program" (the link-time pipeline) or "units" (tuned units, --gc-sections)
    size: int
    verdict: Verification
    cflags: tuple[str, ...]
    ldflags: tuple[str, ...]  # before -lm
    pipeline: str = ""
    link_options: tuple[str, ...] = ()
    size_without_link_options: int | None = None
    cc: str = ""
    link: Linker | None = field(default=None, compare=False, repr=False)  # builds it (with link options)


def whole_program_route(
    pipeline: str, size: int, verdict: Verification, options: LinkOptions | None, link: Linker | None = None
) -> Route:
    kept = options.options if options is not None else ()
    final = options.size if options is not None else size
    return Route(
        "whole-program", final, verdict, LTO_CFLAGS, tuple(lto_ldflags(pipeline, kept)), pipeline, kept, size, "", link
    )


def units_route(
    size: int, verdict: Verification, options: LinkOptions | None, cc: str, link: Linker | None = None
) -> Route:
    kept = options.options if options is not None else ()
    ldflags = (*UNITS_LDFLAGS, *link_option_flags(kept))
    final = options.size if options is not None else size
    return Route("units", final, verdict, UNITS_CFLAGS, ldflags, "", kept, size, cc, link)


def tested_link_options(
    program: Program, link: Linker, size: int, verdict: Verification, folder: Path
) -> tuple[LinkOptions, Verification]:
    """The link options that make a route's link smaller (`choose_link_options`), kept only when the program
    linked with them passes its tests; else none, and the route's own verdict."""
    chosen = choose_link_options(link, size)
    if not chosen.options:
        return chosen, verdict
    tested = verify_executable(program, link(chosen.options, folder / file_name(program.name)))
    if tested.verified:
        return chosen, Verification(True, f"{tested.detail} (linked with {', '.join(chosen.options)})")
    return LinkOptions((), size, chosen.links), verdict


def routes(
    program: Program,
    module: WholeProgram,
    result: ModuleResult,
    units: Sequence[ModuleResult],
    folder: Path,
    link_options: bool = True,
    cc: str = "",
) -> dict[str, Route]:
    """The searched routes of one program, linked and tested: the whole program with the searched link-time
    pipeline (`result`), and, given the program's tuned `units`, the per-unit route (its executable left in
    `folder` as `NAME.units`); each with the link options that pay (`link_options`). The units route counts
    as tested when its executable passes the tests and each unit tuned away from -Oz was run by them."""

    def lto_link(options: Sequence[str], exe: Path) -> Path:
        return module.link(result.pipeline, exe, options=options)

    verdict = Verification(result.verified, result.verification)
    options = None
    if link_options and verdict.verified:
        options, verdict = tested_link_options(program, lto_link, result.size, verdict, folder)
    found = {"whole-program": whole_program_route(result.pipeline, result.size, verdict, options, lto_link)}
    if not units:
        return found
    link_units = units_linker(program, {r.name: r.pipeline for r in units})
    exe = link_units((), folder / f"{file_name(program.name)}.units")
    size = object_size(exe.read_bytes()).size
    verdict = verify_executable(program, exe)
    unverified = [r.name for r in units if r.pipeline != OZ_PIPELINE and not r.verified]
    if verdict.verified and unverified:
        verdict = Verification(False, f"{verdict.detail}, but no test runs {printable(unverified[0])}")
    options = None
    if link_options and verdict.verified:
        options, verdict = tested_link_options(program, link_units, size, verdict, folder)
    found["units"] = units_route(size, verdict, options, cc, link_units)
    return found


@dataclass
class Shipped:
    """What ships for one program, and how to build it with a plain clang and lld: `cflags` on every compile,
    `ldflags` on the link (`*_shell`: the same, quoted for a Makefile or shell variable); `cc` names the compiler
    when the per-unit route ships (`compilerlm cc --tuned …`), else it is empty and any clang builds it."""

    program: str
    recipes: dict[str, int | None]  # allocated bytes of each standard build (None: it did not build)
    best_recipe: str
    best_recipe_size: int
    route: str  # "whole-program", "units", or the name of the recipe that ships
    size: int  # allocated bytes of the executable that ships
    improvement: float  # against the best recipe
    improvement_vs_oz: float | None  # against the plain -Oz build
    pipeline: str  # the link-time pipeline (route whole-program), else ""
    link_options: list[str] = field(default_factory=list)  # LINK_OPTIONS kept by the route that ships
    size_without_link_options: int | None = None  # the route's link without them
    cflags: list[str] = field(default_factory=list)
    ldflags: list[str] = field(default_factory=list)
    cflags_shell: str = ""
    ldflags_shell: str = ""
    cc: str = ""
    verified: bool = False
    verification: str = ""
    routes: dict[str, dict] = field(default_factory=dict)  # every searched route: size, verified, link options
    recipe_errors: dict[str, str] = field(default_factory=dict)


def shipped(
    program: str,
    builds: Mapping[str, RecipeBuild],
    routes: Mapping[str, Route],
    verify_recipe: Callable[[Recipe], Verification],
) -> Shipped:
    """The smallest of the searched routes that passed the tests, if smaller than the best recipe, else that
    recipe (tested by `verify_recipe`): never larger than what the developer already had."""
    best = best_recipe(builds)
    assert best.size is not None
    recipe = next(r for r in RECIPES if r.name == best.recipe)
    passed = [r for r in routes.values() if r.verdict.verified and r.size < best.size]
    if passed:
        chosen = min(passed, key=lambda r: r.size)
    else:
        chosen = Route(recipe.name, best.size, verify_recipe(recipe), recipe.cflags, recipe.ldflags)
    # every size here was linked with libm: a build that does not link it is 26 bytes smaller
    cflags, ldflags = list(chosen.cflags), [*chosen.ldflags, "-lm"]
    oz = builds.get("Oz")
    return Shipped(
        program=program,
        recipes={name: b.size for name, b in builds.items()},
        best_recipe=best.recipe,
        best_recipe_size=best.size,
        route=chosen.name,
        size=chosen.size,
        improvement=1 - chosen.size / best.size,
        improvement_vs_oz=1 - chosen.size / oz.size if oz is not None and oz.size else None,
        pipeline=chosen.pipeline,
        link_options=list(chosen.link_options),
        size_without_link_options=chosen.size_without_link_options,
        cflags=cflags,
        ldflags=ldflags,
        cflags_shell=shlex.join(cflags),
        ldflags_shell=shlex.join(ldflags),
        cc=chosen.cc,
        verified=chosen.verdict.verified,
        verification=chosen.verdict.detail,
        routes={
            r.name: {
                "size": r.size,
                "size_without_link_options": r.size_without_link_options,
                "link_options": list(r.link_options),
                "verified": r.verdict.verified,
                "verification": r.verdict.detail,
            }
            for r in routes.values()
        },
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
