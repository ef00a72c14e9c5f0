"""`compilerlm asm`: assembly faster than gcc -O3 for one program (or a TARGET), and what `compilerlm eval
asm` shares with it: the --model/--samples/--rounds/--compilers options, the search settings they make and the
run over programs with a progress bar."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypedDict

import typer
from rich.table import Table

from compilerlm import __version__
from compilerlm.cli.common import (
    check_output_file,
    check_output_folder,
    console,
    jobs_option,
    progress_bar,
    resumable,
    shown,
)
from compilerlm.errors import CompilerLMError
from compilerlm.models import SPECS
from compilerlm.programs.names import file_name
from compilerlm.programs.suites import TARGET_HELP

if TYPE_CHECKING:
    from compilerlm.programs.program import Program


ModelOpt = Annotated[str | None, typer.Option("--model", help=f"ask this model too: {SPECS}")]


class ModelSettings(TypedDict):
    """A preset's --model settings (fields of AsmSearchConfig)."""

    samples: int
    rounds: int
    temperature: float
    max_tokens: int


PRESETS: dict[str, ModelSettings] = {
    "supercoder": {"samples": 1, "rounds": 0, "temperature": 0.0, "max_tokens": 2000},  # the paper's evaluation
    "compilerlm": {"samples": 4, "rounds": 2, "temperature": 0.7, "max_tokens": 4096},  # best of 4, then repairs
}
PresetOpt = Annotated[
    str,
    typer.Option(
        help="--model settings: 'supercoder' (the paper's evaluation: greedy, 2,000 tokens, one answer) or "
        "'compilerlm' (best of 4 at temperature 0.7, 4,096 tokens, 2 repair rounds); options given win"
    ),
]
SamplesOpt = Annotated[int | None, typer.Option(help="--model: answers per program (best of k)")]
RoundsOpt = Annotated[
    int | None, typer.Option(help="--model: repair rounds fed the assembler error or a visible test's diff")
]
TemperatureOpt = Annotated[float | None, typer.Option(help="--model: sampling temperature (0: greedy)")]
ProtocolOpt = Annotated[
    str,
    typer.Option(
        help="'supercoder': also time the reported assembly as SuperCoder does (3 warm-ups + 10 runs per side "
        "and test as hyperfine, on checked runs; unseen tests clamped at 1.0, arithmetic mean) and print its table "
        "beside ours"
    ),
]
BudgetOpt = Annotated[
    int | None,
    typer.Option(
        help="compilations per program: the portfolio first, then a search over gcc/clang flags and parameters, "
        "and hot functions combined from the fastest configurations (default: the portfolio only)"
    ),
]
AllowEmptyOpt = Annotated[
    bool, typer.Option(help="accept programs whose every test expects empty output (anything silent would pass)")
]
CompilersOpt = Annotated[
    str | None,
    typer.Option(
        help="compiler configurations, comma-separated ('none': no portfolio); default: all without --model, "
        "none with it. See 'compilerlm asm --list-compilers'"
    ),
]
MaxTokensOpt = Annotated[int | None, typer.Option(help="--model: answer token budget")]
StoreOpt = Annotated[Path | None, typer.Option(help="SQLite file: results go here; reruns resume")]
ProgramJobsOpt = Annotated[int, jobs_option("programs side by side (timing gets noisier)")]
RunsOpt = Annotated[int, typer.Option(help="timed runs per test for each candidate (twice that for the winner)")]
SeedOpt = Annotated[int, typer.Option(help="visible/hidden split and mutants")]
MutantsOpt = Annotated[
    int, typer.Option(help="differential tests per program: mutated visible inputs, judged by the -O0 build")
]


SEARCH_OPTIONS = (
    "preset", "samples", "rounds", "temperature", "max_tokens", "runs", "instructions", "seed", "protocol",
    "allow_empty_output", "budget", "mutants",
)  # fmt: skip
"""The options of `asm` and `eval asm` that make the search settings (keyword arguments of asm_search_config)."""


def asm_search_config(
    model: str | None,
    compilers: str | None,
    *,
    preset: str,
    samples: int | None,
    rounds: int | None,
    temperature: float | None,
    max_tokens: int | None,
    runs: int,
    instructions: bool,
    seed: int,
    protocol: str = "compilerlm",
    allow_empty_output: bool = False,
    budget: int | None = None,
    mutants: int = 8,
):
    """The search settings the options ask for (model settings from ``preset`` unless given); bad values and
    unknown compilers fail here, before any work."""
    from compilerlm.speed.portfolio import portfolio
    from compilerlm.speed.search import AsmSearchConfig

    if preset not in PRESETS:
        raise CompilerLMError(f"unknown --preset {preset!r}: choose {' or '.join(PRESETS)}")
    if protocol not in ("compilerlm", "supercoder"):
        raise CompilerLMError(f"unknown --protocol {protocol!r}: choose compilerlm or supercoder")
    default = PRESETS[preset]
    chosen = ModelSettings(
        samples=default["samples"] if samples is None else samples,
        rounds=default["rounds"] if rounds is None else rounds,
        temperature=default["temperature"] if temperature is None else temperature,
        max_tokens=default["max_tokens"] if max_tokens is None else max_tokens,
    )
    if chosen["samples"] < 1 or chosen["rounds"] < 0 or runs < 2 or (budget is not None and budget < 1) or mutants < 0:
        raise CompilerLMError("need --samples >= 1, --rounds >= 0, --runs >= 2, --budget >= 1 and --mutants >= 0")
    names: tuple[str, ...] | None
    if compilers is None:
        names = () if model else None
    elif compilers.strip() == "none":
        names = ()
    else:
        names = tuple(n.strip() for n in compilers.split(",") if n.strip())
        portfolio(names)  # unknown names fail here, before any work
    if model is None and names == ():
        raise CompilerLMError("nothing makes candidates: give --model SPEC or compiler configurations")
    return AsmSearchConfig(
        compilers=names,
        **chosen,
        seed=seed,
        runs=runs,
        final_runs=2 * runs,
        instructions=instructions,
        protocol=protocol,
        allow_empty_output=allow_empty_output,
        budget=budget,
        mutants=mutants,
    )


def run_asm(
    programs: list[Program],
    config,
    model: str | None,
    store: Path | None,
    jobs: int,
    ray: str | None,
    given: list[tuple[str, str]] | None = None,
):
    """Run the speed task over programs with a progress bar; returns (outcomes, summary document)."""
    from compilerlm.eval.speed import run_asm_suite, single_file_c, summarize_asm
    from compilerlm.sandbox import sandbox_capabilities
    from compilerlm.store import Store

    runnable, skipped = single_file_c(programs)
    if not runnable:
        raise CompilerLMError("no single-file C program among the targets: the asm task takes one .c file per program")
    confinement = sandbox_capabilities()
    if not confinement["confined"]:  # fail closed, once, before any work: every build and run needs it
        raise CompilerLMError(str(confinement["refusal"]))
    db = Store(store) if store else None
    with resumable(store, db), progress_bar() as bar:
        task = bar.add_task("asm", total=len(runnable))
        outcomes = run_asm_suite(
            runnable,
            config,
            model_spec=model,
            store=db,
            jobs=jobs,
            ray_address=ray,
            on_program=lambda _: bar.advance(task),
            given=given or (),
        )
    doc = {
        "version": __version__,
        "settings": config.key(model),
        "summary": summarize_asm(outcomes, skipped),
        "sandbox": confinement,
        "programs": [o.to_json() for o in outcomes],
    }
    return outcomes, doc


def asm(
    program: Annotated[str, typer.Argument(help=f"a C file (with --tests DIR), or a TARGET: {TARGET_HELP}")] = "",
    tests: Annotated[Path | None, typer.Option(help="folder of N.in + N.out tests for a single C file")] = None,
    model: ModelOpt = None,
    preset: PresetOpt = "compilerlm",
    samples: SamplesOpt = None,
    rounds: RoundsOpt = None,
    temperature: TemperatureOpt = None,
    max_tokens: MaxTokensOpt = None,
    compilers: CompilersOpt = None,
    budget: BudgetOpt = None,
    candidate: Annotated[
        list[Path] | None, typer.Option(help="your own assembly file, judged beside the others (repeatable)")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="write the chosen assembly here (a .s file, or a folder)")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="write the results as JSON here")] = None,
    store: StoreOpt = None,
    jobs: ProgramJobsOpt = 1,
    runs: RunsOpt = 10,
    instructions: Annotated[bool, typer.Option(help="count instructions of the winner (perf or valgrind)")] = True,
    seed: SeedOpt = 0,
    mutants: MutantsOpt = 8,
    protocol: ProtocolOpt = "compilerlm",
    allow_empty_output: AllowEmptyOpt = False,
    list_compilers: Annotated[bool, typer.Option("--list-compilers", help="print the compiler portfolio")] = False,
) -> None:
    """Assembly faster than gcc -O3 that passes every test: a compiler portfolio and/or a model, verified.

    Example: compilerlm asm prog.c --tests tests/ --out prog.s --json prog.json
    """
    from compilerlm.programs.program import load_tests, single_file_program
    from compilerlm.programs.suites import resolve_target
    from compilerlm.speed.portfolio import CONFIG_NAMES

    if list_compilers:
        for name in CONFIG_NAMES:
            console.print(name, highlight=False)
        return
    if not program:
        raise CompilerLMError("give a PROGRAM: a C file with --tests DIR, or a program folder")
    if tests is not None:
        path = Path(program)
        if path.suffix != ".c" or not path.is_file():
            raise CompilerLMError(f"--tests goes with a C file; {program} is not one")
        found = load_tests(tests)
        if not found:
            raise CompilerLMError(f"{tests} holds no tests (expected N.in + N.out files)")
        programs = [replace(single_file_program(path), tests=found)]
    else:
        programs = resolve_target(program)
    config = asm_search_config(model, compilers, **{k: v for k, v in locals().items() if k in SEARCH_OPTIONS})
    given = read_candidates(candidate or [], programs)
    check_output_file(json_path, "--json")
    check_assembly_out(out, programs)
    outcomes, doc = run_asm(programs, config, model, store, jobs, None, given)
    table = Table(title="assembly vs gcc -O3")
    for col in ("program", "source", "config / sample", "correct", "speedup", "instructions"):
        table.add_column(col)
    for o in outcomes:
        inst = "—" if o.instructions_ratio is None else f"{o.instructions_ratio:.3f}x"
        note = f" ({o.error})" if o.error else ""
        cells = (o.name, o.source + note, o.config or o.sample or "")
        table.add_row(*map(shown, cells), str(o.correct), f"{o.speedup:.3f}x", inst)
    console.print(table)
    if json_path:  # first: the record of every program is kept whatever happens to the assembly files
        json_path.write_text(json.dumps(doc, indent=2) + "\n")
        console.print(f"wrote {json_path}")
    write_assembly(outcomes, out)
    failed = [o for o in outcomes if o.error]
    if failed:  # e.g. the program's own baseline fails its tests: nothing could be measured
        first = " ".join(failed[0].error.split())
        if len(outcomes) == 1:
            raise CompilerLMError(first)
        raise CompilerLMError(f"{len(failed)} of {len(outcomes)} programs could not be run; first: {first}")


def read_candidates(paths: list[Path], programs: list[Program]) -> list[tuple[str, str]]:
    """(file name, text) of the user's own assembly files; they belong to one program."""
    if not paths:
        return []
    if len(programs) != 1:
        raise CompilerLMError(f"--candidate goes with one program; the target holds {len(programs)}")
    for path in paths:
        if not path.is_file():
            raise CompilerLMError(f"--candidate {path} is not a file; give an assembly (.s) file")
    return [(path.name, path.read_text(errors="surrogateescape")) for path in paths]


def check_assembly_out(out: Path | None, programs: list[Program]) -> None:
    """--out is a .s file for one program, else a folder; checked before any work."""
    from compilerlm.eval.speed import single_file_c

    if out is not None and out.suffix == ".s" and len(single_file_c(programs)[0]) == 1:
        check_output_folder(out.parent, "--out")
        check_output_file(out if out.parent.exists() else None, "--out")
    else:
        check_output_folder(out, "--out")


def write_assembly(outcomes, out: Path | None) -> None:
    """The reported assembly of every program that could be run: one .s file, or NAME.s in a folder (NAME made
    a plain file name by `names.file_name`: a module's `prog/file.c`, a name from a compile database)."""
    usable = [o for o in outcomes if not o.error]  # a program that could not be run has no assembly to write
    if out is None or not usable:
        return
    if len(outcomes) == 1 and out.suffix == ".s":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(usable[0].assembly)
    else:
        out.mkdir(parents=True, exist_ok=True)
        for o in usable:
            (out / f"{file_name(o.name)}.s").write_text(o.assembly)
    console.print(f"wrote {out}")
