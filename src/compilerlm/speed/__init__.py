"""The speed track (SuperCoder, arXiv 2505.11480): a C program and its ``gcc -O3`` assembly in, faster assembly out.

Flow for one program:

1. ``problem.prepare_problem`` once: the baseline assembly and binary (``build``), the -O0 oracle, a
   visible/hidden split of the tests and differential mutants judged by the oracle (``checks``,
   ``mutants``), time limits from the baseline's own run times.
2. ``judge.evaluate_candidate`` for every answer (``evaluate_completion`` on a raw one: the last
   ```` ```assembly ```` block, ``prompt``): build it confined, run every test in the sandbox, and time it
   against the baseline (instruction counts too, ``instructions``) only when it is correct.
3. ``optimize.optimize_program`` makes the candidates, each step its own module over the judged ``pool``: the
   compiler portfolio (``portfolio``: gcc/clang configurations, PGO on the visible tests), a flag search and
   per-function combination beyond it (``compiler_search``, ``flagspace``, ``hot_functions``, ``profile``,
   ``combine``) and/or a model (``sampling``: best-of-k plus repair rounds, ``repair``); it re-times the
   undecided (``retime``) and keeps the fastest correct one, never worse than the baseline (``choice``), with
   SuperCoder's own timing beside it (``supercoder``). Settings: ``config``; records: ``outcome``.
4. ``rewards`` scores one verdict (``judge.AsmResult``) for evaluation and RL training alike.

Imports go one way: the leaves (``prompt``, ``build``, ``checks``, ``mutants``, ``instructions``,
``portfolio``, ``outcome``) import no other module here; ``problem`` imports leaves, ``judge`` leaves and
``problem``; the search's modules import those and each other in the order ``config``, ``pool``, ``choice``,
``retime``/``hot_functions``/``repair``/``supercoder``, ``compiler_search``/``sampling``, ``optimize``;
``rewards`` imports leaves, ``problem`` and ``judge``; this ``__init__`` imports nothing. Every gcc/as/ld
run on model text or dataset code goes through ``compilerlm.confined_tools``; every binary runs through
``compilerlm.sandbox``.
"""
