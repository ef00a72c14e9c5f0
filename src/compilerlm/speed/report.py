"""The speed track's table and report: ours (compile and pass rates, speedup geomean, share faster, quartiles),
SuperCoder's beside it when a run used its timing protocol, and the plots of the speedups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table

from compilerlm.plots import ReportFiles, pyplot, save_figure

SUPERCODER_TITLE = (
    "SuperCoder's protocol (3 warm-ups + 10 checked runs per side, as hyperfine; unseen tests clamped at 1.0, "
    "arithmetic mean)"
)


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


def write_asm_report(
    rows: list[dict[str, Any]], summary: dict[str, Any], settings: str, out_dir: Path | str
) -> ReportFiles:
    """report.md (summary, per-program table) and two plots: the speedup distribution and per program; `rows`
    are outcomes as JSON (`AsmOutcome.to_json`)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
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

    lines = ["# Speed track: assembly vs gcc -O3", "", f"Settings: `{settings}`", ""]
    lines += ["| metric | value |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in summary_rows(summary)]
    if "supercoder" in summary:
        lines += ["", f"{SUPERCODER_TITLE}:", ""]
        lines += ["| metric | value |", "|---|---:|"]
        lines += [f"| {k} | {v} |" for k, v in supercoder_rows(summary["supercoder"])]
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
    if summary.get("skipped"):
        lines += ["", f"Skipped (not single-file C): {', '.join(summary['skipped'])}"]
    lines += ["", "Speedup: mean over the program's tests of mean(-O3 time) / mean(candidate time), interleaved runs"]
    lines += ["in the sandbox; the chosen candidate is timed afresh for this number (chosen on the visible tests)."]
    report = out / "report.md"
    report.write_text("\n".join(lines) + "\n")
    return ReportFiles(markdown=report, plots=[hist, bars])
