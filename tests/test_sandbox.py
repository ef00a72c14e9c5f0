"""Red-team tests for the sandbox: hostile C programs (tests/data/hostile) must be contained, host unchanged.

Every run goes through ``run``, which snapshots what a contained program must not touch (the test's
files, the compiled binaries, sandbox temp dirs and mounts, a canary process) and checks after the
run that all of it is as before and that no process of the run is left.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from compilerlm.errors import CompilerLMError
from compilerlm.sandbox import Limits, SandboxResult, run_sandboxed, run_tool_sandboxed, sandbox_capabilities
from compilerlm.sandbox.syscall_filter import DENIED

HOSTILE = Path(__file__).parent / "data" / "hostile"
SMALL = Limits(
    cpu_seconds=2,
    wall_seconds=3,
    address_space_bytes=256 << 20,
    max_processes=32,
    open_files=64,
    file_size_bytes=1 << 20,
    stdout_bytes=1 << 20,
    stderr_bytes=1 << 20,
)
TMP = tempfile.gettempdir()
CC = shutil.which("gcc") or shutil.which("cc") or shutil.which("clang")

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or CC is None, reason="needs Linux and a C compiler"
)


@pytest.fixture(scope="module")
def bins(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every hostile program, compiled once."""
    out = tmp_path_factory.mktemp("hostile-bin")

    def build(src: Path) -> tuple[str, Path]:
        exe = out / src.stem
        subprocess.run([CC, "-O1", "-w", str(src), "-o", str(exe)], check=True, timeout=60)
        return src.stem, exe

    with ThreadPoolExecutor(2) as pool:
        return dict(pool.map(build, sorted(HOSTILE.glob("*.c"))))


@pytest.fixture(scope="module")
def canary():
    """A host process outside the sandbox (ours, so root when we are) that every hostile run must leave alive."""
    proc = subprocess.Popen(["sleep", "600"])
    yield proc
    proc.kill()
    proc.wait()


def _tree(root: Path) -> dict[str, tuple[int, int, int]]:
    return {str(p): (p.lstat().st_size, p.lstat().st_mtime_ns, p.lstat().st_mode) for p in root.rglob("*")}


def _process_cmdlines() -> dict[int, bytes]:
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                out[int(entry.name)] = (entry / "cmdline").read_bytes()
    return out


def _live_pids_of(uid: int | None) -> list[int]:
    """Live (not zombie) processes running as this run's sandbox uid: none may outlive the run. Only the
    run's own uid is looked at, so other sandboxes on a busy machine do not count."""
    if uid is None:
        return []
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            status = dict(li.split(":", 1) for li in (entry / "status").read_text().splitlines() if ":" in li)
        except OSError:
            continue
        if int(status.get("Uid", "0").split()[0]) == uid and not status["State"].strip().startswith("Z"):
            pids.append(int(entry.name))
    return pids


def _host_state(scratch: Path, *dirs: Path) -> tuple[object, ...]:
    """What a contained run must leave as it was: the test's own folders, the run's scratch folder (empty
    after), and the host mounts (a sandbox mounts only in its own namespace)."""
    mounts = [line for line in Path("/proc/self/mountinfo").read_text().splitlines() if "compilerlm" in line]
    return tuple(_tree(d) for d in dirs), mounts, sorted(str(p) for p in scratch.iterdir())


@pytest.fixture
def run(bins, canary, tmp_path, tmp_path_factory):
    """Run a hostile program and check the host is as before; returns (result, seconds taken)."""
    scratch = tmp_path_factory.mktemp("scratch")

    def go(name: str, stdin: bytes = b"", limits: Limits = SMALL, **kw: object) -> tuple[SandboxResult, float]:
        before = _host_state(scratch, tmp_path, bins[name].parent)
        t0 = time.monotonic()
        res = run_sandboxed(bins[name], stdin, limits, scratch=scratch, **kw)
        took = time.monotonic() - t0
        assert _host_state(scratch, tmp_path, bins[name].parent) == before
        assert canary.poll() is None, "a sandboxed program killed a host process"
        if os.geteuid() == 0:  # a fresh uid per run: its processes are exactly the run's
            assert res.sandbox_uid not in (None, 0)
            assert _live_pids_of(res.sandbox_uid) == [], "a process of the run outlived it"
        assert res.status != "sandbox-error", res.detail
        return res, took

    return go


def needs(*isolation: str) -> None:
    """Skip a containment check this machine cannot give (the capabilities say so; nothing is hidden)."""
    missing = [name for name in isolation if not sandbox_capabilities().get(name)]
    if missing:
        pytest.skip(f"this machine's sandbox has no {', '.join(missing)}")


def test_capabilities_report_each_isolation():
    caps = sandbox_capabilities()
    for key in ("network_namespace", "pid_namespace", "private_root", "user_switch", "cgroup_pids", "rlimits"):
        assert isinstance(caps[key], bool)
    if os.geteuid() == 0:
        assert caps["user_switch"]


def test_missing_binary_and_bad_limits_are_one_line_errors(tmp_path):
    with pytest.raises(CompilerLMError, match="no binary"):
        run_sandboxed(tmp_path / "nope", b"")
    with pytest.raises(CompilerLMError, match="wall_seconds"):
        Limits(wall_seconds=0)


def test_correct_program_is_ok(run):
    res, _ = run("sum", b"1 2 3\n", expected=b"6\n")
    assert (res.status, res.exit_code, res.signal, res.stdout) == ("ok", 0, None, b"6\n")
    assert 0 < res.wall_seconds < 2 and res.cpu_seconds >= 0
    assert res.isolation == {k: v for k, v in sandbox_capabilities().items() if k in res.isolation}


def test_wrong_output(run):
    res, _ = run("sum", b"1 2 3\n", expected=b"7\n")
    assert (res.status, res.exit_code, res.stdout) == ("wrong-output", 0, b"6\n")


def test_nonzero_exit(run):
    res, _ = run("exit_code", expected=b"bye\n")
    assert (res.status, res.exit_code, res.stdout) == ("exit-code", 3, b"bye\n")


def test_segfault(run):
    res, _ = run("segfault")
    assert (res.status, res.signal, res.exit_code) == ("signal", signal.SIGSEGV, None)


def test_fork_bomb_is_contained_and_killed(run):
    marker = f"compilerlm-bomb-{secrets.token_hex(6)}"
    res, took = run("fork_bomb", limits=replace(SMALL, cpu_seconds=30, wall_seconds=2), args=[marker])
    assert res.status == "timeout"
    assert took < 2 + 1.5
    assert not [pid for pid, cmd in _process_cmdlines().items() if marker.encode() in cmd]
    assert subprocess.run(["true"], timeout=10).returncode == 0  # the host can still fork


def test_endless_loop_hits_cpu_limit(run):
    res, _ = run("endless_loop", limits=replace(SMALL, cpu_seconds=1, wall_seconds=10))
    assert (res.status, res.signal) == ("cpu-limit", signal.SIGXCPU)
    assert 0.9 <= res.cpu_seconds < 2  # the kernel's CPU accounting is a little coarse


def test_ignoring_sigxcpu_still_hits_cpu_limit(run):
    res, _ = run("ignore_sigxcpu", limits=replace(SMALL, cpu_seconds=1, wall_seconds=10))
    assert (res.status, res.signal) == ("cpu-limit", signal.SIGKILL)


def test_memory_hog_hits_memory_limit(run):
    res, _ = run("memory_hog")
    assert (res.status, res.signal) == ("memory-limit", signal.SIGSEGV)


def test_writes_outside_its_directory_do_not_reach_the_host(run, tmp_path, bins):
    needs("private_root")
    name = f"compilerlm-escape-{secrets.token_hex(6)}"
    host_tmp = Path(TMP) / name
    targets = [str(host_tmp), f"../{name}", f"../../{name}", f"/{name}", str(tmp_path / name), str(bins["sum"])]
    digest = bins["sum"].read_bytes()
    res, _ = run("write_outside", args=targets)
    assert res.status == "ok"
    for where in (host_tmp, Path("/") / name, tmp_path / name, Path.cwd() / name, tmp_path.parent / name):
        assert not where.exists()
    assert bins["sum"].read_bytes() == digest
    for absolute in targets[3:]:
        assert f"denied {absolute}".encode() in res.stdout


def test_a_library_under_test_is_bound_read_only_and_named_plainly(run, tmp_path):
    needs("private_root")
    library = tmp_path / "libunder.so"
    library.write_bytes(b"\x7fELF not really a library\n")
    res, _ = run("write_outside", args=["/prog-lib/libunder.so"], libraries={"libunder.so": library})
    assert res.status == "ok" and b"denied /prog-lib/libunder.so" in res.stdout
    assert library.read_bytes() == b"\x7fELF not really a library\n"
    for name in ("../libunder.so", "", "lib/under.so"):
        with pytest.raises(CompilerLMError, match=r"library name .* must be a plain file name"):
            run_sandboxed(tmp_path / "libunder.so", b"", SMALL, libraries={name: library})
    with pytest.raises(CompilerLMError, match="no library at"):
        run_sandboxed(library, b"", SMALL, libraries={"libgone.so": tmp_path / "gone"})


def test_cannot_read_host_files_and_sees_an_empty_directory(run, tmp_path):
    needs("private_root")
    secret = tmp_path / "secret"
    secret.write_text("TOPSECRET\n")
    secret.chmod(0o600)
    expected_file = tmp_path / "expected.txt"
    expected_file.write_text("TOPSECRET expected output\n")
    paths = [str(secret), str(expected_file), "../secret", "/etc/shadow", "/proc/1/environ", "/proc/1/cmdline"]
    want = "".join(f"denied {p}\n" for p in paths).encode()  # and no "entry" lines: its cwd is empty
    res, _ = run("read_host", expected=want, args=paths)
    assert res.status == "ok", res.stdout
    assert b"TOPSECRET" not in res.stdout


def test_no_network(run):
    needs("network_namespace")
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    try:
        port = str(server.getsockname()[1])
        res, _ = run("connect_socket", expected=b"blocked 127.0.0.1\n", args=["127.0.0.1", port])
        assert res.status == "ok", res.stdout
        with pytest.raises(BlockingIOError):
            server.accept()  # nothing ever connected
    finally:
        server.close()


def test_killing_parent_and_everyone_hurts_no_one_outside(run):
    # without its own uid or PID namespace, a root kill(-1) would reach the whole machine
    needs("pid_namespace", "user_switch" if os.geteuid() == 0 else "user_namespace")
    res, _ = run("kill_parent", expected=b"still here\n")
    assert res.status == "ok"


@pytest.mark.parametrize(("name", "stream"), [("flood_stdout", "stdout"), ("flood_stderr", "stderr")])
def test_output_flood_is_cut_quickly(run, name, stream):
    res, took = run(name)
    assert res.status == "output-limit"
    assert len(getattr(res, stream)) == 1 << 20
    assert took < 2


def test_sleeping_past_the_timeout(run):
    res, took = run("sleeper", limits=replace(SMALL, wall_seconds=1))
    assert res.status == "timeout"
    assert 1 <= took < 2


def test_daemon_does_not_outlive_the_run(run):
    needs("pid_namespace")
    token = f"compilerlm-daemon-{secrets.token_hex(6)}"
    marker = Path(TMP) / token
    res, _ = run("daemon", expected=b"parent done\n", args=[str(marker), token])
    assert res.status == "ok"
    assert not [pid for pid, cmd in _process_cmdlines().items() if token.encode() in cmd]
    time.sleep(1.5)  # the daemon would write its marker after one second
    assert not marker.exists()
    assert not [pid for pid, cmd in _process_cmdlines().items() if token.encode() in cmd]


def test_huge_file_hits_file_size_limit(run):
    res, _ = run("huge_file")
    assert (res.status, res.signal) == ("signal", signal.SIGXFSZ)


def test_many_files_hit_fd_limit(run):
    res, _ = run("many_files")
    assert res.status == "ok"
    opened = int(res.stdout.split()[1])
    assert 0 < opened <= SMALL.open_files - 3


def test_shell_runs_confined(run, tmp_path):
    needs("private_root")
    name = f"compilerlm-escape-{secrets.token_hex(6)}"
    host_tmp = Path(TMP) / name
    script = f"id -u; echo pwned > {host_tmp}; echo pwned > ../../{name}; echo pwned > {tmp_path}/{name}; ls {tmp_path}"
    res, _ = run("exec_shell", args=[script + "; exit 0"])
    assert res.status == "ok"
    assert res.stdout.split()[0] != b"0", "the shell ran as root"
    for where in (host_tmp, Path("/") / name, tmp_path / name):
        assert not where.exists()


def test_rlimits_cannot_be_raised(run):
    want = b"cpu denied\nas denied\nnproc denied\nnofile denied\nfsize denied\nsetuid denied\n"
    res, _ = run("raise_limits", expected=want)
    assert res.status == "ok", res.stdout


def test_unrunnable_file_is_a_sandbox_error(tmp_path):
    fake = tmp_path / "not-a-program"
    fake.write_text("just text\n")
    res = run_sandboxed(fake, b"", SMALL)
    assert res.status == "sandbox-error"
    assert "exec" in res.detail


def test_large_stdin_reaches_the_program(run):
    numbers = b" ".join(b"1" for _ in range(1_000_000)) + b"\n"  # 2 MB, more than any pipe buffer
    res, _ = run("sum", numbers, expected=b"1000000\n")
    assert res.status == "ok"


def test_chroot_escape_through_a_user_namespace_fails(run):
    needs("private_root")
    name = f"compilerlm-escape-{secrets.token_hex(6)}"
    public = Path(TMP) / f"{name}.public"  # world-readable in the host's /tmp: readable after any escape
    public.write_text("PUBLIC host file\n")
    public.chmod(0o644)
    try:
        res, _ = run("chroot_escape", args=[str(Path(TMP) / name), str(public)])
    finally:
        public.unlink()
    assert res.status == "ok"
    assert b"READ" not in res.stdout  # its own /tmp is writable; that write must not be the host's
    assert not (Path(TMP) / name).exists()


def test_cannot_ptrace_its_init(run):
    res, _ = run("ptrace_init", expected=b"attach denied\nmem denied\n" * 2)
    assert res.status == "ok", res.stdout


@pytest.mark.parametrize("call", DENIED)
def test_kernel_surfaces_no_program_needs_are_refused(run, call):
    """Each system call of the filter's list is refused with EPERM (the kernel keyring above all: it is shared by
    every namespace and kept answers from one run for the next)."""
    res, _ = run("kernel_surfaces", args=[call])
    assert res.status == "ok", res.stdout
    name, value, err = res.stdout.split()
    assert name.decode() == call and int(value) == -1 and int(err) == errno.EPERM, res.stdout


def test_a_counter_may_open_its_counters_and_nothing_else_more(bins):
    """perf needs perf_event_open: lifted for that call alone when asked for; the key calls stay refused."""

    def under_a_tool(call: str) -> SandboxResult:
        argv = ["/bin/sh", "-c", f"exec /prog {call}"]
        return run_tool_sandboxed(
            argv, limits=SMALL, binary=bins["kernel_surfaces"], allow_syscalls=["perf_event_open"]
        )

    res = under_a_tool("perf_event_open")
    assert res.status == "ok" and int(res.stdout.split()[2]) != errno.EPERM, res.stdout
    assert int(under_a_tool("keyctl").stdout.split()[2]) == errno.EPERM


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("int80-keyctl", 'long r; __asm__ volatile("int $0x80" : "=a"(r) : "a"(288), "b"(0), "c"(-3) : "memory");'),
        ("x32-keyctl", "syscall(0x40000000 + 250, 0, -3, 0);"),
        ("int80-getpid", 'long r; __asm__ volatile("int $0x80" : "=a"(r) : "a"(20) : "memory");'),
    ],
)
def test_system_calls_of_another_abi_kill_the_program(run, name, code, tmp_path):
    """The filter is written for x86-64's table: the 32-bit one (int $0x80) and x32 would go around it."""
    src = tmp_path / f"{name}.c"
    src.write_text(
        f'#include <stdio.h>\n#include <unistd.h>\nint main(void) {{ {code} puts("survived"); return 0; }}\n'
    )
    exe = tmp_path / name
    subprocess.run([CC, "-O1", "-w", str(src), "-o", str(exe)], check=True, timeout=60)
    res = run_sandboxed(exe, b"", SMALL)
    assert res.status == "signal" and res.signal == signal.SIGSYS and b"survived" not in res.stdout


def test_the_machines_keys_are_not_listed(run, bins):
    res = run_sandboxed(Path("/bin/cat"), b"", SMALL, args=["/proc/keys", "/proc/key-users"])
    assert res.status == "ok" and res.stdout == b""


def test_a_report_pipe_is_the_tools_own_and_is_read_after_everyone_is_gone(tmp_path):
    """What a tool writes to descriptor 4 comes back as the report; the program's stdout stays apart; a child
    left behind is killed before the report is read, so it cannot add to it."""
    script = "echo out; echo report >&4; (sleep 0.3; echo late >&4) & exit 0"
    res = run_tool_sandboxed(["/bin/sh", "-c", script], limits=SMALL, report=True)
    assert res.status == "ok" and res.stdout == b"out\n" and res.report == b"report\n"
    plain = run_tool_sandboxed(["/bin/sh", "-c", "echo x >&4"], limits=SMALL)
    assert plain.report == b"" and b"Bad file descriptor" in plain.stderr  # no report asked: no descriptor 4
