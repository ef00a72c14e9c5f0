"""-Oz for a target is `clang <its flags> -Oz -c` of the same unit, byte for byte, on both evaluation paths.

For each target of `toolchain/targets.py` the built-in stack_vm's units are compiled to IR with the target's flags
(the frontend's own command), and the object of `OZ_PIPELINE` is compared with clang's own object of the C unit:
the in-process engine's and the subprocess path's bytes, and `evaluate_with_clang`'s sizes (it returns no bytes).
The reference is built with `-fno-addrsig`: clang adds an empty, unallocated `.llvm_addrsig` section (and its name
in `.strtab`) that llc and the C API never write; with it left out every byte is the same. A target whose cross
toolchain is missing here is skipped with the reason.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import compilerlm
from compilerlm.toolchain.evaluator import InProcessEvaluator, SubprocessEvaluator
from compilerlm.toolchain.frontend import c_flags, compile_c
from compilerlm.toolchain.inprocess import InProcessEngine
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.objsize import object_size
from compilerlm.toolchain.pipelines import OZ_PIPELINE, clang_pipeline, expand
from compilerlm.toolchain.subprocess_path import Machine, compile_object, evaluate_with_clang, machine_of
from compilerlm.toolchain.targets import HOST, TARGETS, Target, unusable

STACK_VM = Path(compilerlm.__file__).parent / "programs" / "builtin" / "stack_vm"
SOURCES = sorted(STACK_VM.glob("*.c"))
RANDOM_PIPELINES = ("mem2reg,instcombine<no-verify-fixpoint>,simplifycfg", "sroa,loop-mssa(licm),gvn,dce,mergefunc")


def _usable(t: Target) -> Target:
    why = unusable(t, run=False)
    if why:
        pytest.skip(why)
    return t


def _unit(t: Target, source: Path, extra: tuple[str, ...] = ()) -> IRModule:
    """The unit's unoptimized IR for `t`, made as the frontend makes every module, with the target's flags."""
    return compile_c(source, f"stack_vm/{source.name}", [*t.cflags, *extra, *c_flags([STACK_VM])])


def _clang_object(t: Target, source: Path, tmp_path: Path, extra: tuple[str, ...] = ()) -> bytes:
    """`clang <t.cflags> -Oz -c unit.c`: the object every -Oz evaluation for `t` must equal."""
    obj = tmp_path / f"{t.name}-{source.stem}.o"
    cmd = [llvm_tool("clang"), *t.cflags, *extra, "-Oz", "-fno-addrsig", "-c", *c_flags([STACK_VM]), str(source)]
    subprocess.run([*cmd, "-o", str(obj)], check=True, capture_output=True)
    return obj.read_bytes()


@pytest.fixture(scope="module")
def engine() -> InProcessEngine:
    return InProcessEngine()


@pytest.fixture(scope="module")
def evaluators():
    with InProcessEvaluator(jobs=1) as fast, SubprocessEvaluator(jobs=2) as slow:
        yield fast, slow


@pytest.fixture(scope="module")
def units() -> dict[str, list[IRModule]]:
    """Every usable target's stack_vm modules, compiled once."""
    return {t.name: [_unit(t, s) for s in SOURCES] for t in TARGETS.values() if not unusable(t, run=False)}


@pytest.mark.parametrize(  # the host's objects are checked by the parity tests too: its case runs with the slow ones
    "t", [pytest.param(t, marks=pytest.mark.slow if t.is_host else (), id=t.name) for t in TARGETS.values()]
)
def test_oz_is_clangs_object_byte_for_byte(t, units, engine, evaluators, tmp_path):
    _usable(t)
    fast, _ = evaluators
    modules = units[t.name]
    assert all(f'target triple = "{t.llvm_triple}"' in m.ir for m in modules)
    measured = fast.evaluate_many([(m, OZ_PIPELINE) for m in modules])
    for source, module, evaluation in zip(SOURCES, modules, measured, strict=True):
        reference = _clang_object(t, source, tmp_path)
        sizes = object_size(reference)
        assert engine.object_file(module, OZ_PIPELINE) == reference, f"in-process object of {source.name}"
        assert compile_object(module, OZ_PIPELINE) == reference, f"opt | llc object of {source.name}"
        assert (evaluation.size, evaluation.text_size) == (sizes.size, sizes.text), source.name
        by_clang = evaluate_with_clang(module, "Oz")
        assert (by_clang.size, by_clang.text_size) == (sizes.size, sizes.text), f"clang -Oz of {source.name}'s IR"


@pytest.mark.parametrize("t", TARGETS.values(), ids=lambda t: t.name)
def test_other_pipelines_give_the_same_sizes_on_both_paths(t, units, evaluators):
    _usable(t)
    fast, slow = evaluators
    jobs = [(m, p) for m in units[t.name] for p in RANDOM_PIPELINES]
    pairs = zip(fast.evaluate_many(jobs), slow.evaluate_many(jobs), strict=True)
    results = [((f.size, f.text_size, f.error_kind), (s.size, s.text_size, s.error_kind)) for f, s in pairs]
    assert all(f == s for f, s in results), results
    assert all(f[0] for f, _ in results)  # every job compiled


def test_sizes_differ_between_targets(units, evaluators):
    fast, _ = evaluators
    if len(units) < 2:
        pytest.skip("fewer than two targets can be built here")
    vm = [next(m for m in modules if m.name.endswith("/vm.c")) for modules in units.values()]
    sizes = [r.size for r in fast.evaluate_many([(m, OZ_PIPELINE) for m in vm])]
    assert all(sizes) and len(set(sizes)) == len(sizes), dict(zip(units, sizes, strict=True))


def test_machine_and_pipeline_are_read_off_the_module(units):
    riscv, arm = TARGETS["riscv64-linux-gnu"], TARGETS["arm-linux-gnueabihf"]
    host = machine_of(_unit(HOST, STACK_VM / "main.c").ir)
    assert (host.triple, host.cpu, host.abi, host.code_model) == ("x86_64-pc-linux-gnu", "x86-64", "", "")
    assert Machine().flags() == ()  # a module that names nothing gets LLVM's defaults, as before
    if riscv.name in units:
        machine = machine_of(units[riscv.name][0].ir)
        assert (machine.triple, machine.cpu, machine.abi) == (riscv.llvm_triple, "generic-rv64", "lp64d")
        assert {"+c", "+d", "+relax"} <= set(machine.features.split(","))
        assert "-target-abi=lp64d" in machine.flags() and "--enable-no-trapping-fp-math" in machine.flags()
    if arm.name in units:
        machine = machine_of(units[arm.name][0].ir)
        assert (machine.triple, machine.abi) == ("thumbv7-unknown-linux-gnueabihf", "")  # hard float: in the triple
        assert {"+thumb-mode", "+vfp3d16", "-neon"} <= set(machine.features.split(","))
    # clang's -Oz pipeline is the target's: RISC-V's and AArch64's pass builders add loop-idiom-vectorize
    assert "loop-idiom-vectorize" not in clang_pipeline("Oz")
    assert clang_pipeline("Oz", HOST.llvm_triple) == clang_pipeline("Oz")
    assert "loop-idiom-vectorize" in clang_pipeline("Oz", riscv.llvm_triple)
    assert expand(OZ_PIPELINE, riscv.llvm_triple) != expand(OZ_PIPELINE) == expand(OZ_PIPELINE, HOST.llvm_triple)


def test_a_unit_built_with_other_options_compiles_as_clang_builds_it(engine, tmp_path):
    """Not only the targets' own flags: another -march, the code model, a CPU. The machine follows the module."""
    riscv, aarch64 = _usable(TARGETS["riscv64-linux-gnu"]), _usable(TARGETS["aarch64-linux-gnu"])
    source = STACK_VM / "main.c"
    for t, extra in ((riscv, ("-march=rv64imafdc_zba_zbb", "-mcmodel=medany")), (aarch64, ("-mcpu=cortex-a53",))):
        module = _unit(t, source, extra)
        reference = _clang_object(t, source, tmp_path, extra)
        assert engine.object_file(module, OZ_PIPELINE) == reference, extra
        assert compile_object(module, OZ_PIPELINE) == reference, extra
    assert len({key[1] for key in engine.machines}) >= 3  # one machine per (triple, CPU, features, ABI, ...)
