"""Imports go downward only (docs/design.md, "Layers"): every `compilerlm` import in the package, function-local
ones included, reaches only a lower layer or its own package. A new top-level module must be placed here."""

from __future__ import annotations

import ast
from pathlib import Path

import compilerlm

LAYERS = [
    {"__init__", "errors", "stats", "cache", "shapes", "plots"},
    {"parallel"},
    {"toolchain", "sandbox", "measure", "models", "ray_tasks"},
    {"programs", "store"},
    {"confined_tools"},
    {"search"},
    {"tasks"},
    {"speed", "corpus"},
    {"ranker"},
    {"registry"},
    {"data"},
    {"train", "eval"},
    {"tracks"},
    {"cli"},
    {"launcher"},
]
LEVEL = {name: level for level, names in enumerate(LAYERS) for name in names}
PACKAGE = Path(compilerlm.__file__).parent


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "compilerlm":
            if node.module == "compilerlm":  # from compilerlm import registry, __version__
                found += [(node.lineno, f"compilerlm.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] == "compilerlm"]
    return found


def test_every_import_goes_down():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if "builtin" in relative.parts:  # the built-in programs' own helper scripts
            continue
        own = relative.parts[0].removesuffix(".py")
        assert own in LEVEL, f"{relative}: place the top-level module {own!r} in a layer of tests/test_layers.py"
        for line, module in _imports(path):
            target = _top(module)
            if target == own or target == "__version__":
                continue
            assert target in LEVEL, f"{relative}:{line} imports {module}, which is in no layer"
            if LEVEL[target] >= LEVEL[own]:
                upward.append(f"{relative}:{line} ({own}, layer {LEVEL[own]}) imports {module} (layer {LEVEL[target]})")
    assert not upward, "imports that do not go down:\n" + "\n".join(upward)


def test_the_check_sees_an_upward_import(tmp_path):
    """The parser finds function-local imports and `from compilerlm import x` (else the test above proves nothing)."""
    path = tmp_path / "m.py"
    path.write_text("def f():\n    from compilerlm.cli.common import console\n\nfrom compilerlm import registry\n")
    assert sorted(_imports(path)) == [(2, "compilerlm.cli.common"), (4, "compilerlm.registry")]


def _design_rows() -> dict[str, str]:
    """docs/design.md's module table: the first cell (`name.py` or `package/`) to the row's text."""
    text = (PACKAGE.parents[1] / "docs" / "design.md").read_text()
    rows = {}
    for line in text.splitlines():
        cells = line.split(" | ")
        if line.startswith("| `") and len(cells) > 2:
            rows[cells[0].removeprefix("| ").strip("`")] = line
    return rows


def test_the_design_documents_every_package_and_module():
    """Each top-level module has its row in docs/design.md, and each module of a package is named in its
    package's row: the map a new reader starts from stays the whole map."""
    rows = _design_rows()
    missing = []
    for path in sorted(PACKAGE.iterdir()):
        if path.is_dir() and (path / "__init__.py").is_file():
            row = rows.get(f"{path.name}/", "")
            modules = [m for m in sorted(path.glob("*.py")) if m.stem != "__init__" and m.stem != "__main__"]
            if not row:
                missing.append(f"{path.name}/")
            missing += [f"{path.name}/{m.name}" for m in modules if row and f"`{m.stem}" not in row]
        elif path.suffix == ".py" and path.stem != "__init__" and path.name not in rows:
            missing.append(path.name)
    assert not missing, f"docs/design.md's module table does not name: {', '.join(missing)}"
