"""What an asm search is asked, as its users write it: the model presets and which options win over them, which
compilers `--compilers` names (all without a model, none with one), and every value checked as a one-line error
before any work. `AsmSearchOptions` is what `compilerlm asm` and `compilerlm eval asm` share; `AsmEvalOptions` is
the asm task's own `eval` options (the paper's preset by default). Each field's help is its option's help, and
the defaults are `speed.config.AsmSearchConfig`'s, so each is written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from compilerlm.errors import CompilerLMError
from compilerlm.speed.config import AsmSearchConfig
from compilerlm.speed.portfolio import portfolio

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
class AsmSearchOptions:
    """The search's settings, as both `asm` and `eval asm` take them (the model and its sampling options are each
    command's own: `asm`'s request, `eval`'s shared options)."""

    preset: str = field(default="compilerlm", metadata={"help": PRESET_HELP})
    rounds: int | None = field(
        default=None, metadata={"help": "--model: repair rounds fed the assembler error or a visible test's diff"}
    )
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

    def model_settings(
        self, samples: int | None = None, temperature: float | None = None, max_tokens: int | None = None
    ) -> ModelSettings:
        """The preset's model settings, each option given winning over it."""
        if self.preset not in PRESETS:
            raise CompilerLMError(f"unknown --preset {self.preset!r}: choose {' or '.join(PRESETS)}")
        preset = PRESETS[self.preset]
        return ModelSettings(
            samples=preset.samples if samples is None else samples,
            rounds=preset.rounds if self.rounds is None else self.rounds,
            temperature=preset.temperature if temperature is None else temperature,
            max_tokens=preset.max_tokens if max_tokens is None else max_tokens,
        )

    def compiler_names(self, model: str | None) -> tuple[str, ...] | None:
        """The portfolio configurations asked for (None: all; (): none); an unknown name fails here."""
        if self.compilers is None:
            return () if model else None
        if self.compilers.strip() == "none":
            return ()
        names = tuple(n.strip() for n in self.compilers.split(",") if n.strip())
        portfolio(names)
        return names

    def config_for(
        self,
        model: str | None,
        samples: int | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> AsmSearchConfig:
        """The search settings asked for with `model` and its sampling options (None: the preset's); every bad
        value fails here with one line, before any work."""
        chosen = self.model_settings(samples, temperature, max_tokens)
        if self.protocol not in PROTOCOLS:
            raise CompilerLMError(f"unknown --protocol {self.protocol!r}: choose {' or '.join(PROTOCOLS)}")
        budget_ok = self.budget is None or self.budget >= 1
        if chosen.samples < 1 or chosen.rounds < 0 or self.runs < 2 or not budget_ok or self.mutants < 0:
            raise CompilerLMError("need --samples >= 1, --rounds >= 0, --runs >= 2, --budget >= 1 and --mutants >= 0")
        names = self.compiler_names(model)
        if model is None and names == ():
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


@dataclass(kw_only=True)
class AsmEvalOptions(AsmSearchOptions):
    """`compilerlm eval asm`'s own options: a suite scored as the paper scores it, so the model settings follow the
    paper by default; programs may run as Ray tasks."""

    preset: str = field(default="supercoder", metadata={"help": PRESET_HELP})
    ray: str | None = field(default=None, metadata={"help": "run programs as Ray tasks: 'local', 'auto' or ray://..."})
