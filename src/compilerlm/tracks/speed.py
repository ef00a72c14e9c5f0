"""The speed track's entry: `optimize(TARGET, AsmRequest)` is `compilerlm asm` / `compilerlm eval asm` without
the printing.

It owns every decision those commands make — the model presets and which options win over them, the checks of
`--protocol` and the other values, which compilers `--compilers` names (all without a model, none with one),
which programs a TARGET or a C file with `--tests` gives, the user's own candidates, the sandbox refusal, the
store and resuming, the document `--json` writes, where `--out`'s assembly goes and when a run has failed. A
caller hears how far it is through `AsmProgress`. `AsmRequest`'s fields carry their help and take their defaults
from `speed.config.AsmSearchConfig`, so the command line's options are made from them and say each default once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from compilerlm import __version__
from compilerlm.errors import CompilerLMError
from compilerlm.eval.speed import run_asm_suite, single_file_c, summarize_asm
from compilerlm.models import SPECS
from compilerlm.programs.names import file_name
from compilerlm.programs.program import Program, load_tests, single_file_program
from compilerlm.programs.suites import resolve_target
from compilerlm.sandbox import sandbox_capabilities
from compilerlm.speed.config import AsmSearchConfig
from compilerlm.speed.outcome import AsmOutcome
from compilerlm.speed.portfolio import CONFIG_NAMES, portfolio
from compilerlm.store import Store, resumable

DEFAULT = AsmSearchConfig()  # the search's own defaults: the options below and the 'compilerlm' preset use them


@dataclass(frozen=True, kw_only=True)
class ModelSettings:
    """A preset's --model settings (fields of AsmSearchConfig)."""

    samples: int
    rounds: int
    temperature: float
    max_tokens: int

    def described(self) -> str:
        """The settings in words, for `--preset`'s help (made from the table, so the two cannot disagree)."""
        answers = "one answer" if self.samples == 1 else f"best of {self.samples}"
        how = "greedy" if self.temperature == 0 else f"temperature {self.temperature:g}"
        repairs = "no repair rounds" if self.rounds == 0 else f"{self.rounds} repair rounds"
        return f"{answers}, {how}, {self.max_tokens:,} tokens, {repairs}"


PRESETS: dict[str, ModelSettings] = {
    "supercoder": ModelSettings(samples=1, rounds=0, temperature=0.0, max_tokens=2000),  # the paper's evaluation
    "compilerlm": ModelSettings(  # best of k, then repairs: the search's defaults
        samples=DEFAULT.samples, rounds=DEFAULT.rounds, temperature=DEFAULT.temperature, max_tokens=DEFAULT.max_tokens
    ),
}
PRESET_NOTES = {"supercoder": "the paper's evaluation", "compilerlm": "ours"}
PROTOCOLS = ("compilerlm", "supercoder")
PRESET_HELP = (
    "--model settings: "
    + " or ".join(f"'{name}' ({PRESET_NOTES[name]}: {s.described()})" for name, s in PRESETS.items())
    + "; options given win"
)


@dataclass(kw_only=True)
class AsmRequest:
    """What an asm run is asked to do; each field's help is the command line's option help (`asm` leaves out
    `limit` and `ray`, `eval asm` `tests` and `candidate`)."""

    model: str | None = field(default=None, metadata={"help": f"ask this model too: {SPECS}"})
    preset: str = field(default="compilerlm", metadata={"help": PRESET_HELP})
    samples: int | None = field(default=None, metadata={"help": "--model: answers per program (best of k)"})
    rounds: int | None = field(
        default=None, metadata={"help": "--model: repair rounds fed the assembler error or a visible test's diff"}
    )
    temperature: float | None = field(default=None, metadata={"help": "--model: sampling temperature (0: greedy)"})
    max_tokens: int | None = field(default=None, metadata={"help": "--model: answer token budget"})
    compilers: str | None = field(
        default=None,
        metadata={
            "help": "compiler configurations, comma-separated ('none': no portfolio); default: all without --model, "
            "none with it. See 'compilerlm asm --list-compilers'"
        },
    )
    budget: int | None = field(
        default=DEFAULT.budget,
        metadata={
            "help": "compilations per program: the portfolio first, then a search over gcc/clang flags and "
            "parameters, and hot functions combined from the fastest configurations (default: the portfolio only)"
        },
    )
    tests: Path | None = field(default=None, metadata={"help": "folder of N.in + N.out tests for a single C file"})
    candidate: list[Path] | None = field(
        default=None, metadata={"help": "your own assembly file, judged beside the others (repeatable)"}
    )
    limit: int | None = field(default=None, metadata={"help": "first N programs only"})
    out: Path | None = field(
        default=None,
        metadata={"help": "write the reported assembly here: a .s file for one program, else a folder of NAME.s"},
    )
    store: Path | None = field(default=None, metadata={"help": "SQLite file: results go here; reruns resume"})
    ray: str | None = field(default=None, metadata={"help": "run programs as Ray tasks: 'local', 'auto' or ray://..."})
    runs: int = field(
        default=DEFAULT.runs, metadata={"help": "timed runs per test for each candidate (twice that for the winner)"}
    )
    instructions: bool = field(
        default=DEFAULT.instructions, metadata={"help": "count instructions of the winners (perf or valgrind)"}
    )
    seed: int = field(default=DEFAULT.seed, metadata={"help": "visible/hidden split and mutants"})
    mutants: int = field(
        default=DEFAULT.mutants,
        metadata={"help": "differential tests per program: mutated visible inputs, judged by the -O0 build"},
    )
    protocol: str = field(
        default=DEFAULT.protocol,
        metadata={
            "help": "'supercoder': also time the reported assembly as SuperCoder does (3 warm-ups + 10 runs per "
            "side and test as hyperfine, on checked runs; unseen tests clamped at 1.0, arithmetic mean) and print "
            "its table beside ours"
        },
    )
    allow_empty_output: bool = field(
        default=DEFAULT.allow_empty_output,
        metadata={"help": "accept programs whose every test expects empty output (anything silent would pass)"},
    )
    jobs: int = 1  # programs side by side (the command line gives its own help)

    def model_settings(self) -> ModelSettings:
        """The preset's model settings, each option given winning over it."""
        if self.preset not in PRESETS:
            raise CompilerLMError(f"unknown --preset {self.preset!r}: choose {' or '.join(PRESETS)}")
        preset = PRESETS[self.preset]
        return ModelSettings(
            samples=preset.samples if self.samples is None else self.samples,
            rounds=preset.rounds if self.rounds is None else self.rounds,
            temperature=preset.temperature if self.temperature is None else self.temperature,
            max_tokens=preset.max_tokens if self.max_tokens is None else self.max_tokens,
        )

    def compiler_names(self) -> tuple[str, ...] | None:
        """The portfolio configurations asked for (None: all; (): none); an unknown name fails here."""
        if self.compilers is None:
            return () if self.model else None
        if self.compilers.strip() == "none":
            return ()
        names = tuple(n.strip() for n in self.compilers.split(",") if n.strip())
        portfolio(names)
        return names

    def search_config(self) -> AsmSearchConfig:
        """The search settings the request asks for; every bad value fails here with one line, before any work."""
        chosen = self.model_settings()
        if self.protocol not in PROTOCOLS:
            raise CompilerLMError(f"unknown --protocol {self.protocol!r}: choose {' or '.join(PROTOCOLS)}")
        budget_ok = self.budget is None or self.budget >= 1
        if chosen.samples < 1 or chosen.rounds < 0 or self.runs < 2 or not budget_ok or self.mutants < 0:
            raise CompilerLMError("need --samples >= 1, --rounds >= 0, --runs >= 2, --budget >= 1 and --mutants >= 0")
        names = self.compiler_names()
        if self.model is None and names == ():
            raise CompilerLMError("nothing makes candidates: give --model SPEC or compiler configurations")
        return AsmSearchConfig(
            compilers=names,
            samples=chosen.samples,
            rounds=chosen.rounds,
            temperature=chosen.temperature,
            max_tokens=chosen.max_tokens,
            seed=self.seed,
            runs=self.runs,
            final_runs=2 * self.runs,
            instructions=self.instructions,
            protocol=self.protocol,
            allow_empty_output=self.allow_empty_output,
            budget=self.budget,
            mutants=self.mutants,
        )

    def programs(self, target: str) -> list[Program]:
        """TARGET's programs (the first `limit`), or with `tests` the one C file TARGET names, with those tests."""
        if self.tests is None:
            return resolve_target(target)[: self.limit]
        path = Path(target)
        if path.suffix != ".c" or not path.is_file():
            raise CompilerLMError(f"--tests goes with a C file; {target} is not one")
        found = load_tests(self.tests)
        if not found:
            raise CompilerLMError(f"{self.tests} holds no tests (expected N.in + N.out files)")
        return [replace(single_file_program(path), tests=found)]


@dataclass(kw_only=True)
class SuiteRequest(AsmRequest):
    """`eval asm`: a suite scored as the paper scores it, so the model settings follow the paper by default."""

    preset: str = field(default="supercoder", metadata={"help": PRESET_HELP})


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
    runnable, skipped = single_file_c(programs)
    if not runnable:
        raise CompilerLMError("no single-file C program among the targets: the asm task takes one .c file per program")
    progress.resolved(runnable)
    confinement = sandbox_capabilities()
    if not confinement["confined"]:  # fail closed, once, before any work: every build and run needs it
        raise CompilerLMError(str(confinement["refusal"]))
    db = Store(request.store) if request.store else None
    with resumable(request.store, db), progress.running(len(runnable)):
        outcomes = run_asm_suite(
            runnable,
            config,
            model_spec=request.model,
            store=db,
            jobs=request.jobs,
            ray_address=request.ray,
            on_program=progress.program_done,
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
