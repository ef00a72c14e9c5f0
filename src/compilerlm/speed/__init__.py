"""The speed track (SuperCoder, arXiv 2505.11480): a C program and its ``gcc -O3`` assembly in, faster assembly out.

Flow for one program:

1. ``problem.prepare_problem`` once: the baseline assembly and binary (``build``), the -O0 oracle, a
   visible/hidden split of the tests and differential mutants judged by the oracle (``checks``,
   ``mutants``), time limits from the baseline's own run times.
2. ``judge.evaluate_candidate`` for every answer (``evaluate_completion`` on a raw one: the last
   ```` ```assembly ```` block, ``prompt``): build it confined, run every test in the sandbox, and time it
   against the baseline (instruction counts too, ``instructions``) only when it is correct.
3. ``search.optimize_program`` makes the candidates: the compiler portfolio (``portfolio``: gcc/clang
   configurations, PGO on the visible tests) and/or a model (best-of-k plus repair rounds), and keeps the
   fastest correct one, never worse than the baseline.
4. ``rewards`` scores one verdict (``judge.AsmResult``) for evaluation and RL training alike.

Imports go one way: the leaves (``prompt``, ``build``, ``checks``, ``mutants``, ``instructions``,
``portfolio``) import no other module here; ``problem`` imports leaves, ``judge`` leaves and ``problem``,
``search`` and ``rewards`` leaves, ``problem`` and ``judge``; this ``__init__`` imports nothing. Every gcc/as/ld
run on model text or dataset code goes through ``compilerlm.confined_tools``; every binary runs through
``compilerlm.sandbox``.
"""
