"""`compilerlm data flags|emulate|disasm|asm`: write a training dataset (a thin layer over data.build)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from compilerlm.cli.common import DEFAULT_JOBS, check_jobs, check_output_folder, progress_bar

if TYPE_CHECKING:
    from compilerlm.data.build import BuildReport, DataConfig
    from compilerlm.data.examples import Advance

data_app = typer.Typer(
    help="Write training datasets (parquet per split, split by program): flags, emulate, disasm, asm.",
    no_args_is_help=True,
    add_completion=False,
)

Suite = Annotated[str, typer.Option("--suite", help="TARGET: builtin, builtin:NAME, dir:PATH, csmith:N, a folder...")]
Out = Annotated[str, typer.Option("--out", help="dataset folder to write (train.parquet, validation.parquet)")]
Validation = Annotated[float, typer.Option(help="share of programs held out for validation")]
Seed = Annotated[int, typer.Option(help="seed of the split (and of random pipelines / test splits)")]
Tokenizer = Annotated[str | None, typer.Option(help="model spec (hf:ID_OR_PATH) whose tokenizer counts tokens")]
MaxTokens = Annotated[int | None, typer.Option(help="drop rows longer than this many tokens (needs --tokenizer)")]
Jobs = Annotated[int, typer.Option(help="parallel processes", callback=check_jobs)]


@contextmanager
def _progress() -> Iterator:
    with progress_bar(transient=False) as bar:

        def make(description: str, total: int) -> Advance:
            task = bar.add_task(description, total=total)
            return lambda n: bar.advance(task, n)

        yield make


def _report(report: BuildReport) -> None:
    rows = ", ".join(f"{split} {n}" for split, n in report.rows.items())
    programs = ", ".join(f"{split} {n}" for split, n in report.programs.items())
    print(f"wrote {report.task} dataset to {report.out}: rows {rows} (programs {programs})")
    print(f"dropped: {report.duplicates} duplicates, {report.too_long} over --max-tokens; {report.seconds:.1f} s")
    for name, why in sorted(report.skipped.items()):
        print(f"skipped {name}: {why}")


def _config(
    suite: str, out: str, validation: float, seed: int, tokenizer: str | None, max_tokens: int | None
) -> DataConfig:
    """What every dataset shares (data.build is imported here, not at startup: it pulls in most of the library)."""
    from compilerlm.data.build import DataConfig

    return DataConfig(
        suite=suite, out=out, validation=validation, seed=seed, tokenizer=tokenizer, max_tokens=max_tokens
    )


def _run(task: str, config: DataConfig, task_config) -> None:
    from compilerlm.data.build import build_dataset

    check_output_folder(config.out, "--out")
    with _progress() as progress:
        report = build_dataset(task, config, task_config, progress)
    _report(report)


@data_app.command("flags")
def flags(
    suite: Suite,
    out: Out,
    store: Annotated[str | None, typer.Option(help="tuner store (tune --store) to take labels from")] = None,
    budget: Annotated[int | None, typer.Option(help="run the tuner now with N evaluations per module")] = None,
    strategy: Annotated[str, typer.Option(help="tuner strategy with --budget")] = "auto",
    min_improvement: Annotated[float, typer.Option(help="keep labels at least this much smaller than -Oz")] = 0.0,
    validation: Validation = 0.1,
    seed: Seed = 0,
    tokenizer: Tokenizer = None,
    max_tokens: MaxTokens = None,
    jobs: Jobs = DEFAULT_JOBS,
) -> None:
    """Flag tuning: IR → the tuner's best verified, minimised pipeline, its object size and optimized IR."""
    from compilerlm.data.llm_compiler import FlagsDataConfig

    config = _config(suite, out, validation, seed, tokenizer, max_tokens)
    task_config = FlagsDataConfig(
        store=store, budget=budget, strategy=strategy, seed=seed, jobs=jobs, min_improvement=min_improvement
    )
    _run("flags", config, task_config)


@data_app.command("emulate")
def emulate(
    suite: Suite,
    out: Out,
    per_module: Annotated[int, typer.Option(help="random pipelines (1-50 passes) per module")] = 4,
    asm: Annotated[bool, typer.Option("--asm", help="label with llc's assembly instead of opt's IR")] = False,
    validation: Validation = 0.1,
    seed: Seed = 0,
    tokenizer: Tokenizer = None,
    max_tokens: MaxTokens = None,
    jobs: Jobs = DEFAULT_JOBS,
) -> None:
    """Compiler emulation: IR + random pipeline → what the real opt (or llc) prints."""
    from compilerlm.data.llm_compiler import EmulateDataConfig

    config = _config(suite, out, validation, seed, tokenizer, max_tokens)
    _run("emulate", config, EmulateDataConfig(per_module=per_module, asm=asm, seed=seed, jobs=jobs))


@data_app.command("disasm")
def disasm(
    suite: Suite,
    out: Out,
    validation: Validation = 0.1,
    seed: Seed = 0,
    tokenizer: Tokenizer = None,
    max_tokens: MaxTokens = None,
    jobs: Jobs = DEFAULT_JOBS,
) -> None:
    """Disassembly: llc's assembly of the -Oz module → the -Oz IR."""
    from compilerlm.data.llm_compiler import DisasmDataConfig

    config = _config(suite, out, validation, seed, tokenizer, max_tokens)
    _run("disasm", config, DisasmDataConfig(jobs=jobs))


@data_app.command("asm")
def asm(
    suite: Suite,
    out: Out,
    visible: Annotated[int, typer.Option(help="tests shown per program; the rest are hidden")] = 3,
    validation: Validation = 0.1,
    seed: Seed = 0,
    tokenizer: Tokenizer = None,
    max_tokens: MaxTokens = None,
    jobs: Jobs = DEFAULT_JOBS,
) -> None:
    """Speed task: SuperCoder's verl rows (C + gcc -O3 assembly; visible tests, hidden tests apart)."""
    from compilerlm.data.asm import AsmDataConfig

    config = _config(suite, out, validation, seed, tokenizer, max_tokens)
    _run("asm", config, AsmDataConfig(visible=visible, seed=seed, jobs=jobs))
