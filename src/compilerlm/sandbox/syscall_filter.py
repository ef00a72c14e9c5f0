"""The system calls a confined program may not make: a seccomp filter, compiled once by libseccomp.

Namespaces and the private root close the file system, the network, IPC and other processes; some kernel
state is shared by every namespace, though, and outlives a run. The kernel keyring is the one a measured
binary used: it stored each input's answer with ``add_key`` and read it back on the next run, so a lookup
passed for speed. The filter refuses (EPERM) the key calls and the other kernel surfaces no compiler,
assembler, linker or benchmark program needs: io_uring, userfaultfd, bpf, perf_event_open (allowed only for
the perf counter itself), ptrace and cross-process memory access, namespace and mount calls, module and
kexec loading. A system call of another ABI (``int $0x80``'s 32-bit table, x32) kills the process: the
filter is written for the native one, and an unlisted ABI is a way around it.

libseccomp builds the BPF program in the caller (``filter_program``); stage C installs it with one
``prctl`` just before exec, so the child allocates nothing for it.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import tempfile
from types import ModuleType

from compilerlm.errors import CompilerLMError

DENIED = (
    # state that outlives a run, shared by every namespace
    "add_key",
    "request_key",
    "keyctl",
    # kernel surfaces with a history of escapes, which no program run here needs
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "userfaultfd",
    "bpf",
    "perf_event_open",
    # other processes' memory
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    # namespaces and mounts (the private root is built before exec; nothing after needs them)
    "unshare",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "open_by_handle_at",
    "name_to_handle_at",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "move_mount",
    "open_tree",
    # the machine itself
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "swapon",
    "swapoff",
    "syslog",
    "acct",
    "quotactl",
    "fanotify_init",
)
"""Refused with EPERM: a program sees an ordinary failure and may go on without the call."""

KEY_CALLS = ("add_key", "request_key", "keyctl")
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
_SOCK_FILTER_BYTES = 8  # struct sock_filter: u16 code, u8 jt, u8 jf, u32 k


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


def _seccomp() -> ModuleType:
    """libseccomp's Python bindings: Debian's ``seccomp`` module, else ``pyseccomp`` (the same API over ctypes)."""
    try:
        import seccomp

        return seccomp
    except ImportError:
        pass
    try:
        import pyseccomp

        return pyseccomp
    except (ImportError, OSError) as exc:  # OSError: the bindings are there, libseccomp.so.2 is not
        raise CompilerLMError(
            f"no system-call filter: libseccomp or its Python bindings are missing ({exc}); install them: "
            "sudo apt-get install libseccomp2 && pip install pyseccomp"
        ) from exc


@functools.cache
def filter_program(allowed: frozenset[str] = frozenset()) -> bytes:
    """The BPF program (raw ``struct sock_filter`` array) that refuses ``DENIED`` except ``allowed``, and kills
    on a foreign ABI. Raises CompilerLMError when it cannot be built (the sandbox then runs nothing)."""
    sc = _seccomp()
    try:
        flt = sc.SyscallFilter(sc.ALLOW)
        flt.set_attr(sc.Attr.ACT_BADARCH, sc.KILL_PROCESS)
        for name in DENIED:
            if name in allowed:
                continue
            try:
                flt.add_rule(sc.ERRNO(errno.EPERM), name)
            except (ValueError, OSError, RuntimeError):
                if name in KEY_CALLS:  # the reason the filter exists: never run without it
                    raise
                # an older libseccomp that does not know a newer call: the kernel it runs with predates it too
        with tempfile.TemporaryFile() as out:
            flt.export_bpf(out)
            out.seek(0)
            program = out.read()
    except (ValueError, OSError, RuntimeError) as exc:
        raise CompilerLMError(f"cannot build the sandbox's system-call filter with libseccomp: {exc}") from exc
    if not program or len(program) % _SOCK_FILTER_BYTES:
        raise CompilerLMError(f"libseccomp exported a malformed filter ({len(program)} bytes)")
    return program


class InstallableFilter:
    """A filter ready for ``prctl(PR_SET_SECCOMP)``: the buffers live as long as this object, built before fork."""

    def __init__(self, program: bytes) -> None:
        self._buffer = ctypes.create_string_buffer(program, len(program))
        self.fprog = _SockFprog(len(program) // _SOCK_FILTER_BYTES, ctypes.addressof(self._buffer))

    @property
    def address(self) -> int:
        return ctypes.addressof(self.fprog)


@functools.cache
def syscall_number(name: str) -> int:
    """The native number of a system call, for calling it through ``libc.syscall`` (glibc has no keyctl)."""
    sc = _seccomp()
    return int(sc.resolve_syscall(sc.Arch.NATIVE, name))
