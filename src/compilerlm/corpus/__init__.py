"""A corpus of unoptimized IR modules from real C projects (docs/design.md, "Corpus").

`manifest` reads the committed list of sources, `splits` assigns each project to train/validation/test,
`fetch` gets and builds a source into a compile database, `build` turns the databases into deduplicated
modules and the index. The corpus itself (other people's code and its IR) is never committed: the manifest
rebuilds it.
"""
