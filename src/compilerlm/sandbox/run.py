"""Run untrusted code confined: private root, no network, rlimits, and everything it spawned killed.

Two entry points share one mechanism: ``run_sandboxed`` runs a binary (model-written assembly, dataset
code), ``run_tool_sandboxed`` runs a toolchain program (gcc, as, ld, valgrind) on untrusted text, because
the assembler and linker read host files for it (``.incbin``, ``.include``, linker scripts) and no filter
over assembler syntax can be complete. Three processes, because a PID namespace applies to the children
of the process that creates it:

    caller --fork--> A  unshares mount/PID/network/IPC namespaces, builds a private root, forks B, waits
                     B  PID 1 of the new namespace: mounts /proc, chroots, forks C, reaps, copies out results
                     C  sets rlimits, drops to a fresh unprivileged uid, execs the program

When B exits (C is done, or the caller SIGKILLs B's process group on timeout or too much output) the
kernel kills every process left in the namespace, daemons that called setsid included. The private
root is a read-only tmpfs with read-only binds of /usr (and the /bin, /lib... links), a few /dev nodes,
a fresh /proc, the binary bound read-only at /prog, and a writable tmpfs /tmp (sized by the limits) that
is the working directory; the host's files are not there, so what a confined assembler can read is the
toolchain and the run's own inputs. Inputs are copied into /tmp by A; results named by the caller are
copied out by B after the program ends, opened without following links and only if they are regular
files, into a host directory the caller chose. chroot (not pivot_root) on purpose: the kernel refuses new
user namespaces inside a chroot, which closes the classic "become root in a user namespace, then chroot
out" escape. The uid switch makes RLIMIT_NPROC count (it is not enforced for root) and puts the host's
files behind their permissions. Without root, A first enters a user namespace that maps only the
caller's own ids (where the kernel allows it); the program then runs as the caller's uid with no
capabilities.

A binary built for another machine runs the same way through a user-mode emulator (``Emulator``: qemu-user,
the dynamically linked one from Debian's qemu-user package, whose host libraries are under the bound /usr and
/lib): C execs the emulator with ``/prog`` as its guest, and the guest's sysroot (/usr/<triple>) is under the
bound /usr. The emulator is just another confined program: the filter, namespaces and root are the same (the
guest's system calls reach the kernel as the emulator's own, through the same filter), and a guest that got
out of qemu would be where qemu is. Only the memory rlimits differ, as ``_memory_rlimits`` says. The emulated
run's peak RSS (for the memory-limit verdict) is the emulator's, a few MiB above its guest's.

Fail closed: if any namespace, the private root, or the uid switch (user namespace without root) cannot
be set up, nothing runs and the result is a "sandbox-error" that names what is missing.
A, B and C report over a status pipe in one-line records.

This module is the caller's side: the entry points, supervision (timeouts, output caps, killing what is
left) and the classification of how a run ended. The processes are in ``stages.py``, the namespaces and the
fail-closed check in ``isolation.py``, the private root with copy-in and copy-out in ``root.py``, what a
run is (built before the first fork) in ``plan.py``, and the ctypes system calls in ``syscalls.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import shutil
import signal
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from compilerlm.errors import CompilerLMError
from compilerlm.sandbox.limits import Limits
from compilerlm.sandbox.plan import (
    EMULATOR_ADDRESS_BYTES,
    EMULATOR_DATA_BYTES,
    MAX_GUEST_SPACE,
    Emulator,
    Files,
    _Plan,
)
from compilerlm.sandbox.root import _HOST_DIRS, MAX_READ_ONLY_BYTES, _tree_bytes
from compilerlm.sandbox.stages import _stage_a
from compilerlm.sandbox.syscall_filter import InstallableFilter, filter_program, syscall_number

Status = Literal[
    "ok", "wrong-output", "exit-code", "signal", "timeout", "cpu-limit", "memory-limit", "output-limit", "sandbox-error"
]


@dataclass
class SandboxResult:
    """How one run ended. ``signal`` is the signal number that killed the binary, if any."""

    status: Status
    exit_code: int | None
    signal: int | None
    stdout: bytes
    stderr: bytes
    wall_seconds: float
    cpu_seconds: float
    detail: str = ""
    isolation: dict[str, bool] = field(default_factory=dict)
    collected: tuple[str, ...] = ()  # result files copied out (names)
    sandbox_uid: int | None = None  # the uid the program ran as (its processes are findable by it)
    report: bytes = b""  # what the program wrote to its report descriptor (``report=True``)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def run_sandboxed(
    binary: Path,
    stdin: bytes = b"",
    limits: Limits = Limits(),  # noqa: B008  (frozen, so sharing the default is safe)
    expected: bytes | None = None,
    args: Sequence[str | bytes] = (),
    *,
    files: Files | None = None,
    collect: Sequence[str] = (),
    collect_to: Path | None = None,
    scratch: Path | None = None,
    libraries: Mapping[str, Path] | None = None,
    emulator: Emulator | None = None,
) -> SandboxResult:
    """Run ``binary`` (bound read-only at /prog, never run in place) on ``stdin`` in a fresh directory, confined.

    ``libraries`` (name -> host file: a shared library under test and the binary that links it with
    ``-rpath /prog-lib``) are bound read-only at /prog-lib/NAME.
    ``files`` (name -> host path or bytes) are put in that directory first; files whose names match a
    ``collect`` pattern are copied to ``collect_to`` afterwards (``result.collected`` lists them).
    ``expected`` turns a clean exit with different stdout into "wrong-output". ``emulator``: a binary for
    another machine, run as ``EMULATOR... /prog ARGS`` (``Emulator``); the limits hold for its guest, the
    emulator's own memory comes on top. Never raises for anything the binary does; raises CompilerLMError
    only when there is no binary (or emulator) to run or the request is invalid.
    """
    binary = Path(binary).resolve()
    if not binary.is_file():
        raise CompilerLMError(f"sandbox: no binary at {binary}")
    exe, argv = b"/prog", tuple(args)
    if emulator is not None:
        if not emulator.command or emulator.reserved_bytes < 0:
            raise CompilerLMError(f"sandbox: {emulator} is not an emulator's command line")
        exe = os.fsencode(_host_program(emulator.command[0]))
        space = _guest_space(limits, emulator)
        sized = (emulator.guest_space_option, str(space)) if space else ()
        argv = (*emulator.command[1:], *sized, "/prog", *args)
    return _run(
        exe,
        binary,
        stdin,
        limits,
        expected,
        argv,
        files,
        collect,
        collect_to,
        None,
        scratch,
        libraries=libraries,
        emulator=emulator,
    )


def run_tool_sandboxed(
    argv: Sequence[str | os.PathLike[str]],
    stdin: bytes = b"",
    limits: Limits = Limits(),  # noqa: B008  (frozen)
    *,
    binary: Path | None = None,
    files: Files | None = None,
    collect: Sequence[str] = (),
    collect_to: Path | None = None,
    env: Mapping[str, str] | None = None,
    read_only: Sequence[Path] = (),
    scratch: Path | None = None,
    report: bool = False,
    allow_syscalls: Sequence[str] = (),
) -> SandboxResult:
    """Run a toolchain program (``argv[0]``, a host path under /usr) confined, on untrusted input files.

    Everything else is as ``run_sandboxed``: ``binary`` (if given) is bound at /prog, the working directory
    is /tmp with ``files`` in it, and ``collect`` patterns are copied out to ``collect_to``. ``read_only``
    host folders (a program's own source and include folders) are copied to /src/0, /src/1, ... and made
    read-only; nothing else of the host is there. ``report``: the tool gets a pipe at descriptor
    ``REPORT_FD`` whose content comes back as ``result.report`` (a counter's report, apart from the
    measured program's own output). ``allow_syscalls`` lifts the filter's refusal of those calls (the perf
    counter needs ``perf_event_open``)."""
    tool = _host_program(argv[0])
    if binary is not None:
        binary = Path(binary).resolve()
        if not binary.is_file():
            raise CompilerLMError(f"sandbox: no binary at {binary}")
    for folder in read_only:
        if not Path(folder).is_dir():
            raise CompilerLMError(f"sandbox: {folder} is not a folder")
    args = tuple(os.fspath(a) for a in argv[1:])
    extra = tuple(Path(f).resolve() for f in read_only)
    return _run(
        os.fsencode(tool),
        binary,
        stdin,
        limits,
        None,
        args,
        files,
        collect,
        collect_to,
        env,
        scratch,
        extra,
        report=report,
        allow_syscalls=frozenset(allow_syscalls),
    )


def _host_program(path: str | os.PathLike[str]) -> Path:
    """``path`` resolved, when it is a program the private root shows (under /usr and the system folders)."""
    tool = Path(os.path.realpath(path))
    visible = [os.path.realpath(Path("/", d)) for d in _HOST_DIRS if Path("/", d).exists()]
    if not tool.is_file() or not any(tool.is_relative_to(d) for d in visible):
        raise CompilerLMError(f"sandbox: {path} is not a program under {', '.join(sorted(set(visible)))}")
    return tool


def _run(
    exe: bytes,
    binary: Path | None,
    stdin: bytes,
    limits: Limits,
    expected: bytes | None,
    args: Sequence[str | bytes],
    files: Files | None,
    collect: Sequence[str],
    collect_to: Path | None,
    env: Mapping[str, str] | None,
    scratch: Path | None,
    read_only: tuple[Path, ...] = (),
    *,
    report: bool = False,
    allow_syscalls: frozenset[str] = frozenset(),
    libraries: Mapping[str, Path] | None = None,
    emulator: Emulator | None = None,
) -> SandboxResult:
    read_only_bytes = sum(_tree_bytes(folder) for folder in read_only)
    if read_only_bytes > MAX_READ_ONLY_BYTES:
        raise CompilerLMError(
            f"sandbox: the program's folders hold {read_only_bytes >> 20} MiB; at most {MAX_READ_ONLY_BYTES >> 20} MiB "
            "are copied into a confined build: move data files out of its source and include folders"
        )
    staged: list[tuple[str, Path | bytes]] = []
    for name, content in (files or {}).items():
        if not name or "/" in name or name in (".", ".."):
            raise CompilerLMError(f"sandbox: input file name {name!r} must be a plain file name")
        staged.append((name, Path(content).resolve() if isinstance(content, (str, os.PathLike)) else bytes(content)))
    bound: list[tuple[str, Path]] = []
    for name, library in (libraries or {}).items():
        if not name or "/" in name or name in (".", ".."):
            raise CompilerLMError(f"sandbox: library name {name!r} must be a plain file name")
        if not Path(library).is_file():
            raise CompilerLMError(f"sandbox: no library at {library}")
        bound.append((name, Path(library).resolve()))
    if collect and (collect_to is None or not Path(collect_to).is_dir()):
        raise CompilerLMError(f"sandbox: results are collected into a directory; {collect_to} is not one")
    address_space_bytes, data_bytes = _memory_rlimits(limits, emulator)
    base = Path(tempfile.mkdtemp(prefix="compilerlm-sandbox-", dir=scratch))
    try:
        plan = _Plan(
            exe,
            binary,
            base,
            limits,
            tuple(os.fsencode(a) for a in args),
            os.getpid(),
            files=tuple(staged),
            libraries=tuple(bound),
            collect=tuple(collect),
            collect_to=Path(collect_to).resolve() if collect and collect_to is not None else None,
            env=tuple((env or {}).items()),
            read_only=read_only,
            read_only_bytes=read_only_bytes,
            report=report,
            address_space_bytes=address_space_bytes,
            data_bytes=data_bytes,
        )
        _add_syscall_filter(plan, allow_syscalls)
        before = set(os.listdir(plan.collect_to)) if plan.collect_to else set()
        result = _supervise(plan, stdin, expected)
        if plan.collect_to:  # only the run's init writes there: what is new is what it copied out
            result.collected = tuple(sorted(set(os.listdir(plan.collect_to)) - before))
        return result
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _guest_space(limits: Limits, emulator: Emulator) -> int:
    """The guest address space the sandbox gives ``emulator`` with its ``guest_space_option``: the run's
    address-space limit in whole 64 KiB (any host's page), or 0 when it takes none (or the limit is beyond
    ``MAX_GUEST_SPACE``)."""
    if not emulator.guest_space_option or limits.address_space_bytes > MAX_GUEST_SPACE:
        return 0
    return max(limits.address_space_bytes & ~0xFFFF, 1 << 16)


def _memory_rlimits(limits: Limits, emulator: Emulator | None) -> tuple[int, int]:
    """The plan's RLIMIT_AS and RLIMIT_DATA (0: left as it is). A native run: the limits' address space.

    An emulated run cannot have the guest's limit as RLIMIT_AS: the emulator lives in the same address space
    (qemu's translation buffer alone is 127 MiB). With ``guest_space_option`` the guest lives in a
    reservation of the limits' size (text, libraries, stack and heap, as a native program's address space)
    and RLIMIT_AS is that plus the emulator's own share: the guest is held as natively, and cannot take the
    memory qemu needs for itself (under one shared limit a 64-bit guest that allocates to the end left
    qemu's own malloc failing, and qemu then spun until the CPU limit). Without it (qemu-arm: it reserves
    a 32-bit guest's whole 4 GiB up front), the address space grows by that reservation and the emulator's
    share, and RLIMIT_DATA, which counts private writable memory (the guest's heap, stacks and anonymous
    maps, inside the reservation or not) but not the reservation, holds the guest to the limits' address
    space plus the emulator's measured share (a guest that allocates to the end may, rarely, leave qemu's own
    allocation the one that fails: the run then ends as a memory-limit); shared anonymous maps escape
    RLIMIT_DATA and are held only to the guest's 4 GiB."""
    if emulator is None:
        return limits.address_space_bytes, 0
    if space := _guest_space(limits, emulator):
        return space + EMULATOR_ADDRESS_BYTES, 0
    address_space = limits.address_space_bytes + emulator.reserved_bytes + EMULATOR_ADDRESS_BYTES
    return address_space, limits.address_space_bytes + EMULATOR_DATA_BYTES


def _add_syscall_filter(plan: _Plan, allowed: frozenset[str]) -> None:
    """The filter and the keyctl number, ready before fork; when they cannot be had, the plan says why and A
    refuses the run (fail closed)."""
    try:
        plan.syscall_filter = InstallableFilter(filter_program(allowed))
        plan.keyctl_nr = syscall_number("keyctl")
    except (CompilerLMError, ValueError, OSError) as exc:
        plan.syscall_filter, plan.filter_error = None, str(exc)


def _supervise(plan: _Plan, stdin: bytes, expected: bytes | None) -> SandboxResult:
    """Fork A, collect its output, and classify how the run ended; on any interruption leave nothing running."""
    stdin_fd = os.memfd_create("sandbox-stdin")  # a file, so a binary that never reads stdin cannot block us
    view = memoryview(stdin)
    while view:
        view = view[os.write(stdin_fd, view) :]
    os.lseek(stdin_fd, 0, os.SEEK_SET)
    (out_r, out_w), (err_r, err_w), (st_r, st_w) = os.pipe(), os.pipe(), os.pipe()
    rep_r, rep_w = os.pipe() if plan.report else (-1, -1)
    child_fds = (stdin_fd, out_w, err_w, st_w, *((rep_w,) if plan.report else ()))
    t0 = time.monotonic()
    apid = os.fork()
    if apid == 0:
        _stage_a(plan, child_fds)
    for fd in child_fds:
        os.close(fd)
    bufs = {out_r: bytearray(), err_r: bytearray(), st_r: bytearray()}
    if plan.report:
        bufs[rep_r] = bytearray()
    killed = None
    try:
        killed = _collect(apid, t0, plan.limits, bufs, out_r, err_r, st_r)
    finally:
        if killed is None:  # interrupted (Ctrl-C, a bug): kill the run before waiting for it
            _kill_group(_wait_for_pid(st_r, bufs[st_r]) or apid)
        for fd in bufs:
            os.close(fd)
        _, _, a_usage = os.wait4(apid, 0)
    records = _parse(bytes(bufs[st_r]))
    if not json.loads(records.get("iso") or "{}").get("pid_namespace") and records.get("pid", "").isdigit():
        _kill_group(int(records["pid"]))  # no namespace took them down: at least the children left in the group
    result = _classify(records, killed, bytes(bufs[out_r]), bytes(bufs[err_r]), t0, a_usage, plan, expected)
    result.report = bytes(bufs.get(rep_r, b""))
    return result


def _collect(
    apid: int, t0: float, limits: Limits, bufs: dict[int, bytearray], out_r: int, err_r: int, st_r: int
) -> str:
    """Read output and records until all pipes close; kill B's group on the wall clock or too much output.

    Returns why it killed ("timeout", "output-limit") or "" when the run ended by itself.
    """
    caps = {fd: limits.stderr_bytes for fd in bufs}  # the report pipe, if any, gets stderr's cap
    caps |= {out_r: limits.stdout_bytes, err_r: limits.stderr_bytes, st_r: 1 << 16}
    poller = select.poll()
    for fd in bufs:
        poller.register(fd, select.POLLIN)
    live = set(bufs)
    killed = ""
    stop_at = t0 + limits.wall_seconds

    def kill(reason: str) -> None:
        nonlocal killed, stop_at
        killed = reason
        stop_at = time.monotonic() + 2.0  # the kernel needs a moment to tear the namespace down
        _kill_group(_wait_for_pid(st_r, bufs[st_r]) or apid)

    while live:
        now = time.monotonic()
        if now >= stop_at:
            if killed or b"\nexit " in b"\n" + bufs[st_r]:
                break  # done; whatever still holds a pipe escaped the group (no PID namespace)
            kill("timeout")
            continue
        for fd, _ in poller.poll(max(0.0, stop_at - now) * 1000):
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                live.discard(fd)
                poller.unregister(fd)
                if fd == st_r and not killed:
                    stop_at = min(stop_at, time.monotonic() + 0.2)  # A is gone: drain what is left
                continue
            bufs[fd] += chunk
            if len(bufs[fd]) > caps[fd]:
                del bufs[fd][caps[fd] :]
                live.discard(fd)
                poller.unregister(fd)
                if not killed and fd != st_r:
                    kill("output-limit")
    return killed


def _wait_for_pid(st_r: int, buf: bytearray) -> int:
    """B's pid from A's record; A writes it right after fork, so wait for it briefly if it is not in yet."""
    deadline = time.monotonic() + 1.0
    poller = select.poll()
    poller.register(st_r, select.POLLIN)
    while b"\npid " not in b"\n" + buf and b"error" not in buf and time.monotonic() < deadline:
        if poller.poll(50):
            chunk = os.read(st_r, 1 << 16)
            if not chunk:
                break
            buf += chunk
    pid = _parse(bytes(buf)).get("pid", "")
    return int(pid) if pid.isdigit() else 0


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _parse(records: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in records.decode(errors="replace").splitlines():
        key, _, value = line.partition(" ")
        out.setdefault(key, value)
    return out


def _classify(
    rec: dict[str, str],
    killed: str | None,
    stdout: bytes,
    stderr: bytes,
    t0: float,
    a_usage: resource.struct_rusage,
    plan: _Plan,
    expected: bytes | None,
) -> SandboxResult:
    limits = plan.limits
    iso = json.loads(rec["iso"]) if "iso" in rec else {}
    uid = int(rec["uid"]) if rec.get("uid", "").isdigit() else None
    exit_fields = rec.get("exit", "").split()
    code: int | None = None
    sig: int | None = None
    cpu, rss, end = a_usage.ru_utime + a_usage.ru_stime, 0, time.monotonic()
    if len(exit_fields) == 4:
        raw, cpu_s, rss_s, end_s = exit_fields
        cpu, rss, end = float(cpu_s), int(rss_s), float(end_s)
        code = os.waitstatus_to_exitcode(int(raw))
        if code < 0:
            sig, code = -code, None
    wall = max(0.0, end - float(rec.get("start", t0)))

    def result(status: Status, detail: str) -> SandboxResult:
        return SandboxResult(status, code, sig, stdout, stderr, wall, cpu, detail, iso, (), uid)

    if "error" in rec:
        return result("sandbox-error", rec["error"])
    if killed == "output-limit":
        caps = f"stdout {limits.stdout_bytes} / stderr {limits.stderr_bytes} bytes"
        return result("output-limit", f"output over its cap ({caps}); process group killed")
    if killed == "timeout":
        return result("timeout", f"wall clock over {limits.wall_seconds} s; killed")
    if not exit_fields:
        return result("sandbox-error", "no exit status from the sandbox")
    # an rlimit on the address space makes allocation fail; the program then crashes or exits: peak RSS says why
    near_memory_cap = rss >= 0.8 * limits.address_space_bytes
    if sig is not None:
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= 0.9 * limits.cpu_seconds):
            return result("cpu-limit", f"CPU time over {limits.cpu_seconds} s ({name})")
        if near_memory_cap and sig in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGKILL):
            return result("memory-limit", f"{name} at peak RSS {rss} of {limits.address_space_bytes} bytes")
        if sig == signal.SIGXFSZ:
            return result("signal", f"killed by {name}: file size over {limits.file_size_bytes} bytes")
        return result("signal", f"killed by {name}")
    if code:
        if near_memory_cap:
            return result("memory-limit", f"exit code {code} at peak RSS {rss} of {limits.address_space_bytes} bytes")
        return result("exit-code", f"exit code {code}")
    if expected is not None and stdout != expected:
        return result("wrong-output", f"stdout differs from expected ({len(stdout)} vs {len(expected)} bytes)")
    return result("ok", "")
