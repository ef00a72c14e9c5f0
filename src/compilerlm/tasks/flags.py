"""Flag tuning: unoptimized IR in, a pass pipeline out that should give a smaller object file than -Oz.

The answer of LLM Compiler FTD carries the pass list as an opt argument (`-p '…'`, as in the emulation prompt
and Meta's example `module(default<Oz>)`), a stated object size and the optimized IR in `<code>…</code>`
(docs/design.md). Its exact wording is not pinned down here, so the pass list is read leniently: `-p '…'`,
`-passes=…`/`--passes='…'` anywhere in the prose (never inside the code block), legacy `-pass -pass` flags,
or a bare comma list. Then nothing it says is trusted: every pipeline is run by the real opt + llc through the
Evaluator, and a pipeline opt rejects (or that crashes LLVM) is invalid with the recorded reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from compilerlm.errors import PipelineError
from compilerlm.stats import improvement_geomean, share
from compilerlm.tasks.common import outside_code, stated_counts, strip_eos
from compilerlm.toolchain.evaluator import Evaluator
from compilerlm.toolchain.module import IRModule
from compilerlm.toolchain.pipelines import normalize

FLAGS_PROMPT = "[INST] Tell me how to optimize this LLVM-IR for object file size:\n\n<code>{ir}</code> [/INST]"


def flags_prompt(ir: str) -> str:
    """The exact flag-tuning prompt of the released LLM Compiler FTD models (no chat template)."""
    return FLAGS_PROMPT.format(ir=ir)


def flags_completion(pipeline: str, size: int, optimized_ir: str) -> str:
    """The label of a flag-tuning answer: the pass list as an opt argument, the object size it gives, the
    optimized IR (`parse_flags_answer` reads pipeline and size back)."""
    return f"Run opt -p '{pipeline}' to get object file size {size} bytes:\n\n<code>{optimized_ir}</code>"


@dataclass(frozen=True)
class ParsedFlags:
    """A pass pipeline read from an answer (not yet validated), the size the answer claims, or why neither."""

    pipeline: str | None
    predicted_size: int | None = None
    error: str | None = None


# `-p 'a,b'`, `-passes="a,b"`, `--passes=a,b`, `-p=a,b`, `-p a,b` (quoted forms may contain spaces).
_QUOTED_RE = re.compile(r"""(?<![\w-])(?:--?passes|-p)\s*[= ]\s*(['"`])(.*?)\1""", re.S)
_UNQUOTED_RE = re.compile(r"""(?<![\w-])(?:--?passes|-p)\s*[= ]\s*([^\s'"`]+)""")
# A legacy-PM flag list: `-sroa -mem2reg -simplifycfg`, `-Oz`.
_LEGACY_RE = re.compile(r"(?:(?<=\s)|^)-(?:O[0-3sz]|[a-z][a-z0-9-]*(?:<[^>\s]*>)?)(?=\s|$|[.:;,])")
_BARE_RE = re.compile(r"^[A-Za-z0-9_<>;(),=.-]+$")


def _candidates(prose: str) -> list[str]:
    """Pipeline texts found in the prose, best-founded first."""
    found = [m.group(2) for m in _QUOTED_RE.finditer(prose)]
    found += [m.group(1).rstrip(".:;,") for m in _UNQUOTED_RE.finditer(prose)]
    if found:
        return found
    legacy = _LEGACY_RE.findall(prose)
    if legacy:
        return [",".join(_legacy_element(flag) for flag in legacy)]
    for line in prose.splitlines():
        line = line.strip().strip("`").strip().rstrip(".")
        line = re.sub(r"\s*,\s*", ",", line)
        if line and _BARE_RE.match(line) and re.search(r"[a-z]", line):
            return [line]
    return []


def _legacy_element(flag: str) -> str:
    name = flag.lstrip("-")
    return f"default<{name}>" if re.fullmatch(r"O[0-3sz]", name) else name


def parse_flags_answer(text: str) -> ParsedFlags:
    """Read the pipeline (and claimed size) from a flag-tuning answer; garbage gives pipeline None and a reason."""
    text = strip_eos(text)
    prose = outside_code(text)
    _, predicted = stated_counts(text)
    if not text.strip():
        return ParsedFlags(None, None, "empty answer")
    candidates = _candidates(prose)
    if not candidates:
        return ParsedFlags(None, predicted, "no pass list found in the answer (expected -p '…' or a comma list)")
    raw = re.sub(r"\s+", " ", candidates[0]).strip()
    try:
        pipeline = normalize(raw)  # syntax, and only passes that act on the module alone: never run otherwise
    except PipelineError as exc:  # the reason reads as an evaluation's would ("pipeline: ...")
        return ParsedFlags(None, predicted, f"pipeline: {exc}")
    if not pipeline:
        return ParsedFlags(None, predicted, "empty pass list")
    return ParsedFlags(pipeline, predicted, None)


@dataclass
class AnswerScore:
    """One answer of the model for one module, as the real compiler judged it."""

    pipeline: str | None
    valid: bool
    reason: str | None
    size: int | None
    predicted_size: int | None


@dataclass
class FlagsScore:
    """One module: its -Oz size and the best valid answer (with n samples, the smallest valid one).
    `ratio` is size/size_oz for zero-shot use (1.0 when no answer is valid); `ratio_fallback` keeps -Oz when
    the answer is larger: min(ratio, 1)."""

    module: str
    size_oz: int
    pipeline: str | None
    valid: bool
    reason: str | None
    size: int | None
    ratio: float
    ratio_fallback: float
    predicted_size: int | None = None
    per_answer: list[AnswerScore] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def score_flags(module: IRModule, answers: Sequence[str], evaluator: Evaluator, size_oz: int) -> FlagsScore:
    """Parse each answer, compile every parsed pipeline with real opt + llc through the evaluator, size it."""
    return score_flags_many([(module, answers, size_oz)], evaluator)[0]


def score_flags_many(entries: Sequence[tuple[IRModule, Sequence[str], int]], evaluator: Evaluator) -> list[FlagsScore]:
    """`score_flags` for many (module, answers, size_oz) at once: all pipelines go to the evaluator as one
    parallel batch. A pipeline opt rejects, or that crashes LLVM, is invalid with the recorded reason."""
    parsed = [[parse_flags_answer(a) for a in answers] for _, answers, _ in entries]
    jobs = [(module, p.pipeline) for (module, _, _), ps in zip(entries, parsed, strict=True) for p in ps if p.pipeline]
    evaluations = iter(evaluator.evaluate_many(jobs) if jobs else [])
    out = []
    for (module, _, size_oz), ps in zip(entries, parsed, strict=True):
        scores = []
        for p in ps:
            if p.pipeline is None:
                scores.append(AnswerScore(None, False, p.error, None, p.predicted_size))
                continue
            ev = next(evaluations)
            if ev.ok:
                scores.append(AnswerScore(p.pipeline, True, None, ev.size, p.predicted_size))
            else:
                scores.append(AnswerScore(p.pipeline, False, f"{ev.error_kind}: {ev.error}", None, p.predicted_size))
        out.append(_module_score(module, size_oz, scores))
    return out


def _module_score(module: IRModule, size_oz: int, scores: list[AnswerScore]) -> FlagsScore:
    valid = [s for s in scores if s.valid and s.size is not None]
    if valid:
        best = min(valid, key=lambda s: s.size or 0)
        ratio = (best.size or 0) / size_oz
        return FlagsScore(
            module.name,
            size_oz,
            best.pipeline,
            True,
            None,
            best.size,
            ratio,
            min(ratio, 1.0),
            best.predicted_size,
            scores,
        )
    first = scores[0] if scores else AnswerScore(None, False, "no answer", None, None)
    return FlagsScore(
        module.name, size_oz, first.pipeline, False, first.reason, None, 1.0, 1.0, first.predicted_size, scores
    )


def summarize_flags(rows: Sequence[dict]) -> dict:
    """Paper-style suite figures from per-module rows (FlagsScore dicts; a row with `skipped` set is a prompt
    the model could not answer: it counts as -Oz, ratio 1.0, and in the skipped share, not the invalid one).

    improvement = 1 - geomean(ratio) (zero-shot: an invalid answer counts as 1.0); with fallback the same over
    min(ratio, 1); better/worse = share of modules strictly smaller/larger than -Oz."""
    n = len(rows)
    ratios = [1.0 if r.get("skipped") else r["ratio"] for r in rows]
    fallback = [min(x, 1.0) for x in ratios]
    answered = [r for r in rows if not r.get("skipped")]
    return {
        "modules": n,
        "improvement_zero_shot": improvement_geomean(ratios),
        "improvement_fallback": improvement_geomean(fallback),
        "better_share": share(sum(x < 1.0 for x in ratios), n),
        "worse_share": share(sum(x > 1.0 for x in ratios), n),
        "invalid_share": share(sum(not r["valid"] for r in answered), n),
        "skipped_share": share(n - len(answered), n),
    }
