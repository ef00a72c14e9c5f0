"""The run's private root: what a confined program can see, and the only ways files cross in and out.

A read-only tmpfs with the toolchain bound read-only, a few devices, the binary at /prog (and the shared
libraries it is tested with at /prog-lib), copies of the
caller's folders at /src/N and a writable /tmp holding the input files; results are copied out of /tmp
afterwards without following links. Apart from the namespaces (``isolation.py``) and the processes
(``run.py``), because it alone answers "what can a confined assembler read, and what can it leave behind".
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import shutil
import stat
from pathlib import Path

from compilerlm.sandbox.limits import Limits
from compilerlm.sandbox.plan import PROG_LIB, _Plan
from compilerlm.sandbox.syscalls import (
    MS_BIND,
    MS_NODEV,
    MS_NOSUID,
    MS_RDONLY,
    MS_REMOUNT,
    _bind_readonly,
    _mount,
)

_HOST_DIRS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")  # read-only in the private root
_DEV_NODES = ("null", "zero", "full", "random", "urandom")
_ROOT_SIZE = "1m"  # the root holds only directories, links and mount points: files go to /tmp or are bound
_MAX_COLLECTED = 256  # files copied out of one run at most
MAX_READ_ONLY_BYTES = 256 << 20  # a program's source and include folders, copied into a confined build


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
        if plan.libraries:  # a shared library under test, for the binary that links it: bound as /prog is
            (root / PROG_LIB[1:]).mkdir()
            for name, library in plan.libraries:
                (root / PROG_LIB[1:] / name).touch()
                _bind_readonly(library, root / PROG_LIB[1:] / name)
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


def _tree_bytes(folder: Path) -> int:
    """Bytes a copy of ``folder`` takes on a tmpfs (files rounded up to pages, plus a page per entry)."""
    total = 0
    for parent, dirs, names in os.walk(folder):
        for name in (*dirs, *names):
            with contextlib.suppress(OSError):
                total += 4096 + -(-os.lstat(os.path.join(parent, name)).st_size // 4096) * 4096
    return total


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
