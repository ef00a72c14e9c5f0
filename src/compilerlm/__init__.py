"""compilerlm: smaller and faster compiled code with language models and search, always verified."""

__version__ = "0.1.0"
