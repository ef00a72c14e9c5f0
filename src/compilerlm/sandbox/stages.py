"""The three processes of a run, as they run inside the fork: A, B and C of ``run.py``'s docstring.

A enters the namespaces and builds the root, B is init of the PID namespace (chroot, fork C, reap, copy
results out), C sets the limits, drops privileges and execs. They tell the caller what happened only in
one-line records on fd 3. Apart from the caller's side because code here lives under other rules: every
path ends in ``os._exit``, no exception escapes, and C allocates nothing after its limits are set.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import resource
import select
import signal
import time
from collections.abc import Callable

from compilerlm.sandbox.isolation import _isolate, _refusal, _sandbox_uid, missing_isolation
from compilerlm.sandbox.plan import _Plan
from compilerlm.sandbox.root import _copy_out
from compilerlm.sandbox.syscall_filter import PR_SET_SECCOMP, SECCOMP_MODE_FILTER
from compilerlm.sandbox.syscalls import (
    MS_BIND,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    PR_SET_NO_NEW_PRIVS,
    PR_SET_PDEATHSIG,
    _check,
    _libc,
    _mount,
    _RLimit,
)

_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp", "TMPDIR": "/tmp"}
_STATUS_FD = 3
REPORT_FD = 4  # a counting tool's report (``_Plan.report``): the only descriptor past stderr the program gets
_MASKED_PROC = ("keys", "key-users")  # key descriptions of the whole machine: /dev/null in a run's /proc
KEYCTL_JOIN_SESSION_KEYRING = 1


def _record(line: str) -> None:
    os.write(_STATUS_FD, (line.replace("\n", " ") + "\n").encode()[:4000])


def _stage_a(plan: _Plan, fds: tuple[int, ...]) -> None:
    """First child: namespaces and root, then fork B (PID 1 of the new PID namespace) and wait for it.

    Fails closed: when any promised confinement is missing, B is never forked and nothing runs."""
    code, redirected = 1, False
    try:
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in fds]  # fds may already sit on 0..4
        for i, fd in enumerate(high):
            os.dup2(fd, i)
        redirected = True
        os.closerange(len(fds), max(os.sysconf("SC_OPEN_MAX"), 1 << 16))
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != plan.parent:
            return
        uid = _sandbox_uid() if os.geteuid() == 0 else None
        _record(f"uid {os.getuid() if uid is None else uid}")
        iso, why = _isolate(plan.base, uid, plan.limits, plan)
        _record("iso " + json.dumps(iso))
        if missing := missing_isolation(iso):
            _record(f"error {_refusal(missing, why)}")
            return
        out_fd = _high(os.open(plan.collect_to, os.O_RDONLY | os.O_DIRECTORY)) if plan.collect_to else -1
        pid = os.fork()
        if pid == 0:
            _stage_b(plan, uid, out_fd)
        _record(f"pid {pid}")
        _close_program_fds(plan)
        os.waitpid(pid, 0)
        code = 0
    except BaseException as exc:
        if redirected:  # before that, fd 3 is still whatever the caller had there
            _record(f"error setup: {exc!r}")
    finally:
        os._exit(code)


def _exit_poller(pid: int) -> Callable[[int], object]:
    """Wait up to N ms for `pid` to exit: on its pidfd, which wakes the moment it does, so a run's end is timed to
    the exit rather than to the next 2 ms tick; a plain sleep where the kernel has no pidfd."""
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:
        return lambda ms: time.sleep(ms / 1000)
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    return poller.poll


def _stage_b(plan: _Plan, uid: int | None, out_fd: int) -> None:
    """Init of the run: fork C, reap everything, report C's status and the CPU time of all it reaped, then
    copy the requested results out."""
    code = 1
    try:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        os.setsid()  # the caller kills this group; B dying kills the namespace
        # hidepid: the binary sees only its own processes, not this init (a copy of the caller)
        proc = plan.base / "root" / "proc"
        _mount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2")
        for name in _MASKED_PROC:
            if (proc / name).exists():
                _mount("/dev/null", proc / name, None, MS_BIND)
        os.chroot(plan.base / "root")
        os.chdir("/tmp")
        # a binary's argv[0] is /prog, as a counting tool that runs it passes it: every kind of run looks the same
        argv = plan.cstrings([plan.exe if plan.exe == b"/prog" else os.path.basename(plan.exe), *plan.args])
        envp = plan.cstrings([f"{k}={v}".encode() for k, v in {**_ENV, **dict(plan.env)}.items()])
        comm = os.path.basename(plan.exe)[:15].decode(errors="replace")
        pid = os.fork()
        if pid == 0:
            _stage_c(plan, uid, argv, envp)
        _close_program_fds(plan)
        # rusage's maxrss would include the forked Python's pages from before exec; the program's own peak
        # (VmHWM of its post-exec address space) is sampled while it runs instead
        peak = 0
        exited = _exit_poller(pid)
        while True:
            reaped, status = os.waitpid(-1, os.WNOHANG)
            if reaped == pid:
                break
            if reaped == 0:
                peak = max(peak, _peak_rss(pid, comm))
                exited(2)  # back at once when C exits (its end time is then exact), else after 2 ms
        end = time.monotonic()
        _kill_the_rest()  # before any number or file leaves the run: nothing of it may write any more
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        _record(f"exit {status} {ru.ru_utime + ru.ru_stime} {peak} {end}")
        if out_fd >= 0:
            _copy_out(plan, out_fd)
        code = 0
    except BaseException as exc:
        _record(f"error init: {exc!r}")
    finally:
        os._exit(code)


def _high(fd: int) -> int:
    """``fd`` moved above the descriptors a run hands to its program (0 to REPORT_FD)."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


def _close_program_fds(plan: _Plan) -> None:
    """A and B keep only the status pipe: stdin, stdout, stderr and the report pipe are the program's, and the
    caller sees them end when the program's side closes them."""
    os.closerange(0, _STATUS_FD)
    if plan.report:
        os.close(REPORT_FD)


def _kill_the_rest() -> None:
    """In B (init of the run's PID namespace), once the program has ended: SIGKILL every other process of the
    run and reap them all, so that no child it left can still write to a report, a result file or a pipe the
    caller is about to read. Only as init: kill(-1) from any other process would reach the whole machine."""
    if os.getpid() != 1:
        raise OSError("the run's init is not PID 1 of its namespace")
    with contextlib.suppress(ProcessLookupError):
        os.kill(-1, signal.SIGKILL)  # from a namespace's init: every process in the namespace but itself
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return
        except InterruptedError:
            continue


def _peak_rss(pid: int, comm: str) -> int:
    """Peak resident bytes of the running program's address space (0 before its exec, when the fork's copy of
    Python is still there, and once it is gone)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            lines = f.read().splitlines()
        if not lines or lines[0].split()[1:] != [comm.encode()]:
            return 0
        for line in lines:
            if line.startswith(b"VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _stage_c(plan: _Plan, uid: int | None, argv: ctypes.Array, envp: ctypes.Array) -> None:
    """The binary's process: limits it cannot raise, no privileges, a fresh session keyring, the system-call
    filter, default signals, then exec."""
    limits = plan.limits
    try:
        os.set_inheritable(_STATUS_FD, False)
        for sig in signal.valid_signals():
            if sig not in (signal.SIGKILL, signal.SIGSTOP) and signal.getsignal(sig) == signal.SIG_IGN:
                signal.signal(sig, signal.SIG_DFL)  # Python ignores SIGPIPE and SIGXFSZ; the binary must not
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        for res, value in (
            (resource.RLIMIT_CPU, limits.cpu_seconds),
            (resource.RLIMIT_NPROC, limits.max_processes),
            (resource.RLIMIT_NOFILE, limits.open_files),
            (resource.RLIMIT_FSIZE, limits.file_size_bytes),
            (resource.RLIMIT_CORE, 0),
        ):
            # CPU: SIGXCPU at the soft limit, SIGKILL one second later for a binary that catches it
            resource.setrlimit(res, (value, value + 1 if res == resource.RLIMIT_CPU else value))
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        _fresh_session_keyring(plan.keyctl_nr)
        if plan.syscall_filter is None:  # A refuses before this; kept so that no path execs unfiltered
            raise OSError("no system-call filter")
        _check(_libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, plan.syscall_filter.address, 0, 0), "seccomp filter")
        as_bytes = plan.address_space_bytes or limits.address_space_bytes
        address_space = _RLimit(as_bytes, as_bytes)
        data = _RLimit(plan.data_bytes, plan.data_bytes)  # set only for an emulated run (``Emulator``)
        failed = b"error exec: "
        _record(f"start {time.monotonic()}")
        # last, so this (possibly huge) Python process needs no new memory: ctypes, prebuilt arguments
        _check(_libc.setrlimit(resource.RLIMIT_AS, ctypes.byref(address_space)), "setrlimit(RLIMIT_AS)")
        if plan.data_bytes:
            _check(_libc.setrlimit(resource.RLIMIT_DATA, ctypes.byref(data)), "setrlimit(RLIMIT_DATA)")
        _libc.execve(plan.exe, argv, envp)
        os.write(_STATUS_FD, failed + os.strerror(ctypes.get_errno()).encode() + b"\n")
    except BaseException as exc:
        _record(f"error exec: {exc!r}")
    finally:
        os._exit(127)


def _fresh_session_keyring(keyctl_nr: int) -> None:
    """Leave the caller's session keyring (a login's or a service's keys) for a new, empty, anonymous one.
    A kernel without keyrings (ENOSYS) has nothing to leak; any other failure stops the run."""
    if _libc.syscall(keyctl_nr, KEYCTL_JOIN_SESSION_KEYRING, None) < 0 and ctypes.get_errno() != errno.ENOSYS:
        _check(-1, "join a fresh session keyring")
