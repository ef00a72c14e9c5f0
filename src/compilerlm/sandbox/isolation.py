"""Which confinement is in effect, and the rule that nothing runs without all of it.

``_isolate`` enters the namespaces (through a user namespace that maps only the caller's ids when not
root) and builds the private root in the new mount namespace, reporting what it got; ``missing_isolation``
is the fail-closed check; ``sandbox_capabilities`` probes this machine once with the same code. Apart from
the processes (``run.py``) so that the probe and every run share one definition of "confined".
"""

from __future__ import annotations

import ctypes
import functools
import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from compilerlm.errors import CompilerLMError
from compilerlm.sandbox.limits import Limits
from compilerlm.sandbox.plan import _Plan
from compilerlm.sandbox.root import _build_root
from compilerlm.sandbox.syscall_filter import filter_program
from compilerlm.sandbox.syscalls import (
    CLONE_NEWIPC,
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWPID,
    CLONE_NEWUSER,
    CLONE_NEWUTS,
    MS_PRIVATE,
    MS_REC,
    _libc,
    _mount,
)

_UID_BASE = 2_000_000_000  # sandbox uid = base + pid of A: unique per live run, so RLIMIT_NPROC is per run
_NOBODY = 65534


@functools.cache
def _id_mapped(ident: int) -> bool:
    """Whether uid and gid ``ident`` exist in this user namespace (a container may map only a few)."""
    for name in ("uid_map", "gid_map"):
        try:
            rows = [line.split() for line in Path(f"/proc/self/{name}").read_text().splitlines()]
        except OSError:
            return False
        if not any(int(r[0]) <= ident < int(r[0]) + int(r[2]) for r in rows if len(r) == 3):
            return False
    return True


def _sandbox_uid() -> int:
    """A uid no one else uses, so file permissions keep the host out of reach and RLIMIT_NPROC counts this run."""
    uid = _UID_BASE + os.getpid()
    return uid if _id_mapped(uid) else _NOBODY


def _enter_user_namespace() -> bool:
    """Without root: a user namespace mapping only our own ids gives the rights to create the other namespaces.

    The binary keeps our (non-zero) uid inside, so execve leaves it none of the namespace's capabilities.
    """
    uid, gid = os.getuid(), os.getgid()
    if _libc.unshare(CLONE_NEWUSER) != 0:
        return False
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    return True


REQUIRED = ("mount_namespace", "pid_namespace", "network_namespace", "ipc_namespace", "private_root", "syscall_filter")


def missing_isolation(iso: Mapping[str, bool]) -> list[str]:
    """What of the promised confinement ``iso`` lacks (empty: the run may go ahead)."""
    missing = [name for name in REQUIRED if not iso.get(name)]
    if not (iso.get("user_switch") or iso.get("user_namespace")):
        missing.append("user_switch" if os.geteuid() == 0 else "user_namespace")
    return missing


def _refusal(missing: Sequence[str], why: str) -> str:
    detail = f" ({why})" if why else ""
    hint = ""
    if any(name != "syscall_filter" for name in missing):
        hint = (
            " Run compilerlm as root, or as a user allowed to create user namespaces "
            "(sysctl kernel.unprivileged_userns_clone=1)"
        )
    return f"cannot confine the run: no {', '.join(missing)}{detail}; refusing to run it unconfined.{hint}"


def _isolate(base: Path, uid: int | None, limits: Limits, plan: _Plan | None) -> tuple[dict[str, bool], str]:
    """In A: enter new namespaces and build the private root at ``base/root``; report what is in effect and,
    when something failed, why (the first failure).

    ``uid`` is the sandbox uid C switches to (we are root), or None (we are not: try a user namespace).
    """
    iso = {"user_switch": uid is not None, "user_namespace": uid is None and _enter_user_namespace()}
    iso |= {"mount_namespace": False, "pid_namespace": False, "network_namespace": False}
    iso |= {"ipc_namespace": False, "private_root": False}
    why = ""
    if plan is not None:
        iso["syscall_filter"], why = plan.syscall_filter is not None, plan.filter_error
    else:  # the probe: can this machine build the filter at all
        try:
            filter_program()
            iso["syscall_filter"] = True
        except CompilerLMError as exc:
            iso["syscall_filter"], why = False, str(exc)
    for name, flag in (
        ("mount_namespace", CLONE_NEWNS),
        ("pid_namespace", CLONE_NEWPID),
        ("network_namespace", CLONE_NEWNET),
        ("ipc_namespace", CLONE_NEWIPC | CLONE_NEWUTS),
    ):
        iso[name] = _libc.unshare(flag) == 0
        if not iso[name] and not why:
            why = f"unshare({name}): {os.strerror(ctypes.get_errno())}"
    if iso["mount_namespace"]:
        try:
            _mount(None, Path("/"), None, MS_REC | MS_PRIVATE)  # nothing mounted here may reach the host
            owner = (uid, uid) if uid is not None else (os.getuid(), os.getgid())
            _build_root(base / "root", owner, limits, plan)
            iso["private_root"] = True
        except OSError as exc:
            why = why or f"private root: {exc}"
    return iso, why


@functools.cache
def sandbox_capabilities() -> dict[str, bool | str]:
    """Which isolation this machine gives (probed once in a throwaway child), so results can say how they ran.

    ``confined`` is whether runs can go ahead at all (the sandbox refuses to run with less); ``refusal``
    says why not. ``kills_escaped_processes`` is the PID namespace's doing (no cgroup is used);
    ``cgroup_pids`` is therefore always False.
    """
    base = Path(tempfile.mkdtemp(prefix="compilerlm-sandbox-probe-"))
    r, w = os.pipe()
    try:
        pid = os.fork()
        if pid == 0:
            try:
                uid = _sandbox_uid() if os.geteuid() == 0 else None
                iso, why = _isolate(base, uid, Limits(), None)
                os.write(w, json.dumps([iso, why]).encode())
            finally:
                os._exit(0)
        os.close(w)
        data = b""
        while chunk := os.read(r, 1 << 16):
            data += chunk
        os.waitpid(pid, 0)
    finally:
        os.close(r)
        shutil.rmtree(base, ignore_errors=True)
    caps: dict[str, bool | str] = dict.fromkeys(("user_switch", "user_namespace", "mount_namespace"), False)
    caps |= dict.fromkeys(("pid_namespace", "network_namespace", "ipc_namespace", "private_root"), False)
    caps["syscall_filter"] = False
    iso, why = json.loads(data) if data else ({}, "the probe process failed")
    caps |= iso
    missing = missing_isolation(iso)
    caps["confined"] = not missing
    caps["refusal"] = _refusal(missing, why) if missing else ""
    caps["kills_escaped_processes"] = bool(caps.get("pid_namespace"))
    caps["rlimits"] = True
    caps["cgroup_pids"] = False
    return caps
