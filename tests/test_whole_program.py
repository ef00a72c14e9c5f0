"""Whole programs (`tune --lto`): the four standard builds are what a developer gets from clang and lld, the
searched module is the one lld's LTO optimises, the JSON's cflags/ldflags rebuild the reported executable byte
for byte with nothing but clang, and what ships is never larger than the best standard build."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from compilerlm.programs.suites import resolve_target
from compilerlm.search.verify import Verification, verify_program
from compilerlm.search.whole_program import (
    RECIPES,
    LinkOptions,
    RecipeBuild,
    build_recipes,
    choose_link_options,
    shipped,
    units_route,
    verify_recipe,
    whole_program,
    whole_program_route,
)
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.lto import LINK_OPTIONS, LtoEvaluator, WholeProgram, link_option_flags, lto_ldflags
from compilerlm.toolchain.objsize import object_size
from compilerlm.toolchain.pipelines import OZ_PIPELINE


@pytest.fixture(scope="module")
def stack_vm():
    return resolve_target("builtin:stack_vm")[0]


@pytest.fixture(scope="module")
def merged(stack_vm) -> WholeProgram:
    return whole_program(stack_vm)


def developer_build(program, cflags: list[str], ldflags: list[str], folder: Path) -> Path:
    """What a Makefile does with CFLAGS and LDFLAGS: each source to an object, then one link; written here with
    plain clang, not through compilerlm."""
    folder.mkdir(parents=True, exist_ok=True)
    objects = []
    for source in program.sources:
        obj = folder / (source.stem + ".o")
        subprocess.run([llvm_tool("clang"), *cflags, "-c", str(source), "-o", str(obj)], check=True)
        objects.append(str(obj))
    exe = folder / "prog"
    subprocess.run([llvm_tool("clang"), *objects, "-o", str(exe), *ldflags], check=True)
    return exe


def test_standard_builds_are_what_clang_and_lld_give(stack_vm, tmp_path):
    builds = build_recipes(stack_vm, tmp_path / "out")
    assert list(builds) == [r.name for r in RECIPES] == ["Oz", "Oz+gc", "Oz+lto", "Oz+lto+gc"]
    for recipe in RECIPES:
        exe = developer_build(stack_vm, list(recipe.cflags), [*recipe.ldflags, "-lm"], tmp_path / recipe.name)
        assert builds[recipe.name].size == object_size(exe.read_bytes()).size, recipe.name
        assert (tmp_path / "out" / f"stack_vm.{recipe.name}").is_file()
    # gc and LTO each drop something on this program; LTO's merged module is the smallest of the recipes
    assert builds["Oz+gc"].size < builds["Oz"].size
    assert builds["Oz+lto+gc"].size <= builds["Oz+lto"].size < builds["Oz"].size


def test_the_merged_module_is_the_program_after_internalisation(merged, stack_vm):
    assert merged.name == "stack_vm/<whole-program>"
    assert [name for name, _ in merged.objects] == [m.name for m in stack_vm.modules()]
    assert all(data.startswith(b"BC") for _, data in merged.objects)  # bitcode, as -flto writes it
    assert merged.ir.startswith("; ModuleID = 'stack_vm/<whole-program>'\n")  # not lld's temporary file
    assert " @main() " in merged.ir
    # every unit's functions are in one module, and what nothing outside uses is internal now
    assert merged.ir.count("define internal") > 5
    # the same IR linked with other flags is another size: the key says so
    assert merged.key != WholeProgram(merged.name, merged.ir, objects=merged.objects, ldflags=("-s",)).key


def test_the_link_time_pipeline_is_evaluated_by_the_real_link(merged, tmp_path):
    with LtoEvaluator(jobs=2) as ev:
        oz, o0, hostile = ev.evaluate_many([(merged, OZ_PIPELINE), (merged, ""), (merged, "insert-gcov-profiling")])
    exe = merged.link(OZ_PIPELINE, tmp_path / "prog")
    assert oz.ok and oz.size == object_size(exe.read_bytes()).size
    assert o0.ok and o0.size > oz.size
    # only the catalogue's module-only passes reach the linker: nothing is written beside it
    assert not hostile.ok and hostile.error_kind == "pipeline" and "insert-gcov-profiling" in hostile.error
    assert not list(Path.cwd().glob("*.gcno"))
    # a per-unit evaluator's module is refused by this one, with the reason
    (unit,) = LtoEvaluator().evaluate_many([(resolve_target("builtin:sieve")[0].modules()[0], OZ_PIPELINE)])
    assert unit.error_kind == "invalid-ir" and "not a whole program" in unit.error


def test_link_options_are_kept_only_where_the_real_link_is_smaller(merged, tmp_path):
    def size(options=()):
        return object_size(merged.link(OZ_PIPELINE, tmp_path / "p", options=options).read_bytes()).size

    alone = size()
    chosen = choose_link_options(lambda options, exe: merged.link(OZ_PIPELINE, exe, options=options), alone)
    assert chosen.links == len(LINK_OPTIONS) and chosen.size == size(chosen.options)
    # this program is PIE with pointers in its data: packed relocations pay here
    assert "relr" in chosen.options and chosen.size < alone
    for name in LINK_OPTIONS:  # each kept option pays given the others; each left out would not
        others = tuple(o for o in chosen.options if o != name)
        if name in chosen.options:
            assert size(others) > chosen.size, name
        else:
            assert size((*others, name)) >= chosen.size, name
    # the shipped flags name them, in the table's order; an unknown name is refused with the choices
    assert lto_ldflags(OZ_PIPELINE, ("relr",))[-1] == "-Wl,-z,pack-relative-relocs"
    with pytest.raises(Exception, match="unknown link option 'strip-all': choose from merge-string-tails"):
        lto_ldflags(OZ_PIPELINE, ("strip-all",))


def test_verification_links_the_whole_program(merged, stack_vm):
    assert verify_program(stack_vm, [merged], {merged.name: OZ_PIPELINE}) == Verification(True, "7/7 tests passed")


def test_tune_lto_ships_plain_flags_that_rebuild_the_reported_bytes(cli, tmp_path, stack_vm):
    args = ("tune", "builtin:stack_vm", "--lto", "--budget", "12", "--no-units-route")
    cli(*args, "--json", "o.json", "--out", "out", check=True)
    doc = json.loads((tmp_path / "o.json").read_text())
    (ship,) = doc["whole_program"]
    (module,) = doc["modules"]
    assert module["name"] == "stack_vm/<whole-program>" and module["verified"]
    assert module["source"] in ("ranker", "search", "Oz")  # the shipped ranker is named as such
    # the search starts from lld's own link-time pipeline, before the ranker's: never behind the standard LTO build
    assert module["trajectory"][0] == [1, ship["recipes"]["Oz+lto+gc"]]
    assert module["size_oz"] >= module["size"] and module["size"] <= ship["recipes"]["Oz+lto+gc"]
    assert ship["recipes"].keys() == {"Oz", "Oz+gc", "Oz+lto", "Oz+lto+gc"}
    assert ship["best_recipe_size"] == min(ship["recipes"].values())
    assert ship["size"] <= ship["best_recipe_size"]  # never larger than what the developer had
    assert ship["verified"] and ship["verification"].startswith("7/7 tests passed")
    # a Makefile with CFLAGS and LDFLAGS from the JSON (as the shell reads them) builds the very same executable
    exe = developer_build(
        stack_vm, shlex.split(ship["cflags_shell"]), shlex.split(ship["ldflags_shell"]), tmp_path / "dev"
    )
    assert object_size(exe.read_bytes()).size == ship["size"]
    shipped_exe = tmp_path / "out" / "stack_vm"
    if ship["route"] == "whole-program":
        assert exe.read_bytes() == shipped_exe.read_bytes()
        assert ship["pipeline"] == module["pipeline"] and ship["size_without_link_options"] == module["size"]
        assert ship["size"] < ship["best_recipe_size"]
        # the budget counts the links that tried the link options: the search had the rest
        assert doc["budget"] == 12 and module["search_evaluations"] <= 12 - len(LINK_OPTIONS)
        if ship["link_options"]:  # they ship as plain flags too (the rebuild above is with them)
            assert ship["size"] < module["size"] and "-Wl," in ship["ldflags_shell"]
            assert "(linked with " in ship["verification"]
    # the module's own reproduce line is the link, with its pipeline
    assert "--lto-newpm-passes=module(" in module["reproduce"] and module["opt_pipeline"] == module["pipeline"]
    # the report shows the standard builds beside what ships, with the flags
    cli("report", "o.json", "--out", "rep", check=True)
    report = (tmp_path / "rep" / "report.md").read_text()
    row = next(line for line in report.splitlines() if line.startswith("| stack_vm |"))
    via = " + ".join([ship["route"], *ship["link_options"]])
    assert f"| {ship['recipes']['Oz+lto+gc']} | {ship['size']} | {via} |" in row
    assert f"`{ship['ldflags_shell']}`" in row


@pytest.mark.slow  # the four standard builds and three test runs: the default suite stays under 15 minutes
def test_what_ships_is_never_larger_than_the_best_standard_build(stack_vm, tmp_path):
    builds = build_recipes(stack_vm, tmp_path)
    best = min(b.size for b in builds.values() if b.size)
    verified = Verification(True, "7/7 tests passed")

    def check(recipe):
        return verify_recipe(stack_vm, recipe, tmp_path)

    # a whole-program result no smaller than the best recipe: the recipe ships, tested
    def lto(size, verdict=verified):
        return whole_program_route("default<Oz>", size, verdict, None)

    ship = shipped("stack_vm", builds, {"whole-program": lto(best)}, check)
    assert ship.route == "Oz+lto+gc" and ship.size == best and ship.pipeline == ""
    assert ship.cflags == ["-Oz", "-flto"] and "--gc-sections" in ship.ldflags_shell and ship.verified
    assert ship.ldflags[-1] == "-lm"  # the sizes were linked with libm, as the shipped flags say
    assert ship.cc == "" and ship.routes["whole-program"]["size"] == best  # every route is reported
    # smaller but failing its tests: the recipe ships too
    failed = Verification(False, "test 3: wrong output")
    ship = shipped("stack_vm", builds, {"whole-program": lto(best - 100, failed)}, check)
    assert ship.route == "Oz+lto+gc" and ship.size == best
    # smaller and tested: the link-time pipeline ships
    ship = shipped("stack_vm", builds, {"whole-program": lto(best - 100)}, check)
    assert ship.route == "whole-program" and ship.improvement == pytest.approx(100 / best)
    assert ship.ldflags[-2:] == ["--lto-newpm-passes=module(default<Oz>)", "-lm"] and ship.cc == ""
    # the smallest tested route ships; the per-unit route needs compilerlm cc, and says so
    units = units_route(best - 150, verified, LinkOptions(("relr",), best - 200, 3), "compilerlm cc --tuned t.json")
    ship = shipped("stack_vm", builds, {"whole-program": lto(best - 100), "units": units}, check)
    assert ship.route == "units" and ship.size == best - 200 and ship.cc == "compilerlm cc --tuned t.json"
    assert ship.cflags == ["-Oz", "-ffunction-sections", "-fdata-sections"] and ship.link_options == ["relr"]
    assert ship.ldflags == ["-fuse-ld=lld", "-Xlinker", "--gc-sections", "-Wl,-z,pack-relative-relocs", "-lm"]
    assert ship.size_without_link_options == best - 150


def test_a_recipe_that_does_not_build_says_why():
    builds = {"Oz": RecipeBuild("Oz", error="link failed: undefined reference to `f'")}
    route = whole_program_route(OZ_PIPELINE, 100, Verification(True, ""), None)
    with pytest.raises(Exception, match="no standard build of the program links: link failed"):
        shipped("p", builds, {"whole-program": route}, lambda r: Verification(True, ""))


@pytest.mark.slow  # the whole program and every unit searched, then a build: the default suite stays under 15 minutes
def test_the_per_unit_route_is_built_by_compilerlm_cc_to_the_reported_bytes(cli, tmp_path, stack_vm):
    """Tuned units with --gc-sections: the JSON's `cc`, cflags and ldflags in a Makefile's place give the size
    reported for that route, byte for byte, whichever route ships."""
    cli("tune", "builtin:stack_vm", "--lto", "--budget", "8", "--json", "o.json", "--out", "out", check=True)
    doc = json.loads((tmp_path / "o.json").read_text())
    (ship,) = doc["whole_program"]
    assert set(ship["routes"]) == {"whole-program", "units"}
    units = ship["routes"]["units"]
    assert {m["name"] for m in doc["unit_modules"]} == {m.name for m in stack_vm.modules()}
    cc = [str(Path(sys.executable).with_name("compilerlm")), "cc", "--tuned", str(tmp_path / "o.json")]
    cflags = ["-Oz", "-ffunction-sections", "-fdata-sections"]
    ldflags = ["-fuse-ld=lld", "-Xlinker", "--gc-sections", *link_option_flags(units["link_options"]), "-lm"]
    objects = []
    for source in stack_vm.sources:  # what make does with CC, CFLAGS and LDFLAGS
        obj = tmp_path / (source.stem + ".o")
        res = subprocess.run([*cc, *cflags, "-c", str(source), "-o", str(obj)], capture_output=True, text=True)
        assert res.returncode == 0 and "compiled at -Oz" not in res.stderr, res.stderr  # every unit recognised
        objects.append(str(obj))
    exe = tmp_path / "prog"
    subprocess.run([*cc, *objects, "-o", str(exe), *ldflags], check=True)
    assert object_size(exe.read_bytes()).size == units["size"]
    if ship["route"] == "units":
        assert ship["cc"] == "compilerlm cc --tuned o.json" and ship["ldflags"] == ldflags
        assert exe.read_bytes() == (tmp_path / "out" / "stack_vm").read_bytes()


@pytest.mark.slow  # two tune runs: the default suite stays under 15 minutes
def test_tune_lto_resumes_from_the_store(cli, tmp_path):
    args = ("tune", "builtin:stack_vm", "--lto", "--budget", "6", "--store", "s.sqlite", "--json", "o.json")
    cli(*args, check=True)
    first = json.loads((tmp_path / "o.json").read_text())
    cli(*args, check=True)
    again = json.loads((tmp_path / "o.json").read_text())
    assert again["modules"][0]["resumed"] and again["modules"][0]["compiled"] == 0
    assert again["whole_program"][0]["size"] == first["whole_program"][0]["size"]


@pytest.mark.slow  # a search that runs out its clock: the default suite stays under 15 minutes
def test_a_time_budget_ends_the_search_and_large_modules_get_longer_evaluations(cli, tmp_path):
    from compilerlm.search.runner import EVALUATION_TIMEOUT, TuneJob, evaluation_timeout
    from compilerlm.toolchain.module import IRModule

    cli("tune", "builtin:sieve", "--time-budget", "1", "--budget", "100000", "--json", "o.json", check=True)
    (module,) = json.loads((tmp_path / "o.json").read_text())["modules"]
    assert 0 < module["search_evaluations"] < 100000 and module["seconds"] < 60
    program = resolve_target("builtin:sieve")[0]
    small = TuneJob(program, [IRModule("a", "x" * 1000)], None)
    large = TuneJob(program, [IRModule("b", "x" * 10_000_000)], None)
    assert evaluation_timeout([small]) == EVALUATION_TIMEOUT
    assert evaluation_timeout([small, large]) == 500 and evaluation_timeout([small], 300) == 300
    bad = cli("tune", "builtin:sieve", "--time-budget", "-1")
    assert bad.returncode == 1 and "--time-budget must be at least 0" in bad.stderr


def test_a_tuned_program_that_links_larger_than_Oz_ships_Oz(stack_vm, tmp_path):
    """Objects can shrink while the executable grows (a new import, relocations): what ships is judged linked."""
    from compilerlm.search.tune import ModuleResult, no_larger_when_linked
    from compilerlm.search.verify import linked_sizes

    modules = stack_vm.modules()
    # a real link of tuned modules, reported as if it had come out 40 bytes larger than -Oz
    real = linked_sizes(stack_vm, modules, {m.name: "default<Oz>,function(loop-reduce)" for m in modules}, tmp_path)
    assert real.size and real.size_oz
    grown = type(real)(real.program, real.size_oz, real.text_oz, real.size_oz + 40, real.text)
    results = [
        ModuleResult(m.name, "stack_vm", m.key, None, 1000, None, pipeline="instcombine", source="search", size=990)
        for m in modules
    ]
    for r in results:
        r.improvement, r.verified, r.verification = 0.01, True, "7/7 tests passed"
    kept = no_larger_when_linked(results, grown, tmp_path)
    assert kept.size == kept.size_oz and kept.fell_back == real.size_oz + 40 and kept.improvement == 0
    assert all(r.pipeline == OZ_PIPELINE and r.source == "Oz" and r.size == r.size_oz == 1000 for r in results)
    assert all("40 bytes larger: -Oz" in r.verification and r.reproduce for r in results)
    assert (tmp_path / "stack_vm").read_bytes() == (tmp_path / "stack_vm.Oz").read_bytes()
    # no larger: nothing changes
    smaller = type(real)("stack_vm", 1000, 500, 990, 480)
    assert no_larger_when_linked(results, smaller) is smaller


def test_the_tune_table_keeps_module_names_at_80_columns():
    from rich.console import Console

    import compilerlm.cli.tune as tune_cli

    counts = {"search_evaluations": 2, "minimize_evaluations": 0, "seconds": 0.1, "length_before": 0}
    module = {
        "name": "huffman/a_rather_long_module_name.c",
        **dict.fromkeys(("size_o0", "size_oz", "size_o3", "size"), 1000),
        **counts,
        "improvement": 0.0,
        "length_after": 0,
        "verified": True,
        "source": "Oz",
    }
    summary = {"improvement_geomean": 0.0, "share_better": 0.0, "verified_share": 1.0, "evaluations_total": 2}
    summary |= {"search_evaluations": 2, "minimize_evaluations": 0, "compiled_total": 2, "compiled_per_second": 1.0}
    doc = {"strategy": "auto", "budget": 2, "modules": [module], "summary": summary}
    for width in (80, 160):
        console = Console(width=width, record=True)
        saved, tune_cli.console = tune_cli.console, console
        try:
            tune_cli.print_tune_table(doc)
        finally:
            tune_cli.console = saved
        text = console.export_text()
        assert "huffman/a_rather_long_module_n" in text and "source" in text, text  # folded, never dropped
        assert max(len(line) for line in text.splitlines()) <= width
        assert ("-O3" in text) == (width >= tune_cli.NARROW)


def test_a_module_no_test_executes_is_not_verified(cli, tmp_path):
    """A unit whose functions no test calls passes every test whatever was done to it: not verified, and why."""
    project = tmp_path / "proj"
    (project / "tests").mkdir(parents=True)
    (project / "main.c").write_text(
        '#include <stdio.h>\nint used(int x);\nint main(void) { printf("%d\\n", used(20)); return 0; }\n'
    )
    (project / "used.c").write_text("int used(int x) { int s = 0; for (int i = 0; i < x; i++) s += i; return s; }\n")
    (project / "unused.c").write_text("int never(int x) { return x * 7 + 1; }\nint never2(int x) { return -x; }\n")
    (project / "tests" / "1.in").write_text("")
    (project / "tests" / "1.out").write_text("190\n")
    cli("tune", str(project), "--budget", "3", "--json", "o.json", check=True)
    by_name = {m["name"]: m for m in json.loads((tmp_path / "o.json").read_text())["modules"]}
    unused, used = by_name["proj/unused.c"], by_name["proj/used.c"]
    assert (unused["functions"], unused["functions_executed"], unused["verified"]) == (2, 0, False)
    assert unused["verification"] == "1/1 tests passed, but no test executes its code (0 of 2 functions)"
    assert (used["functions"], used["functions_executed"], used["verified"]) == (1, 1, True)
    no_verify = cli("tune", str(project), "--budget", "2", "--no-verify", "--json", "n.json", check=True)
    assert no_verify.returncode == 0
    assert all(m["functions"] is None for m in json.loads((tmp_path / "n.json").read_text())["modules"])


@pytest.mark.slow  # a Ray instance starts
def test_ray_tunes_a_whole_program_as_local_workers_do(stack_vm, merged, tmp_path):
    """The whole-program module carries its bitcode, so a Ray worker links it as a local worker does."""
    from compilerlm.search.runner import TuneJob, tune_jobs
    from compilerlm.search.tune import TuneConfig
    from compilerlm.store import Store

    jobs = [TuneJob(stack_vm, [merged], None)]
    config = TuneConfig(strategy="random", budget=8, minimize=False)
    local = tune_jobs(jobs, config, Store(), evaluator="lto", workers=2)
    remote = tune_jobs(jobs, config, Store(tmp_path / "ray.sqlite"), evaluator="lto", ray_address="local")
    assert [(r.pipeline, r.size, r.verified, r.functions_executed) for r in remote] == [
        (r.pipeline, r.size, r.verified, r.functions_executed) for r in local
    ]
    assert remote[0].compiled > 0 and remote[0].verified
