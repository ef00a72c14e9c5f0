"""The speed track over a suite: `compilerlm asm` / `compilerlm eval asm` — SuperCoder's table.

Each program is optimised by ``speed.optimize.optimize_program`` (compiler portfolio and/or model),
in this process, in worker processes (``jobs``) or as Ray tasks; each outcome goes to the SQLite store as
it arrives, so an interrupted run resumes with the programs not yet done.

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

from rich.table import Table

from compilerlm.confined_tools import source_view
from compilerlm.errors import CompilerLMError
from compilerlm.measure.speedup import quartiles
from compilerlm.models.base import Model
from compilerlm.parallel import Call, Executor, ProcessExecutor, RayExecutor, ThreadExecutor
from compilerlm.programs.program import Program
from compilerlm.speed.config import AsmSearchConfig
from compilerlm.speed.optimize import optimize_program
from compilerlm.speed.outcome import AsmOutcome
from compilerlm.stats import geomean
from compilerlm.store import Store

RECORD_KIND = "asm"
SUPERCODER_TITLE = (
    "SuperCoder's protocol (3 warm-ups + 10 checked runs per side, as hyperfine; unseen tests clamped at 1.0, "
    "arithmetic mean)"
)
OnProgram = Callable[[AsmOutcome], None]
_MODELS: dict[str, Model] = {}  # per worker process: a model is loaded once, on first use


def single_file_c(programs: Sequence[Program]) -> tuple[list[Program], list[str]]:
    """(programs the asm task takes, names of the others): one C file in, one assembly file out."""
    ok = [p for p in programs if len(p.sources) == 1 and p.is_c]
    return ok, [p.name for p in programs if p not in ok]


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
        key = f"{settings}|{p.name}|{program_fingerprint(p)}"
        stored = store.get_record(RECORD_KIND, key, AsmOutcome) if store else None  # checked: every field typed
        if stored is not None:
            done[i] = AsmOutcome(**stored)
            if on_program:
                on_program(done[i])
        else:
            todo.append(i)

    def finish(i: int, outcome: AsmOutcome) -> None:
        done[i] = outcome
        if store is not None:
            key = f"{settings}|{programs[i].name}|{program_fingerprint(programs[i])}"
            store.put_record(RECORD_KIND, key, {**outcome.to_json(), "assembly": outcome.assembly})
        if on_program:
            on_program(outcome)

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


def format_asm_table(summary: dict[str, Any], title: str = "speed track (vs gcc -O3)") -> Table:
    """Ours, and SuperCoder's beside it when the run used its protocol."""
    table = Table(title=title)
    table.add_column("metric (compilerlm)")
    table.add_column("value", justify="right")
    for label, value in summary_rows(summary):
        table.add_row(label, value)
    if "supercoder" not in summary:
        return table
    theirs = Table(title=SUPERCODER_TITLE)
    theirs.add_column("metric (SuperCoder)")
    theirs.add_column("value", justify="right")
    for label, value in supercoder_rows(summary["supercoder"]):
        theirs.add_row(label, value)
    both = Table.grid(padding=(0, 4))
    both.add_row(table, theirs)
    return both


def supercoder_rows(s: dict[str, float]) -> list[tuple[str, str]]:
    return [
        ("compile rate", f"{s['compile_rate']:.1%}"),
        ("pass rate", f"{s['pass_rate']:.1%}"),
        ("speedup, mean", f"{s['speedup_mean']:.3f}x"),
        ("speedup, median", f"{s['speedup_median']:.3f}x"),
        ("speedup p25 / p75", f"{s['speedup_p25']:.3f} / {s['speedup_p75']:.3f}"),
    ]


def summary_rows(s: dict[str, Any]) -> list[tuple[str, str]]:
    q1, median, q3 = s["speedup_quartiles"]
    inst = s.get("instructions_ratio_geomean")
    return [
        ("programs", str(s["programs"])),
        ("compile rate", f"{s['compile_rate']:.1%}"),
        ("pass rate (hidden tests and mutants included)", f"{s['pass_rate']:.1%}"),
        ("speedup, geomean (failures 1.0)", f"{s['speedup_geomean']:.3f}x"),
        ("share faster than gcc -O3 (by 95% intervals)", f"{s['share_faster']:.1%}"),
        ("speedup quartiles (q1 / median / q3)", f"{q1:.3f} / {median:.3f} / {q3:.3f}"),
        ("instructions ratio, geomean", "—" if inst is None else f"{inst:.3f}x"),
        ("sources", ", ".join(f"{k} {v}" for k, v in sorted(s["sources"].items()))),
    ]


def write_asm_report(doc: dict[str, Any], out_dir: Path | str) -> list[Path]:
    """report.md (summary, per-program table) and two plots: the speedup distribution and per program."""
    from compilerlm.eval.report import pyplot, save_figure

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = doc["programs"]
    plt = pyplot()
    hist = out / "asm_speedup_histogram.png"
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist([r["speedup"] for r in rows], bins=20, color="#4c72b0", edgecolor="white")
    ax.axvline(1.0, color="black", linestyle="--", linewidth=1, label="gcc -O3")
    ax.set_xlabel("speedup over gcc -O3 (wall clock)")
    ax.set_ylabel("programs")
    ax.legend()
    save_figure(plt, fig, hist)

    bars = out / "asm_speedup_per_program.png"
    ranked = sorted(rows, key=lambda r: r["speedup"])
    fig, ax = plt.subplots(figsize=(7, max(3.0, 0.22 * len(ranked) + 1)))
    colors = {
        "model": "#dd8452",
        "compiler": "#4c72b0",
        "given": "#55a868",
        "combined": "#8172b3",
        "baseline": "#999999",
    }
    ax.barh([r["name"] for r in ranked], [r["speedup"] for r in ranked], color=[colors[r["source"]] for r in ranked])
    ax.axvline(1.0, color="black", linestyle="--", linewidth=1)
    ax.set_xlabel(
        "speedup over gcc -O3 (colour: model orange, compiler blue, given green, combined purple, baseline grey)"
    )
    ax.tick_params(axis="y", labelsize=7)
    save_figure(plt, fig, bars)

    lines = ["# Speed track: assembly vs gcc -O3", "", f"Settings: `{doc.get('settings', '')}`", ""]
    lines += ["| metric | value |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in summary_rows(doc["summary"])]
    if "supercoder" in doc["summary"]:
        lines += ["", f"{SUPERCODER_TITLE}:", ""]
        lines += ["| metric | value |", "|---|---:|"]
        lines += [f"| {k} | {v} |" for k, v in supercoder_rows(doc["summary"]["supercoder"])]
    lines += ["", f"![speedup distribution]({hist.name})", "", f"![speedup per program]({bars.name})", ""]
    lines += ["## Programs", "", "| program | source | config / sample | correct | speedup | instructions | note |"]
    lines += ["|---|---|---|---|---:|---:|---|"]
    for r in rows:
        inst = "—" if r["instructions_ratio"] is None else f"{r['instructions_ratio']:.3f}"
        note = r["error"] or "; ".join(r.get("model_errors", []))
        lines.append(
            f"| {r['name']} | {r['source']} | {r['config'] or r['sample'] or ''} | {r['correct']} | "
            f"{r['speedup']:.3f} | {inst} | {note[:80]} |"
        )
    if doc["summary"].get("skipped"):
        lines += ["", f"Skipped (not single-file C): {', '.join(doc['summary']['skipped'])}"]
    lines += ["", "Speedup: mean over the program's tests of mean(-O3 time) / mean(candidate time), interleaved runs"]
    lines += ["in the sandbox; the chosen candidate is timed afresh for this number (chosen on the visible tests)."]
    report = out / "report.md"
    report.write_text("\n".join(lines) + "\n")
    return [report, hist, bars]
