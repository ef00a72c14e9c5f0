"""The machines compilerlm builds for: each defined once, with how clang builds for it and how its binaries run.

A target is named by its Debian triple, the name of its cross toolchain and of its sysroot (/usr/<triple>).
The host (x86-64) is the default; the others are the machines where code size matters most: AArch64, 32-bit
ARM in Thumb-2 (Debian's armhf) and RISC-V with compressed instructions (RV64GC). They are built by the pinned
clang with ``--target`` and linked by LLVM 19's lld against Debian's cross C library and libgcc (clang's driver
finds /usr/lib/gcc-cross/<triple>/<version>), and run under qemu-user inside compilerlm's sandbox
(``Target.emulator_command``). What a target needs of this machine, and why it is missing, is ``unusable``.
"""

from __future__ import annotations

import platform
import shutil
from dataclasses import dataclass
from pathlib import Path

from compilerlm.errors import CompilerLMError, ToolMissingError
from compilerlm.toolchain.locate import llvm_tool

GCC_CROSS = Path("/usr/lib/gcc-cross")
GUEST_32BIT_RESERVATION = 4 << 30
"""qemu-user maps a 32-bit guest's whole address space up front (0xfffff000 bytes)."""


@dataclass(frozen=True)
class Target:
    """One machine: ``name`` is its Debian triple.

    ``cflags`` go first on every clang command that compiles for it (the frontend, ``clang -c``, the link),
    ``link_flags`` on every link. ``llvm_triple`` is what clang writes in the IR with those flags: what opt,
    llc and the in-process evaluator see. ``sysroot`` holds the target's C library (None: the host's own /);
    ``qemu`` is the qemu-user program that runs its binaries (None: they run natively). ``elf_machine`` is the
    objects' ELF ``e_machine`` (as pyelftools names it); ``debian_arch`` names its cross packages;
    ``address_bits``: 32 or 64."""

    name: str
    cflags: tuple[str, ...]
    link_flags: tuple[str, ...]
    llvm_triple: str
    sysroot: Path | None
    qemu: str | None
    elf_machine: str
    debian_arch: str
    address_bits: int = 64

    @property
    def is_host(self) -> bool:
        return self.qemu is None

    def packages(self) -> tuple[str, ...]:
        """Debian packages that make this target usable (the Makefile's `system` installs them)."""
        if self.is_host:
            return ()
        return ("qemu-user", f"gcc-{self.name}", f"libc6-dev-{self.debian_arch}-cross")

    @property
    def guest_space_option(self) -> str:
        """qemu's option that sizes the guest's address space (``-R``), through which the sandbox holds the guest
        to the run's memory limit (the sandbox's ``Emulator.guest_space_option``); "" for 32-bit ARM, where
        qemu 7.2 cannot take it (an assertion on the page at 0xffff0000), and natively."""
        return "-R" if self.address_bits == 64 and not self.is_host else ""

    @property
    def guest_reservation(self) -> int:
        """Address space qemu-user maps up front for a guest run without ``guest_space_option``: a 32-bit
        guest's whole 4 GiB (the sandbox's ``Emulator.reserved_bytes``)."""
        return GUEST_32BIT_RESERVATION if self.address_bits == 32 and not self.is_host else 0

    def emulator_command(self) -> tuple[str, ...] | None:
        """The command that runs this target's binaries, up to the binary: None natively, else qemu-user with
        the sysroot as its prefix (``-L``: the guest's dynamic loader and libraries are looked up there). The
        sandbox runs it as ``Emulator(command, guest_space_option, guest_reservation)``, built by the caller
        (the sandbox is a layer beside this one). Debian's dynamically linked qemu (package qemu-user) is the
        one: the sandbox binds /usr and /lib, so its host libraries are there, and qemu-user-static would also
        register binfmt handlers for the whole machine. Raises ToolMissingError when qemu is not installed."""
        if self.qemu is None or self.sysroot is None:
            return None
        found = shutil.which(self.qemu)
        if found is None:
            raise ToolMissingError(f"'{self.qemu}' not found; install it with: sudo apt-get install qemu-user")
        return (found, "-L", str(self.sysroot))


HOST = Target(
    name="x86_64-linux-gnu",
    # no --target: clang's default is the host, and the IR keeps the triple it has always had
    # (x86_64-pc-linux-gnu; --target=x86_64-linux-gnu would write x86_64-unknown-linux-gnu)
    cflags=(),
    link_flags=(),
    llvm_triple="x86_64-pc-linux-gnu",
    sysroot=None,
    qemu=None,
    elf_machine="EM_X86_64",
    debian_arch="amd64",
)

TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        HOST,
        Target(
            name="aarch64-linux-gnu",
            cflags=("--target=aarch64-linux-gnu",),  # armv8-a, as Debian's arm64 gcc defaults to
            link_flags=("-fuse-ld=lld",),  # LLVM 19's ld.lld beside clang: no binutils for the target needed
            llvm_triple="aarch64-unknown-linux-gnu",
            sysroot=Path("/usr/aarch64-linux-gnu"),
            qemu="qemu-aarch64",
            elf_machine="EM_AARCH64",
            debian_arch="arm64",
        ),
        Target(
            name="arm-linux-gnueabihf",
            # Debian's armhf gcc is configured --with-arch=armv7-a+fp --with-float=hard --with-mode=thumb:
            # ARMv7-A, VFPv3-D16 (armv7-a's "+fp"), no NEON, hard-float calling convention, Thumb-2. clang's
            # default for the triple is the same but in ARM mode, so -mthumb matters; the rest is spelled out
            # so a change of clang's defaults cannot move it (tests/test_targets.py compares the macros)
            cflags=(
                "--target=arm-linux-gnueabihf",
                "-march=armv7-a",
                "-mthumb",
                "-mfloat-abi=hard",
                "-mfpu=vfpv3-d16",
            ),
            link_flags=("-fuse-ld=lld",),
            llvm_triple="thumbv7-unknown-linux-gnueabihf",
            sysroot=Path("/usr/arm-linux-gnueabihf"),
            qemu="qemu-arm",
            elf_machine="EM_ARM",
            debian_arch="armhf",
            address_bits=32,
        ),
        Target(
            name="riscv64-linux-gnu",
            # RV64GC with the double-float ABI, as Debian's riscv64 gcc (rv64imafdc_zicsr_zifencei, lp64d). Its
            # gcc also defaults to -mcmodel=medany; clang's medlow gives the same code for PIE, clang's default
            cflags=("--target=riscv64-linux-gnu", "-march=rv64gc", "-mabi=lp64d"),
            link_flags=("-fuse-ld=lld",),
            llvm_triple="riscv64-unknown-linux-gnu",
            sysroot=Path("/usr/riscv64-linux-gnu"),
            qemu="qemu-riscv64",
            elf_machine="EM_RISCV",
            debian_arch="riscv64",
        ),
    )
}


TRIPLE_HELP = (
    f"the machine to build for, a Debian triple: {', '.join(TARGETS)} (another machine's programs are built with "
    "clang --target and lld against Debian's cross C library, and run under qemu-user in the sandbox)"
)


ASM_COMMENTS = {"aarch64": "//", "arm": "@", "thumb": "@"}
"""The assembler's comment string by the LLVM triple's architecture (LLVM's MCAsmInfo), where it is not `#`: on
ARM and AArch64 `#` starts an immediate (`mov r0, #1`), so `#` cannot be read as a comment there."""


def asm_comment(llvm_triple: str) -> str:
    """What starts a comment in the assembly LLVM writes for this triple (`#` on x86-64 and RISC-V)."""
    arch = llvm_triple.partition("-")[0]
    return next((c for prefix, c in ASM_COMMENTS.items() if arch.startswith(prefix)), "#")


def target(name: str) -> Target:
    """The target named ``name`` (a Debian triple), or a one-line CompilerLMError listing the choices."""
    try:
        return TARGETS[name]
    except KeyError:
        raise CompilerLMError(f"unknown target {name!r}: choose one of {', '.join(TARGETS)}") from None


def unusable(t: Target, *, run: bool = True) -> str | None:
    """Why ``t`` cannot be built for (and, with ``run``, run) on this machine, in one line; None when it can.

    Building needs LLVM 19's clang and ld.lld, the cross C library (headers, crt1.o, libc.so under the
    sysroot) and the cross libgcc (crtbegin.o, libgcc.a: clang's driver links them from gcc-cross); running
    needs the qemu-user program. The host needs none of these, only to be an x86-64 machine."""
    if t.is_host:
        machine = platform.machine()
        return None if machine in ("x86_64", "AMD64") else f"this machine is {machine}, not x86-64"
    missing: list[str] = []
    try:
        llvm_tool("clang")
        llvm_tool("ld.lld")
    except ToolMissingError as exc:
        return str(exc)
    assert t.sysroot is not None
    libc = ("include/stdio.h", "lib/crt1.o", "lib/crti.o", "lib/libc.so")
    if not all((t.sysroot / f).is_file() for f in libc):
        missing.append(f"its C library in {t.sysroot}")
    gcc = GCC_CROSS / t.name
    if not any((v / "crtbegin.o").is_file() and (v / "libgcc.a").is_file() for v in _subdirs(gcc)):
        missing.append(f"its libgcc in {gcc}")
    if run and t.qemu and shutil.which(t.qemu) is None:
        missing.append(t.qemu)
    if not missing:
        return None
    return f"target {t.name} needs {' and '.join(missing)}; install: sudo apt-get install {' '.join(t.packages())}"


def _subdirs(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.is_dir()] if folder.is_dir() else []
