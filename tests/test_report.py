"""Report numbers must match hand-computed values; a wrong fallback would silently flatter or punish the search."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from compilerlm.errors import CompilerLMError
from compilerlm.eval.report import improvement_by_budget, load_results, write_report
from compilerlm.plots import ReportFiles

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _module(name: str, size_oz: int, size: int, traj: list[list[int]], **kw) -> dict:
    return {
        "name": name,
        "program": name.split("/")[0],
        "pipeline": "function(sroa,instcombine)",
        "source": "search",
        "size": size,
        "size_oz": size_oz,
        "size_o0": 2 * size_oz,
        "size_o3": size_oz + 100,
        "improvement": 1 - size / size_oz,
        "verified": True,
        "verification": "5/5 tests passed",
        "evaluations": traj[-1][0],
        "length_before": 20,
        "length_after": 5,
        "trajectory": traj,
    } | kw


@pytest.fixture
def doc() -> dict:
    return {
        "version": "0.1.0",
        "strategy": "auto",
        "budget": 200,
        "seed": 0,
        "evaluator": "inprocess",
        "modules": [
            _module("alpha/main.c", 1000, 900, [[1, 1000], [10, 950], [100, 900]]),
            _module("beta/main.c", 2000, 1800, [[5, 1900], [50, 1800]], verified=False, verification="1/5 failed"),
            # Search never beat -Oz: the fallback must count it as ratio 1, not 1.04.
            _module("gamma/lib.c", 500, 520, [[1, 550], [20, 520]], source="Oz", pipeline="default<Oz>"),
            _module("delta/main.c", 800, 760, [[1, 800], [200, 760]]),
        ],
        "summary": {"modules": 4, "evaluations_total": 370, "evaluations_per_second": 25.0},
    }


def test_improvement_by_budget_hand_computed(doc: dict) -> None:
    got = improvement_by_budget(doc, [1, 4, 5, 10, 100, 1000])
    # budget 1 and 4: beta has no point yet (-> size_oz), gamma's 550 falls back to 500.
    assert got[1] == pytest.approx(0.0, abs=1e-12)
    assert got[4] == pytest.approx(0.0, abs=1e-12)
    assert got[5] == pytest.approx(1 - 0.95 ** (1 / 4), rel=1e-12)
    assert got[10] == pytest.approx(1 - (0.95 * 0.95) ** (1 / 4), rel=1e-12)
    assert got[100] == pytest.approx(1 - (0.9 * 0.9) ** (1 / 4), rel=1e-12)
    assert got[1000] == pytest.approx(1 - (0.9 * 0.9 * 0.95) ** (1 / 4), rel=1e-12)
    assert list(got) == [1, 4, 5, 10, 100, 1000]


def test_improvement_by_budget_is_monotone_and_never_negative(doc: dict) -> None:
    values = list(improvement_by_budget(doc, range(1, 301)).values())
    assert all(v >= 0 for v in values)
    assert values == sorted(values)


def test_write_report(doc: dict, tmp_path: Path) -> None:
    files = write_report(doc, tmp_path / "out")
    assert isinstance(files, ReportFiles)
    md = files.markdown.read_text()
    assert files.markdown == tmp_path / "out" / "report.md"
    for m in doc["modules"]:
        assert f"| {m['name']} |" in md
    suite = 1 - math.exp((math.log(0.9) * 2 + math.log(0.95) + math.log(1.0)) / 4)
    assert f"**{100 * suite:+.2f}%**" in md
    assert "Strictly smaller than -Oz: 3/4" in md
    assert "Verified: 3/4" in md
    assert "| -4.00% |" in md  # gamma's own (raw) improvement is shown, negative
    assert "20→5" in md
    assert "| 200 | " + f"{100 * suite:+.2f}%" + " |" in md  # last row of the budget table
    names = sorted(p.name for p in files.plots)
    assert names == ["improvement_per_module.png", "improvement_vs_budget.png"]
    for p in files.plots:
        data = p.read_bytes()
        assert len(data) > 1000
        assert data[:8] == PNG_MAGIC


def test_write_report_tolerates_missing_optional_keys(tmp_path: Path) -> None:
    doc = {"modules": [{"name": "x.c", "size": 90, "size_oz": 100}]}
    files = write_report(doc, tmp_path)
    md = files.markdown.read_text()
    assert "| x.c | – | 100 | – | 90 | +10.00% | –→– | – | – |" in md
    assert all(p.read_bytes()[:8] == PNG_MAGIC for p in files.plots)


def test_load_results_roundtrip(doc: dict, tmp_path: Path) -> None:
    path = tmp_path / "tune.json"
    path.write_text(json.dumps(doc))
    assert load_results(path) == doc


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('{"modules": [', "not valid JSON"),
        ('{"version": "0.1.0", "summary": {}}', "no 'modules' list"),
        ("[1, 2, 3]", "no 'modules' list"),
        ('{"modules": [{"name": "a.c", "size": 10}]}', "size_oz"),
    ],
)
def test_load_results_rejects_bad_files(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CompilerLMError, match=needle) as exc:
        load_results(path)
    assert "\n" not in str(exc.value)
    assert "compilerlm tune" in str(exc.value)


def test_load_results_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CompilerLMError, match="cannot read"):
        load_results(tmp_path / "nope.json")
