"""The speed track over a suite of programs: each is optimised by ``speed.optimize.optimize_program`` (compiler
portfolio and/or model), in this process, in worker processes (``jobs``) or as Ray tasks, and its outcome told
to the caller as it arrives; with a store, outcomes go there as they arrive, so an interrupted run resumes with
the programs not yet done. `compilerlm asm` runs it with its store; `compilerlm eval asm` (the asm task's item
evaluation) runs it for the programs its store has not seen, under the same record keys, so each reuses what
the other stored.

Summary (docs/design.md): ``compile_rate`` and ``pass_rate`` are shares of programs where some candidate
assembled / passed every test (visible, hidden, mutants); ``speedup_geomean`` is over every program's
reported speedup (a program without a correct faster candidate keeps the baseline: 1.0); ``share_faster``
is the share strictly faster than gcc -O3; quartiles are of the same speedups.

Timing is sensitive to other work on the machine: ``jobs`` > 1 runs programs side by side, which is
faster but noisier; instruction ratios are the deterministic check.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from compilerlm.confined_tools import source_view
from compilerlm.errors import CompilerLMError
from compilerlm.measure.speedup import quartiles
from compilerlm.models.base import Model
from compilerlm.parallel import Call, Executor, ProcessExecutor, RayExecutor, ThreadExecutor
from compilerlm.programs.program import Program
from compilerlm.sandbox import sandbox_capabilities
from compilerlm.speed.config import AsmSearchConfig
from compilerlm.speed.optimize import add_protocol_timing, optimize_program
from compilerlm.speed.outcome import AsmOutcome
from compilerlm.stats import geomean
from compilerlm.store import Store

RECORD_KIND = "asm"
OnProgram = Callable[[int, AsmOutcome], None]  # (index in the programs, its outcome)
_MODELS: dict[str, Model] = {}  # per worker process: a model is loaded once, on first use


def single_file_c(programs: Sequence[Program]) -> tuple[list[Program], list[str]]:
    """(programs the asm task takes, names of the others): one C file in, one assembly file out."""
    ok = [p for p in programs if len(p.sources) == 1 and p.is_c]
    return ok, [p.name for p in programs if p not in ok]


def runnable_programs(programs: Sequence[Program]) -> tuple[list[Program], list[str]]:
    """`single_file_c`'s split, refused in one line when no program is left or when the sandbox cannot confine
    the runs (fail closed, once, before any work: every build and run needs it)."""
    runnable, skipped = single_file_c(programs)
    if not runnable:
        raise CompilerLMError("no single-file C program among the targets: the asm task takes one .c file per program")
    confinement = sandbox_capabilities()
    if not confinement["confined"]:
        raise CompilerLMError(str(confinement["refusal"]))
    return runnable, skipped


def program_fingerprint(program: Program) -> str:
    """Part of a stored outcome's key: what about the program can change its outcome. The sources' contents, the
    build flags as the confined compiler sees them (include folders at /src/N, not at their host paths), every
    field of every test (a file by its content, not its host path) and a dataset's own baseline assembly:
    editing any of them makes a new key, so a stale outcome is never reused, while the same program in another
    folder keeps its key. (Headers are not read: editing one is not seen.)"""
    h = hashlib.sha256()
    flags = [source_view(program, source).flags for source in program.sources]
    _feed(h, (program.sources, flags, program.ldflags, program.tests, program.baseline_asm))
    return h.hexdigest()[:16]


def program_key(program: Program) -> str:
    """What follows the settings in the key of a program's stored outcome: its name and its fingerprint."""
    return f"|{program.name}|{program_fingerprint(program)}"


def stored_outcome(outcome: AsmOutcome) -> dict[str, Any]:
    """An outcome as the store keeps it: its JSON with the reported assembly (a rerun's `--out` writes it)."""
    return {**outcome.to_json(), "assembly": outcome.assembly}


def _feed(h: Any, value: object) -> None:
    """Add one value to the hash unambiguously (its type and length before its bytes): a dataclass field by field,
    a sequence item by item, a path as its file's content (so the same test in another folder hashes the same)."""
    if is_dataclass(value) and not isinstance(value, type):
        h.update(f"{type(value).__name__}:{len(fields(value))}\0".encode())
        for f in fields(value):
            _feed(h, (f.name, getattr(value, f.name)))
        return
    if isinstance(value, tuple | list):
        h.update(f"seq:{len(value)}\0".encode())
        for item in value:
            _feed(h, item)
        return
    if isinstance(value, Path):
        try:
            value = value.read_bytes()
        except OSError as exc:  # the test run will say so; the key only needs to differ from any content
            value = f"unreadable file: {exc.strerror}"
    data = value if isinstance(value, bytes) else repr(value).encode()
    h.update(f"{type(value).__name__}:{len(data)}\0".encode() + data)


def _model(spec: str | None) -> Model | None:
    if spec is None:
        return None
    if spec not in _MODELS:
        from compilerlm.models import load_model

        _MODELS[spec] = load_model(spec)
    return _MODELS[spec]


def _optimize_one(
    program: Program, config: AsmSearchConfig, model_spec: str | None, given: Sequence[tuple[str, str]] = ()
) -> AsmOutcome:
    return optimize_program(program, config, _model(model_spec), given=given)


def run_asm_suite(
    programs: Sequence[Program],
    config: AsmSearchConfig,
    *,
    model: Model | None = None,
    model_spec: str | None = None,
    store: Store | None = None,
    jobs: int = 1,
    ray_address: str | None = None,
    on_program: OnProgram | None = None,
    given: Sequence[tuple[str, str]] = (),
) -> list[AsmOutcome]:
    """Outcomes in the order of ``programs``. ``model`` is used in this process (jobs=1); workers and Ray
    tasks load ``model_spec`` themselves (an ``openai:`` server is the way to share one model). ``given``
    (label, assembly) candidates are judged for every program (meant for one)."""
    spec = model_spec or (model.spec if model is not None else None)
    settings = config.key(spec)
    if given:
        settings += "|given=" + hashlib.sha256(json.dumps(list(given)).encode()).hexdigest()[:16]
    done: dict[int, AsmOutcome] = {}
    todo: list[int] = []
    for i, p in enumerate(programs):
        stored = store.get_record(RECORD_KIND, settings + program_key(p), AsmOutcome) if store else None  # typed
        if stored is None:
            todo.append(i)
            continue
        done[i] = reused = AsmOutcome(**stored)
        if config.protocol == "supercoder" and not reused.supercoder:  # searched under the other protocol: time only
            done[i] = add_protocol_timing(p, config, reused)
            assert store is not None
            store.put_record(RECORD_KIND, settings + program_key(p), stored_outcome(done[i]))
        elif config.protocol != "supercoder":
            reused.supercoder = {}  # timed so by a run that asked for it; this run's table is ours alone
        if on_program:
            on_program(i, done[i])

    def finish(i: int, outcome: AsmOutcome) -> None:
        done[i] = outcome
        if store is not None:
            store.put_record(RECORD_KIND, settings + program_key(programs[i]), stored_outcome(outcome))
        if on_program:
            on_program(i, outcome)

    executor: Executor
    fn: Callable[..., AsmOutcome]
    if ray_address:
        executor, fn = RayExecutor(ray_address), _optimize_one
    elif jobs <= 1 or len(todo) <= 1:  # in this process, with the model already loaded here
        lm = model if model is not None else _model(spec)
        executor = ThreadExecutor(1)
        fn = lambda program, config, _spec, given: optimize_program(program, config, lm, given=given)  # noqa: E731
    else:
        # spawned processes: workers start clean, as the sandbox's forks need; on Ctrl-C, SIGTERM or a failure
        # the programs not finished are not waited for (nor stored)
        executor, fn = ProcessExecutor(jobs), _optimize_one
    calls = [Call(programs[i].name, (programs[i], config, spec, tuple(given))) for i in todo]
    executor.run(fn, calls, lambda k, outcome: finish(todo[k], outcome))
    return [done[i] for i in range(len(programs))]


def summarize_asm(outcomes: Sequence[AsmOutcome], skipped: Sequence[str] = ()) -> dict[str, Any]:
    """SuperCoder's table over the programs that could be run (``error`` ones count as failures, 1.0)."""
    if not outcomes:
        raise CompilerLMError("no program to summarise: the suite had no single-file C program with tests")
    n = len(outcomes)
    speedups = [o.speedup for o in outcomes]
    q1, median, q3 = quartiles(speedups)
    ratios = [o.instructions_ratio for o in outcomes if o.instructions_ratio is not None]
    summary = {
        "programs": n,
        "compile_rate": sum(o.compiled for o in outcomes) / n,
        "pass_rate": sum(o.correct for o in outcomes) / n,
        "speedup_geomean": geomean(speedups),
        "share_faster": sum(o.faster for o in outcomes) / n,
        "speedup_quartiles": [q1, median, q3],
        "instructions_ratio_geomean": geomean(ratios) if len(ratios) == n else None,
        "sources": dict(Counter(o.source for o in outcomes)),
        "errors": sum(bool(o.error) for o in outcomes),
        "weak_checks": sum(bool(o.weak_checks) for o in outcomes),
        "skipped": list(skipped),
    }
    if any(o.supercoder for o in outcomes):  # the run used SuperCoder's protocol
        summary["supercoder"] = supercoder_summary(outcomes)
    return summary


def supercoder_summary(outcomes: Sequence[AsmOutcome]) -> dict[str, float]:
    """SuperCoder's table: compile and pass rates, and the arithmetic mean, median, p25 and p75 of the
    per-program speedups (SuperCoder's schedule on checked runs, each unseen test clamped at 1.0; failures 1.0)."""
    n = len(outcomes)
    speedups = [o.supercoder.get("speedup", 1.0) if o.correct else 1.0 for o in outcomes]
    p25, median, p75 = quartiles(speedups)
    return {
        "compile_rate": sum(o.compiled for o in outcomes) / n,
        "pass_rate": sum(o.correct for o in outcomes) / n,
        "speedup_mean": statistics.fmean(speedups),
        "speedup_median": median,
        "speedup_p25": p25,
        "speedup_p75": p75,
    }
