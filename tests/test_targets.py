"""The targets of toolchain/targets.py, built by the real clang-19 and lld and run under qemu-user in the sandbox.

For each cross target (AArch64, armhf Thumb-2, RV64GC): a small C program built at -Oz gives the host build's
output under emulation, a runaway is killed by the wall clock, a memory hog fails as it does natively and gets
no more memory than the limits allow, the guest's system calls meet the sandbox's filter, and the object's
sizes (compilerlm's own ELF reader) differ from x86-64's. A target whose toolchain or qemu is missing here is
skipped with ``unusable``'s reason.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from compilerlm.errors import CompilerLMError
from compilerlm.sandbox import Emulator, Limits, SandboxResult, run_sandboxed, sandbox_capabilities
from compilerlm.sandbox.plan import EMULATOR_ADDRESS_BYTES, EMULATOR_DATA_BYTES
from compilerlm.sandbox.run import _guest_space, _memory_rlimits
from compilerlm.toolchain.locate import llvm_tool
from compilerlm.toolchain.objsize import object_size
from compilerlm.toolchain.targets import HOST, TARGETS, Target, target, unusable

CROSS = [t for t in TARGETS.values() if not t.is_host]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux")

PROGRAM = r"""
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned fnv(const char *s) {
    unsigned h = 2166136261u;
    while (*s) h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}
static long gcd(long a, long b) {
    while (b) { long t = a % b; a = b; b = t; }
    return a < 0 ? -a : a;
}
static int by_value(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}
static double mean(const long *v, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += v[i];
    return n ? s / n : 0;
}

int main(void) {
    long v[256];
    int n = 0;
    char word[64];
    while (n < 256 && scanf("%63s", word) == 1) {
        char *end;
        long x = strtol(word, &end, 10);
        if (*end) printf("word %s %08x %zu\n", word, fnv(word), strlen(word));
        else v[n++] = x;
    }
    qsort(v, n, sizeof v[0], by_value);
    long g = 0;
    for (int i = 0; i < n; i++) g = gcd(g, v[i]);
    double m = mean(v, n);
    printf("n=%d min=%ld max=%ld gcd=%ld mean=%.4f pow=%.6g\n", n, n ? v[0] : 0, n ? v[n - 1] : 0, g, m, pow(m, 1.5));
    return 0;
}
"""
STDIN = b"12 apple 18 -30 banana 600 42 cherry 7\n"

RUNAWAY = "int main(void) { volatile unsigned long n = 0; for (;;) n++; }\n"

COUNTING_HOG = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
    int mib = 0;
    for (char *p; (p = malloc(1 << 20)) != NULL; mib++) memset(p, 1, 1 << 20);
    printf("%d\n", mib);
    return 0;
}
"""

SYSCALLS = r"""
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kcmp.h>
int main(void) {
    struct { unsigned int bytes; int type; unsigned char handle[128]; } fh = {128};
    int mount_id;
    long r = syscall(SYS_name_to_handle_at, AT_FDCWD, "/usr", &fh, &mount_id, 0);
    printf("name_to_handle_at %ld %d\n", r, r < 0 ? errno : 0);
    r = syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, 0, 0);
    printf("kcmp %ld %d\n", r, r < 0 ? errno : 0);
    return 0;
}
"""

MEMORY = Limits(address_space_bytes=256 << 20, wall_seconds=60, cpu_seconds=60)


def build(t: Target, source: str, out: Path, *, level: str = "-Oz", compile_only: bool = False) -> Path:
    """`source` built by clang-19 for `t` (an object with `compile_only`, else linked by the target's linker)."""
    src = out.with_suffix(".c")
    src.write_text(source)
    if compile_only:
        cmd = [llvm_tool("clang"), *t.cflags, level, "-c", str(src), "-o", str(out)]
    else:
        cmd = [llvm_tool("clang"), *t.cflags, level, str(src), "-o", str(out), *t.link_flags, "-lm"]
    res = subprocess.run(cmd, capture_output=True, timeout=120)
    assert res.returncode == 0, res.stderr.decode(errors="replace")
    return out


def run(t: Target, binary: Path, stdin: bytes = b"", limits: Limits = Limits()) -> SandboxResult:  # noqa: B008
    command = t.emulator_command()
    emulator = None if command is None else Emulator(command, t.guest_space_option, t.guest_reservation)
    return run_sandboxed(binary, stdin, limits, emulator=emulator)


def usable(t: Target) -> Target:
    """`t`, or a skip saying why this machine cannot build and run it confined."""
    why = unusable(t)
    if why:
        pytest.skip(why)
    if not sandbox_capabilities()["confined"]:
        pytest.skip(str(sandbox_capabilities()["refusal"]))
    return t


@pytest.fixture(params=CROSS, ids=lambda t: t.name)
def cross(request: pytest.FixtureRequest) -> Target:
    return usable(request.param)


@pytest.fixture(
    params=[pytest.param(t, marks=() if t.address_bits == 32 else pytest.mark.slow, id=t.name) for t in CROSS]
)
def cross_32_by_default(request: pytest.FixtureRequest) -> Target:
    """The cross targets, 32-bit ARM (the one with its own memory rules) in the default suite, the rest slow."""
    return usable(request.param)


# the table


def test_lookup_names_the_choices_in_one_line():
    assert target("aarch64-linux-gnu").qemu == "qemu-aarch64"
    assert target(HOST.name) is HOST and HOST.is_host and HOST.emulator_command() is None
    with pytest.raises(CompilerLMError) as err:
        target("armv7")
    message = str(err.value)
    assert "\n" not in message and "'armv7'" in message
    assert all(name in message for name in TARGETS)


def test_each_target_is_defined_once():
    assert list(TARGETS) == ["x86_64-linux-gnu", "aarch64-linux-gnu", "arm-linux-gnueabihf", "riscv64-linux-gnu"]
    assert all(name == t.name for name, t in TARGETS.items())
    for t in CROSS:
        assert t.cflags[0] == f"--target={t.name}" and t.sysroot == Path("/usr", t.name)
        assert "-fuse-ld=lld" in t.link_flags
    assert [t.guest_space_option for t in TARGETS.values()] == ["", "-R", "", "-R"]
    assert [t.guest_reservation for t in TARGETS.values()] == [0, 0, 4 << 30, 0]


def test_unusable_says_what_is_missing_and_what_to_install(tmp_path):
    lost = replace(target("arm-linux-gnueabihf"), name="arm-nowhere-gnueabihf", sysroot=tmp_path, qemu="qemu-nowhere")
    why = unusable(lost)
    assert why is not None and "\n" not in why
    assert f"C library in {tmp_path}" in why and "libgcc" in why and "qemu-nowhere" in why
    assert "apt-get install qemu-user" in why and "libc6-dev-armhf-cross" in why
    assert "qemu-nowhere" not in (unusable(lost, run=False) or "")  # sizes need no emulator


@pytest.mark.parametrize("t", TARGETS.values(), ids=lambda t: t.name)
def test_the_ir_names_the_llvm_triple(t, tmp_path):
    if t.is_host or unusable(t, run=False) is None:
        src = tmp_path / "empty.c"
        src.write_text("int f(int x) { return x + 1; }\n")
        cmd = [llvm_tool("clang"), *t.cflags, "-Oz", "-S", "-emit-llvm", str(src), "-o", "-"]
        ir = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True).stdout
        assert f'target triple = "{t.llvm_triple}"' in ir
    else:
        pytest.skip(str(unusable(t, run=False)))


def _arm_macros(command: list[str]) -> dict[str, int]:
    """The ARM-specific predefined macros, values as numbers (gcc writes 65 where clang writes 'A', 12 for 0xc)."""
    out = subprocess.run([*command, "-dM", "-E", "-x", "c", "/dev/null"], capture_output=True, text=True, timeout=60)
    macros = {}
    for line in out.stdout.splitlines():
        name, _, value = line.removeprefix("#define ").partition(" ")
        if re.match(r"__(ARM|thumb|VFP|SOFTFP)", name):
            macros[name] = ord(value[1]) if value.startswith("'") else int(value, 0)
    return macros


def test_armhf_builds_as_debians_gcc_does():
    """The armhf flags give what Debian's arm-linux-gnueabihf-gcc defaults to (ARMv7-A, Thumb-2, VFPv3-D16, hard
    float, no NEON): every ARM macro gcc predefines, clang predefines alike, and clang adds none of NEON's."""
    gcc = shutil.which("arm-linux-gnueabihf-gcc")
    if gcc is None:
        pytest.skip("no arm-linux-gnueabihf-gcc to compare with (sudo apt-get install gcc-arm-linux-gnueabihf)")
    armhf = target("arm-linux-gnueabihf")
    expected = _arm_macros([gcc])
    got = _arm_macros([llvm_tool("clang"), *armhf.cflags])
    expected.pop("__ARM_ASM_SYNTAX_UNIFIED__", None)  # how gcc's own assembly is written, not what code does
    assert {name: got.get(name) for name in expected} == expected
    assert expected["__ARM_ARCH"] == 7 and expected["__thumb2__"] == 1 and expected["__ARM_PCS_VFP"] == 1
    assert not {"__ARM_NEON", "__ARM_NEON__", "__SOFTFP__"} & set(got)


def _build_attributes(obj: Path) -> dict[str, str]:
    """An ARM object's build attributes (tag -> description), as llvm-readelf --arch-specific prints them."""
    cmd = [llvm_tool("llvm-readelf"), "--arch-specific", str(obj)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True).stdout
    attributes, tag = {}, ""
    for line in out.splitlines():
        key, _, value = line.strip().partition(": ")
        if key == "TagName":
            tag = value
        elif key == "Description" and tag:
            attributes[tag] = value
    return attributes


def test_armhf_objects_carry_debians_build_attributes(tmp_path):
    """What the linker and loader check (architecture, Thumb-2, FPU, the VFP calling convention) is what Debian's
    gcc writes in its own objects."""
    gcc = shutil.which("arm-linux-gnueabihf-gcc")
    armhf = target("arm-linux-gnueabihf")
    if gcc is None or unusable(armhf, run=False):
        pytest.skip(
            "needs arm-linux-gnueabihf-gcc and the armhf toolchain (sudo apt-get install gcc-arm-linux-gnueabihf)"
        )
    ours = build(armhf, PROGRAM, tmp_path / "clang.o", compile_only=True)
    subprocess.run(
        [gcc, "-Os", "-c", str(ours.with_suffix(".c")), "-o", str(tmp_path / "gcc.o")], check=True, timeout=60
    )
    theirs = _build_attributes(tmp_path / "gcc.o")
    tags = ("CPU_arch", "CPU_arch_profile", "THUMB_ISA_use", "FP_arch", "ABI_VFP_args", "ABI_PCS_wchar_t")
    assert {t: theirs.get(t) for t in tags} == {t: _build_attributes(ours).get(t) for t in tags}
    assert theirs["THUMB_ISA_use"] == "Thumb-2" and theirs["ABI_VFP_args"] == "AAPCS VFP"


# built, sized and run


def test_text_size_differs_from_x86_64(cross, tmp_path):
    """compilerlm's size reader reads the target's ELF objects (32-bit ARM included) and its -Oz code is not
    x86-64's."""
    obj = build(cross, PROGRAM, tmp_path / f"{cross.name}.o", compile_only=True)
    host = build(HOST, PROGRAM, tmp_path / "host.o", compile_only=True)
    assert ELFFile(obj.open("rb"))["e_machine"] == cross.elf_machine
    assert ELFFile(host.open("rb"))["e_machine"] == HOST.elf_machine
    sizes, host_sizes = object_size(obj.read_bytes()), object_size(host.read_bytes())
    assert 0 < sizes.text < sizes.size and sizes.text != host_sizes.text


def test_minus_oz_build_runs_under_qemu_as_the_host_build(cross, tmp_path):
    exe = build(cross, PROGRAM, tmp_path / cross.name)
    host = build(usable(HOST), PROGRAM, tmp_path / "host")
    want = run(HOST, host, STDIN)
    assert want.ok and b"n=6 min=-30 max=600 gcd=1" in want.stdout, want.detail
    got = run(cross, exe, STDIN)
    assert (got.status, got.stdout, got.stderr) == ("ok", want.stdout, b""), got.detail


def test_runaway_is_killed_by_the_wall_clock_under_qemu(cross_32_by_default, tmp_path):
    cross = cross_32_by_default
    exe = build(cross, RUNAWAY, tmp_path / cross.name)
    res = run(cross, exe, limits=Limits(wall_seconds=2, cpu_seconds=30))
    assert res.status == "timeout" and 1.5 < res.wall_seconds < 10, res.detail


def test_memory_hog_fails_as_it_does_natively(cross_32_by_default, tmp_path):
    """The hostile memory hog (no NULL check) ends as natively: a SIGSEGV at the memory cap; and a careful one
    gets NULL from malloc (not a crash of qemu, whose own memory the guest cannot take) after at most the limits'
    address space (plus the emulator's share on 32-bit ARM), however big qemu's own reservation."""
    cross = cross_32_by_default
    hog = (Path(__file__).parent / "data" / "hostile" / "memory_hog.c").read_text()
    native = run(HOST, build(usable(HOST), hog, tmp_path / "hog-host", level="-O0"), limits=MEMORY)
    emulated = run(cross, build(cross, hog, tmp_path / f"hog-{cross.name}", level="-O0"), limits=MEMORY)
    assert (native.status, native.signal) == ("memory-limit", 11), native.detail
    assert (emulated.status, emulated.signal) == (native.status, native.signal), emulated.detail
    counted = run(cross, build(cross, COUNTING_HOG, tmp_path / f"count-{cross.name}", level="-O0"), limits=MEMORY)
    if not cross.guest_space_option and counted.status == "memory-limit":
        # qemu-arm's guest and qemu share RLIMIT_DATA: rarely (once in some hundred runs here) qemu's own
        # allocation is the one that fails at the cap, and the run ends as a memory-limit, contained
        return
    assert counted.ok, counted.detail
    mib = int(counted.stdout)
    # a 64-bit guest lives in a reservation of the limit (-R); qemu-arm's 32-bit guest is held by RLIMIT_DATA
    bound = MEMORY.address_space_bytes + (0 if cross.guest_space_option else EMULATOR_DATA_BYTES)
    assert MEMORY.address_space_bytes >> 21 < mib < bound >> 20


def test_guest_system_calls_meet_the_sandbox_filter(cross, tmp_path):
    """qemu hands these two straight to the kernel (both succeed under a bare qemu); confined, the filter refuses
    them as it does a native program's."""
    res = run(cross, build(cross, SYSCALLS, tmp_path / cross.name))
    assert res.ok, res.detail
    assert res.stdout.decode().splitlines() == ["name_to_handle_at -1 1", "kcmp -1 1"]  # EPERM


def test_only_emulated_runs_get_other_memory_rlimits():
    """Native runs keep RLIMIT_AS = the limit (and RLIMIT_DATA untouched); a guest sized by -R gets the limit as
    its reservation and qemu its own share on top; qemu-arm's 4 GiB reservation is added and RLIMIT_DATA holds
    the guest; a limit too big to reserve (an ASan run's) is not passed to -R."""
    limit = Limits(address_space_bytes=(256 << 20) + 123)
    sized, arm = Emulator(("/usr/bin/qemu-aarch64",), "-R"), Emulator(("/usr/bin/qemu-arm",), reserved_bytes=4 << 30)
    assert _memory_rlimits(limit, None) == (limit.address_space_bytes, 0)
    assert _guest_space(limit, sized) == 256 << 20 and _guest_space(limit, arm) == 0
    assert _memory_rlimits(limit, sized) == ((256 << 20) + EMULATOR_ADDRESS_BYTES, 0)
    assert _memory_rlimits(limit, arm) == (
        limit.address_space_bytes + (4 << 30) + EMULATOR_ADDRESS_BYTES,
        limit.address_space_bytes + EMULATOR_DATA_BYTES,
    )
    assert _guest_space(Limits(address_space_bytes=1 << 47), sized) == 0


def test_an_emulator_must_be_a_program_the_root_shows(tmp_path):
    exe = tmp_path / "prog"
    exe.write_bytes(b"\x7fELF")
    with pytest.raises(CompilerLMError, match="is not a program under"):
        run_sandboxed(exe, emulator=Emulator((str(tmp_path / "qemu-nowhere"),)))
    with pytest.raises(CompilerLMError, match="not an emulator"):
        run_sandboxed(exe, emulator=Emulator(()))
