"""`compilerlm cc`'s first step: hand the command to a warm server, if one can be had.

A build runs the compiler once per unit, and a Python process that imports compilerlm's compiler path costs a
good part of what clang itself does for a small unit. So the first `compilerlm cc` of a build starts a server
(`cc_server.py`) that has everything imported and the tuned results loaded, and every call, this one included,
only connects to it and passes its arguments, working directory, environment and standard streams; the server
forks a child that compiles exactly as a local `compilerlm cc` would and sends back the exit code. This module
imports nothing heavy, the point being to be quick: the C modules under `socket` and `hashlib` (whose Python
wrappers would be most of the client's start), no `typing`. When no server can be had (the socket folder is not private,
the server does not start, `COMPILERLM_CC_SERVER=0`), the caller compiles locally, with the same result.
"""

from __future__ import annotations

import _socket
import marshal
import os
import struct
import sys
import time

try:
    from _sha256 import sha256  # Python 3.11
except ImportError:  # pragma: no cover - later Pythons name it _sha2; else the wrapper
    try:
        from _sha2 import sha256
    except ImportError:
        from hashlib import sha256

TYPE_CHECKING = False
if TYPE_CHECKING:  # no import of collections.abc at run time
    from collections.abc import Sequence

USAGE = "usage: compilerlm cc --tuned TUNE.json [--tuned ...] [--cc-verbose] CLANG-ARGS..."
START_SECONDS = 10.0  # how long a client waits for the server it started to listen


def split_options(argv: Sequence[str]) -> tuple[list[str], bool, list[str]]:
    """(tuned files, --cc-verbose, the compiler's arguments): cc's own options come first, the rest is clang's."""
    tuned: list[str] = []
    verbose = False
    rest = list(argv)
    while rest:
        if rest[0] == "--cc-verbose":
            verbose, rest = True, rest[1:]
        elif rest[0] == "--tuned" and len(rest) > 1:
            tuned, rest = [*tuned, rest[1]], rest[2:]
        elif rest[0].startswith("--tuned="):
            tuned, rest = [*tuned, rest[0].partition("=")[2]], rest[1:]
        else:
            break
    return tuned, verbose, rest


def server_folder() -> str | None:
    """The folder of the servers' sockets, private to this user (mode 0700), or None when it cannot be made so.
    The root is `cache.cache_dir`'s rule, spelled with `os.path` here: this runs before any other import of a call."""
    root = os.environ.get("COMPILERLM_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "compilerlm"
    )
    folder = os.path.join(root, "cc-server")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None
    private = info.st_uid == os.getuid() and not info.st_mode & 0o077
    return folder if private and not os.path.islink(folder) and os.path.isdir(folder) else None


def socket_name(tuned: Sequence[str], verbose: bool) -> str:
    """One server per set of tuned files as they are now (and this compilerlm): a rewritten file gets a new one."""
    here = os.path.dirname(__file__)
    code = [
        os.stat(os.path.join(here, f)).st_mtime_ns
        for f in ("cc_client.py", "cc_server.py", "cc.py", "inprocess_frontend.py")
    ]
    digest = sha256(str(code).encode())
    digest.update(str(verbose).encode())
    for name in tuned:
        path = os.path.realpath(name)
        info = os.stat(path)
        digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:24] + ".sock"


def _connect(path: str) -> _socket.socket | None:
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError:
        sock.close()
        return None
    return sock


def _start_server(path: str, tuned: Sequence[str], verbose: bool) -> _socket.socket | None:
    import subprocess

    cmd = [sys.executable, "-m", "compilerlm.toolchain.cc_server", path, *tuned]
    cmd += ["--cc-verbose"] if verbose else []
    server = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # not in the build's process group: make's Ctrl-C ends the clients, not it
        close_fds=True,
    )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and server.poll() is None:  # a server that failed to start: compile here
        sock = _connect(path)
        if sock is not None:
            return sock
        time.sleep(0.01)
    return None


def compile_on_server(argv: Sequence[str]) -> int | None:
    """The exit code of `compilerlm cc ARGV` run by the server, or None when this call should compile locally."""
    if os.environ.get("COMPILERLM_CC_SERVER", "1") == "0":
        return None
    tuned, verbose, rest = split_options(argv)
    folder = server_folder()
    if not tuned or not rest or folder is None:
        return None
    try:
        path = os.path.join(folder, socket_name(tuned, verbose))
    except OSError:  # a tuned file that is not there: the local path says so
        return None
    sock = _connect(path) or _start_server(path, tuned, verbose)
    if sock is None:
        return None
    try:
        message = marshal.dumps((rest, os.getcwd(), dict(os.environ)))
        streams = [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, struct.pack("3i", 0, 1, 2))]  # stdin, stdout, stderr
        sock.sendmsg([struct.pack("!I", len(message))], streams)
        sock.sendall(message)
        reply = b""
        while len(reply) < 4:
            chunk = sock.recv(4 - len(reply))
            if not chunk:
                return None if not reply else 1
            reply += chunk
    except OSError:
        return None
    finally:
        sock.close()
    return struct.unpack("!i", reply)[0]
