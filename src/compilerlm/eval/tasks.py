"""The evaluation runner shared by the LLM Compiler tasks (flags, emulate, emulate-asm, disasm).

Every item is built from the modules, asked of the model in batches, scored with the real tools and written to
the store as soon as it is scored: a rerun with the same store and settings reads finished items back
(flagged `resumed`) and asks the model only for the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rich.table import Table

from compilerlm.errors import CompilerLMError
from compilerlm.eval.report import ReportFiles, pyplot, save_figure
from compilerlm.models.base import Model
from compilerlm.search.store import Store
from compilerlm.tasks import TASKS
from compilerlm.tasks.disasm import DisasmItem, prepare_disasm, score_disasm, summarize_disasm
from compilerlm.tasks.emulate import (
    EmulationItem,
    emulation_items,
    prepare_emulation,
    score_emulation,
    summarize_emulation,
)
from compilerlm.tasks.flags import flags_prompt, score_flags_many, summarize_flags
from compilerlm.toolchain.evaluator import Evaluator
from compilerlm.toolchain.module import IRModule

TaskName = Literal["flags", "emulate", "emulate-asm", "disasm"]
OnItem = Callable[[dict], None]


@dataclass
class TaskEval:
    """Per-item rows (dicts, as stored) and the suite summary of one task evaluation."""

    task: str
    rows: list[dict]
    summary: dict


@dataclass
class _Pending:
    """One item on its way: a key for the store, a prompt once prepared, or the reason it has no ground truth."""

    key: str
    module: IRModule
    payload: Any
    prompt: str = ""
    error: str | None = None


class _Task:
    """What differs between tasks: items, ground truth, scoring, summary."""

    def __init__(self, evaluator: Evaluator, timeout: float) -> None:
        self.evaluator = evaluator
        self.timeout = timeout

    def items(self, modules: Sequence[IRModule], per_module: int, seed: int) -> list[_Pending]:
        raise NotImplementedError

    def prepare(self, batch: list[_Pending]) -> None:
        raise NotImplementedError

    def score(self, batch: list[_Pending], answers: list[list[str]]) -> list[dict]:
        raise NotImplementedError

    def summarize(self, rows: Sequence[dict]) -> dict:
        raise NotImplementedError

    def _parallel(self, fn: Callable[[int], dict], count: int) -> list[dict]:
        with ThreadPoolExecutor(self.evaluator.jobs) as pool:
            return list(pool.map(fn, range(count)))


class _Flags(_Task):
    def items(self, modules: Sequence[IRModule], per_module: int, seed: int) -> list[_Pending]:
        return [_Pending(f"{m.key}:flags", m, None) for m in modules]

    def prepare(self, batch: list[_Pending]) -> None:
        sizes = self.evaluator.evaluate_many([(p.module, "default<Oz>") for p in batch])
        for p, ev in zip(batch, sizes, strict=True):
            if ev.ok and ev.size:
                p.payload, p.prompt = ev.size, flags_prompt(p.module.ir)
            else:
                p.error = f"-Oz does not compile: {ev.error}"

    def score(self, batch: list[_Pending], answers: list[list[str]]) -> list[dict]:
        scores = score_flags_many(
            [(p.module, a, p.payload) for p, a in zip(batch, answers, strict=True)], self.evaluator
        )
        return [s.to_dict() for s in scores]

    def summarize(self, rows: Sequence[dict]) -> dict:
        return summarize_flags([r for r in rows if not r.get("error")])


class _Emulate(_Task):
    def __init__(self, evaluator: Evaluator, timeout: float, asm: bool) -> None:
        super().__init__(evaluator, timeout)
        self.asm = asm

    def items(self, modules: Sequence[IRModule], per_module: int, seed: int) -> list[_Pending]:
        out = []
        for m in modules:
            for item in emulation_items(m, per_module=per_module, seed=seed, asm=self.asm):
                out.append(_Pending(item.key, m, item))
        return out

    def prepare(self, batch: list[_Pending]) -> None:
        items: list[EmulationItem] = [p.payload for p in batch]
        prepare_emulation(items, self.evaluator, timeout=self.timeout)
        for p, item in zip(batch, items, strict=True):
            p.prompt, p.error = item.prompt, item.error

    def score(self, batch: list[_Pending], answers: list[list[str]]) -> list[dict]:
        def one(i: int) -> dict:
            item: EmulationItem = batch[i].payload
            texts = answers[i] or [""]
            row = score_emulation(item, texts[0]).to_dict()
            if len(texts) > 1:
                row["exact_match_any"] = any(score_emulation(item, t).exact_match for t in texts)
            row["pipeline"] = item.pipeline
            row["true_size"] = item.true_size
            return row

        return self._parallel(one, len(batch))

    def summarize(self, rows: Sequence[dict]) -> dict:
        return summarize_emulation(rows)


class _Disasm(_Task):
    def items(self, modules: Sequence[IRModule], per_module: int, seed: int) -> list[_Pending]:
        return [_Pending(DisasmItem(m).key, m, None) for m in modules]

    def prepare(self, batch: list[_Pending]) -> None:
        def one(i: int) -> dict:
            batch[i].payload = item = prepare_disasm(batch[i].module, timeout=self.timeout)
            batch[i].prompt, batch[i].error = (item.prompt if item.error is None else ""), item.error
            return {}

        self._parallel(one, len(batch))

    def score(self, batch: list[_Pending], answers: list[list[str]]) -> list[dict]:
        def one(i: int) -> dict:
            texts = answers[i] or [""]
            return score_disasm(batch[i].payload, texts[0], timeout=self.timeout).to_dict()

        return self._parallel(one, len(batch))

    def summarize(self, rows: Sequence[dict]) -> dict:
        return summarize_disasm(rows)


def _task(task: str, evaluator: Evaluator, timeout: float) -> _Task:
    if task == "flags":
        return _Flags(evaluator, timeout)
    if task in ("emulate", "emulate-asm"):
        return _Emulate(evaluator, timeout, asm=task == "emulate-asm")
    if task == "disasm":
        return _Disasm(evaluator, timeout)
    raise CompilerLMError(f"unknown task {task!r}: use one of {', '.join(TASKS)}")


def settings_key(model: Model, samples: int, temperature: float, max_tokens: int) -> str:
    """What, besides the item, decides an answer: the model and the sampling settings."""
    return f"{model.spec or type(model).__name__}|n={samples}|t={temperature:g}|max={max_tokens}"


def run_task_eval(
    task: TaskName,
    model: Model,
    modules: Sequence[IRModule],
    *,
    evaluator: Evaluator,
    store: Store | None = None,
    samples: int = 1,
    temperature: float = 0.0,
    max_tokens: int = 2048,
    per_module: int = 1,
    seed: int = 0,
    batch_size: int = 8,
    timeout: float = 120.0,
    on_item: OnItem | None = None,
) -> TaskEval:
    """Evaluate `model` on one task over `modules`; every row is stored as it is scored (resume by rerunning).

    Row keys: task, key (item), module, settings, skipped (why the model gave no answer), error (why the item
    has no ground truth), resumed, prompt_tokens, answers (the raw texts), then the task's own metrics.
    `on_item(row)` is called for every row, resumed ones included, as soon as it is known."""
    if samples < 1 or per_module < 1 or batch_size < 1:
        raise CompilerLMError("samples, per_module and batch_size must be at least 1")
    runner = _task(task, evaluator, timeout)
    settings = settings_key(model, samples, temperature, max_tokens)
    kind = f"task:{task}"
    rows: list[dict | None] = []
    todo: list[tuple[int, _Pending]] = []
    for p in runner.items(modules, per_module, seed):
        record_key = f"{settings}|{p.key}"
        done = store.get_record(kind, record_key) if store is not None else None
        if done is not None:
            rows.append({**done, "resumed": True})
            if on_item:
                on_item(rows[-1])
        else:
            rows.append(None)
            todo.append((len(rows) - 1, p))

    for start in range(0, len(todo), batch_size):
        chunk = todo[start : start + batch_size]
        batch = [p for _, p in chunk]
        runner.prepare(batch)
        ready = [p for p in batch if p.error is None]
        prompts = [p.prompt for p in ready]
        completions = (
            model.generate(prompts, n=samples, temperature=temperature, max_tokens=max_tokens) if prompts else []
        )
        if len(completions) != len(ready):
            raise CompilerLMError(f"model {settings} returned {len(completions)} completions for {len(ready)} prompts")
        scores = runner.score(ready, [list(c.texts) for c in completions]) if ready else []
        answered = {id(p): (c, score) for p, c, score in zip(ready, completions, scores, strict=True)}
        for index, p in chunk:
            row: dict = {"task": task, "key": p.key, "module": p.module.name, "settings": settings}
            if p.error is not None:
                row.update(error=p.error, skipped=None, prompt_tokens=None, answers=[])
            else:
                c, score = answered[id(p)]
                skipped = c.skipped or (None if c.texts else "no answer")
                row.update(error=None, skipped=skipped, prompt_tokens=c.prompt_tokens, answers=list(c.texts))
                row.update(score)
            if store is not None:
                store.put_record(kind, f"{settings}|{p.key}", row)
            rows[index] = {**row, "resumed": False}
            if on_item:
                on_item(rows[index])

    final = [r for r in rows if r is not None]
    summary = {"task": task, "settings": settings, **runner.summarize(final)}
    summary["resumed"] = sum(bool(r.get("resumed")) for r in final)
    return TaskEval(task, final, summary)


# ------------------------------------------------------------------ tables and reports


def _pct(x: Any) -> str:
    return "—" if x is None else f"{100 * x:.2f}%"


def _num(x: Any) -> str:
    return "—" if x is None else f"{x:.2f}"


def _int(x: Any) -> str:
    return "—" if x is None else str(x)


_ROWS: dict[str, list[tuple[str, str, Callable[[Any], str]]]] = {
    "flags": [
        ("modules", "Modules", _int),
        ("improvement_zero_shot", "Improvement vs -Oz, zero-shot (1 - geomean size/size_Oz)", _pct),
        ("improvement_fallback", "Improvement vs -Oz, with -Oz fallback", _pct),
        ("better_share", "Modules smaller than -Oz", _pct),
        ("worse_share", "Modules larger than -Oz", _pct),
        ("invalid_share", "Invalid pass lists (rejected by opt/llc)", _pct),
        ("skipped_share", "Prompts skipped by the model", _pct),
    ],
    "emulate": [
        ("items", "Items", _int),
        ("exact_match_share", "Exact match (normalised)", _pct),
        ("bleu_corpus", "BLEU, corpus (0-100)", _num),
        ("bleu_mean", "BLEU, mean per item (0-100)", _num),
        ("parse_share", "Answers the real parser accepts", _pct),
        ("size_error_mean", "Stated binary size, mean relative error", _pct),
        ("size_stated_share", "Answers that state a binary size", _pct),
        ("instruction_error_mean", "Stated instruction count, mean relative error", _pct),
        ("skipped_share", "Prompts skipped by the model", _pct),
        ("no_ground_truth", "Items without ground truth (left out)", _int),
    ],
    "disasm": [
        ("items", "Items", _int),
        ("round_trip_share", "Round trip (IR compiles to the input assembly)", _pct),
        ("round_trip_bleu_mean", "Round-trip BLEU, mean (0-100)", _num),
        ("exact_match_share", "IR exact match (normalised)", _pct),
        ("parse_share", "IR the real parser accepts", _pct),
        ("skipped_share", "Prompts skipped by the model", _pct),
        ("no_ground_truth", "Items without ground truth (left out)", _int),
    ],
}
_ROWS["emulate-asm"] = _ROWS["emulate"]


def summary_lines(task: str, summary: dict) -> list[tuple[str, str]]:
    """(label, formatted value) for each metric of the task, in the paper's order."""
    if task not in _ROWS:
        raise CompilerLMError(f"unknown task {task!r}: use one of {', '.join(TASKS)}")
    return [(label, fmt(summary.get(key))) for key, label, fmt in _ROWS[task]]


def format_table(task: str, summary: dict) -> Table:
    """The paper-style table of one task's summary, for the terminal."""
    table = Table(title=f"{task} — {summary.get('settings', '')}".rstrip(" —"))
    table.add_column("metric")
    table.add_column("value", justify="right")
    for label, value in summary_lines(task, summary):
        table.add_row(label, value)
    return table


_PLOT: dict[str, tuple[str, str]] = {
    "flags": ("ratio", "object size / -Oz size (invalid = 1.0)"),
    "emulate": ("bleu", "BLEU per item (0-100)"),
    "emulate-asm": ("bleu", "BLEU per item (0-100)"),
    "disasm": ("round_trip_bleu", "round-trip BLEU per item (0-100)"),
}


def write_task_report(task: str, result: TaskEval, out_dir: Path | str) -> ReportFiles:
    """report.md (summary table, settings, per-item results) and one histogram PNG of the per-item metric."""
    plt = pyplot()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    field, xlabel = _PLOT[task]
    values = [float(r[field]) for r in result.rows if r.get(field) is not None and not r.get("error")]
    plot = out / f"{task}_histogram.png"
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(values or [0.0], bins=20, color="#4c72b0", edgecolor="white")
    if task == "flags":
        ax.axvline(1.0, color="black", linestyle="--", linewidth=1, label="-Oz")
        ax.legend()
    ax.set_xlabel(xlabel)
    ax.set_ylabel("items")
    ax.set_title(f"{task}: {len(values)} items")
    save_figure(plt, fig, plot)

    lines = [f"# LLM Compiler task: {task}", "", f"Model and sampling: `{result.summary.get('settings', '')}`", ""]
    lines += ["| metric | value |", "|---|---:|"]
    lines += [f"| {label} | {value} |" for label, value in summary_lines(task, result.summary)]
    lines += ["", f"![{task} histogram]({plot.name})", "", "## Items", ""]
    lines += _item_table(task, result.rows)
    lines += ["", "Definitions: sizes are object-file bytes of allocated sections with contents (compilerlm's"]
    lines += ["docs/design.md); every answer was checked with the real LLVM 19 tools (opt, llc, llvm-as, llvm-mc)."]
    markdown = out / "report.md"
    markdown.write_text("\n".join(lines) + "\n")
    return ReportFiles(markdown=markdown, plots=[plot])


def _item_table(task: str, rows: Sequence[dict]) -> list[str]:
    cols = {
        "flags": ["pipeline", "valid", "size", "size_oz", "ratio", "reason"],
        "emulate": ["pipeline", "exact_match", "bleu", "parses", "size_error"],
        "disasm": ["round_trip", "round_trip_bleu", "exact_match", "parses", "reason"],
    }[task if task != "emulate-asm" else "emulate"]
    lines = ["| module | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for r in rows:
        cells = [_cell(r.get(c)) for c in cols]
        if r.get("error"):
            cells = [f"no ground truth: {_cell(r['error'])}"] + [""] * (len(cols) - 1)
        elif r.get("skipped"):
            cells[-1] = f"skipped: {_cell(r['skipped'])}"
        lines.append(f"| {r.get('module', '')} | " + " | ".join(cells) + " |")
    return lines


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    text = "" if value is None else str(value)
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 80 else text[:77] + "..."
