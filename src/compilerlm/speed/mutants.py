"""Input mutation for differential testing: new inputs near the visible ones (stdin, and the input files of
tests that read files), for the -O0 oracle to judge.

A candidate that only learned the visible tests (or hard-coded their outputs) fails on inputs it has
never seen; the program's own -O0 build says what the right output is for any input it accepts. The
mutants stay close to real inputs, so most of them are still valid for the program:

- numbers nudged: ±1, ×2, halved, 0, 1, sign flipped (only where the token already had a sign, so
  unsigned fields stay unsigned), 32-bit boundaries (only for numbers already large, so a loop count
  of 5 does not become 2^31 and time out); decimals keep their number of digits;
- tokens of one line shuffled; lines duplicated or dropped; a line truncated or extended by repeating
  one of its own tokens; one character of a word replaced by another of the same line.

Everything is seeded: the same (inputs, count, seed) always gives the same mutants. Inputs stay text
(bytes that are not UTF-8 pass through unchanged via surrogateescape), a mutant differs from every
original and from every other mutant, and none grows past ``1.5 × original + 64`` bytes.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from compilerlm.programs.program import TestCase

_NUMBER = re.compile(r"(?<![\w.])([-+]?)(\d+)(?:\.(\d+))?(?![\w])")
_TOKEN = re.compile(r"\S+")
_WORD_CHAR = re.compile(r"[A-Za-z]")
_BIG = 1 << 16  # numbers at least this large may be pushed to 32-bit boundaries
_TRIES = 20  # attempts per mutant before giving up on a fresh one


def _max_size(original: str) -> int:
    return len(original) * 3 // 2 + 64


def _nudge_number(text: str, rng: random.Random) -> str | None:
    matches = list(_NUMBER.finditer(text))
    if not matches:
        return None
    m = rng.choice(matches)
    sign, whole, frac = m.group(1), m.group(2), m.group(3)
    signed = bool(sign)
    value = int(whole) * (-1 if sign == "-" else 1)
    choices: list[Callable[[int], int]] = [
        lambda v: v + 1,
        lambda v: v - 1 if (signed or v > 0) else v + 2,
        lambda v: v * 2,
        lambda v: v // 2,
        lambda v: 0,
        lambda v: 1,
    ]
    if signed:
        choices.append(lambda v: -v if v else -1)
    if abs(value) >= _BIG:
        choices += [lambda v: 2**31 - 1, lambda v: 2**31 - 2]
        if signed:
            choices.append(lambda v: -(2**31))
    new = rng.choice(choices)(value)
    if frac is None:
        rendered = str(new)
    else:  # keep the number of decimals; scale the fractional part along with the integer part
        part = int(frac) if new == value else rng.randrange(10 ** len(frac))
        digits = str(abs(new) * 10 ** len(frac) + part).rjust(len(frac) + 1, "0")
        rendered = ("-" if new < 0 else "") + digits[: -len(frac)] + "." + digits[-len(frac) :]
    if sign == "+" and not rendered.startswith("-"):
        rendered = "+" + rendered
    return text[: m.start()] + rendered + text[m.end() :]


def _lines(text: str) -> tuple[list[str], bool]:
    trailing = text.endswith("\n")
    lines = text.split("\n")
    if trailing:
        lines.pop()
    return lines, trailing


def _join(lines: list[str], trailing: bool) -> str:
    return "\n".join(lines) + ("\n" if trailing and lines else "")


def _pick_line(lines: list[str], rng: random.Random, need_tokens: int = 1) -> int | None:
    idx = [i for i, line in enumerate(lines) if len(_TOKEN.findall(line)) >= need_tokens]
    return rng.choice(idx) if idx else None


def _shuffle_tokens(text: str, rng: random.Random) -> str | None:
    lines, trailing = _lines(text)
    i = _pick_line(lines, rng, need_tokens=2)
    if i is None:
        return None
    spans = [m.span() for m in _TOKEN.finditer(lines[i])]
    tokens = [lines[i][a:b] for a, b in spans]
    rng.shuffle(tokens)
    out, pos = [], 0
    for (a, b), tok in zip(spans, tokens, strict=True):  # keep the original separators
        out += [lines[i][pos:a], tok]
        pos = b
    lines[i] = "".join(out) + lines[i][pos:]
    return _join(lines, trailing)


def _duplicate_line(text: str, rng: random.Random) -> str | None:
    lines, trailing = _lines(text)
    if not lines:
        return None
    i = rng.randrange(len(lines))
    lines.insert(i, lines[i])
    return _join(lines, trailing)


def _drop_line(text: str, rng: random.Random) -> str | None:
    lines, trailing = _lines(text)
    if len(lines) < 2:
        return None
    del lines[rng.randrange(len(lines))]
    return _join(lines, trailing)


def _truncate_line(text: str, rng: random.Random) -> str | None:
    lines, trailing = _lines(text)
    i = _pick_line(lines, rng)
    if i is None:
        return None
    tokens = list(_TOKEN.finditer(lines[i]))
    if len(tokens) >= 2:
        keep = rng.randrange(1, len(tokens))
        lines[i] = lines[i][: tokens[keep - 1].end()]
    else:
        tok = tokens[0]
        if tok.end() - tok.start() < 2:
            return None
        lines[i] = lines[i][: tok.start() + rng.randrange(1, tok.end() - tok.start())]
    return _join(lines, trailing)


def _extend_line(text: str, rng: random.Random) -> str | None:
    lines, trailing = _lines(text)
    i = _pick_line(lines, rng)
    if i is None:
        return None
    tokens = _TOKEN.findall(lines[i])
    if len(tokens) == 1 and rng.random() < 0.5:  # one word: make it longer
        lines[i] = lines[i].rstrip() + tokens[0][-1] * rng.randint(1, 3)
    else:
        lines[i] = lines[i].rstrip() + " " + " ".join(rng.choice(tokens) for _ in range(rng.randint(1, 2)))
    return _join(lines, trailing)


def _replace_char(text: str, rng: random.Random) -> str | None:
    positions = [m.start() for m in _WORD_CHAR.finditer(text)]
    if not positions:
        return None
    pos = rng.choice(positions)
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    pool = sorted({c for c in text[line_start : line_end if line_end != -1 else None] if c.isalpha()} - {text[pos]})
    if not pool:
        pool = [c for c in "abcxyz" if c != text[pos]]
    return text[:pos] + rng.choice(pool) + text[pos + 1 :]


# numbers come up more often: most benchmark inputs are numbers, and nudged numbers stay valid inputs
_OPERATORS: tuple[tuple[Callable[[str, random.Random], str | None], int], ...] = (
    (_nudge_number, 6),
    (_shuffle_tokens, 2),
    (_duplicate_line, 1),
    (_drop_line, 1),
    (_truncate_line, 1),
    (_extend_line, 1),
    (_replace_char, 1),
)


def mutate(text: str, rng: random.Random, edits: int | None = None) -> str:
    """``text`` with 1-3 (or ``edits``) random edits; may return ``text`` itself when nothing applies."""
    ops, weights = zip(*_OPERATORS, strict=True)
    out = text
    for _ in range(edits if edits is not None else rng.choice((1, 1, 2, 3))):
        for _attempt in range(5):
            new = rng.choices(ops, weights)[0](out, rng)
            if new is not None and len(new) <= _max_size(text):
                out = new
                break
    return out


def mutated_inputs(inputs: Sequence[bytes], count: int, seed: int = 0) -> list[bytes]:
    """``count`` distinct mutants of ``inputs`` (round robin over them), deterministic in ``seed``.

    Fewer come back only when the inputs leave too little room to vary (e.g. all empty).
    """
    if count <= 0 or not inputs:
        return []
    texts = [raw.decode("utf-8", "surrogateescape") for raw in inputs]
    seen = set(texts)
    out: list[bytes] = []
    k = 0
    misses = 0
    while len(out) < count and misses < _TRIES * max(count, 1):
        src = texts[k % len(texts)]
        rng = random.Random(f"compilerlm-mutate:{seed}:{k}:{src}".encode("utf-8", "surrogateescape"))
        k += 1
        new = mutate(src, rng)
        if new in seen:
            misses += 1
            continue
        seen.add(new)
        out.append(new.encode("utf-8", "surrogateescape"))
    return out


def _content(source: Path | bytes) -> bytes:
    return source if isinstance(source, bytes) else Path(source).read_bytes()


def mutated_tests(tests: Sequence[TestCase], count: int, seed: int = 0) -> list[TestCase]:
    """``count`` distinct variants of ``tests`` with their expectations unknown (the oracle decides them): each
    has its stdin or one of its input files mutated, its arguments and other files as they were. Tests that
    are stdin only vary exactly as ``mutated_inputs`` varies their stdin."""
    if count <= 0 or not tests:
        return []
    unknown = {"expected": None}

    def blank(test: TestCase, **changes: object) -> TestCase:
        outputs = tuple((name, None) for name in test.output_names)
        return replace(test, **unknown, outputs=outputs, **changes)  # type: ignore[arg-type]

    if all(t.stdin_only for t in tests):
        return [
            blank(TestCase(f"m{i}"), stdin=s)
            for i, s in enumerate(mutated_inputs([t.stdin for t in tests], count, seed))
        ]
    slots = [(t, "") for t in tests if t.stdin] + [(t, name) for t in tests for name, _ in t.files]
    if not slots:
        return []
    seen = {(t.name, name, (t.stdin if not name else _content(dict(t.files)[name]))) for t, name in slots}
    out: list[TestCase] = []
    k = misses = 0
    while len(out) < count and misses < _TRIES * max(count, 1):
        test, name = slots[k % len(slots)]
        raw = test.stdin if not name else _content(dict(test.files)[name])
        src = raw.decode("utf-8", "surrogateescape")
        rng = random.Random(f"compilerlm-mutate:{seed}:{k}:{test.name}:{name}:{src}".encode("utf-8", "surrogateescape"))
        k += 1
        new = mutate(src, rng).encode("utf-8", "surrogateescape")
        if (test.name, name, new) in seen:
            misses += 1
            continue
        seen.add((test.name, name, new))
        if name:
            files = tuple((f, new if f == name else source) for f, source in test.files)
            out.append(blank(test, name=f"m{len(out)}", files=files))
        else:
            out.append(blank(test, name=f"m{len(out)}", stdin=new))
    return out
