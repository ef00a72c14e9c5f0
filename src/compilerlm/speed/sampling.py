"""Candidates from a model: best-of-k samples of SuperCoder's prompt, then up to R repair rounds in which each
failed sample's last answer comes back with what went wrong (`repair`). The rounds stop once some candidate
is faster by its intervals: repairs are for programs nothing has sped up yet."""

from __future__ import annotations

from compilerlm.models.base import Model
from compilerlm.speed.choice import best
from compilerlm.speed.pool import CandidatePool
from compilerlm.speed.prompt import extract_assembly
from compilerlm.speed.repair import feedback_for, repair_request


def model_candidates(pool: CandidatePool, model: Model) -> list[str]:
    """Best-of-k, then repair rounds on the failed answers, each judged; returns why some prompts got no answer."""
    config, problem = pool.config, pool.problem
    errors: list[str] = []
    prompt = problem.prompt_text()
    first = model.generate([prompt], n=config.samples, temperature=config.temperature, max_tokens=config.max_tokens)[0]
    if first.skipped:
        return [first.skipped]
    # one chain per sample: (label, prompt that produced the answer, answer, verdict)
    chains = []
    for i, text in enumerate(first.texts, 1):
        chains.append((f"sample {i}", prompt, text, pool.judge(f"sample {i}", "model", extract_assembly(text))))
    for rnd in range(1, config.rounds + 1):
        if best(pool) is not None:
            break
        failed = [c for c in chains if not c[3].correct]
        if not failed:
            break
        requests = [repair_request(p, a, feedback_for(problem, r)) for _, p, a, r in failed]
        answers = model.generate(requests, n=1, temperature=config.temperature, max_tokens=config.max_tokens)
        chains = []
        for (label, _, _, _), request, answer in zip(failed, requests, answers, strict=True):
            if answer.skipped or not answer.texts:
                errors.append(f"{label} repair {rnd}: {answer.skipped or 'no answer'}")
                continue
            text = answer.texts[0]
            name = f"{label.split(' repair')[0]} repair {rnd}"
            chains.append((label, request, text, pool.judge(name, "model", extract_assembly(text))))
    return errors
