"""Turn a saved `compilerlm tune` JSON into a markdown table and plots.

Reports are rebuilt from the saved JSON rather than from a live run, so a long tuning run can be
re-summarised (or compared across budgets) without re-running the compiler. Suite figures fall back to
-Oz per module: a user can always ship the -Oz build, so a module where search lost counts as no change.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from compilerlm.errors import CompilerLMError
from compilerlm.plots import ReportFiles, pyplot, save_figure
from compilerlm.programs.names import printable
from compilerlm.stats import improvement_geomean


def load_results(path: Path) -> dict:
    """Read a tune JSON, raising CompilerLMError (one line, with a fix) if it is unreadable or not a tune result."""
    path = Path(path)
    hint = "pass the JSON written by 'compilerlm tune' (re-run it if the file was truncated)"
    try:
        doc = json.loads(path.read_text())
    except OSError as e:
        raise CompilerLMError(f"cannot read tune results {path}: {e.strerror or e}; {hint}") from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CompilerLMError(f"{path} is not valid JSON ({e}); {hint}") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("modules"), list):
        raise CompilerLMError(f"{path} is not a tune result (no 'modules' list); {hint}")
    for i, m in enumerate(doc["modules"]):
        if not isinstance(m, dict) or not _positive(m.get("size_oz")) or not _positive(m.get("size")):
            raise CompilerLMError(f"{path}: module #{i} lacks a positive 'size' and 'size_oz'; {hint}")
    return doc


def _positive(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and x > 0


def _improvement(m: dict) -> float:
    return 1.0 - m["size"] / m["size_oz"]


def _trajectory(m: dict) -> list[tuple[int, float]]:
    """(evaluations, size) points; a module without one reached its final size after its evaluations."""
    points = m.get("trajectory") or [[m.get("evaluations") or 1, m["size"]]]
    return sorted((int(n), float(s)) for n, s in points)


def _best_at(m: dict, budget: int) -> float:
    sizes = [s for n, s in _trajectory(m) if n <= budget]
    return min(sizes) if sizes else float(m["size_oz"])


def improvement_by_budget(doc: dict, budgets: Sequence[int]) -> dict[int, float]:
    """Suite improvement over -Oz (with -Oz fallback) had the search stopped after each budget of evaluations."""
    modules = doc.get("modules", [])
    return {
        b: improvement_geomean([min(_best_at(m, b), m["size_oz"]) / m["size_oz"] for m in modules]) for b in budgets
    }


def _max_evaluations(doc: dict) -> int:
    counts = [1]
    for m in doc.get("modules", []):
        counts.append(int(m.get("evaluations") or 0))
        counts.extend(n for n, _ in _trajectory(m))
    return max(counts)


def _table_budgets(max_evals: int) -> list[int]:
    """1, 3, 10, 30, ... up to and including the largest budget used."""
    out, decade = [], 1
    while decade <= max_evals:
        out += [b for b in (decade, 3 * decade) if b < max_evals]
        decade *= 10
    return [*out, max_evals]


def _fmt(x: Any) -> str:
    return "–" if x is None else str(x)


def _pct(x: float) -> str:
    return f"{100 * x:+.2f}%"


def _cell(s: str) -> str:
    """A markdown table cell: a module name cannot end the cell or drive the terminal of whoever `cat`s it."""
    return printable(s).replace("|", "\\|")


def write_report(doc: dict, out_dir: Path) -> ReportFiles:
    """Write report.md and PNG plots under out_dir and return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    modules = doc.get("modules", [])
    n = len(modules)
    summary = doc.get("summary") or {}
    evals_total = summary.get("evaluations_total", sum(int(m.get("evaluations") or 0) for m in modules))
    suite = improvement_geomean([min(m["size"], m["size_oz"]) / m["size_oz"] for m in modules])
    raw = improvement_geomean([m["size"] / m["size_oz"] for m in modules])
    better = sum(m["size"] < m["size_oz"] for m in modules)
    verified = sum(m.get("verified") is True for m in modules)

    lines = ["# Pass-pipeline autotuning report", ""]
    settings = [f"{k}: {doc[k]}" for k in ("version", "strategy", "budget", "seed", "evaluator") if k in doc]
    if settings:
        lines += ["Run settings — " + ", ".join(settings) + ".", ""]
    lines += [
        f"- Modules: {n}",
        f"- Geomean improvement vs -Oz (falling back to -Oz where search lost): **{_pct(suite)}**"
        f" (without fallback: {_pct(raw)})",
        f"- Strictly smaller than -Oz: {better}/{n}" + (f" ({100 * better / n:.0f}%)" if n else ""),
        f"- Verified: {verified}/{n}" + (f" ({100 * verified / n:.0f}%)" if n else ""),
        f"- Evaluations: {evals_total}"
        + (f" ({summary['evaluations_per_second']:.1f}/s)" if "evaluations_per_second" in summary else ""),
        "",
        "## Per module",
        "",
        "| module | -O0 | -Oz | -O3 | best | improvement | pipeline length | verified | source |",
        "|---|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for m in modules:
        ok = {True: "yes", False: "**no**"}.get(m.get("verified"), "–")
        if m.get("verification"):
            ok += f" ({m['verification']})"
        length = f"{_fmt(m.get('length_before'))}→{_fmt(m.get('length_after'))}"
        lines.append(
            f"| {_cell(str(m.get('name', '?')))} | {_fmt(m.get('size_o0'))} | {m['size_oz']} | {_fmt(m.get('size_o3'))}"
            f" | {m['size']} | {_pct(_improvement(m))} | {length} | {_cell(ok)} | {_fmt(m.get('source'))} |"
        )

    lines += _whole_program_lines(doc.get("whole_program") or [])
    plots: list[Path] = []
    if modules:
        max_evals = _max_evaluations(doc)
        by_budget = improvement_by_budget(doc, _table_budgets(max_evals))
        lines += ["", "## Improvement vs budget", "", "| evaluations per module | suite improvement |", "|--:|--:|"]
        lines += [f"| {b} | {_pct(v)} |" for b, v in by_budget.items()]
        plots = [_plot_per_module(modules, suite, out_dir), _plot_vs_budget(doc, max_evals, out_dir)]

    md = out_dir / "report.md"
    md.write_text("\n".join(lines) + "\n")
    return ReportFiles(markdown=md, plots=plots)


def _whole_program_lines(shipped: list[dict]) -> list[str]:
    """`tune --lto`: each program's standard builds beside what ships, and the flags that build it."""
    if not shipped:
        return []
    lines = [
        "",
        "## Whole programs: what ships, against the standard builds",
        "",
        "| program | Oz | Oz+gc | Oz+lto | Oz+lto+gc | ships | via | vs best standard build | verified "
        "| CFLAGS | LDFLAGS |",
        "|---|--:|--:|--:|--:|--:|---|--:|---|---|---|",
    ]
    for w in shipped:
        recipes = w.get("recipes") or {}
        sizes = " | ".join(_fmt(recipes.get(r)) for r in ("Oz", "Oz+gc", "Oz+lto", "Oz+lto+gc"))
        ok = "yes" if w.get("verified") else "**no**"
        via = " + ".join([str(w.get("route")), *w.get("link_options", [])])
        via += f" (CC={w['cc']})" if w.get("cc") else ""
        lines.append(
            f"| {_cell(str(w.get('program', '?')))} | {sizes} | {_fmt(w.get('size'))} | {_cell(via)} "
            f"| {_pct(w.get('improvement') or 0.0)} | {ok} | `{_cell(str(w.get('cflags_shell', '')))}` "
            f"| `{_cell(str(w.get('ldflags_shell', '')))}` |"
        )
    return lines


def _plot_per_module(modules: list[dict], suite: float, out_dir: Path) -> Path:
    from matplotlib.patches import Patch
    from matplotlib.ticker import PercentFormatter

    plt = pyplot()
    ordered = sorted(modules, key=_improvement)
    colours = {True: "tab:green", False: "tab:red"}
    fig, ax = plt.subplots(figsize=(8, 1.5 + 0.25 * len(ordered)))
    ax.barh(
        range(len(ordered)),
        [100 * _improvement(m) for m in ordered],
        color=[colours.get(m.get("verified") is True) for m in ordered],
    )
    ax.set_yticks(range(len(ordered)), [str(m.get("name", "?")) for m in ordered], fontsize=8)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.xaxis.set_major_formatter(PercentFormatter(decimals=1))
    ax.set_xlabel("size reduction vs clang -Oz (positive = smaller)")
    ax.set_title(f"Per-module improvement (suite geomean with -Oz fallback: {100 * suite:+.2f}%)")
    ax.margins(y=0.01)
    ax.legend(
        handles=[Patch(color=colours[True], label="verified"), Patch(color=colours[False], label="unverified")],
        loc="lower right",
    )
    ax.grid(axis="x", alpha=0.3)
    return save_figure(plt, fig, out_dir / "improvement_per_module.png")


def _plot_vs_budget(doc: dict, max_evals: int, out_dir: Path) -> Path:
    from matplotlib.ticker import PercentFormatter

    plt = pyplot()
    # Every trajectory point is a place where the suite curve can change, so evaluate exactly there.
    budgets = sorted({1, max_evals, *(n for m in doc["modules"] for n, _ in _trajectory(m) if n >= 1)})
    values = improvement_by_budget(doc, budgets)
    fig, ax = plt.subplots(figsize=(7, 4))
    ys = [100 * values[b] for b in budgets]
    # Carry the last value past the final budget so a jump at the very end is visible, then label it.
    right = max(max_evals, 2) * 1.3
    ax.step([*budgets, right], [*ys, ys[-1]], where="post", color="tab:blue")
    ax.annotate(
        f"{ys[-1]:+.2f}% at {max_evals}",
        (max_evals, ys[-1]),
        xytext=(-4, 6),
        textcoords="offset points",
        ha="right",
        fontsize=9,
    )
    ax.set_xscale("log")
    ax.set_xlim(1, right)
    ax.margins(y=0.12)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.yaxis.set_major_formatter(PercentFormatter(decimals=1))
    ax.set_xlabel("evaluations per module")
    ax.set_ylabel("suite geomean improvement vs -Oz")
    ax.set_title("Improvement vs search budget (-Oz fallback per module)")
    ax.grid(which="both", alpha=0.3)
    return save_figure(plt, fig, out_dir / "improvement_vs_budget.png")
