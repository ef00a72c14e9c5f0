"""The system calls the sandbox makes through ctypes, and the kernel's flag values for them.

Python's ``os`` has no mount, unshare or prctl, and stage C must set RLIMIT_AS and exec without allocating
(a Python call that allocates would fail under the new limit), so these go to libc directly. Kept apart so
the root, the isolation and the stages speak in operations (mount, bind read-only), not in errno.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC, MS_PRIVATE, MS_RELATIME = 1024, 2048, 4096, 16384, 1 << 18, 1 << 21
ST_RELATIME = 4096
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38


_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.unshare.argtypes = [ctypes.c_int]
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
_libc.setrlimit.argtypes = [ctypes.c_int, ctypes.c_void_p]
_libc.execve.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_char_p)]


class _RLimit(ctypes.Structure):
    _fields_ = (("cur", ctypes.c_ulong), ("max", ctypes.c_ulong))


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(src: str | None, target: Path, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = lambda s: None if s is None else os.fsencode(s)  # noqa: E731
    _check(_libc.mount(enc(src), os.fsencode(target), enc(fstype), flags, enc(data)), f"mount {target}")


def _bind_readonly(src: Path, target: Path) -> None:
    """Bind ``src`` read-only, nosuid; keeps the source's noexec/atime flags (a user namespace may not change them)."""
    kept = os.statvfs(src).f_flag
    flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | (kept & (MS_NOEXEC | MS_NOATIME | MS_NODIRATIME))
    _mount(str(src), target, None, MS_BIND | MS_REC)
    _mount(None, target, None, flags | (MS_RELATIME if kept & ST_RELATIME else 0))
