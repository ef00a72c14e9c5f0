"""The command line stays thin (issue 26): a command parses, calls one library entry and prints.

A static check over src/compilerlm/cli/*.py, two rules:

1. Every name the package imports from `compilerlm` (outside `compilerlm.cli` and `if TYPE_CHECKING:` blocks) is
   in `ALLOWED`, with its kind and a one-line reason: an ENTRY (the one call a command makes into the library), a
   PARSE helper (a request or config, a progress base the command draws, an option check, a help text), SHOW
   (formatting and writing what an entry returned), an ERROR, or a TYPE (named in annotations, never called).
   A command that reaches past its entry needs a new import, and the import needs a line here.
2. Each function of the package calls at most one distinct ENTRY on each path: an `if` block at the top of a
   function that ends in `return` (`tune --export-library`, `asm --list-compilers`) is a path of its own, and
   module level (import time) calls none. `KNOWN` lists the commands that break this rule today, each with what
   it does; the test fails when one of them no longer does (then the line goes).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import compilerlm

CLI = Path(compilerlm.__file__).parent / "cli"

ENTRY, PARSE, SHOW, ERROR, TYPE = "entry", "parse", "show", "error", "type"

ALLOWED: dict[str, tuple[str, str]] = {
    # ENTRY: the one library call of a command
    "compilerlm.tracks.size.tune_target": (ENTRY, "tune"),
    "compilerlm.tracks.size.export_library": (ENTRY, "tune --export-library (a path of its own)"),
    "compilerlm.tracks.speed.optimize": (ENTRY, "asm"),
    "compilerlm.tracks.speed.compiler_names": (ENTRY, "asm --list-compilers (a path of its own)"),
    "compilerlm.tracks.measure.measure_target": (ENTRY, "size"),
    "compilerlm.tracks.measure.pass_listing": (ENTRY, "passes"),
    "compilerlm.eval.tasks.evaluate_task": (ENTRY, "eval TASK"),
    "compilerlm.corpus.build.build_from_manifest": (ENTRY, "corpus build"),
    "compilerlm.ranker.labels.label_corpus": (ENTRY, "corpus label"),
    "compilerlm.data.build.build_dataset": (ENTRY, "data TASK"),
    "compilerlm.train.sft.run_sft": (ENTRY, "train sft"),
    "compilerlm.train.rl.run_rl": (ENTRY, "train rl"),
    "compilerlm.ranker.model.train_ranker_file": (ENTRY, "train ranker"),
    "compilerlm.toolchain.cc.run_cc": (ENTRY, "cc"),
    "compilerlm.models.server.serve_spec": (ENTRY, "serve"),
    "compilerlm.programs.suites.builtin_programs": (ENTRY, "suites --programs"),
    # PARSE: what a command makes of its options and hands to its entry
    "compilerlm.tracks.size.TuneRequest": (PARSE, "tune's options as the size track's request"),
    "compilerlm.tracks.size.TuneProgress": (PARSE, "the progress base tune's bars subclass"),
    "compilerlm.tracks.size.SIZE_SEARCH": (PARSE, "the size track's search handed to data flags and corpus label"),
    "compilerlm.tracks.speed.AsmRequest": (PARSE, "asm's options as the speed track's request"),
    "compilerlm.tracks.speed.AsmProgress": (PARSE, "the progress base asm's bar subclasses"),
    "compilerlm.tracks.speed.assembly_file": (PARSE, "whether --out is one .s file, to check it before work"),
    "compilerlm.tracks.measure.SizeRequest": (PARSE, "size's options as the measurement's request"),
    "compilerlm.eval.tasks.TaskRequest": (PARSE, "eval TASK's options as the evaluation's request"),
    "compilerlm.eval.tasks.TaskProgress": (PARSE, "the progress base eval's bars subclass"),
    "compilerlm.eval.report.load_results": (PARSE, "report reads the results file it is given"),
    "compilerlm.ranker.labels.LabelConfig": (PARSE, "corpus label's options"),
    "compilerlm.ranker.model.RankerConfig": (PARSE, "train ranker's options"),
    "compilerlm.corpus.manifest.DEFAULT_MANIFEST": (PARSE, "corpus build's default --manifest"),
    "compilerlm.data.build.DataConfig": (PARSE, "data TASK's shared options"),
    "compilerlm.train.config.SFTRunConfig": (PARSE, "train sft's options"),
    "compilerlm.train.config.RLRunConfig": (PARSE, "train rl's options"),
    "compilerlm.train.config.LoraSettings": (PARSE, "--lora and --lora-r"),
    "compilerlm.train.rl.trainable": (PARSE, "--task NAME looked up among the tasks with a reward"),
    "compilerlm.train.rl.check_algo": (PARSE, "--algo checked before any work"),
    "compilerlm.toolchain.cc.TunedIndex": (PARSE, "cc's --tuned files read into run_cc's argument"),
    "compilerlm.models.completions_api.Limits": (PARSE, "serve's limit options"),
    "compilerlm.models.SPECS": (PARSE, "help text: the model specs"),
    "compilerlm.programs.suites.TARGET_HELP": (PARSE, "help text: what a TARGET names"),
    "compilerlm.toolchain.targets.TRIPLE_HELP": (PARSE, "help text: the machines --target names"),
    "compilerlm.toolchain.targets.HOST": (PARSE, "--target's default (data's shared options are written out)"),
    "compilerlm.registry": (PARSE, "the data, eval and train groups are made from the task registry"),
    # SHOW: formatting and writing an entry's result
    "compilerlm.__version__": (SHOW, "--version"),
    "compilerlm.programs.names.printable": (SHOW, "outside text made safe to print"),
    "compilerlm.programs.suites.TARGETS": (SHOW, "the table `suites` prints"),
    "compilerlm.eval.tasks.format_table": (SHOW, "eval TASK's table"),
    "compilerlm.eval.tasks.write_task_report": (SHOW, "eval TASK --report"),
    "compilerlm.eval.report.write_report": (SHOW, "report's markdown and plots"),
    # ERROR
    "compilerlm.errors.CompilerLMError": (ERROR, "one-line errors"),
    "compilerlm.errors.Interrupted": (ERROR, "main's exit after Ctrl-C with a store"),
    "compilerlm.errors.Terminated": (ERROR, "main's exit after SIGTERM"),
    # TYPE: annotations only
    "compilerlm.tracks.speed.AsmRun": (TYPE, "asm's result in write_results' signature"),
    "compilerlm.corpus.build.Event": (TYPE, "corpus build's progress events"),
    "compilerlm.programs.program.Program": (TYPE, "tune's BarProgress.resolved"),
    "compilerlm.search.progress.SearchProgress": (TYPE, "tune's BarProgress.searching"),
    "compilerlm.search.tune.ModuleResult": (TYPE, "tune's progress lines"),
}

KNOWN: dict[tuple[str, str], str] = {
    # (file, function): what it does that an entry should do for it (none today)
}


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    function: str  # "<import>", "<module>" or the function's name
    message: str

    def __str__(self) -> str:
        return f"cli/{self.file}:{self.line}: {self.message}"


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module) -> list[tuple[int, str, str]]:
    """(line, local name, qualified name) of each `compilerlm` name imported outside `compilerlm.cli` and outside
    `if TYPE_CHECKING:`, function-local imports included."""
    skipped = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _type_checking(node)
        for stmt in node.body
        for n in ast.walk(stmt)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative to compilerlm.cli
                base = "compilerlm.cli".rsplit(".", node.level - 1)[0] if node.level > 1 else "compilerlm.cli"
                module = f"{base}.{module}" if module else base
            if module.split(".")[0] != "compilerlm":
                continue
            for alias in node.names:
                qualified = f"{module}.{alias.name}"
                if not (qualified + ".").startswith("compilerlm.cli."):
                    found.append((node.lineno, alias.asname or alias.name, qualified))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "compilerlm" and not alias.name.startswith("compilerlm.cli"):
                    found.append((node.lineno, alias.asname or alias.name.split(".")[0], alias.name))
    return found


def _called(node: ast.Call) -> str | None:
    """The local name a call goes through: `f(...)`, or `f` of `f.load(...)` / `registry.tasks(...)`."""
    func = node.func
    while isinstance(func, ast.Attribute):
        func = func.value
    return func.id if isinstance(func, ast.Name) else None


def _paths(body: list[ast.stmt]) -> list[list[ast.AST]]:
    """A function's paths: an `if` at its top level whose block ends in `return` is one (a mode such as
    --list-compilers), the rest another."""
    main: list[ast.AST] = []
    early: list[list[ast.AST]] = []
    for stmt in body:
        if isinstance(stmt, ast.If) and not stmt.orelse and isinstance(stmt.body[-1], ast.Return):
            main.append(stmt.test)
            early.append(list(stmt.body))
        else:
            main.append(stmt)
    return [main, *early]


def check_source(source: str, file: str) -> list[Problem]:
    """What breaks the two rules in one cli module's source."""
    tree = ast.parse(source)
    problems = []
    names: dict[str, str] = {}
    for line, local, qualified in _imports(tree):
        if qualified not in ALLOWED:
            problems.append(
                Problem(
                    file,
                    line,
                    "<import>",
                    f"imports {qualified} (as {local}), which is no entry, parse, show, error or type helper in "
                    "tests/test_thin_cli.py's ALLOWED: call it from the command's entry, or list it there with why",
                )
            )
            continue
        names[local] = qualified

    def kind(call: ast.Call) -> str | None:
        local = _called(call)
        return ALLOWED[names[local]][0] if local in names else None

    functions: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []
    module_level: list[ast.AST] = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.append((stmt.name, stmt))
        elif isinstance(stmt, ast.ClassDef):
            methods = (s for s in stmt.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)))
            functions += [(f"{stmt.name}.{m.name}", m) for m in methods]
        else:
            module_level.append(stmt)
    for node in (n for stmt in module_level for n in ast.walk(stmt)):
        if isinstance(node, ast.Call) and kind(node) == ENTRY:
            problems.append(
                Problem(
                    file,
                    node.lineno,
                    "<module>",
                    f"calls {names[_called(node) or '']} at import: module level "
                    "runs before every command, so no entry is called there",
                )
            )
    for name, function in functions:
        for path in _paths(function.body):
            calls = [n for stmt in path for n in ast.walk(stmt) if isinstance(n, ast.Call)]
            entries: dict[str, int] = {}
            for call in calls:
                local = _called(call) or ""
                if kind(call) == TYPE:
                    problems.append(Problem(file, call.lineno, name, f"{name} calls {names[local]}, a type only"))
                elif kind(call) == ENTRY:
                    entries.setdefault(names[local], call.lineno)
            if len(entries) > 1:
                listed = ", ".join(f"{q.removeprefix('compilerlm.')} (line {ln})" for q, ln in entries.items())
                problems.append(
                    Problem(
                        file,
                        function.lineno,
                        name,
                        f"{name} calls {len(entries)} library entries on one path: {listed}; a command calls one "
                        "entry, which does the rest",
                    )
                )
    return problems


def _cli_problems() -> list[Problem]:
    return [p for path in sorted(CLI.glob("*.py")) for p in check_source(path.read_text(), path.name)]


def test_the_cli_imports_only_entries_and_their_helpers_and_calls_one_entry_per_command():
    problems = _cli_problems()
    new = [p for p in problems if (p.file, p.function) not in KNOWN]
    assert not new, "the command line reaches past its entries:\n" + "\n".join(map(str, new))
    fixed = [
        f"cli/{file} {function}"
        for file, function in KNOWN
        if not any((p.file, p.function) == (file, function) for p in problems)
    ]
    assert not fixed, f"no longer calls more than one entry, so remove it from KNOWN: {', '.join(fixed)}"


def test_every_allowed_name_is_still_imported():
    """The allow-list is the map of what the command line takes from the library: a name no module imports goes."""
    imported = {q for path in CLI.glob("*.py") for _, _, q in _imports(ast.parse(path.read_text()))}
    stale = sorted(set(ALLOWED) - imported)
    assert not stale, f"ALLOWED names that cli/ no longer imports (remove them): {', '.join(stale)}"


SYNTHETIC = """
from typing import TYPE_CHECKING

from compilerlm.cli.common import console
from compilerlm.search.tune import search_module
from compilerlm.tracks.measure import measure_target
from compilerlm.tracks.size import TuneRequest, export_library, tune_target

if TYPE_CHECKING:
    from compilerlm.store import Store


def run(target, store, **options):
    from compilerlm.search.verify import verify_program as verify

    result = search_module(target)
    verify(result)
    console.print(result)


def both(target, **options):
    doc = tune_target(target, TuneRequest(**options))
    sizes = measure_target(target, doc)
    console.print(sizes)


def modes(target, export, **options):
    if export:
        export_library(export)
        return
    tune_target(target, TuneRequest(**options))
"""


def test_the_check_reports_a_command_that_reaches_into_the_library():
    problems = [str(p) for p in check_source(SYNTHETIC, "fake.py")]
    assert any(
        p.startswith("cli/fake.py:5: imports compilerlm.search.tune.search_module (as search_module)") for p in problems
    ), problems
    assert any(
        p.startswith("cli/fake.py:14: imports compilerlm.search.verify.verify_program (as verify)") for p in problems
    ), problems
    assert any(
        p.startswith(
            "cli/fake.py:21: both calls 2 library entries on one path: tracks.size.tune_target (line 22), "
            "tracks.measure.measure_target (line 23)"
        )
        for p in problems
    ), problems
    # a mode that returns early is a path of its own; a TYPE_CHECKING import is an annotation's
    assert len(problems) == 3, problems


def test_the_check_reports_an_entry_at_import_and_a_type_called():
    source = (
        "from compilerlm.tracks.speed import compiler_names\nfrom compilerlm.search.tune import ModuleResult\n"
        "NAMES = compiler_names()\n\ndef f():\n    return ModuleResult()\n"
    )
    problems = [str(p) for p in check_source(source, "fake.py")]
    assert problems == [
        "cli/fake.py:3: calls compilerlm.tracks.speed.compiler_names at import: module level runs before every "
        "command, so no entry is called there",
        "cli/fake.py:6: f calls compilerlm.search.tune.ModuleResult, a type only",
    ]
