"""Writes tests/N.in: a header line and a corpus of invented prose (made here, deterministic by seed).

Run from this folder: python gen_inputs.py, then python -m compilerlm.programs.bless --suite on the folder.
"""

import random

SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ten",
    "ras",
    "vo",
    "qui",
    "den",
    "sal",
    "mor",
    "pe",
    "zu",
    "nar",
    "is",
    "ul",
    "bre",
    "tho",
    "gal",
    "fin",
    "dor",
    "ae",
    "xi",
    "wen",
    "cor",
]
FUNCTION_WORDS = ["the", "a", "of", "and", "to", "in", "with", "under", "over", "by", "for", "from", "as"]
HEADERS = [
    "seed 1 words 1200000",
    "seed 42 words 1200000 width 10",
    "seed 7 words 1300000 width 15",
    "seed 123456789 words 1200000",
    "seed 99 words 900000 width 8",
    "seed 2024 words 1200000 width 20",
]
SIZES = [35000, 44000, 35000, 37000, 54000, 84000]


def corpus(rng: random.Random, size: int) -> str:
    vocab = ["".join(rng.choices(SYLLABLES, k=rng.randint(1, 4))) for _ in range(400)]
    weights = [1 / (i + 1) for i in range(len(vocab))]  # Zipf-like word frequencies
    out, length = [], 0
    while length < size:
        words = []
        for _ in range(rng.randint(4, 18)):
            words.append(rng.choice(FUNCTION_WORDS) if rng.random() < 0.3 else rng.choices(vocab, weights)[0])
        sentence = " ".join(words).capitalize() + rng.choice([".", ".", ".", "?", "!", ";"])
        out.append(sentence)
        length += len(sentence) + 1
        if rng.random() < 0.1:
            out.append("\n\n")
    return " ".join(out) + "\n"


for i, (header, size) in enumerate(zip(HEADERS, SIZES, strict=True), start=1):
    with open(f"tests/{i}.in", "w") as fh:
        fh.write(header + "\n" + corpus(random.Random(i), size))
