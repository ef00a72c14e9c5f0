"""Figures written to files: every report (tune, task evaluations, the speed suite) draws with the same backend
and saves the same way, on machines without a display."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class ReportFiles:
    markdown: Path
    plots: list[Path]


def pyplot() -> Any:
    """matplotlib with the file-only backend (reports are written on machines without a display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(plt: Any, fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
