"""The speed track's entry: `optimize(TARGET, AsmRequest)` is `compilerlm asm` without the printing.

It owns every decision that command makes — the search settings (`speed.request`: presets, the value checks,
which compilers), which programs a TARGET or a C file with `--tests` gives, the user's own candidates, the
sandbox refusal, the store and resuming, the document `--json` writes, where `--out`'s assembly goes and when a
run has failed. A caller hears how far it is through `AsmProgress`. `AsmRequest`'s fields carry their help and
take their defaults from `speed.config.AsmSearchConfig`, so the command line's options are made from them and
say each default once. (`compilerlm eval asm` is the asm task's item evaluation, `registry.speed`, over the same
suite runner and store records.)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from compilerlm import __version__
from compilerlm.errors import CompilerLMError
from compilerlm.models import SPECS
from compilerlm.programs.names import file_name
from compilerlm.programs.program import Program, load_tests, single_file_program
from compilerlm.programs.suites import resolve_target
from compilerlm.sandbox import sandbox_capabilities
from compilerlm.speed.config import AsmSearchConfig
from compilerlm.speed.outcome import AsmOutcome
from compilerlm.speed.portfolio import CONFIG_NAMES
from compilerlm.speed.request import AsmSearchOptions
from compilerlm.speed.suite import run_asm_suite, runnable_programs, summarize_asm
from compilerlm.store import Store, resumable


@dataclass(kw_only=True)
class AsmRequest(AsmSearchOptions):
    """What an asm run is asked to do; each field's help is `compilerlm asm`'s option help."""

    model: str | None = field(default=None, metadata={"help": f"ask this model too: {SPECS}"})
    samples: int | None = field(default=None, metadata={"help": "--model: answers per program (best of k)"})
    temperature: float | None = field(default=None, metadata={"help": "--model: sampling temperature (0: greedy)"})
    max_tokens: int | None = field(default=None, metadata={"help": "--model: answer token budget"})
    tests: Path | None = field(default=None, metadata={"help": "folder of N.in + N.out tests for a single C file"})
    candidate: list[Path] | None = field(
        default=None, metadata={"help": "your own assembly file, judged beside the others (repeatable)"}
    )
    out: Path | None = field(
        default=None,
        metadata={"help": "write the reported assembly here: a .s file for one program, else a folder of NAME.s"},
    )
    store: Path | None = field(default=None, metadata={"help": "SQLite file: results go here; reruns resume"})
    jobs: int = 1  # programs side by side (the command line gives its own help)

    def search_config(self) -> AsmSearchConfig:
        """The search settings the request asks for; every bad value fails here with one line, before any work."""
        return self.config_for(self.model, self.samples, self.temperature, self.max_tokens)

    def programs(self, target: str) -> list[Program]:
        """TARGET's programs (the first `limit`), or with `tests` the one C file TARGET names, with those tests."""
        if self.tests is None:
            return resolve_target(target)
        path = Path(target)
        if path.suffix != ".c" or not path.is_file():
            raise CompilerLMError(f"--tests goes with a C file; {target} is not one")
        found = load_tests(self.tests)
        if not found:
            raise CompilerLMError(f"{self.tests} holds no tests (expected N.in + N.out files)")
        return [replace(single_file_program(path), tests=found)]


class AsmProgress:
    """How far an asm run is. This base says nothing (a benchmark, a library caller); the command line draws a
    bar. `resolved` hears the programs to run (one C file each) before any work — where a caller checks what
    depends on them, as the command line checks `--out` (`assembly_file`); `running` frames the run and
    `program_done` tells of each finished program."""

    def resolved(self, programs: Sequence[Program]) -> None:
        pass

    @contextmanager
    def running(self, total: int) -> Iterator[None]:
        yield

    def program_done(self, outcome: AsmOutcome) -> None:
        pass


@dataclass
class AsmRun:
    """An asm run's outcomes (in the order of its programs) and the document `--json` writes."""

    outcomes: list[AsmOutcome]
    doc: dict[str, Any]

    @property
    def failure(self) -> str:
        """One line when some program could not be run (its baseline fails its tests, say), else ""."""
        failed = [o for o in self.outcomes if o.error]
        if not failed:
            return ""
        first = " ".join(failed[0].error.split())
        if len(self.outcomes) == 1:
            return first
        return f"{len(failed)} of {len(self.outcomes)} programs could not be run; first: {first}"

    def write_assembly(self, out: Path | None) -> bool:
        """The reported assembly of every program that could be run: one .s file, or NAME.s in a folder (NAME
        made a plain file name by `names.file_name`: a module's `prog/file.c`, a name from a compile database).
        Whether anything was written."""
        usable = [o for o in self.outcomes if not o.error]  # a program that could not be run has no assembly
        if out is None or not usable:
            return False
        if assembly_file(out, len(self.outcomes)):
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(usable[0].assembly)
        else:
            out.mkdir(parents=True, exist_ok=True)
            for o in usable:
                (out / f"{file_name(o.name)}.s").write_text(o.assembly)
        return True


def assembly_file(out: Path | None, programs: int) -> bool:
    """Whether `--out` is one .s file (for one program) rather than a folder of NAME.s."""
    return out is not None and out.suffix == ".s" and programs == 1


def compiler_names() -> tuple[str, ...]:
    """The portfolio's configurations, as `--compilers` takes them."""
    return CONFIG_NAMES


def optimize(target: str, request: AsmRequest, progress: AsmProgress | None = None) -> AsmRun:
    """Faster assembly for every single-file C program of TARGET (`speed.optimize.optimize_program` for each,
    resumed from `store`); returns the outcomes and the document `compilerlm asm --json` writes."""
    progress = progress or AsmProgress()
    config = request.search_config()
    programs = request.programs(target)
    given = read_candidates(request.candidate or [], programs)
    runnable, skipped = runnable_programs(programs)
    progress.resolved(runnable)
    confinement = sandbox_capabilities()
    db = Store(request.store) if request.store else None
    with resumable(request.store, db), progress.running(len(runnable)):
        outcomes = run_asm_suite(
            runnable,
            config,
            model_spec=request.model,
            store=db,
            jobs=request.jobs,
            on_program=lambda _, outcome: progress.program_done(outcome),
            given=given,
        )
    doc = {
        "version": __version__,
        "settings": config.key(request.model),
        "summary": summarize_asm(outcomes, skipped),
        "sandbox": confinement,
        "programs": [o.to_json() for o in outcomes],
    }
    return AsmRun(outcomes, doc)


def read_candidates(paths: Sequence[Path], programs: Sequence[Program]) -> list[tuple[str, str]]:
    """(file name, text) of the user's own assembly files; they belong to one program."""
    if not paths:
        return []
    if len(programs) != 1:
        raise CompilerLMError(f"--candidate goes with one program; the target holds {len(programs)}")
    for path in paths:
        if not path.is_file():
            raise CompilerLMError(f"--candidate {path} is not a file; give an assembly (.s) file")
    return [(path.name, path.read_text(errors="surrogateescape")) for path in paths]
