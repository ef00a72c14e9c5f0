"""`python -m compilerlm.cli`: the same as the `compilerlm` command."""

from compilerlm.cli import main

if __name__ == "__main__":
    main()
