"""The speed task (SuperCoder, arXiv 2505.11480): a C program and its ``gcc -O3`` assembly in, faster assembly out.

Flow for one program: ``prepare_problem`` once (baseline assembly and binary, the -O0 oracle, a
visible/hidden split of the tests, differential mutants judged by the oracle, time limits from the
baseline's own run times), then ``evaluate_candidate`` for every answer: extract the last
```` ```assembly ```` block, assemble and link it with ``gcc x.s -o x -lm``, run every test (visible,
hidden, mutants) in the sandbox, and time it against the baseline only when it is correct. Rewards over
the result live in ``speed/rewards.py``.

Trust: model text and dataset code are untrusted. Every binary built from them runs only through
``run_sandboxed``, instruction counting included (valgrind/perf run inside the sandbox too), and every
gcc/as/ld run on them is confined the same way (``confined_tools.py``): the assembler reads host
files for ``.incbin``/``.include``, however they are spelled, so it sees only the toolchain and its inputs.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import random
import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from compilerlm.confined_tools import BUILD_TIMEOUT, ToolRun, run_build, source_view
from compilerlm.errors import CompileError, CompilerLMError, ToolMissingError
from compilerlm.measure import (
    MeasurementError,
    ProgramResult,
    TestResult,
    compare,
    instruction_backend,
    sandbox_runner,
)
from compilerlm.measure.timing import Clock
from compilerlm.programs.program import HIDDEN_PREFIX, Program, TestCase
from compilerlm.sandbox import Limits, SandboxResult, run_sandboxed, run_tool_sandboxed
from compilerlm.speed.mutants import mutated_inputs
from compilerlm.tasks.common import normalize_asm, strip_eos
from compilerlm.toolchain.locate import system_tool

# SuperCoder's prompt (one user message, no system message). The head, up to "```assembly\n", is checked
# against rows of the released dataset LLM4Code/llm_superoptimizer_ds (Hugging Face viewer); the tail
# ("Only output ... Optimized Assembly Code:\n") is that of the dataset-building script (same f-string
# layout), not seen in a row itself. Code and assembly are pasted as they are, so a C file without a final
# newline puts the closing fence on its last line, as in the dataset.
ASM_PROMPT = (
    "Given the following C code and assembly code, your task is to generate highly optimized x86-64 assembly code.\n"
    "C Code:\n\n```c\n{c_code}```\n\n"
    "Assembly Code:\n\n```assembly\n{assembly}```\n\n"
    "Only output the optimized assembly code. Do not include any other text. Do not write any comments in the "
    "assembly code. Wrap the assembly code in ```assembly``` tags.\n"
    "Optimized Assembly Code:\n"
)
ASM_TAGS = ("assembly", "asm", "s", "gas", "x86asm", "x86-64", "x86_64")  # fence tags taken as assembly
TimeIf = Literal["correct", "visible"]

# ------------------------------------------------------------------ prompt and answer


def asm_prompt_text(c_code: str, baseline_asm: str) -> str:
    """SuperCoder's prompt as one string, for backends that take raw text (apply no chat template to it)."""
    return ASM_PROMPT.format(c_code=c_code, assembly=baseline_asm)


def asm_prompt(c_code: str, baseline_asm: str) -> list[dict[str, str]]:
    """SuperCoder's prompt as chat messages (the dataset's layout: a single user turn)."""
    return [{"role": "user", "content": asm_prompt_text(c_code, baseline_asm)}]


_OPEN = re.compile(r"^ {0,3}```[ \t]*([\w+.-]*)[ \t]*$")
_CLOSE = re.compile(r"^\s*```\s*$")


def assembly_blocks(completion: str) -> list[tuple[str, str, bool]]:
    """Every fenced block as (tag, content, closed). A block cut off by the token limit runs to the end of
    the text; a closing fence glued to the last line (``ret```ʼ``) also closes, as the dataset writes it."""
    lines = strip_eos(completion).split("\n")
    blocks: list[tuple[str, str, bool]] = []
    i = 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        i += 1
        if not m:
            continue
        body: list[str] = []
        closed = False
        while i < len(lines):
            line = lines[i]
            i += 1
            if _CLOSE.match(line):
                closed = True
                break
            if line.rstrip().endswith("```"):
                body.append(line.rstrip()[:-3])
                closed = True
                break
            body.append(line)
        content = "\n".join(body)
        if content and not content.endswith("\n"):
            content += "\n"
        blocks.append((m.group(1).lower(), content, closed))
    return blocks


def extract_assembly(completion: str) -> str | None:
    """The content of the LAST fenced block tagged ``assembly`` (SuperCoder's rule), None when there is none.

    Lenient where it costs nothing: the tag is case-insensitive and its common aliases count (``asm``,
    ``s``, ``gas``, ``x86asm``, ``x86-64``, ``x86_64``); spaces around the tag, an indented fence, a
    closing fence glued to the last line and a block cut off by the token limit are accepted (the
    assembler judges the content). Untagged or otherwise tagged blocks (```` ```c ````) are not assembly.
    """
    found = [content for tag, content, _ in assembly_blocks(completion) if tag in ASM_TAGS]
    if not found or not found[-1].strip():
        return None
    return found[-1]


def is_baseline_copy(candidate_asm: str, baseline_asm: str) -> bool:
    """Same code as the baseline once comments, ``.file``/``.ident``, blank lines and trailing spaces are gone.

    SuperCoder's own check (``is_same_assembly``) compares the texts after ``strip()``; normalising catches
    the same copies plus ones with a comment or blank line added."""
    return normalize_asm(candidate_asm) == normalize_asm(baseline_asm)


# ------------------------------------------------------------------ building


def _single_c_source(program: Program) -> Path:
    if len(program.sources) != 1 or not program.is_c:
        kinds = ", ".join(s.name for s in program.sources)
        raise CompilerLMError(
            f"program {program.name} has {len(program.sources)} source file(s) ({kinds}); the asm task takes "
            "single-file C programs (one .s file in, one out): pick a one-file program"
        )
    return program.sources[0]


def _gcc_on_source(program: Program, args: Sequence[str], out_dir: Path, collect: Sequence[str] = ()) -> ToolRun:
    """gcc on the program's single C file, confined (a dataset's C code is untrusted: ``#include`` and inline
    ``.incbin`` read host files at compile time)."""
    src = _single_c_source(program)
    view = source_view(program, src)
    argv = [system_tool("gcc"), *args[:1], *view.flags, *args[1:]]
    return run_build(argv, view.files, out_dir, collect=collect, read_only=view.read_only)


def baseline_assembly(program: Program, level: str = "-O3") -> str:
    """``gcc -O3 -S`` of a single-file C program with its flags (the file alone in the build's directory, so
    ``.file`` names only the file, as SuperCoder's ``temp.c`` does, and no host path leaks into the prompt)."""
    src = _single_c_source(program)
    with tempfile.TemporaryDirectory(prefix="compilerlm-baseline-") as tmp:
        run = _gcc_on_source(program, [level, "-S", src.name, "-o", "-"], Path(tmp))
    if not run.ok:
        raise CompileError(f"gcc {level} -S failed on {src}: {run.error()}")
    return run.stdout


def build_oracle(program: Program, out: Path) -> Path:
    """The program's own ``gcc -O0`` build: the trusted reference for inputs that have no expected output."""
    src = _single_c_source(program)
    run = _gcc_on_source(program, ["-O0", src.name, "-o", "oracle", "-lm", *program.ldflags], out.parent, ["oracle"])
    if not run.ok or "oracle" not in run.outputs:
        raise CompileError(f"gcc -O0 failed on {src}: {run.error()}")
    if run.outputs["oracle"] != out:
        run.outputs["oracle"].replace(out)
    return out


@dataclass(frozen=True)
class BuildResult:
    """How assembling and linking one candidate went; ``error`` is one line (for reports and repair prompts)."""

    ok: bool
    binary: Path | None
    error: str = ""
    seconds: float = 0.0


_FORBIDDEN = re.compile(r"(?:^|[\s;:])\.(incbin|include)\b", re.I | re.M)
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def forbidden_directive(asm_text: str) -> str | None:
    """``.incbin``/``.include`` (outside strings): a fast first reject with a clear message. Not the defence:
    macros, ``.irp`` and quoting tricks get past any such filter, so the build itself is confined."""
    m = _FORBIDDEN.search(_STRING.sub('""', asm_text))
    return f".{m.group(1).lower()}" if m else None


def build_candidate(
    asm_text: str, workdir: Path, name: str = "candidate", ldflags: Sequence[str] = (), timeout: float = BUILD_TIMEOUT
) -> BuildResult:
    """``gcc name.s -o name -lm`` (DESIGN's definition of a build), confined, with a timeout; the binary
    lands in ``workdir``."""
    start = time.perf_counter()
    workdir.mkdir(parents=True, exist_ok=True)
    if bad := forbidden_directive(asm_text):
        return BuildResult(False, None, f"directive {bad} is not allowed (it reads files at assembly time)")
    text = asm_text.encode(errors="surrogateescape")
    argv = [system_tool("gcc"), f"{name}.s", "-o", name, "-lm", *ldflags]
    run = run_build(argv, {f"{name}.s": text}, workdir, collect=[name], timeout=timeout)
    seconds = time.perf_counter() - start
    if run.status == "timeout":
        return BuildResult(False, None, f"assembler/linker timed out after {timeout:g} s", seconds)
    if not run.ok or name not in run.outputs:
        return BuildResult(False, None, _one_line(run.error()), seconds)
    return BuildResult(True, run.outputs[name], "", seconds)


def _one_line(msg: str) -> str:
    return msg if len(msg) <= 300 else msg[:297] + "..."


# ------------------------------------------------------------------ tests


def split_tests(
    tests: Sequence[TestCase], visible: int = 3, seed: int = 0
) -> tuple[tuple[TestCase, ...], tuple[TestCase, ...]]:
    """(visible, hidden): ``visible`` tests drawn by ``seed`` (shown in prompts, used for PGO), the rest hidden.

    With two or more tests at least one is always hidden, so a hidden check exists; both parts keep the
    original order. Tests named ``hidden-*`` (a dataset row's or folder's own split) fix the split instead:
    they are the hidden ones, all others visible."""
    if any(t.name.startswith(HIDDEN_PREFIX) for t in tests):
        return (
            tuple(t for t in tests if not t.name.startswith(HIDDEN_PREFIX)),
            tuple(t for t in tests if t.name.startswith(HIDDEN_PREFIX)),
        )
    n = len(tests)
    k = max(0, min(visible, n - 1 if n >= 2 else n))
    chosen = set(random.Random(f"compilerlm-split:{seed}").sample(range(n), k))
    return (
        tuple(t for i, t in enumerate(tests) if i in chosen),
        tuple(t for i, t in enumerate(tests) if i not in chosen),
    )


def differential_tests(
    oracle: Path,
    inputs: Sequence[bytes],
    limits: Limits = Limits(),  # noqa: B008  (frozen)
    baseline: Path | None = None,
    prefix: str = "mutant",
    baseline_walls: list[float] | None = None,
) -> tuple[TestCase, ...]:
    """Tests whose expected output is the oracle's stdout, for the inputs the oracle accepts.

    Dropped: inputs on which the oracle does not exit 0 in time within its limits (invalid for the
    program), and, when ``baseline`` is given, inputs on which the -O3 baseline prints something else
    (the program has undefined behaviour there, so no candidate can be held to one answer). The baseline's
    wall time on each kept input is appended to ``baseline_walls`` (candidates' time limits derive from it)."""
    out = []
    for i, stdin in enumerate(inputs):
        ref = run_sandboxed(oracle, stdin, limits)
        if not ref.ok:
            continue
        if baseline is not None:
            base = run_sandboxed(baseline, stdin, limits, expected=ref.stdout)
            if not base.ok:
                continue
            if baseline_walls is not None:
                baseline_walls.append(base.wall_seconds)
        out.append(TestCase(f"{prefix}-{i}", stdin, ref.stdout))
    return tuple(out)


TestKind = Literal["visible", "hidden", "mutant"]


@dataclass(frozen=True)
class TestOutcome:
    """One test run of a candidate; ``status`` is the sandbox's ("ok", "wrong-output", "signal", ...)."""

    __test__ = False  # not a pytest class

    name: str
    kind: TestKind
    status: str
    wall_seconds: float
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "ok"

    @property
    def runtime_error(self) -> bool:
        """Did not run to a clean exit (crash, non-zero exit, time/memory/output limit); wrong output is not one."""
        return self.status not in ("ok", "wrong-output")


@dataclass
class CheckResult:
    """Every test of a candidate; the first failure comes with a short diff, ready for a repair prompt."""

    outcomes: list[TestOutcome]
    first_failure: TestOutcome | None = None
    failure_diff: str = ""

    def _of(self, kinds: Sequence[TestKind]) -> list[TestOutcome]:
        return [o for o in self.outcomes if o.kind in kinds]

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def passed(self) -> int:
        return sum(o.passed for o in self.outcomes)

    @property
    def fraction(self) -> float:
        return self.passed / self.total if self.total else 0.0

    def all_passed(self, kinds: Sequence[TestKind] = ("visible", "hidden", "mutant")) -> bool:
        return all(o.passed for o in self._of(kinds))

    def counts(self, kind: TestKind) -> tuple[int, int]:
        """(passed, total) for one kind of test."""
        of = self._of((kind,))
        return sum(o.passed for o in of), len(of)

    @property
    def runtime_error(self) -> bool:
        return any(o.runtime_error for o in self.outcomes)


def output_diff(expected: bytes, actual: bytes, max_lines: int = 8, max_chars: int = 600) -> str:
    """A short unified diff of two outputs (first differing lines only), for reports and repair prompts."""
    exp = expected.decode(errors="replace").splitlines(keepends=True)
    act = actual.decode(errors="replace").splitlines(keepends=True)
    lines = list(difflib.unified_diff(exp, act, "expected", "actual", n=1))
    if not lines and expected != actual:
        return f"outputs differ only in line endings/bytes ({len(expected)} vs {len(actual)} bytes)"
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines[: max_lines + 2])
    if len(lines) > max_lines + 2:
        text += f"... ({len(lines) - max_lines - 2} more diff lines)\n"
    return text if len(text) <= max_chars else text[: max_chars - 4] + "...\n"


def check_candidate(
    binary: Path,
    visible: Sequence[TestCase],
    hidden: Sequence[TestCase] = (),
    mutants: Sequence[TestCase] = (),
    *,
    limits: Limits = Limits(),  # noqa: B008  (frozen)
    stop_at_first_failure: bool = False,
) -> CheckResult:
    """Run ``binary`` in the sandbox on every test; pass = exit 0 and stdout equal byte for byte.

    Visible tests run first, then hidden ones, then the differential mutants (expected = the oracle's
    output). ``stop_at_first_failure`` saves time when only a yes/no is wanted (then ``fraction`` counts
    only the tests that ran)."""
    outcomes: list[TestOutcome] = []
    first: TestOutcome | None = None
    diff = ""
    groups: tuple[tuple[TestKind, Sequence[TestCase]], ...] = (
        ("visible", visible),
        ("hidden", hidden),
        ("mutant", mutants),
    )
    for kind, tests in groups:
        for test in tests:
            res = run_sandboxed(binary, test.stdin, limits, expected=test.expected)
            outcome = TestOutcome(test.name, kind, res.status, res.wall_seconds, res.detail)
            outcomes.append(outcome)
            if not outcome.passed and first is None:
                first, diff = outcome, _failure_text(test, res)
                if stop_at_first_failure:
                    return CheckResult(outcomes, first, diff)
    return CheckResult(outcomes, first, diff)


def _failure_text(test: TestCase, res: SandboxResult) -> str:
    if res.status == "wrong-output":
        return output_diff(test.expected, res.stdout)
    err = res.stderr.decode(errors="replace").strip().splitlines()
    return f"{res.status}: {res.detail}" + (f"; stderr: {err[-1][:200]}" if err else "")


# ------------------------------------------------------------------ one program, prepared once


@dataclass
class AsmProblem:
    """Everything needed to judge candidates for one program, built once by ``prepare_problem``.

    ``limits`` bound every candidate run (derived from the baseline's own time); ``mutants`` are the
    differential tests (oracle outputs). Keep ``workdir`` alive while the problem is in use."""

    name: str
    c_code: str
    baseline_asm: str
    baseline_binary: Path
    oracle_binary: Path
    visible: tuple[TestCase, ...]
    hidden: tuple[TestCase, ...]
    mutants: tuple[TestCase, ...]
    limits: Limits
    workdir: Path
    ldflags: tuple[str, ...] = ()
    baseline_source: str = "gcc -O3"  # or "dataset": the row's own assembly
    _baseline_instructions: dict[str, int] = field(default_factory=dict, repr=False)
    _builds: dict[str, BuildResult] = field(default_factory=dict, repr=False)  # by digest of the text

    def build(self, asm_text: str, tag: str = "candidate") -> BuildResult:
        """Build a candidate once per distinct text: a repeated answer (common in best-of-k sampling) and a
        repeated assembler bomb cost nothing the second time. Binaries live under ``workdir/builds``."""
        key = hashlib.sha256(asm_text.encode(errors="surrogateescape")).hexdigest()
        if key not in self._builds:
            self._builds[key] = build_candidate(asm_text, self.workdir / "builds" / key[:16], tag, self.ldflags)
        return self._builds[key]

    @property
    def tests(self) -> tuple[TestCase, ...]:
        """The program's own tests (visible + hidden): the ones timed."""
        return self.visible + self.hidden

    def prompt(self) -> list[dict[str, str]]:
        return asm_prompt(self.c_code, self.baseline_asm)

    def prompt_text(self) -> str:
        return asm_prompt_text(self.c_code, self.baseline_asm)


def candidate_limits(baseline_walls: Sequence[float], base: Limits = Limits()) -> Limits:  # noqa: B008
    """Per-run limits for candidates: 10× the slowest baseline test (at least 2 s wall), never above ``base``."""
    wall = min(base.wall_seconds, max(2.0, 10 * max(baseline_walls, default=0.0)))
    return replace(base, wall_seconds=wall, cpu_seconds=min(base.cpu_seconds, max(1, math.ceil(wall))))


def prepare_problem(
    program: Program,
    workdir: Path,
    *,
    visible: int = 3,
    seed: int = 0,
    mutants: int = 8,
    limits: Limits | None = None,
) -> AsmProblem:
    """Baseline assembly and binary, oracle, test split and mutants for ``program`` (single C file, with tests).

    The baseline is the program's own ``baseline_asm`` when it carries one (a dataset row's ground truth:
    the assembly its prompt shows), else ``gcc -O3 -S`` here. It is built exactly as candidates are and
    must pass every test (else the program or its tests are broken: CompilerLMError). A dataset's assembly
    that does not build or pass here is replaced by the local gcc's (``baseline_source`` says which).
    Mutants come from the visible inputs."""
    if not program.tests:
        raise CompilerLMError(f"program {program.name} has no tests; the asm task needs tests to check answers")
    workdir.mkdir(parents=True, exist_ok=True)
    src = _single_c_source(program)
    base_limits = limits or Limits()
    found = None
    if program.baseline_asm:
        found = _working_baseline(program, program.baseline_asm, workdir, base_limits)
    source = "dataset" if found else "gcc -O3"
    asm, binary, walls = found or _working_baseline(program, baseline_assembly(program), workdir, base_limits, True)
    vis, hid = split_tests(program.tests, visible, seed)
    oracle = build_oracle(program, workdir / "oracle")
    inputs = mutated_inputs([t.stdin for t in vis] or [t.stdin for t in program.tests], mutants, seed)
    # the oracle (-O0) may be several times slower than -O3: give it the base limits
    diff_tests = differential_tests(oracle, inputs, base_limits, baseline=binary, baseline_walls=walls)
    run_limits = candidate_limits(walls, base_limits)  # 10x the baseline's slowest run, mutants included
    return AsmProblem(
        name=program.name,
        c_code=src.read_text(errors="replace"),
        baseline_asm=asm,
        baseline_binary=binary,
        oracle_binary=oracle,
        visible=vis,
        hidden=hid,
        mutants=diff_tests,
        limits=run_limits,
        workdir=workdir,
        ldflags=program.ldflags,
        baseline_source=source,
    )


def _working_baseline(
    program: Program, asm: str, workdir: Path, limits: Limits, required: bool = False
) -> tuple[str, Path, list[float]] | None:
    """(assembly, binary, wall time per test) when ``asm`` builds and passes every test; else None, or a
    CompilerLMError when ``required``."""
    built = build_candidate(asm, workdir, "baseline", program.ldflags)
    if not built.ok or built.binary is None:
        if required:
            raise CompileError(f"{program.name}: the -O3 assembly does not build: {built.error}")
        return None
    walls = []
    for test in program.tests:
        res = run_sandboxed(built.binary, test.stdin, limits, expected=test.expected)
        if not res.ok:
            if required:
                raise CompilerLMError(
                    f"{program.name}: the gcc -O3 baseline fails its own test {test.name} "
                    f"({res.status}: {res.detail}); fix the program or re-bless its tests"
                )
            return None
        walls.append(res.wall_seconds)
    return asm, built.binary, walls


# ------------------------------------------------------------------ instruction counts, sandboxed


def _counting_argv(backend: str) -> list[str]:
    """perf or valgrind on /prog (the binary, bound read-only). Both report on stderr, which the candidate
    shares, so the count is the tool's last report line: printed after the candidate has exited."""
    tool = shutil.which(backend)
    if tool is None:
        raise ToolMissingError(f"'{backend}' not found; install it with: sudo apt-get install {backend}")
    if backend == "perf":
        return [tool, "stat", "-x,", "-e", "instructions:u", "--", "/prog"]
    return [tool, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", "/prog"]


_PERF_LINE = re.compile(r"^\s*(\d+),[^,\n]*,instructions", re.M)
_VALGRIND_LINE = re.compile(r"^==\d+==\s+I\s+refs:\s+([\d,]+)\s*$", re.M)


def count_instructions_sandboxed(binary: Path, stdin: bytes, limits: Limits, backend: str | None = None) -> int:
    """User-space instructions of one run of ``binary`` (perf or valgrind, as ``measure.count_instructions``
    picks), with the binary and the counting tool confined in the sandbox. Raises MeasurementError."""
    name = backend or instruction_backend()
    slow = 60 if name == "valgrind" else 2
    run_limits = replace(
        limits,
        wall_seconds=limits.wall_seconds * slow + 5,
        cpu_seconds=limits.cpu_seconds * slow + 5,
        address_space_bytes=max(limits.address_space_bytes, 8 << 30),  # valgrind reserves a lot
        max_processes=max(limits.max_processes, 4),
    )
    res = run_tool_sandboxed(_counting_argv(name), stdin, run_limits, binary=binary)
    if not res.ok:
        raise MeasurementError(f"counting instructions of {binary.name} failed ({res.status}: {res.detail})")
    text = res.stderr.decode(errors="replace")
    found = (_PERF_LINE if name == "perf" else _VALGRIND_LINE).findall(text)
    if not found:
        raise MeasurementError(f"no instruction count from {name}: {text.strip()[-200:]!r}")
    return int(found[-1].replace(",", ""))


# ------------------------------------------------------------------ one candidate, judged


@dataclass
class AsmResult:
    """The verdict on one candidate. ``correct`` = DESIGN's "Correct (asm)" on every test we hold: visible,
    hidden and the differential mutants. ``speedup`` is DESIGN's (per test ratio of mean times, mean over
    the program's tests); it and ``instructions_ratio`` are None when not measured (not correct, or the
    measurement failed: see ``timing_error``)."""

    name: str
    compiled: bool
    correct: bool
    visible_passed: bool  # every visible test passes (SuperCoder's own notion of correct)
    tests_passed: int  # over visible + hidden + mutants
    tests_total: int
    runtime_error: bool  # some test crashed / exited non-zero / hit a limit (vs. wrong output only)
    is_baseline_copy: bool
    failure: str = ""  # "" when correct; else why, one line
    failing_test: str = ""
    failure_diff: str = ""
    compile_error: str = ""
    speedup: float | None = None
    speedup_ci: dict[str, tuple[float, float]] = field(default_factory=dict)  # test -> 95% bootstrap interval
    instructions_ratio: float | None = None
    timing_error: str = ""
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (passed, total)
    tests: list[TestResult] = field(default_factory=list)  # timed tests (measure.TestResult)
    clock: str = "wall"
    seconds: float = 0.0

    @property
    def passed(self) -> float:
        """Fraction of all checked tests passed (0 when it did not compile)."""
        return self.tests_passed / self.tests_total if self.tests_total else 0.0

    def program_result(self) -> ProgramResult:
        """For ``measure.summarize``: a failed candidate counts as 1.0 there, as DESIGN says."""
        if not self.correct:
            return ProgramResult.failed(self.name, self.failure or "not correct")
        if self.tests:
            return ProgramResult(self.name, self.tests)
        if self.is_baseline_copy:  # untimed by design: equal to the baseline in every respect
            return ProgramResult(self.name, [TestResult("baseline-copy", True, 1.0, 1.0, 1, 1)])
        return ProgramResult(self.name, [TestResult("untimed", True)])


def evaluate_candidate(
    problem: AsmProblem,
    candidate_asm: str | None,
    *,
    warmups: int = 1,
    runs: int = 10,
    clock: Clock = "wall",
    instructions: bool = False,
    time_if: TimeIf = "correct",
    stop_at_first_failure: bool = False,
    tag: str = "candidate",
    timed: Sequence[TestCase] | None = None,
) -> AsmResult:
    """Build, check and (when correct) time one candidate against the problem's baseline.

    ``candidate_asm`` is the extracted assembly (None: the answer had no assembly block, judged as a
    build failure). ``time_if="visible"`` also times candidates that pass only the visible tests, which
    SuperCoder's own reward needs; the default times only fully correct ones. A verbatim copy of the
    baseline is checked but not timed: its speedup is 1.0 by definition. Timing uses ``measure.compare``
    through the sandbox (``warmups``/``runs`` pairs per test) on ``timed`` (default: the program's own
    tests; a search times on the visible ones so that choosing the fastest does not look at hidden tests'
    timings); ``instructions`` adds instruction counts."""
    start = time.perf_counter()
    name = problem.name
    if candidate_asm is None or not candidate_asm.strip():
        why = "no ```assembly block in the answer"
        return _build_failure(name, why, False, clock, start)
    copy = is_baseline_copy(candidate_asm, problem.baseline_asm)
    built = problem.build(candidate_asm, tag)
    if not built.ok or built.binary is None:
        return _build_failure(name, built.error, copy, clock, start)
    check = check_candidate(
        built.binary,
        problem.visible,
        problem.hidden,
        problem.mutants,
        limits=problem.limits,
        stop_at_first_failure=stop_at_first_failure,
    )
    correct = check.all_passed()
    first = check.first_failure
    result = AsmResult(
        name=name,
        compiled=True,
        correct=correct,
        visible_passed=check.all_passed(("visible",)),
        tests_passed=check.passed,
        tests_total=check.total,
        runtime_error=check.runtime_error,
        is_baseline_copy=copy,
        failure="" if correct or first is None else f"{first.kind} test {first.name}: {first.status}",
        failing_test=first.name if first else "",
        failure_diff=check.failure_diff,
        counts={k: check.counts(k) for k in ("visible", "hidden", "mutant")},
        clock=clock,
    )
    if copy and correct:
        result.speedup, result.instructions_ratio = 1.0, 1.0
    elif correct or (time_if == "visible" and result.visible_passed):
        _measure(problem, built.binary, result, warmups, runs, clock, instructions, timed)
    result.seconds = time.perf_counter() - start
    return result


def _build_failure(name: str, error: str, copy: bool, clock: str, start: float) -> AsmResult:
    return AsmResult(
        name=name,
        compiled=False,
        correct=False,
        visible_passed=False,
        tests_passed=0,
        tests_total=0,
        runtime_error=False,
        is_baseline_copy=copy,
        failure=f"compile error: {error}",
        compile_error=error,
        clock=clock,
        seconds=time.perf_counter() - start,
    )


def _measure(
    problem: AsmProblem,
    binary: Path,
    result: AsmResult,
    warmups: int,
    runs: int,
    clock: Clock,
    instructions: bool,
    timed: Sequence[TestCase] | None = None,
) -> None:
    """Fill speedup (and instruction ratio) over the program's tests; a failure is recorded, never raised."""
    runner = sandbox_runner(run_sandboxed, limits=problem.limits)
    tests: list[TestResult] = []
    intervals: dict[str, tuple[float, float]] = {}
    try:
        for test in problem.tests if timed is None else timed:
            comp = compare(
                [str(problem.baseline_binary)],
                [str(binary)],
                test.stdin,
                warmups=warmups,
                runs=runs,
                clock=clock,
                runner=runner,
                timeout=problem.limits.wall_seconds,
            )
            counts = None
            if instructions:
                if test.name not in problem._baseline_instructions:
                    problem._baseline_instructions[test.name] = count_instructions_sandboxed(
                        problem.baseline_binary, test.stdin, problem.limits
                    )
                counts = (
                    problem._baseline_instructions[test.name],
                    count_instructions_sandboxed(binary, test.stdin, problem.limits),
                )
            tests.append(TestResult.from_comparison(test.name, comp, counts))
            intervals[test.name] = (comp.ci_low, comp.ci_high)
    except (MeasurementError, ToolMissingError) as exc:
        result.timing_error = str(exc)
        return
    prog = ProgramResult(result.name, tests)
    result.tests = tests
    result.speedup = statistics.fmean(t.speedup for t in tests if t.speedup is not None) if tests else None
    result.speedup_ci = intervals
    result.instructions_ratio = prog.instruction_ratio if instructions else None


def evaluate_completion(problem: AsmProblem, completion: str, **kwargs: object) -> AsmResult:
    """``evaluate_candidate`` on a model's raw answer (the last ```assembly block is taken)."""
    return evaluate_candidate(problem, extract_assembly(completion), **kwargs)  # type: ignore[arg-type]
