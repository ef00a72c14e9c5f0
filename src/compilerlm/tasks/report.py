"""The table and the report an item evaluation shows by default: one line per metric of the task, in the paper's
order, a histogram of the per-item value the task names, and the items themselves (names and answers shown whole
and escaped, never obeyed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table

from compilerlm.plots import ReportFiles, pyplot, save_figure
from compilerlm.programs.names import printable

if TYPE_CHECKING:
    from compilerlm.tasks.base import Task


def summary_lines(task: Task, summary: dict) -> list[tuple[str, str]]:
    """(label, formatted value) for each metric of the task, in the paper's order."""
    return [(m.label, m.format(summary.get(m.key))) for m in task.metrics]


def metrics_table(task: Task, summary: dict) -> Table:
    """The paper-style table of one task's summary, for the terminal."""
    table = Table(title=f"{task.name} — {summary.get('settings', '')}".rstrip(" —"))
    table.add_column("metric")
    table.add_column("value", justify="right")
    for label, value in summary_lines(task, summary):
        table.add_row(label, value)
    return table


def items_report(task: Task, rows: Sequence[dict], summary: dict, out_dir: Path | str) -> ReportFiles:
    """report.md (summary table, settings, per-item results) and one histogram PNG of the per-item metric."""
    name = task.name
    plt = pyplot()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    field = task.plot_field
    values = [float(r[field]) for r in rows if r.get(field) is not None and not r.get("error")]
    plot = out / f"{name}_histogram.png"
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(values or [0.0], bins=20, color="#4c72b0", edgecolor="white")
    if task.plot_reference is not None:
        x, label = task.plot_reference
        ax.axvline(x, color="black", linestyle="--", linewidth=1, label=label)
        ax.legend()
    ax.set_xlabel(task.plot_label or field)
    ax.set_ylabel("items")
    ax.set_title(f"{name}: {len(values)} items")
    save_figure(plt, fig, plot)

    lines = [f"# LLM Compiler task: {name}", "", f"Model and sampling: `{summary.get('settings', '')}`", ""]
    lines += ["| metric | value |", "|---|---:|"]
    lines += [f"| {label} | {value} |" for label, value in summary_lines(task, summary)]
    lines += ["", f"![{name} histogram]({plot.name})", "", "## Items", ""]
    lines += _item_table(task.item_columns, rows)
    lines += ["", "Definitions: sizes are object-file bytes of allocated sections with contents (compilerlm's"]
    lines += ["docs/design.md); every answer was checked with the real LLVM 19 tools (opt, llc, llvm-as, llvm-mc)."]
    markdown = out / "report.md"
    markdown.write_text("\n".join(lines) + "\n")
    return ReportFiles(markdown=markdown, plots=[plot])


def _item_table(cols: Sequence[str], rows: Sequence[dict]) -> list[str]:
    lines = ["| module | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for r in rows:
        cells = [_cell(r.get(c)) for c in cols]
        if r.get("error"):
            cells = [f"no ground truth: {_cell(r['error'])}"] + [""] * (len(cols) - 1)
        elif r.get("skipped") and cells:
            cells[-1] = f"skipped: {_cell(r['skipped'])}"
        module = printable(str(r.get("module", ""))).replace("|", "\\|")  # a name: shown whole, never obeyed
        lines.append(f"| {module} | " + " | ".join(cells) + " |")
    return lines


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    text = "" if value is None else str(value)
    text = printable(text.replace("\n", " ")).replace("|", "\\|")
    return text if len(text) <= 80 else text[:77] + "..."
