"""The warm `compilerlm cc` server (see `cc_client.py`): compilerlm's compiler path imported and the tuned results
loaded once, a forked child per call.

Each call is a connection on a Unix socket in a folder only this user can enter, from a process of this user
(checked by the peer's credentials): its arguments, working directory and environment, and its standard streams
passed as descriptors. A child forked per call takes them on (cwd, environment, streams) and runs `run_cc`
exactly as a local `compilerlm cc` would, then sends the exit code back; the server itself never compiles, so a
compile that crashes or hangs takes its own child only, and calls run side by side (`make -j`). The server ends
when no call has come for `IDLE_SECONDS` ($COMPILERLM_CC_SERVER_IDLE), or when its socket is gone.

    python -m compilerlm.toolchain.cc_server SOCKET TUNE.json [TUNE.json ...] [--cc-verbose]
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import socket
import struct
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from compilerlm.errors import CompilerLMError
from compilerlm.toolchain.cc import Engines, TunedIndex, run_cc
from compilerlm.toolchain.frontend import pinned_env
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.pipelines import clang_pipeline

IDLE_SECONDS = 60.0
MAX_MESSAGE = 1 << 24  # bytes of arguments and environment


def _receive(conn: socket.socket) -> tuple[list[str], str, dict[str, str], list[int]]:
    head, fds, _, _ = socket.recv_fds(conn, 4, 3)
    if len(head) != 4 or len(fds) != 3:
        raise OSError("a call without its length and three descriptors")
    (size,) = struct.unpack("!I", head)
    if size > MAX_MESSAGE:
        raise OSError("a call larger than any command line")
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise OSError("the call ended early")
        data += chunk
    args, cwd, env = marshal.loads(data)
    return list(args), str(cwd), dict(env), fds


def in_process() -> Engines:
    """clang's frontend, opt and code generation in this process (libclang-cpp and libLLVM loaded once, before the
    children fork: no clang, opt and llc to start per unit), giving what those processes give; anything the
    in-process engines cannot do goes to the processes, which also word the errors. Without an engine's helper
    (no g++, LLVM or clang headers to build it), that step runs as processes."""
    processes = Engines()
    engines = processes
    try:
        from compilerlm.toolchain.inprocess_frontend import clang_in_process
        from compilerlm.toolchain.native_shim import frontend_shim

        frontend_shim()  # built (the first time: seconds) and loaded here, before any child
        engines = replace(engines, frontend=lambda cmd: clang_in_process(cmd) or processes.frontend(cmd))
    except (CompilerLMError, OSError):
        pass
    try:
        from compilerlm.toolchain.inprocess import prepare

        engine = prepare()
    except (CompilerLMError, OSError):
        return engines

    def compile_with(module: IRModule, pipeline: str, codegen: Sequence[str]) -> bytes:
        try:
            return engine.object_file(module, pipeline, codegen)
        except CompilerLMError:
            return processes.compile_object(module, pipeline, codegen)

    return replace(engines, compile_object=compile_with)


def _serve_one(conn: socket.socket, index: TunedIndex, verbose: bool, engines: Engines) -> None:
    """In the forked child: become the caller's process (cwd, environment, streams), compile, reply."""
    code = 1
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # this child waits for its own clang, opt and llc
    try:
        args, cwd, env, fds = _receive(conn)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - the caller's streams, for this child's life
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        os.environ.update(pinned_env())  # read by the in-process frontend's driver, as a clang process gets it
        code = run_cc(args, index, stderr=sys.stderr, verbose=verbose, engines=engines)
    except Exception as exc:
        with contextlib.suppress(Exception):
            sys.stderr.write(f"error: compilerlm cc: {exc}\n")
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
            sys.stdout.flush()
        with contextlib.suppress(OSError):
            conn.sendall(struct.pack("!i", code))
        os._exit(0)


def serve(path: Path, tuned: list[str], verbose: bool, idle: float) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # the caller found nobody listening there
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))  # listening at once: the first callers wait in the backlog while the rest loads
    os.chmod(path, 0o600)
    server.listen(64)
    try:
        index = TunedIndex.load(tuned)
        clang_pipeline("Oz")  # what every tuned pipeline expands: read once, before any child
    except CompilerLMError:  # the callers compile by themselves, and say what is wrong
        path.unlink()
        raise
    engines = in_process()  # the first time, this builds the engines' helpers (seconds)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    server.settimeout(idle)
    with server:
        while True:
            try:
                conn, _ = server.accept()
            except TimeoutError:
                break
            with conn:
                creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
                _, uid, _ = struct.unpack("3i", creds)
                if uid != os.getuid():
                    continue
                if os.fork() == 0:
                    server.close()
                    _serve_one(conn, index, verbose, engines)
            if not path.exists():  # removed: another server took over, or the user cleaned up
                break
    with contextlib.suppress(FileNotFoundError):
        if path.exists():
            path.unlink()


def main() -> None:
    args = sys.argv[1:]
    verbose = "--cc-verbose" in args
    args = [a for a in args if a != "--cc-verbose"]
    idle = float(os.environ.get("COMPILERLM_CC_SERVER_IDLE") or IDLE_SECONDS)
    serve(Path(args[0]), args[1:], verbose, idle)


if __name__ == "__main__":
    main()
