"""The warm `compilerlm cc` server: a build's calls compile through it to the very objects a call compiling on its
own makes, its exit codes and messages reach the caller, calls run side by side, it ends when idle, and it is
used only where its socket is private."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from compilerlm.programs.suites import resolve_target
from compilerlm.toolchain.cc_client import server_folder

COMPILERLM = str(Path(sys.executable).with_name("compilerlm"))


@pytest.fixture(scope="module")
def tuned(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("server") / "tune.json"
    cmd = [sys.executable, "-m", "compilerlm.cli", "tune", "builtin:lisp", "--budget", "6", "--no-verify"]
    subprocess.run([*cmd, "--json", str(out)], check=True, capture_output=True, timeout=600)
    assert json.loads(out.read_text())["modules"]
    return out


def servers(tuned: Path) -> list[int]:
    """This test's servers: the processes whose command line names its tuned file."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes() if proc.name.isdigit() else b""
        except OSError:
            continue
        if str(tuned).encode() in cmdline and b"compilerlm.toolchain.cc_server" in cmdline:
            found.append(int(proc.name))
    return found


def cc(tuned: Path, *args: str, server: bool = True, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "COMPILERLM_CC_SERVER": "1" if server else "0", "COMPILERLM_CC_SERVER_IDLE": "3"}
    cmd = [COMPILERLM, "cc", "--tuned", str(tuned), "--cc-verbose", *args]
    return subprocess.run(cmd, capture_output=True, env=env, cwd=cwd, timeout=300)


@pytest.mark.parametrize("flags", [(), ("-ffunction-sections", "-fdata-sections"), ("-g",)])
def test_through_the_server_the_objects_are_those_of_a_local_compile(tuned, tmp_path, flags):
    for step in resolve_target("builtin:lisp")[0].compile_steps():
        obj = f"{Path(step.name).stem}.o"
        here = cc(tuned, *flags, *step.flags, str(step.source), "-c", "-o", f"local-{obj}", server=False, cwd=tmp_path)
        there = cc(tuned, *flags, *step.flags, str(step.source), "-c", "-o", obj, cwd=tmp_path)  # a relative -o
        assert here.returncode == there.returncode == 0, there.stderr
        assert b"as tuned module" in there.stderr  # the server's child wrote to this call's stderr
        assert (tmp_path / obj).read_bytes() == (tmp_path / f"local-{obj}").read_bytes(), step.name
    assert len(servers(tuned)) == 1  # one server for the build, started by its first call


def test_errors_and_exit_codes_reach_the_caller(tuned, tmp_path):
    (tmp_path / "bad.c").write_text("int main(void) { return undeclared; }\n")
    res = cc(tuned, "-c", "bad.c", "-o", "bad.o", cwd=tmp_path)
    assert res.returncode != 0 and b"undeclared" in res.stderr and not (tmp_path / "bad.o").exists()
    (tmp_path / "new.c").write_text("int answer(void) { return 42; }\n")
    res = cc(tuned, "-c", "new.c", cwd=tmp_path)
    assert res.returncode == 0 and b"not in the tuned results" in res.stderr and (tmp_path / "new.o").is_file()


def test_calls_run_side_by_side_and_the_server_ends_when_idle(tuned, tmp_path):
    steps = resolve_target("builtin:lisp")[0].compile_steps() * 3

    def one(i: int) -> int:
        step = steps[i]
        return cc(tuned, *step.flags, str(step.source), "-c", "-o", f"{i}.o", cwd=tmp_path).returncode

    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(one, range(len(steps)))) == [0] * len(steps)
    assert len({(tmp_path / f"{i}.o").read_bytes() for i in range(len(steps))}) == len(steps) // 3
    assert servers(tuned)
    deadline = time.monotonic() + 30
    while servers(tuned) and time.monotonic() < deadline:  # COMPILERLM_CC_SERVER_IDLE=3
        time.sleep(0.2)
    assert not servers(tuned)


def test_a_socket_folder_others_can_enter_is_not_used(tuned, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    (cache / "cc-server").mkdir(parents=True)
    (cache / "cc-server").chmod(0o755)
    monkeypatch.setenv("COMPILERLM_CACHE", str(cache))
    assert server_folder() is None
    step = resolve_target("builtin:lisp")[0].compile_steps()[0]
    res = cc(tuned, *step.flags, str(step.source), "-c", "-o", "x.o", cwd=tmp_path)
    assert res.returncode == 0 and (tmp_path / "x.o").is_file()  # compiled, by the call itself
    assert not list((cache / "cc-server").iterdir())


def test_a_broken_tuned_file_is_one_line_from_the_call_itself(tmp_path):
    broken = tmp_path / "tune.json"
    broken.write_text("{not json")
    (tmp_path / "a.c").write_text("int a(void) { return 1; }\n")
    started = time.monotonic()
    res = cc(broken, "-c", "a.c", cwd=tmp_path)
    assert res.returncode == 1 and res.stderr.decode().count("\n") == 1 and b"is not a tune JSON file" in res.stderr
    assert time.monotonic() - started < 8  # the client saw its server fail, and did not wait it out
    assert not servers(broken)
