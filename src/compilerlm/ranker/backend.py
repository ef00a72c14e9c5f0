"""`ranker:default` / `ranker:PATH` as a model: it answers LLM Compiler's flag-tuning prompt with pass lists,
so everything that takes a model (`tune --model`, `eval flags --model`, `serve`) takes the ranker unchanged.

The n answers to one prompt are the n best library pipelines for that module, in the predicted order, each
written as the answer format's `-p '…'` (which `parse_flags_answer` reads); greedy decoding (temperature 0)
gives the same order every time, sampling draws orders around it. A prompt that is not a flag-tuning prompt
is skipped with the reason, never answered with nonsense.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from compilerlm.models.base import Completion, Model
from compilerlm.ranker.model import DEFAULT_MODEL, Ranker, load_ranker

_CODE = re.compile(r"<code>(.*)</code>", re.S)


def ranker_path(ref: str) -> Path:
    return DEFAULT_MODEL if ref == "default" else Path(ref)


class RankerModel(Model):
    def __init__(self, ref: str, *, seed: int = 0) -> None:
        self.spec = f"ranker:{ref}"
        self.ranker: Ranker = load_ranker(ranker_path(ref))
        self.seed = seed
        self.context_length = None  # reads the whole module, whatever its length

    def generate(
        self, prompts: Sequence[str], n: int = 1, temperature: float = 0.0, max_tokens: int = 1024
    ) -> list[Completion]:
        out = []
        for i, prompt in enumerate(prompts):
            found = _CODE.search(prompt)
            if found is None:
                out.append(
                    Completion(skipped="not a flag-tuning prompt: the ranker reads the IR inside <code>…</code>")
                )
                continue
            order = self.ranker.rank(found.group(1), temperature=temperature, seed=self.seed + i)
            texts = [f"Run opt -p '{p}' to get a smaller object file than -Oz." for p in order[:n]]
            if temperature == 0 and n > len(texts):  # greedy decoding repeats its answer
                texts += texts[-1:] * (n - len(texts))
            out.append(Completion(texts=texts))
        return out
