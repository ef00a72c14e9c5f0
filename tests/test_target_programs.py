"""Programs built for another machine (`--target`): their modules carry the target's triple, the size track
links them for it and runs their tests under qemu-user in the sandbox, and what cannot be built for a target
says so in one line. A target whose cross toolchain or qemu is missing here is skipped with the reason."""

from __future__ import annotations

import io
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from compilerlm.errors import CompilerLMError
from compilerlm.programs.program import Program, TestCase
from compilerlm.programs.suites import built_for, builtin_programs, resolve_target
from compilerlm.programs.testing import emulator_for, run_tests
from compilerlm.search.verify import linked_sizes, verify_executable, verify_program
from compilerlm.search.whole_program import whole_program
from compilerlm.toolchain.objsize import object_size
from compilerlm.toolchain.targets import HOST, TARGETS, Target, unusable

CROSS = [t for t in TARGETS.values() if not t.is_host]


def _usable(t: Target) -> Target:
    why = unusable(t)
    if why:
        pytest.skip(why)
    return t


@pytest.fixture(scope="module")
def stack_vm():
    (program,) = builtin_programs(["stack_vm"])
    return program


def test_built_for_refuses_what_it_cannot_build_in_one_line(tmp_path, stack_vm):
    assert built_for([stack_vm], HOST.name) == [stack_vm]  # the host: the programs as they are
    with pytest.raises(CompilerLMError, match="unknown target 'mips-linux-gnu': choose one of x86_64-linux-gnu"):
        built_for([stack_vm], "mips-linux-gnu")
    ir = tmp_path / "m.ll"
    ir.write_text('target triple = "x86_64-pc-linux-gnu"\ndefine i32 @f() {\n  ret i32 0\n}\n')
    with pytest.raises(CompilerLMError, match="is LLVM IR, built for the triple its IR names"):
        built_for(resolve_target(str(ir)), CROSS[0].name)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A two-unit program with two tests: small enough to build and run under qemu in a few seconds."""
    folder = tmp_path_factory.mktemp("small")
    (folder / "sum.c").write_text("long sum(const long *v, int n) { long s = 0; while (n--) s += *v++; return s; }\n")
    (folder / "main.c").write_text(
        "#include <stdio.h>\nlong sum(const long *v, int n);\nint main(void) {\n  long v[64]; int n = 0;\n"
        '  while (n < 64 && scanf("%ld", &v[n]) == 1) n++;\n  printf("%ld %zu\\n", sum(v, n), sizeof(long));\n'
        "  return 0;\n}\n"
    )
    tests = (TestCase("1", b"1 2 3\n", None), TestCase("2", b"-5 5 40\n", None))
    return Program("small", (folder / "main.c", folder / "sum.c"), root=folder, tests=tests)


@pytest.mark.parametrize("machine", CROSS, ids=lambda t: t.name)
def test_modules_carry_the_targets_triple_and_its_tests_pass_under_qemu(machine, small):
    (program,) = built_for([small], _usable(machine).name)
    assert program.triple == machine.name and program.machine is machine
    modules = program.modules()
    assert all(f'target triple = "{machine.llvm_triple}"' in m.ir for m in modules)
    word = machine.address_bits // 8  # sizeof(long): the run is the target's, not the host's
    expected = (b"6 %d\n" % word, b"40 %d\n" % word)
    program = replace(
        program, tests=tuple(replace(t, expected=e) for t, e in zip(program.tests, expected, strict=True))
    )
    verdict = verify_program(program, modules, {})  # -Oz objects, linked for the target, tests under qemu
    assert verdict.verified, verdict.detail
    host = replace(program.tests[0], expected=b"6 8\n")
    failed = verify_program(replace(program, tests=(host,)), modules, {})  # judged, not assumed
    assert failed.verified == (word == 8) and (word == 8 or "wrong output" in failed.detail), failed.detail


def test_options_a_target_cannot_take_are_one_line_errors(cli):
    cases = [
        (("size", "builtin:nbody", "--target", "sparc"), "unknown target 'sparc'"),
        (("eval", "asm", "--suite", "builtin:nbody", "--target", "aarch64-linux-gnu"), "the speed track builds for"),
    ]
    for args, needle in cases:
        res = cli(*args)
        assert res.returncode == 1 and needle in res.stderr, (args, res.stderr)
        assert len(res.stderr.strip().splitlines()) == 1, res.stderr


def test_the_whole_program_of_a_target_is_merged_linked_and_tested_for_it(small):
    """`tune --lto` for a target: the merged module is the target's, lld links it for the target with a searched
    pipeline, and the tests run under qemu."""
    machine = _usable(TARGETS["arm-linux-gnueabihf"])
    (program,) = built_for([small], machine.name)
    program = replace(
        program, tests=tuple(replace(t, expected=e) for t, e in zip(program.tests, (b"6 4\n", b"40 4\n"), strict=True))
    )
    merged = whole_program(program)
    assert f'target triple = "{machine.llvm_triple}"' in merged.ir and '"target-features"="+armv7-a' in merged.ir
    assert verify_program(program, [merged], {merged.name: "default<Oz>"}).verified
    with tempfile.TemporaryDirectory() as tmp:
        exe = merged.link("default<Oz>", Path(tmp) / "prog")
        assert ELFFile(io.BytesIO(exe.read_bytes())).header.e_machine == machine.elf_machine
    host = replace(program, tests=program.tests[:1], triple=HOST.name)
    assert not verify_program(host, [whole_program(host)], {}).verified  # 8-byte longs natively: judged, not assumed


@pytest.mark.slow  # tune --lto for a target end to end; the default suite checks the pieces
def test_tune_lto_for_a_target_ships_flags_that_rebuild_it_and_pass_under_qemu(cli, tmp_path, stack_vm):
    """What ships for a target is built by plain clang with the target's flags and the JSON's cflags/ldflags, to the
    reported bytes, and passes the program's tests under qemu."""
    from tests.test_whole_program import developer_build

    machine = _usable(TARGETS["arm-linux-gnueabihf"])
    args = ("tune", "builtin:stack_vm", "--lto", "--target", machine.name, "--budget", "12", "--no-units-route")
    cli(*args, "--json", "o.json", check=True)
    (ship,) = json.loads((tmp_path / "o.json").read_text())["whole_program"]
    assert ship["verified"] and ship["verification"].startswith("7/7 tests passed"), ship["verification"]
    assert ship["size"] <= ship["best_recipe_size"] == min(ship["recipes"].values())
    cflags = [*machine.cflags, *shlex.split(ship["cflags_shell"])]
    ldflags = [*machine.cflags, *shlex.split(ship["ldflags_shell"]), *machine.link_flags]
    exe = developer_build(stack_vm, cflags, ldflags, tmp_path / "dev")
    assert ELFFile(io.BytesIO(exe.read_bytes())).header.e_machine == machine.elf_machine
    assert object_size(exe.read_bytes()).size == ship["size"]
    (program,) = built_for([stack_vm], machine.name)
    assert verify_executable(program, exe).verified


@pytest.mark.slow  # a tune run verified under qemu and two make builds
def test_make_with_compilerlm_cc_for_a_target_builds_the_objects_tune_reported(tmp_path):
    """A cross build's CC is the compiler with the target's flags: `compilerlm cc --tuned` given them finds each unit
    tuned for that machine, builds the reported objects, and the program passes its tests under qemu; the same
    command without them builds for the host, where nothing was tuned."""
    from tests.test_cc import write_project

    machine = _usable(TARGETS["arm-linux-gnueabihf"])
    project = write_project(tmp_path / "proj")
    tune = [sys.executable, "-m", "compilerlm.cli", "tune", str(project), "--target", machine.name, "--budget", "6"]
    subprocess.run([*tune, "--json", str(tmp_path / "t.json")], check=True, capture_output=True, timeout=600)
    doc = json.loads((tmp_path / "t.json").read_text())
    assert all(m["verified"] for m in doc["modules"]), [m["verification"] for m in doc["modules"]]
    cc = shlex.join([sys.executable, "-m", "compilerlm.cli", "cc", "--tuned", str(tmp_path / "t.json"), "--cc-verbose"])
    for build, flags in (("cross", (*machine.cflags, *machine.link_flags)), ("host", ())):
        shutil.copytree(project, tmp_path / build)
        done = subprocess.run(
            ["make", "-C", str(tmp_path / build), f"CC={cc} {shlex.join(flags)}"], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        tuned = done.stderr.count("as tuned module")
        exe = (tmp_path / build / "prog").read_bytes()
        assert ELFFile(io.BytesIO(exe)).header.e_machine == (machine if flags else HOST).elf_machine
        if not flags:
            assert tuned == 0, done.stderr  # the host's units are other modules
            continue
        assert tuned == 3, done.stderr
        for m in doc["modules"]:
            obj = tmp_path / build / Path(m["name"]).with_suffix(".o").name
            assert object_size(obj.read_bytes()).size == m["size"], m["name"]
        program = built_for(resolve_target(str(project)), machine.name)[0]
        runs = list(run_tests(tmp_path / build / "prog", program.tests, emulator=emulator_for(machine)))
        assert runs and all(r.passed for r in runs)


@pytest.mark.slow  # tune for a target end to end; the default suite checks each piece above
def test_tune_for_a_target_verifies_under_qemu_and_reproduces_as_printed(cli, tmp_path, stack_vm):
    """Every module verified under qemu, the linked executable is the target's (not the host's size), and each
    module's printed `reproduce` command (opt | llc with the module's machine) rebuilds its object byte for byte."""
    machine = _usable(TARGETS["riscv64-linux-gnu"])
    args = ("tune", "builtin:stack_vm", "--target", machine.name, "--budget", "4", "--json", "t.json", "--out", "o")
    cli(*args, check=True)
    doc = json.loads((tmp_path / "t.json").read_text())
    assert all(m["verified"] for m in doc["modules"]), [m["verification"] for m in doc["modules"]]
    assert all(m["size"] <= m["size_oz"] for m in doc["modules"])
    (linked,) = doc["programs"]
    host = linked_sizes(stack_vm, stack_vm.modules(), {})
    assert linked["size_oz"] > 0 and not linked["error"] and linked["size_oz"] != host.size_oz
    for m in doc["modules"]:
        stem = m["name"].split("/")[-1].removesuffix(".c")
        folder = tmp_path / "again" / stem
        folder.mkdir(parents=True)
        shutil.copy(tmp_path / "o" / "stack_vm" / f"{stem}.input.ll", folder)
        subprocess.run(["sh", "-c", m["reproduce"]], cwd=folder, check=True, capture_output=True)
        assert (folder / f"{stem}.o").read_bytes() == (tmp_path / "o" / "stack_vm" / f"{stem}.o").read_bytes()
        assert object_size((folder / f"{stem}.o").read_bytes()).size == m["size"], m["name"]


def test_bless_checks_a_program_under_qemu_and_finds_what_differs_on_the_target(tmp_path):
    """Expected results come from the native -O0 build; the target's -Oz build must agree under qemu. Plain `char`
    is signed on x86-64 and unsigned on ARM, so a program that depends on it is caught there."""
    from compilerlm.programs.bless import bless

    machine = _usable(TARGETS["arm-linux-gnueabihf"])
    program = tmp_path / "chars"
    (program / "tests").mkdir(parents=True)
    (program / "main.c").write_text(
        "#include <stdio.h>\nint main(void) {\n  int n = 0, c;\n  while ((c = getchar()) != EOF) {\n"
        '    char x = (char)c;\n    n += x < 0;\n  }\n  printf("%d\\n", n);\n  return 0;\n}\n'
    )
    (program / "tests" / "1.in").write_bytes(b"abc")
    assert bless(program, machines=[machine.name])  # only ASCII: the same on both machines
    assert (program / "tests" / "1.out").read_text() == "0\n"
    (program / "tests" / "2.in").write_bytes(b"\xc8\xff")
    assert not bless(program, machines=[machine.name])  # 2 below zero on x86-64, none on ARM
    assert (program / "tests" / "2.out").read_text() == "2\n"  # what the native -O0 build printed
    with pytest.raises(CompilerLMError, match="unknown target 'sparc'"):
        bless(program, machines=["sparc"])
    from compilerlm.programs.bless import Options, bless_compdb

    with pytest.raises(CompilerLMError, match="bless --target takes program folders"):
        bless_compdb(tmp_path, Options(machines=(machine.name,)))
