"""What one run is, fixed in the caller before the first fork.

The stages read it after fork, so C allocates (almost) nothing once its rlimits are set; it has its own
module because the private root, the isolation step and the stages all take it.
"""

from __future__ import annotations

import ctypes
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from compilerlm.sandbox.limits import Limits
from compilerlm.sandbox.syscall_filter import InstallableFilter


@dataclass
class _Plan:
    """Everything the children need, built before fork so C allocates (almost) nothing after its rlimits.

    ``exe`` is the program's path inside the root (``/prog`` for a binary, a toolchain path for a tool);
    ``libraries`` (name -> host file) are bound read-only at ``/prog-lib/NAME`` for the binary's loader,
    ``files`` are copied into /tmp before the run, ``collect`` (patterns over /tmp's names) copied out to
    ``collect_to`` after it. ``report``: the program gets a pipe of its own at ``REPORT_FD`` (a counting
    tool's report, kept apart from the measured program's stdout and stderr). ``syscall_filter`` is None only
    when it could not be built (``filter_error`` says why): then nothing runs. ``address_space_bytes`` and
    ``data_bytes`` are the RLIMIT_AS and RLIMIT_DATA C sets last: the limits' address space for a native run
    (RLIMIT_DATA left as it is: 0), more address space for an emulated one (``Emulator``), and a data limit
    when its guest is not sized by ``guest_space_option``."""

    exe: bytes
    binary: Path | None
    base: Path
    limits: Limits
    args: tuple[bytes, ...]
    parent: int
    files: tuple[tuple[str, Path | bytes], ...] = ()
    libraries: tuple[tuple[str, Path], ...] = ()
    collect: tuple[str, ...] = ()
    collect_to: Path | None = None
    env: tuple[tuple[str, str], ...] = ()
    read_only: tuple[Path, ...] = ()
    read_only_bytes: int = 0
    report: bool = False
    syscall_filter: InstallableFilter | None = None
    filter_error: str = ""
    keyctl_nr: int = -1
    address_space_bytes: int = 0
    data_bytes: int = 0
    keep: list[object] = field(default_factory=list)

    def cstrings(self, items: list[bytes]) -> ctypes.Array[ctypes.c_char_p]:
        arr = (ctypes.c_char_p * (len(items) + 1))(*items, None)
        self.keep.append(arr)
        return arr


@dataclass(frozen=True)
class Emulator:
    """A user-mode emulator that runs a binary built for another machine (qemu-user): the confined process is
    ``(*command, [guest_space_option SIZE], "/prog", *args)``, so the emulator, not the binary, is what execs,
    under the same namespaces, root, system-call filter and limits. The guest's system calls become the
    emulator's own host calls, so the filter judges them as it judges a native program's.

    ``command`` starts with the emulator's host path (a program under /usr, as a tool's is) and carries its
    options, e.g. ``("/usr/bin/qemu-aarch64", "-L", "/usr/aarch64-linux-gnu")``: the sysroot lives under /usr,
    which every run's root binds read-only. The run's memory limit holds for the guest, the emulator's own
    memory comes on top (``run._memory_rlimits`` says how):

    ``guest_space_option``: the emulator's option that sizes the guest's whole address space (qemu's ``-R``):
    the sandbox passes the run's address-space limit with it, so the guest is held as a native program is.
    ``reserved_bytes``, for an emulator without such an option (or where it fails: qemu 7.2's ``-R`` trips
    on 32-bit ARM's page at 0xffff0000): address space it maps up front for its guest (qemu: a 32-bit guest's
    whole 4 GiB)."""

    command: tuple[str, ...]
    guest_space_option: str = ""
    reserved_bytes: int = 0


EMULATOR_ADDRESS_BYTES = 512 << 20
"""Address space an emulator gets beyond its guest's: qemu 7.2's own, measured at a 300 MB peak (its 127 MiB
translation buffer, host libraries, malloc arenas, a thread stack)."""
EMULATOR_DATA_BYTES = 192 << 20
"""Private writable memory an emulator without ``guest_space_option`` gets beyond the guest's (RLIMIT_DATA):
qemu 7.2 holds 150 MB of it before the guest runs (the translation buffer, its RCU thread's stack, its heap)."""
MAX_GUEST_SPACE = 64 << 30
"""The largest guest address space passed with ``guest_space_option`` (a run allowed more, an ASan run's
2**47 bytes, is not held to its limit by a reservation the host could not make)."""


Files = Mapping[str, "Path | bytes"]
PROG_LIB = "/prog-lib"
"""Where a run's shared libraries are (`libraries`): a program under test links with `-rpath /prog-lib`."""
