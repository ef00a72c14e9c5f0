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

Fail closed: if any namespace, the private root, or the uid switch (user namespace without root) cannot
be set up, nothing runs and the result is a "sandbox-error" that names what is missing.
A, B and C report over a status pipe in one-line records.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import fnmatch
import functools
import json
import os
import resource
import select
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from compilerlm.errors import CompilerLMError
from compilerlm.sandbox.limits import Limits

Status = Literal[
    "ok", "wrong-output", "exit-code", "signal", "timeout", "cpu-limit", "memory-limit", "output-limit", "sandbox-error"
]

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC, MS_PRIVATE, MS_RELATIME = 1024, 2048, 4096, 16384, 1 << 18, 1 << 21
ST_RELATIME = 4096
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38

_HOST_DIRS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")  # read-only in the private root
_DEV_NODES = ("null", "zero", "full", "random", "urandom")
_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp", "TMPDIR": "/tmp"}
_ROOT_SIZE = "1m"  # the root holds only directories, links and mount points: files go to /tmp or are bound
_MAX_COLLECTED = 256  # files copied out of one run at most
MAX_READ_ONLY_BYTES = 256 << 20  # a program's source and include folders, copied into a confined build
_UID_BASE = 2_000_000_000  # sandbox uid = base + pid of A: unique per live run, so RLIMIT_NPROC is per run
_NOBODY = 65534
_STATUS_FD = 3

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.unshare.argtypes = [ctypes.c_int]
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
_libc.setrlimit.argtypes = [ctypes.c_int, ctypes.c_void_p]
_libc.execve.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_char_p)]


class _RLimit(ctypes.Structure):
    _fields_ = (("cur", ctypes.c_ulong), ("max", ctypes.c_ulong))


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

    @property
    def ok(self) -> bool:
        return self.status == "ok"


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


REQUIRED = ("mount_namespace", "pid_namespace", "network_namespace", "ipc_namespace", "private_root")


def missing_isolation(iso: Mapping[str, bool]) -> list[str]:
    """What of the promised confinement ``iso`` lacks (empty: the run may go ahead)."""
    missing = [name for name in REQUIRED if not iso.get(name)]
    if not (iso.get("user_switch") or iso.get("user_namespace")):
        missing.append("user_switch" if os.geteuid() == 0 else "user_namespace")
    return missing


def _isolate(base: Path, uid: int | None, limits: Limits, plan: _Plan | None) -> tuple[dict[str, bool], str]:
    """In A: enter new namespaces and build the private root at ``base/root``; report what is in effect and,
    when something failed, why (the first failure).

    ``uid`` is the sandbox uid C switches to (we are root), or None (we are not: try a user namespace).
    """
    iso = {"user_switch": uid is not None, "user_namespace": uid is None and _enter_user_namespace()}
    iso |= {"mount_namespace": False, "pid_namespace": False, "network_namespace": False}
    iso |= {"ipc_namespace": False, "private_root": False}
    why = ""
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


def _build_root(root: Path, owner: tuple[int, int], limits: Limits, plan: _Plan | None) -> None:
    """A read-only tmpfs root: system dirs bound read-only, a few devices, empty /proc, the binary bound
    read-only at /prog, copies of the caller's folders at /src/0, /src/1..., and a writable /tmp holding the
    run's input files."""
    root.mkdir()
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, f"mode=0755,size={_ROOT_SIZE}")
    for name in _HOST_DIRS:
        host = Path("/", name)
        if host.is_symlink():
            (root / name).symlink_to(os.readlink(host))
        elif host.is_dir():
            (root / name).mkdir()
            _bind_readonly(host, root / name)
    (root / "dev").mkdir()
    for name in _DEV_NODES:
        if Path("/dev", name).exists():
            (root / "dev" / name).touch()
            _mount(f"/dev/{name}", root / "dev" / name, None, MS_BIND)
    for i, name in enumerate(("stdin", "stdout", "stderr")):
        (root / "dev" / name).symlink_to(f"/proc/self/fd/{i}")
    (root / "dev" / "fd").symlink_to("/proc/self/fd")
    (root / "proc").mkdir()
    (root / "tmp").mkdir()
    tmp_options = f"mode=0700,size={limits.tmp_bytes},uid={owner[0]},gid={owner[1]}"
    _mount("tmpfs", root / "tmp", "tmpfs", MS_NOSUID | MS_NODEV, tmp_options)
    if plan is not None:
        if plan.binary is not None:
            # bound, not copied: a binary of any size the build allows fits, and it stays read-only
            (root / "prog").touch()
            _bind_readonly(plan.binary, root / "prog")
        if plan.read_only:
            _copy_folders(root / "src", owner, plan)
        for name, content in plan.files:
            dest = root / "tmp" / name
            if isinstance(content, Path):
                shutil.copyfile(content, dest)
                mode = 0o755 if os.access(content, os.X_OK) else 0o644
            else:
                dest.write_bytes(content)
                mode = 0o644
            os.chown(dest, *owner)
            os.chmod(dest, mode)
    _mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _copy_folders(dest: Path, owner: tuple[int, int], plan: _Plan) -> None:
    """The caller's folders, copied (not bound: the host's permissions would hide them from the sandbox uid)
    to /src/N on a tmpfs of their size, owned by the run and then made read-only. Links are copied as links
    and resolve inside the root."""
    dest.mkdir()
    _mount("tmpfs", dest, "tmpfs", MS_NOSUID | MS_NODEV, f"mode=0755,size={plan.read_only_bytes + (1 << 20)}")
    for i, host in enumerate(plan.read_only):
        copy = dest / str(i)
        shutil.copytree(host, copy, symlinks=True, ignore=_not_plain, copy_function=shutil.copyfile)
        for folder, dirs, names in os.walk(copy):
            for name in (".", *dirs, *names):
                os.lchown(os.path.join(folder, name), *owner)
    _mount(None, dest, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _not_plain(folder: str, names: list[str]) -> list[str]:
    """Names copytree skips: anything but folders, regular files and links (FIFOs, sockets, devices)."""
    keep = (stat.S_ISDIR, stat.S_ISREG, stat.S_ISLNK)
    return [n for n in names if not any(ok(os.lstat(os.path.join(folder, n)).st_mode) for ok in keep)]


@dataclass
class _Plan:
    """Everything the children need, built before fork so C allocates (almost) nothing after its rlimits.

    ``exe`` is the program's path inside the root (``/prog`` for a binary, a toolchain path for a tool);
    ``files`` are copied into /tmp before the run, ``collect`` (patterns over /tmp's names) copied out to
    ``collect_to`` after it."""

    exe: bytes
    binary: Path | None
    base: Path
    limits: Limits
    args: tuple[bytes, ...]
    parent: int
    files: tuple[tuple[str, Path | bytes], ...] = ()
    collect: tuple[str, ...] = ()
    collect_to: Path | None = None
    env: tuple[tuple[str, str], ...] = ()
    read_only: tuple[Path, ...] = ()
    read_only_bytes: int = 0
    keep: list[object] = field(default_factory=list)

    def cstrings(self, items: list[bytes]) -> ctypes.Array[ctypes.c_char_p]:
        arr = (ctypes.c_char_p * (len(items) + 1))(*items, None)
        self.keep.append(arr)
        return arr


def _record(line: str) -> None:
    os.write(_STATUS_FD, (line.replace("\n", " ") + "\n").encode()[:4000])


def _stage_a(plan: _Plan, fds: tuple[int, int, int, int]) -> None:
    """First child: namespaces and root, then fork B (PID 1 of the new PID namespace) and wait for it.

    Fails closed: when any promised confinement is missing, B is never forked and nothing runs."""
    code, redirected = 1, False
    try:
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in fds]  # fds may already sit on 0..3
        for i, fd in enumerate(high):
            os.dup2(fd, i)
        redirected = True
        os.closerange(_STATUS_FD + 1, max(os.sysconf("SC_OPEN_MAX"), 1 << 16))
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
        out_fd = os.open(plan.collect_to, os.O_RDONLY | os.O_DIRECTORY) if plan.collect_to else -1
        pid = os.fork()
        if pid == 0:
            _stage_b(plan, uid, out_fd)
        _record(f"pid {pid}")
        os.closerange(0, _STATUS_FD)
        os.waitpid(pid, 0)
        code = 0
    except BaseException as exc:
        if redirected:  # before that, fd 3 is still whatever the caller had there
            _record(f"error setup: {exc!r}")
    finally:
        os._exit(code)


def _refusal(missing: Sequence[str], why: str) -> str:
    detail = f" ({why})" if why else ""
    return (
        f"cannot confine the run: no {', '.join(missing)}{detail}; refusing to run it unconfined. Run compilerlm "
        "as root, or as a user allowed to create user namespaces (sysctl kernel.unprivileged_userns_clone=1)"
    )


def _stage_b(plan: _Plan, uid: int | None, out_fd: int) -> None:
    """Init of the run: fork C, reap everything, report C's status and the CPU time of all it reaped, then
    copy the requested results out."""
    code = 1
    try:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        os.setsid()  # the caller kills this group; B dying kills the namespace
        # hidepid: the binary sees only its own processes, not this init (a copy of the caller)
        _mount("proc", plan.base / "root" / "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2")
        os.chroot(plan.base / "root")
        os.chdir("/tmp")
        argv = plan.cstrings([os.path.basename(plan.exe), *plan.args])
        envp = plan.cstrings([f"{k}={v}".encode() for k, v in {**_ENV, **dict(plan.env)}.items()])
        comm = os.path.basename(plan.exe)[:15].decode(errors="replace")
        pid = os.fork()
        if pid == 0:
            _stage_c(plan.limits, uid, plan.exe, argv, envp)
        os.closerange(0, _STATUS_FD)
        # rusage's maxrss would include the forked Python's pages from before exec; the program's own peak
        # (VmHWM of its post-exec address space) is sampled while it runs instead
        peak = 0
        while True:
            reaped, status = os.waitpid(-1, os.WNOHANG)
            if reaped == pid:
                break
            if reaped == 0:
                peak = max(peak, _peak_rss(pid, comm))
                time.sleep(0.002)
        end = time.monotonic()
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        _record(f"exit {status} {ru.ru_utime + ru.ru_stime} {peak} {end}")
        if out_fd >= 0:
            _copy_out(plan, out_fd)
        code = 0
    except BaseException as exc:
        _record(f"error init: {exc!r}")
    finally:
        os._exit(code)


def _copy_out(plan: _Plan, out_fd: int) -> list[str]:
    """Copy the files of /tmp whose names match ``plan.collect`` to the caller's directory.

    Whatever ran may have left links, FIFOs or devices under those names: a file is opened without
    following links and copied only if it is a regular file, so nothing outside the run is ever read."""
    done: list[str] = []
    budget = plan.limits.tmp_bytes
    tmp_fd = os.open("/tmp", os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    for name in sorted(os.listdir(tmp_fd)):
        if len(done) >= _MAX_COLLECTED or not any(fnmatch.fnmatchcase(name, pat) for pat in plan.collect):
            continue
        try:
            src = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=tmp_fd)
        except OSError:
            continue
        try:
            info = os.fstat(src)
            if not stat.S_ISREG(info.st_mode) or info.st_size > budget:
                continue
            mode = 0o755 if info.st_mode & 0o100 else 0o644
            dst = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode, dir_fd=out_fd)
            try:
                while budget > 0 and (chunk := os.read(src, min(1 << 20, budget))):
                    budget -= len(chunk)
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(dst, view) :]
            finally:
                os.close(dst)
            done.append(name)
        except OSError:
            continue
        finally:
            os.close(src)
    return done


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


def _stage_c(limits: Limits, uid: int | None, exe: bytes, argv: ctypes.Array, envp: ctypes.Array) -> None:
    """The binary's process: limits it cannot raise, no privileges, default signals, then exec."""
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
        address_space = _RLimit(limits.address_space_bytes, limits.address_space_bytes)
        failed = b"error exec: "
        _record(f"start {time.monotonic()}")
        # last, so this (possibly huge) Python process needs no new memory: ctypes, prebuilt arguments
        _check(_libc.setrlimit(resource.RLIMIT_AS, ctypes.byref(address_space)), "setrlimit(RLIMIT_AS)")
        _libc.execve(exe, argv, envp)
        os.write(_STATUS_FD, failed + os.strerror(ctypes.get_errno()).encode() + b"\n")
    except BaseException as exc:
        _record(f"error exec: {exc!r}")
    finally:
        os._exit(127)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _parse(records: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in records.decode(errors="replace").splitlines():
        key, _, value = line.partition(" ")
        out.setdefault(key, value)
    return out


Files = Mapping[str, "Path | bytes"]


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
) -> SandboxResult:
    """Run ``binary`` (bound read-only at /prog, never run in place) on ``stdin`` in a fresh directory, confined.

    ``files`` (name -> host path or bytes) are put in that directory first; files whose names match a
    ``collect`` pattern are copied to ``collect_to`` afterwards (``result.collected`` lists them).
    ``expected`` turns a clean exit with different stdout into "wrong-output". Never raises for anything
    the binary does; raises CompilerLMError only when there is no binary to run or the request is invalid.
    """
    binary = Path(binary).resolve()
    if not binary.is_file():
        raise CompilerLMError(f"sandbox: no binary at {binary}")
    return _run(b"/prog", binary, stdin, limits, expected, args, files, collect, collect_to, None, scratch)


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
) -> SandboxResult:
    """Run a toolchain program (``argv[0]``, a host path under /usr) confined, on untrusted input files.

    Everything else is as ``run_sandboxed``: ``binary`` (if given) is bound at /prog, the working directory
    is /tmp with ``files`` in it, and ``collect`` patterns are copied out to ``collect_to``. ``read_only``
    host folders (a program's own source and include folders) are copied to /src/0, /src/1, ... and made
    read-only; nothing else of the host is there."""
    tool = Path(os.path.realpath(argv[0]))
    visible = [os.path.realpath(Path("/", d)) for d in _HOST_DIRS if Path("/", d).exists()]
    if not tool.is_file() or not any(tool.is_relative_to(d) for d in visible):
        raise CompilerLMError(f"sandbox: {argv[0]} is not a program under {', '.join(sorted(set(visible)))}")
    if binary is not None:
        binary = Path(binary).resolve()
        if not binary.is_file():
            raise CompilerLMError(f"sandbox: no binary at {binary}")
    for folder in read_only:
        if not Path(folder).is_dir():
            raise CompilerLMError(f"sandbox: {folder} is not a folder")
    args = tuple(os.fspath(a) for a in argv[1:])
    extra = tuple(Path(f).resolve() for f in read_only)
    return _run(os.fsencode(tool), binary, stdin, limits, None, args, files, collect, collect_to, env, scratch, extra)


def _tree_bytes(folder: Path) -> int:
    """Bytes a copy of ``folder`` takes on a tmpfs (files rounded up to pages, plus a page per entry)."""
    total = 0
    for parent, dirs, names in os.walk(folder):
        for name in (*dirs, *names):
            with contextlib.suppress(OSError):
                total += 4096 + -(-os.lstat(os.path.join(parent, name)).st_size // 4096) * 4096
    return total


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
    if collect and (collect_to is None or not Path(collect_to).is_dir()):
        raise CompilerLMError(f"sandbox: results are collected into a directory; {collect_to} is not one")
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
            collect=tuple(collect),
            collect_to=Path(collect_to).resolve() if collect else None,
            env=tuple((env or {}).items()),
            read_only=read_only,
            read_only_bytes=read_only_bytes,
        )
        before = set(os.listdir(plan.collect_to)) if plan.collect_to else set()
        result = _supervise(plan, stdin, expected)
        if plan.collect_to:  # only the run's init writes there: what is new is what it copied out
            result.collected = tuple(sorted(set(os.listdir(plan.collect_to)) - before))
        return result
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _supervise(plan: _Plan, stdin: bytes, expected: bytes | None) -> SandboxResult:
    """Fork A, collect its output, and classify how the run ended; on any interruption leave nothing running."""
    stdin_fd = os.memfd_create("sandbox-stdin")  # a file, so a binary that never reads stdin cannot block us
    view = memoryview(stdin)
    while view:
        view = view[os.write(stdin_fd, view) :]
    os.lseek(stdin_fd, 0, os.SEEK_SET)
    (out_r, out_w), (err_r, err_w), (st_r, st_w) = os.pipe(), os.pipe(), os.pipe()
    t0 = time.monotonic()
    apid = os.fork()
    if apid == 0:
        _stage_a(plan, (stdin_fd, out_w, err_w, st_w))
    for fd in (stdin_fd, out_w, err_w, st_w):
        os.close(fd)
    bufs = {out_r: bytearray(), err_r: bytearray(), st_r: bytearray()}
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
    return _classify(records, killed, bytes(bufs[out_r]), bytes(bufs[err_r]), t0, a_usage, plan, expected)


def _collect(
    apid: int, t0: float, limits: Limits, bufs: dict[int, bytearray], out_r: int, err_r: int, st_r: int
) -> str:
    """Read output and records until all pipes close; kill B's group on the wall clock or too much output.

    Returns why it killed ("timeout", "output-limit") or "" when the run ended by itself.
    """
    caps = {out_r: limits.stdout_bytes, err_r: limits.stderr_bytes, st_r: 1 << 16}
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
    code = sig = None
    cpu, rss, end = a_usage.ru_utime + a_usage.ru_stime, 0, time.monotonic()
    if len(exit_fields) == 4:
        raw, cpu_s, rss_s, end_s = exit_fields
        cpu, rss, end = float(cpu_s), int(rss_s), float(end_s)
        code = os.waitstatus_to_exitcode(int(raw))
        if code < 0:
            code, sig = None, -code
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
    iso, why = json.loads(data) if data else ({}, "the probe process failed")
    caps |= iso
    missing = missing_isolation(iso)
    caps["confined"] = not missing
    caps["refusal"] = _refusal(missing, why) if missing else ""
    caps["kills_escaped_processes"] = bool(caps.get("pid_namespace"))
    caps["rlimits"] = True
    caps["cgroup_pids"] = False
    return caps
