"""Retired user-space instruction counts: a deterministic cost measure for noisy or shared machines.

Backends, in order of preference: ``perf stat -e instructions:u`` (hardware counter, full speed) when
the kernel exposes it, else valgrind's cachegrind with the cache simulation off (a software count,
~20-50x slower, exact and repeatable to the instruction). Which one a machine uses is found out once
(per PATH) by counting ``/bin/true``; many VMs have ``perf`` but no PMU, so its mere presence is not
enough. Counts from different backends are not comparable: keep ``instruction_backend()`` with them.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Literal, cast

from compilerlm.errors import CompilerLMError, ToolMissingError, ToolTimeout
from compilerlm.measure.timing import MeasurementError, MeasurementTampered
from compilerlm.parallel import DEVNULL, run_process

Backend = Literal["perf", "valgrind"]

_PROBE = "/bin/true"
_VALGRIND_REFS = re.compile(r"^==(\d+)==\s+I\s+refs:\s+([\d,]+)\s*$", re.MULTILINE)
_VALGRIND_LINE = re.compile(r"^((==|--)\d+(==|--)|vex )")  # vex: the JIT's own notes


BACKEND_ENV = "COMPILERLM_INSTRUCTIONS"


def instruction_backend() -> Backend:
    """The backend ``count_instructions`` uses here: perf when it can count, else valgrind, unless
    $COMPILERLM_INSTRUCTIONS names one (perf or valgrind); raises ToolMissingError when there is none."""
    chosen = os.environ.get(BACKEND_ENV, "").strip()
    if not chosen:
        return _detect(os.environ.get("PATH", os.defpath))
    if chosen not in ("perf", "valgrind"):
        raise CompilerLMError(f"${BACKEND_ENV}={chosen!r}: choose perf or valgrind, or unset it to pick one")
    if not shutil.which(chosen):
        raise ToolMissingError(f"${BACKEND_ENV} asks for {chosen}, which is not installed")
    return cast(Backend, chosen)


@cache
def _detect(path_env: str) -> Backend:
    perf = shutil.which("perf", path=path_env)
    if perf and _probe(perf, "perf"):
        return "perf"
    valgrind = shutil.which("valgrind", path=path_env)
    if valgrind and _probe(valgrind, "valgrind"):
        return "valgrind"
    why = "perf is not installed" if not perf else "perf cannot count 'instructions:u' here (no PMU, e.g. a VM)"
    if valgrind:
        why += ", and valgrind failed on /bin/true"
    else:
        why += " and valgrind is not installed"
    raise ToolMissingError(f"cannot count instructions: {why}; install valgrind: sudo apt-get install valgrind")


def _probe(tool: str, backend: Backend) -> bool:
    try:
        return _count(tool, backend, [_PROBE], b"", timeout=60) > 0
    except (CompilerLMError, OSError):
        return False


def count_instructions(
    binary: str | os.PathLike[str],
    stdin: bytes = b"",
    args: Sequence[str] = (),
    *,
    timeout: float = 600.0,
    backend: Backend | None = None,
) -> int:
    """Instructions retired in user space by one run of ``binary args < stdin`` (output discarded).

    ``backend`` forces one ("valgrind" for exact repeatability even where perf works). A run that does
    not exit 0 raises MeasurementError; a run over ``timeout`` seconds (valgrind is slow) ToolTimeout.
    """
    name = backend or instruction_backend()
    return _count(counting_tool(name), name, [os.fspath(Path(binary).absolute()), *args], stdin, timeout)


def counting_tool(backend: Backend) -> str:
    """The path of perf or valgrind; ToolMissingError (with the install command) when it is not installed."""
    tool = shutil.which(backend)
    if tool is None:
        raise ToolMissingError(f"'{backend}' not found; install it with: sudo apt-get install {backend}")
    return tool


def _count(tool: str, backend: Backend, argv: list[str], stdin: bytes, timeout: float) -> int:
    with tempfile.TemporaryDirectory(prefix="compilerlm-instr-") as tmp:
        log = Path(tmp) / "log"
        fin = Path(tmp) / "stdin"
        fin.write_bytes(stdin)
        cmd = counting_command(tool, backend, argv, log)
        with fin.open("rb") as f:
            try:
                res = run_process(cmd, stdin=f, stdout=DEVNULL, timeout=timeout)
            except ToolTimeout as exc:
                raise ToolTimeout(f"{backend}: counting instructions of {argv[0]} took over {timeout:g} s") from exc
        text = log.read_text(errors="replace") if log.exists() else ""
    if res.returncode != 0:
        err = res.stderr.decode(errors="replace").strip().splitlines()
        raise MeasurementError(
            f"{argv[0]}: exit code {res.returncode} under {backend}" + (f": {err[-1][:200]}" if err else "")
        )
    return parse_count(text, backend)


def counting_command(
    tool: str, backend: Backend, argv: Sequence[str], log: Path | None = None, *, log_fd: int | None = None
) -> list[str]:
    """``argv`` under perf or valgrind; the report goes to ``log``, or to descriptor ``log_fd`` (the
    sandboxed counter's report pipe, apart from the counted program's stdout and stderr)."""
    if backend == "perf":
        where = ["-o", str(log)] if log else ["--log-fd", str(log_fd)] if log_fd is not None else []
        return [tool, "stat", "-x,", "-e", "instructions:u", *where, "--", *argv]
    # --cache-sim=no: only the instruction count is wanted, and it makes cachegrind ~2x faster
    cmd = [tool, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    where = [f"--log-file={log}"] if log else [f"--log-fd={log_fd}"] if log_fd is not None else []
    return cmd + where + list(argv)


def parse_count(text: str, backend: Backend) -> int:
    """The count in a perf or valgrind report. perf counts the run's processes together and writes one line;
    valgrind writes one summary per process of the run (a forked child is counted apart): their sum. A
    program under valgrind shares the tool's process and could add report-like lines, never remove the tool's
    own, and an added process only adds instructions; a second count for one process, or a line the tool does
    not write, means someone else wrote to the report (MeasurementTampered)."""
    return _parse_perf(text) if backend == "perf" else _parse_valgrind(text)


def _parse_perf(text: str) -> int:
    found = [line for line in text.splitlines() if _perf_event(line).startswith("instructions")]
    if len(found) > 1:
        raise MeasurementTampered(f"perf stat's report holds {len(found)} instruction counts where it writes one")
    if not found:
        raise MeasurementError(f"no instructions line in perf stat output: {text.strip()[:200]!r}")
    value = found[0].split(",")[0].strip()
    if not value.isdigit():
        raise MeasurementError(f"perf stat could not count instructions: {value or found[0]!r}")
    return int(value)


def _perf_event(line: str) -> str:
    fields = line.split(",")
    return fields[2] if len(fields) >= 3 else ""


def _parse_valgrind(text: str) -> int:
    if any(line and not _VALGRIND_LINE.match(line) for line in text.splitlines()):
        raise MeasurementTampered("cachegrind's report holds lines that cachegrind did not write")
    found = _VALGRIND_REFS.findall(text)
    if not found:
        raise MeasurementError(f"no 'I refs' line in cachegrind output: {text.strip()[-200:]!r}")
    per_process: dict[str, int] = {}
    for pid, count in found:
        if pid in per_process:
            raise MeasurementTampered(f"cachegrind's report counts process {pid} twice")
        per_process[pid] = int(count.replace(",", ""))
    return sum(per_process.values())
