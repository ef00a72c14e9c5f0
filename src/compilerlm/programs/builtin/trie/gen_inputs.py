"""Writes tests/N.in for the trie program (run from this folder, then bless the folder with --suite)."""

import random

out = "tests/"
syl = [
    "ka",
    "ri",
    "to",
    "na",
    "mo",
    "lu",
    "se",
    "pa",
    "do",
    "ve",
    "shi",
    "tra",
    "ne",
    "qua",
    "bel",
    "or",
    "in",
    "ex",
    "con",
    "pre",
    "st",
    "ing",
    "er",
    "al",
]


def pseudo(r):
    return "".join(r.choice(syl) for _ in range(r.randint(1, 5)))


def prose_words(r, n=5600):
    """A text-like word stream made here: short function words and a Zipf-distributed invented vocabulary."""
    function_words = ["the", "a", "of", "to", "and", "in", "is", "it", "for", "on", "this", "that", "work", "license"]
    vocab = [pseudo(r) for _ in range(900)]
    weights = [1 / (i + 1) for i in range(len(vocab))]
    return [r.choice(function_words) if r.random() < 0.35 else r.choices(vocab, weights)[0] for _ in range(n)]


def write(n, words, queries):
    with open(out + f"{n}.in", "w") as f:
        f.write("words\n" + "\n".join(words) + "\nqueries\n" + "\n".join(queries) + "\n")
    print(n, len(words))


r = random.Random(1)
base = [pseudo(r) for _ in range(4000)]
words = [base[min(int(r.paretovariate(1.2)) - 1, len(base) - 1)] for _ in range(15000)] + base
r.shuffle(words)
q = [
    "stats",
    "lookup kari",
    "prefix ka",
    "prefix tra",
    "complete ka 10",
    "complete qua 5",
    "dump pre 12",
    "delete " + words[0],
    "lookup " + words[0],
    "bench 80000 7",
    "stats",
    "complete s 8",
    "prefix s",
]
write(1, words, q)

r = random.Random(2)
lw = prose_words(r)
q = [
    "stats",
    "complete the 5",
    "complete li 10",
    "prefix co",
    "dump work 20",
    "lookup license",
    "bench 60000 11",
    "complete p 12",
    "stats",
]
for w in lw[:300]:
    q.append("delete " + w)
q += ["stats", "bench 40000 3", "dump a 15"]
write(2, lw, q)

r = random.Random(3)
words = ["".join(r.choice("acgt") for _ in range(r.randint(8, 20))) for _ in range(12000)]
q = [
    "stats",
    "prefix a",
    "prefix ac",
    "prefix acg",
    "prefix acgt",
    "complete acg 6",
    "dump ttt 10",
    "bench 50000 5",
    "stats",
]
write(3, words, q)

r = random.Random(4)
words = [pseudo(r) + r.choice(["", "s", "ed", "ing", "er"]) for _ in range(9000)]
q = ["stats"]
for _ in range(400):
    k = r.randrange(4)
    w = r.choice(words)
    if k == 0:
        q.append(f"lookup {w}")
    elif k == 1:
        q.append(f"prefix {w[: r.randint(1, len(w))]}")
    elif k == 2:
        q.append(f"complete {w[:2]} {r.randint(1, 6)}")
    else:
        q.append(f"{r.choice(['insert', 'delete'])} {w}")
q += ["bench 80000 99", "stats", "dump ka 10"]
write(4, words, q)

r = random.Random(5)


def path_word(r):
    top = r.choice(["usr", "lib", "bin", "etc", "var", "opt"])
    middle, name = pseudo(r), pseudo(r)
    return f"{top}/{middle}/{name}.{r.choice(['c', 'h', 'py', 'txt', 'so'])}"


words = [path_word(r) for _ in range(7000)]
q = [
    "stats",
    "prefix usr/",
    "prefix lib/ka",
    "complete etc/ 10",
    "dump var/pa 8",
    "bench 40000 123",
    "stats",
    "complete o 4",
]
write(5, words, q)

r = random.Random(6)
words = [str(r.randrange(10 ** r.randint(3, 9))) for _ in range(15000)]
q = [
    "stats",
    "prefix 1",
    "prefix 12",
    "prefix 123",
    "complete 9 10",
    "dump 77 10",
    "lookup 12345",
    "bench 120000 77",
    "stats",
]
write(6, words, q)
