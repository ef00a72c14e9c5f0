"""Every candidate judged for one program, in the order judged: what the search's steps (compilers, flag
search, combination, model samples, re-timing, the choice) share. A text judged before is not judged again."""

from __future__ import annotations

import hashlib

from compilerlm.errors import CompileError
from compilerlm.programs.program import Program
from compilerlm.speed.config import AsmSearchConfig
from compilerlm.speed.flagspace import Point
from compilerlm.speed.judge import AsmResult, HeadToHead, evaluate_candidate
from compilerlm.speed.outcome import Candidate, OnCandidate
from compilerlm.speed.portfolio import CompilerConfig, compile_assembly
from compilerlm.speed.problem import AsmProblem


class CandidatePool:
    """The judged candidates of one program and what the search has learnt on the way: each compiler
    candidate's point in the flag space, notes for the outcome, and counts of compilations, distinct
    assemblies and combinations."""

    def __init__(self, problem: AsmProblem, config: AsmSearchConfig, on_candidate: OnCandidate | None) -> None:
        self.problem, self.config, self.on_candidate = problem, config, on_candidate
        self.judged: list[tuple[Candidate, str]] = []  # (verdict, assembly)
        self.verdicts: dict[str, AsmResult] = {}  # by digest of the assembly: a repeated text is judged once
        self.points: dict[str, Point] = {}  # compiler candidate label -> its point in the flag space
        self.notes: list[str] = []
        self.counted: set[str] = set()  # candidates whose instructions were counted for a near-tie
        # (clock's first, count's first) -> their head-to-head on the clock, or why there is none
        self.head_to_head: dict[tuple[str, str], HeadToHead | str] = {}
        self.counts = {"compilations": 0, "distinct": 0, "combinations": 0}

    def judge(self, label: str, source: str, asm: str | None) -> AsmResult:
        """The verdict on one assembly text (timed on the visible tests), recorded as a candidate."""
        digest = hashlib.sha256((asm or "").encode(errors="surrogateescape")).hexdigest()
        if asm and digest in self.verdicts:  # same code as a candidate judged already: nothing new to learn
            return self.verdicts[digest]
        self.counts["distinct"] += 1
        res = evaluate_candidate(
            self.problem,
            asm,
            warmups=self.config.warmups,
            runs=self.config.runs,
            timed=self.problem.visible or self.problem.tests,
            tag="candidate",
        )
        low, high = res.interval()
        cand = Candidate(
            label,
            source,
            res.compiled,
            res.correct,
            res.speedup,
            res.failure or res.timing_error,
            res.is_baseline_copy,
            res.tests_passed,
            res.tests_total,
            low,
            high,
        )
        self.judged.append((cand, asm or ""))
        if asm:
            self.verdicts[digest] = res
        if self.on_candidate:
            self.on_candidate(self.problem.name, cand)
        return res

    def compiler_candidate(self, program: Program, cfg: CompilerConfig) -> None:
        """One compiler configuration's assembly, judged; a compiler that fails is a candidate that did not compile."""
        self.counts["compilations"] += 1
        try:
            asm = compile_assembly(program, cfg, self.problem.visible)
        except CompileError as exc:
            cand = Candidate(cfg.name, "compiler", False, False, None, f"compiler failed: {exc}")
            self.judged.append((cand, ""))
            if self.on_candidate:
                self.on_candidate(self.problem.name, cand)
            return
        self.judge(cfg.name, "compiler", asm)
