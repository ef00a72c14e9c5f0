"""The `compilerlm` executable: `compilerlm cc` starts without the rest of the command line.

A build runs `compilerlm cc` once per translation unit, so its start-up is paid hundreds of times: the full
command (typer, rich, every command group and what they import) takes seconds to import, the compiler path a
fifth of one. `cc` (unless asked for help) goes straight to a warm server (`toolchain/cc_client.py`), else to
`toolchain/cc.py`; everything else to `cli.main`.
"""

from __future__ import annotations

import sys


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["cc"] and not {"--help", "-h"} & set(args[1:2]):
        from compilerlm.toolchain.cc_client import compile_on_server

        code = compile_on_server(args[1:])  # a warm server: no import of the compiler path in this process
        if code is not None:
            sys.exit(code)
        from compilerlm.toolchain.cc import cc_main

        sys.exit(cc_main(args[1:]))
    from compilerlm.cli import main as cli_main

    cli_main()
