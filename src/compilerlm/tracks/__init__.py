"""One entry per track, owning every decision a run makes: `size.tune_target` (pass pipelines per module or for
the whole program). The command line, the benchmarks and the dataset builders call these, so a choice such as
`auto`'s default model is made in one place."""
